"""Archive readers: WARC (FastWARC, or warcio as a fallback) and JSONL, and the CLI on them."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner import records
from cleaner.cli import app

ARTICLE = ("<html><head><title>{title}</title></head><body><nav><a href='/'>首页</a> <a href='/n'>新闻</a></nav>"
           "<article><h1>{title}</h1>{paragraphs}</article><footer>版权所有 示例网</footer></body></html>")
PARAGRAPHS = ["<p>市政府周二宣布，将在明年新建三所学校，并为两百名教师提供住房补贴，以缓解城区入学压力。</p>",
              "<p>教育局负责人表示，新学校将于九月开工，预计两年内全部投入使用，届时可增加六千个学位。</p>",
              "<p>部分家长对此表示欢迎，但也有人担心施工期间的交通问题，希望有关部门提前做好规划。</p>"]


def chinese_page(n: int) -> str:
    return ARTICLE.format(title=f"新建学校计划第{n}号", paragraphs="".join(PARAGRAPHS))


def write_warc(path: Path, compress: bool) -> None:
    """Three GBK pages (charset only in the HTTP header), a 404, an image, a request record."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=compress)

        def response(url: str, body: bytes, content_type: str, status: str = "200 OK") -> None:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))

        for n in range(3):
            url = f"http://news.example/{n}"
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            response(url, chinese_page(n).encode("gbk"), "text/html; charset=GBK")
        response("http://news.example/missing", b"<html><body>not found</body></html>", "text/html", "404 Not Found")
        response("http://news.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")


@pytest.fixture(params=[True, False], ids=["warc.gz", "warc"])
def warc(tmp_path, request) -> Path:
    path = tmp_path / ("crawl.warc.gz" if request.param else "crawl.warc")
    write_warc(path, request.param)
    return path


def test_warc_reader_yields_html_responses_with_the_http_charset(warc):
    found = list(records.read_warc(warc))
    assert [r.meta["url"] for r in found] == [f"http://news.example/{n}" for n in range(3)]
    assert all(r.meta["encoding"] == "gbk" and r.meta["kind"] == "html" for r in found)
    assert all(r.id.startswith("<urn:uuid:") and r.id == r.meta["warc_record_id"] for r in found)
    assert "新建学校计划第0号".encode("gbk") in found[0].content


def test_warcio_fallback_reads_the_same_records_as_fastwarc(warc, monkeypatch):
    fast = list(records.read_warc(warc))
    monkeypatch.setitem(sys.modules, "fastwarc", None)  # as if FastWARC were not installed
    slow = list(records.read_warc(warc))
    assert [(r.id, r.content, r.meta) for r in slow] == [(r.id, r.content, r.meta) for r in fast]


def test_cli_cleans_a_warc_gz_into_jsonl_with_url_record_id_title_and_text(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, compress=True)
    result = CliRunner().invoke(app, ["clean", str(warc), "-o", str(tmp_path / "clean.jsonl")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "clean.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["url"] for line in lines] == [f"http://news.example/{n}" for n in range(3)]
    assert all(line["warc_record_id"] == line["id"] for line in lines)
    assert lines[1]["title"] == "新建学校计划第1号"
    assert "教育局负责人表示" in lines[1]["text"]
    assert "paragraphs" not in lines[1]


def test_cli_labels_adds_paragraphs_and_their_labels_to_each_line(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, compress=True)
    result = CliRunner().invoke(app, ["clean", str(warc), "-o", str(tmp_path / "clean.jsonl"), "--labels"])
    assert result.exit_code == 0, result.output
    line = json.loads((tmp_path / "clean.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert any(p["label"] == "body" and "市政府周二宣布" in p["text"] for p in line["paragraphs"])


def test_cli_writes_a_txt_file_per_warc_record_under_the_archive_name(tmp_path):
    (tmp_path / "in").mkdir()
    write_warc(tmp_path / "in" / "crawl.warc.gz", compress=True)
    result = CliRunner().invoke(app, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out" / "crawl").iterdir()) == ["000000.txt", "000001.txt", "000002.txt"]


def write_jsonl(path: Path, lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


@pytest.mark.parametrize("name", ["pages.jsonl", "pages.jsonl.gz"])
def test_jsonl_reader_takes_html_or_text_fields_and_keeps_id_and_url(tmp_path, name):
    path = tmp_path / name
    write_jsonl(path, [json.dumps({"id": "a", "url": "http://x/a", "html": chinese_page(0)}, ensure_ascii=False),
                       json.dumps({"url": "http://x/b", "text": "标题\n\n正文第一段。"}, ensure_ascii=False),
                       "",
                       json.dumps({"text": "no id nor url"})])
    found = list(records.read_jsonl(path))
    assert [r.id for r in found] == ["a", "http://x/b", f"{path}:4"]
    assert [r.meta["kind"] for r in found] == ["html", "text", "text"]
    assert found[0].meta["url"] == "http://x/a"


def test_jsonl_lines_without_a_page_become_failed_records_not_a_crash(tmp_path):
    path = tmp_path / "pages.jsonl"
    write_jsonl(path, ["{not json", json.dumps({"id": "x", "title": "no page"}), json.dumps([1, 2])])
    errors = [r.meta.get("error") for r in records.read_jsonl(path)]
    assert errors[0].startswith("bad JSON") and errors[1] == "no html or text field" and errors[2] == "not a JSON object"
    result = CliRunner().invoke(app, ["clean", str(path), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    assert (tmp_path / "out.jsonl").read_text() == ""


def test_a_folder_yields_its_pages_and_warcs_but_not_stray_jsonl(tmp_path):
    (tmp_path / "a.html").write_text(chinese_page(0), encoding="utf-8")
    write_warc(tmp_path / "c.warc.gz", compress=True)
    (tmp_path / "labels.jsonl").write_text('{"id": "p", "paragraphs": []}\n')
    from cleaner.batch import find_inputs

    assert [p.name for _, p in find_inputs([str(tmp_path)], archives=True)] == ["a.html", "c.warc.gz"]
    assert [p.name for _, p in find_inputs([str(tmp_path)])] == ["a.html"]  # for callers that read pages only
    assert [p.name for _, p in find_inputs([str(tmp_path / "labels.jsonl")])] == ["labels.jsonl"]
