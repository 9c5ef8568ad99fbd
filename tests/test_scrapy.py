"""Scrapy: CleanerPipeline cleans every crawled page, in a real crawl of a server on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cleaner import clean

pytest.importorskip("scrapy")

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ["The museum reopened its east wing on Saturday after three years of careful restoration work.",
             "Visitors queued from early morning to see the newly cleaned ceiling paintings and mosaics.",
             "The director thanked the donors and the craftspeople who had rebuilt the wooden staircase."]
SPIDER = textwrap.dedent("""
    import scrapy

    class Pages(scrapy.Spider):
        name = "pages"

        def __init__(self, start, **kwargs):
            super().__init__(**kwargs)
            self.start_urls = [start]

        def parse(self, response):
            for href in response.css("a.story::attr(href)").getall():
                yield response.follow(href, self.parse_story)

        def parse_story(self, response):
            yield {"url": response.url, "html": response.body, "encoding": response.encoding}
""")


def story(n: int) -> str:
    body = "".join(f"<p>{SENTENCES[(n + i) % 3]} ({n}.{i})</p>" for i in range(4))
    return (f"<html><head><meta charset='gbk'><title>Museum wing {n}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/arts'>Arts</a></nav><article><h1>Museum wing {n}</h1>{body}"
            f"<p>记者 王{n}</p></article><footer>Copyright Example Gazette</footer></body></html>")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test output."""


@pytest.fixture
def site(tmp_path) -> Iterator[str]:
    """Three GBK stories and an index linking them, served on 127.0.0.1 (no other network)."""
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f"<a class='story' href='/story{n}.html'>Story {n}</a>" for n in range(3))
    (root / "index.html").write_text(f"<html><body>{links}</body></html>")
    for n in range(3):
        (root / f"story{n}.html").write_bytes(story(n).encode("gbk"))
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def crawl(tmp_path: Path, start: str, *settings: str) -> list[dict]:
    spider = tmp_path / "spider.py"
    spider.write_text(SPIDER)
    items = tmp_path / "items.jsonl"
    options = ["-s", "ITEM_PIPELINES={\"cleaner.scrapy.CleanerPipeline\": 300}", "-s", "LOG_LEVEL=WARNING",
               "-s", "ROBOTSTXT_OBEY=False", "-s", "TELNETCONSOLE_ENABLED=False"]
    for setting in settings:
        options += ["-s", setting]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"start={start}",
                           "-o", f"{items}:jsonlines", *options], cwd=tmp_path, env=env, capture_output=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    return sorted((json.loads(line) for line in items.read_text().splitlines()), key=lambda item: item["url"])


def test_crawled_items_get_the_clean_text_and_title_of_their_page(tmp_path, site):
    items = crawl(tmp_path, site, "CLEANER_DROP_HTML=True")
    assert [item["url"].rsplit("/", 1)[1] for item in items] == ["story0.html", "story1.html", "story2.html"]
    for n, item in enumerate(items):
        expected = clean(story(n).encode("gbk"), url=item["url"])
        assert item["text"] and item["text"] == expected.text
        assert item["title"] == f"Museum wing {n}"
        assert "html" not in item


def test_settings_choose_the_output_fields_and_their_prefix(tmp_path, site):
    items = crawl(tmp_path, site, "CLEANER_OUTPUT_FIELDS=text,paragraphs", "CLEANER_PREFIX=clean_",
                  "CLEANER_DROP_HTML=True")
    item = items[0]
    assert set(item) == {"url", "encoding", "clean_text", "clean_paragraphs"}
    assert "记者 王0" in [p["text"] for p in item["clean_paragraphs"]]  # the GBK page was decoded
    assert {p["label"] for p in item["clean_paragraphs"]} <= {"body", "chrome", "comment", "spam"}
