"""Spark: cleaning on a local[2] Spark gives the same fields, page for page, as `cleaner clean -o out.jsonl`.

One SparkSession for the module (starting Spark takes seconds) and a handful of pages.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.cli import app

pyspark = pytest.importorskip("pyspark")
pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ("<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> <a href='/m'>Markets</a></nav>"
           "<article><h1>{title}</h1>{body}</article><footer>© Example Times</footer></body></html>")
SENTENCES = ["Shares in the shipping company rose sharply after it reported higher profits for the quarter.",
             "Analysts said demand for container transport had recovered faster than most had expected.",
             "The company plans to order six new vessels and expand its terminal in the northern port."]


def article(n: int) -> str:
    body = "".join(f"<p>{SENTENCES[(n + i) % 3]} ({n}.{i})</p>" for i in range(4))
    return ARTICLE.format(title=f"Shipping profits {n}", body=body)


@pytest.fixture(scope="module")
def spark():
    from cleaner.spark import session

    env = {"PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the Python workers import this checkout of cleaner
    spark = session("local[2]", "cleaner-tests")
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    """A WARC of 3 pages, a JSONL file of 2 (html and text) plus a bad line, and a folder of 2 page files."""
    folder = tmp_path_factory.mktemp("inputs")
    with open(folder / "crawl.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n in range(3):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"http://times.example/{n}", "response",
                                                          payload=io.BytesIO(article(n).encode()),
                                                          http_headers=headers))
    lines = [json.dumps({"id": "j1", "url": "http://times.example/j1", "html": article(10)}),
             json.dumps({"id": "j2", "text": "Shipping profits\n\n" + " ".join(SENTENCES)}),
             "{broken"]
    (folder / "pages.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "pages").mkdir()
    for n in (20, 21):
        (folder / "pages" / f"p{n}.html").write_text(article(n))
    return [str(folder / "crawl.warc.gz"), str(folder / "pages.jsonl"), str(folder / "pages")]


def cli_lines(inputs: list[str], output: Path) -> list[dict]:
    result = CliRunner().invoke(app, ["clean", *inputs, "-o", str(output), "--labels"])
    assert result.exit_code == 1, result.output  # the broken JSONL line fails; the others are written
    return [json.loads(line) for line in output.read_text().splitlines()]


def test_spark_output_equals_the_cli_output_for_the_same_pages(spark, inputs, tmp_path):
    from cleaner.spark import clean_paths

    expected = cli_lines(inputs, tmp_path / "cli.jsonl")
    clean_paths(spark, inputs, str(tmp_path / "out.parquet"), labels=True)
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    failed = [row for row in rows if row["error"]]
    assert [row["id"] for row in failed] == [f"{inputs[1]}:3"]
    got = {row["id"]: {k: v for k, v in row.items() if k != "error"} for row in rows if not row["error"]}
    assert len(expected) == 7
    for line in expected:
        assert got[line["id"]] == line
        assert list(got[line["id"]]) == list(line)  # same fields, same order


def test_clean_pages_keeps_other_columns_and_cleans_html_given_as_a_string(spark):
    from cleaner.spark import clean_pages

    pages = spark.createDataFrame([("u1", article(1), "2024-05-01"), ("u2", "", "2024-05-02")],
                                  "url string, html string, crawl_date string")
    rows = {row["url"]: row for row in clean_pages(pages).collect()}
    assert rows["u1"]["crawl_date"] == "2024-05-01" and rows["u1"]["title"] == "Shipping profits 1"
    assert "rose sharply" in rows["u1"]["text"] or "Analysts said" in rows["u1"]["text"]
    assert rows["u2"]["text"] == "" and rows["u2"]["reason"]
    assert "html" not in rows["u1"].asDict()


def test_parquet_pages_are_read_and_cleaned_like_the_others(spark, tmp_path):
    import pyarrow as pa

    from cleaner.spark import clean_paths

    pq.write_table(pa.table({"id": ["q1"], "html": [article(3).encode()]}), tmp_path / "pages.parquet")
    clean_paths(spark, [str(tmp_path / "pages.parquet")], str(tmp_path / "out"))
    [row] = pq.read_table(tmp_path / "out").to_pylist()
    assert row["id"] == "q1" and row["title"] == "Shipping profits 3" and row["error"] is None


def test_cleaner_spark_command_writes_parquet(spark, inputs, tmp_path):
    result = CliRunner().invoke(app, ["spark", inputs[0], "-o", str(tmp_path / "cmd.parquet"), "--master", "local[2]"])
    assert result.exit_code == 0, result.output
    assert len(pq.read_table(tmp_path / "cmd.parquet").to_pylist()) == 3


def test_cleaner_spark_settle_gives_the_settled_text_of_cleaner_clean(spark, inputs, tmp_path):
    cli = CliRunner().invoke(app, ["clean", inputs[1], "-o", str(tmp_path / "cli.jsonl"), "--settle"])
    assert cli.exit_code == 1, cli.output  # the broken line
    expected = {line["id"]: line["text"] for line in map(json.loads, (tmp_path / "cli.jsonl").read_text().splitlines())}
    result = CliRunner().invoke(app, ["spark", inputs[1], "-o", str(tmp_path / "s.parquet"), "--master", "local[2]",
                                      "--settle"])
    assert result.exit_code == 0, result.output
    got = {row["id"]: row["text"] for row in pq.read_table(tmp_path / "s.parquet").to_pylist() if not row["error"]}
    assert got == expected and any(got.values())
