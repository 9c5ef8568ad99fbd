"""Batch cleaning: N worker processes, input order kept, input read lazily, outputs skipped when done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from typer.testing import CliRunner

from cleaner import batch
from cleaner.cli import app

SENTENCES = [
    "The city council approved the new budget on Tuesday after a long debate about school funding.",
    "Officials said the plan would add two hundred teachers and repair several old buildings by next year.",
    "Opposition members argued that the tax increase would hurt small businesses already facing high costs.",
    "The mayor promised to publish a detailed report on spending every three months from now on.",
]


def page(n: int, paragraphs: int = 6) -> str:
    """A small news page: navigation, a headline, article paragraphs, a footer."""
    body = "".join(f"<p>{SENTENCES[(n + i) % len(SENTENCES)]} (Report {n}, part {i}.)</p>" for i in range(paragraphs))
    return (f"<html><head><title>Council news {n}</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
            f"<article><h1>Council approves budget {n}</h1>{body}</article>"
            "<footer>Copyright 2024 The Daily Example. All rights reserved.</footer></body></html>")


def write_pages(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"page{n:03d}.html"
        path.write_text(page(n), encoding="utf-8")
        paths.append(path)
    return paths


def records(count: int) -> list[batch.Record]:
    return [batch.Record(f"r{n}", page(n).encode(), f"r{n}.html", {"source": f"r{n}"}) for n in range(count)]


def test_two_jobs_give_the_same_outputs_in_input_order_as_one():
    one = list(batch.run(records(12), {}, jobs=1))
    two = list(batch.run(records(12), {}, jobs=2))
    assert [o["id"] for o in two] == [f"r{n}" for n in range(12)]
    assert two == one
    assert all(o["text"] and o["error"] is None for o in two)


def test_run_reads_ahead_a_bounded_window_not_the_whole_input():
    pulled = 0

    def endless() -> Iterator[batch.Record]:
        nonlocal pulled
        n = 0
        while True:
            pulled += 1
            yield batch.Record(f"r{n}", page(n % 5).encode(), None, {})
            n += 1

    outputs = batch.run(endless(), {}, jobs=2)
    first = [next(outputs) for _ in range(3)]
    assert [o["id"] for o in first] == ["r0", "r1", "r2"]
    assert pulled <= (2 * batch.IN_FLIGHT_PER_JOB + 1) * batch.CHUNK
    outputs.close()


def test_a_record_that_could_not_be_read_is_an_output_with_its_error():
    bad = batch.Record("gone.html", b"", "gone.html", {"source": "gone.html", "error": "unreadable: gone"})
    [out] = batch.run([bad], {}, jobs=1)
    assert out["error"] == "unreadable: gone"
    assert out["text"] is None


def test_labels_option_adds_every_paragraph_with_its_label():
    [out] = batch.run(records(1), {"labels": True}, jobs=1)
    assert {p["label"] for p in out["paragraphs"]} <= {"body", "chrome", "comment", "spam"}
    assert any(p["label"] == "body" for p in out["paragraphs"])


def test_cli_jsonl_output_is_identical_with_one_and_two_jobs(tmp_path):
    write_pages(tmp_path / "in", 10)
    runner = CliRunner()
    for jobs in ("1", "2"):
        result = runner.invoke(app, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / f"j{jobs}.jsonl"),
                                     "--jobs", jobs])
        assert result.exit_code == 0, result.output
    one = (tmp_path / "j1.jsonl").read_bytes()
    assert one == (tmp_path / "j2.jsonl").read_bytes()
    lines = [json.loads(line) for line in one.decode().splitlines()]
    assert [Path(line["source"]).name for line in lines] == [f"page{n:03d}.html" for n in range(10)]
    assert all("error" not in line for line in lines)


def test_jsonl_format_follows_from_the_output_name(tmp_path):
    write_pages(tmp_path / "in", 2)
    result = CliRunner().invoke(app, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "clean.jsonl")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clean.jsonl").is_file()
    assert len((tmp_path / "clean.jsonl").read_text().splitlines()) == 2


def test_txt_outputs_that_exist_are_skipped_unless_overwrite(tmp_path):
    write_pages(tmp_path / "in", 3)
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, ["clean", str(tmp_path / "in"), "-o", str(out), "--jobs", "2"]).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["page000.txt", "page001.txt", "page002.txt"]
    (out / "page001.txt").write_text("stale")
    again = runner.invoke(app, ["clean", str(tmp_path / "in"), "-o", str(out)])
    assert "skipped (done before) 3" in again.output
    assert (out / "page001.txt").read_text() == "stale"
    redo = runner.invoke(app, ["clean", str(tmp_path / "in"), "-o", str(out), "--overwrite"])
    assert "skipped (done before) 0" in redo.output
    assert "Report 1" in (out / "page001.txt").read_text()


def test_an_output_file_beside_a_named_input_file_is_allowed(tmp_path):
    [path] = write_pages(tmp_path, 1)
    result = CliRunner().invoke(app, ["clean", str(path), "-o", str(tmp_path / "clean.jsonl")])
    assert result.exit_code == 0, result.output


def test_an_output_inside_an_input_folder_is_refused(tmp_path):
    write_pages(tmp_path / "in", 1)
    result = CliRunner().invoke(app, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "in" / "out.jsonl")])
    assert result.exit_code == 2


def test_closing_the_outputs_early_many_times_never_hangs():
    """Closing `run` while chunks are still on their way to the workers lets them finish instead
    of terminating the pool under its task thread, which can block for ever on a full pipe (a
    rare race: it hung a CI run once, 2026-12-01; this exercises the early close with chunks
    larger than a pipe's buffer, it does not force the race)."""
    big = page(1).encode() * 40  # chunks larger than a pipe's buffer

    def records() -> Iterator[batch.Record]:
        n = 0
        while True:
            yield batch.Record(f"r{n}", big, None, {})
            n += 1

    for _ in range(3):
        outputs = batch.run(records(), {}, jobs=2)
        assert next(outputs)["id"] == "r0"
        outputs.close()
