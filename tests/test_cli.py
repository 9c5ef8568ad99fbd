import json

from typer.testing import CliRunner

from cleaner.cli import app

runner = CliRunner()


def test_explain_shows_every_paragraph_with_its_label(tmp_path, seeds):
    page = tmp_path / "page.txt"
    page.write_text(seeds[1].raw, encoding="utf-8")
    result = runner.invoke(app, ["explain", str(page)])
    assert result.exit_code == 0, result.output
    labels = [line.split()[1] for line in result.output.splitlines() if line[:4].strip().isdigit()]
    assert len(labels) == len(seeds[1].paragraphs)
    assert set(labels) <= {"body", "chrome", "comment", "spam"}


def test_explain_of_an_unreadable_file_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["explain", str(tmp_path / "missing.html")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_error_messages_keep_their_square_brackets(tmp_path):
    """Errors are printed as text, not as rich markup, which would drop a "[draft]" from a path."""
    result = runner.invoke(app, ["explain", str(tmp_path / "page[draft].html")])
    assert result.exit_code == 2 and "page[draft].html" in result.output


def test_explain_prints_page_text_that_looks_like_markup_as_it_is(tmp_path):
    page = tmp_path / "forum.txt"
    page.write_text("A forum post\n\nThe council met on Monday [/quote] and voted [edit] to keep the old bridge open.\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["explain", str(page)])
    assert result.exit_code == 0 and "[/quote] and voted [edit]" in result.output


def test_label_train_evaluate_round_trip_on_the_training_format(tmp_path, seeds):
    pages = tmp_path / "pages"
    pages.mkdir()
    for page in seeds:
        (pages / f"{page.id}.txt").write_text(page.raw, encoding="utf-8")
    labelled = tmp_path / "labelled.jsonl"
    result = runner.invoke(app, ["label", str(pages), "-o", str(labelled)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in labelled.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3 and all(r["paragraphs"] and r["kind"] == "text" for r in records)

    model = tmp_path / "mine.joblib"
    result = runner.invoke(app, ["train", str(labelled), "-o", str(model)])
    assert result.exit_code == 0, result.output
    assert model.is_file() and (tmp_path / "mine.card.json").is_file()

    refused = runner.invoke(app, ["evaluate", str(labelled), "--model", str(model)])
    assert refused.exit_code == 2 and "trust" in refused.output
    result = runner.invoke(app, ["evaluate", str(labelled), "--model", str(model), "--trust-model", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["pages"] == 3 and report["blocks"] == sum(len(r["paragraphs"]) for r in records)
    assert set(report["f1"]) == {"body", "chrome", "comment", "spam"}


def test_clean_settle_writes_text_that_cleaning_again_keeps(tmp_path, seeds):
    from cleaner import Cleaner

    page = tmp_path / "in" / "page.txt"
    page.parent.mkdir()
    page.write_text(seeds[1].raw, encoding="utf-8")
    result = runner.invoke(app, ["clean", str(page.parent), "-o", str(tmp_path / "out"), "--settle"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "page.txt").read_text(encoding="utf-8").strip()
    assert text and Cleaner(settle=True).clean(text, kind="text").text == text
