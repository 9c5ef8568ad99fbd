"""Long fuzz of `clean()`: minutes of generated pages, outside CI (pytest does not collect it).

    python tests/fuzz/fuzz_clean.py --minutes 10 [--seed 0] [--slow 5] [--report fuzz.json]

Hypothesis drives the generation (findings are recorded, not raised, so the run goes on) from strategies
aimed at the decoder and the segmenters: tag soup with entities, comments, doctypes, XML
entity declarations and charset declarations (every codec alias Python knows, including
non-text codecs); the same pages encoded in UTF-8, GB18030, Big5, UTF-16 or a wrong codec,
gzipped, truncated, spliced with binary; and raw random text and bytes.

For each input it checks the contract of issue 6: `clean` returns a Result (never raises),
every label is one of the four, `text` is empty exactly when `reason` says why, and the call
takes less than `--slow` seconds. Every violation is printed and written to the report.
"""

from __future__ import annotations

import argparse
import encodings.aliases
import gzip
import json
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cleaner import LABELS, Cleaner, Result

TAGS = ["div", "p", "span", "a", "b", "i", "br", "table", "tr", "td", "ul", "li", "h1", "h2", "script", "style",
        "article", "nav", "footer", "section", "pre", "iframe", "svg", "math", "template", "noscript", "select",
        "option", "title", "head", "body", "html", "meta", "img", "form", "textarea", "xmp", "plaintext", "frameset"]
ATTRS = ['class="content"', 'class="nav"', 'id="comments"', "hidden", 'style="display:none"', 'aria-hidden="true"',
         'href="http://x.cn/"', 'charset="gbk"', 'type="application/ld+json"', "x=\"<div>\"", "'", '"']
CODECS = [*sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())), "rot13", "x\x00"]
WORDS = ["北京市统计局公布了去年的数据，增长明显。", "The parliament passed the budget on Tuesday.", "&amp;", "&lt;",
         "&#0;", "&#xD800;", "&nbsp;", "&lol9;", "<!-- c -->", "<![CDATA[x]]>", "<?xml version='1.0'?>",
         '<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>', "&a;", "\r", "\x00", "\ufeff", "\ud800",
         "评论", "加微信", "1234567890", "…" * 30, "a@" * 20, "2025-01-01", "\u200b", "\n\n", " "]
JSON_LD = '<script type="application/ld+json">{"articleBody": "x", "author": [{"name": "a"}], "@graph": [[[[]]]]}'


@st.composite
def soup(draw) -> str:
    """Tag soup: random tags (closed or not), attributes, words and markup oddities."""
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            parts.append(f"<{draw(st.sampled_from(TAGS))} {draw(st.sampled_from(ATTRS))}>")
        elif kind == 1:
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(WORDS)))
        elif kind == 3:
            parts.append(f'<meta charset="{draw(st.sampled_from(CODECS))}">')
        elif kind == 4:
            parts.append(draw(st.text(max_size=40)))
        else:
            parts.append(draw(st.sampled_from([JSON_LD, "<" * 50, "<div>" * 300, "</div>" * 300, "<p>字" * 200])))
    return "".join(parts)


def _bytes_of(draw, page: str) -> bytes:
    codec = draw(st.sampled_from(["utf-8", "gb18030", "big5hkscs", "utf-16", "utf-16-le", "cp1252", "shift_jis"]))
    data = page.encode(codec, errors="replace") if codec != "utf-16-le" else b"\xff\xfe" + page.encode(codec, "replace")
    how = draw(st.integers(0, 4))
    if how == 1:
        data = gzip.compress(data)
    if how in (1, 2) and data:
        data = data[: draw(st.integers(0, len(data)))]  # truncated
    if how == 3:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=200)) + data[at:]
    return data


@st.composite
def pages(draw) -> str | bytes:
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.text())
    if choice == 1:
        return draw(st.binary())
    page = draw(soup())
    return page if choice == 2 else _bytes_of(draw, page)


def check(cleaner: Cleaner, page: str | bytes, slow: float) -> str | None:
    """Why `page` breaks the contract, or None."""
    started = time.perf_counter()
    try:
        result = cleaner.clean(page, kind="auto")
    except Exception:
        return "raised: " + traceback.format_exc(limit=-3)
    seconds = time.perf_counter() - started
    if not isinstance(result, Result):
        return f"returned {type(result).__name__}"
    if any(p.label not in LABELS for p in result.paragraphs):
        return "a label outside LABELS"
    if bool(result.text) == bool(result.reason):
        return f"text {'set' if result.text else 'empty'} but reason {result.reason!r}"
    if seconds > slow:
        return f"slow: {seconds:.1f} s"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow", type=float, default=5.0, help="seconds a page may take before it is a finding")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    cleaner = Cleaner()
    findings: dict[str, dict[str, object]] = {}  # by kind of problem: the first input and how often
    count = 0
    deadline = time.monotonic() + args.minutes * 60

    @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(pages())
    def run(page: str | bytes) -> None:
        nonlocal count
        if time.monotonic() > deadline:
            raise TimeUp
        count += 1
        if not count % 2000:
            print(f"{count} inputs, {len(findings)} kinds of finding", file=sys.stderr, flush=True)
        problem = check(cleaner, page, args.slow)
        if problem:
            kind = problem.splitlines()[-1][:200] if problem.startswith("raised") else problem.split(":")[0]
            if kind not in findings:
                findings[kind] = {"problem": problem, "input": repr(page)[:2000], "count": 0}
                print(f"FINDING {kind}: {repr(page)[:300]}", file=sys.stderr, flush=True)
            findings[kind]["count"] += 1

    class TimeUp(Exception):
        pass

    started = time.monotonic()
    try:
        run._hypothesis_internal_use_seed = args.seed  # reproducible runs
        run()
    except BaseException:  # TimeUp, as hypothesis reports it (possibly in a group)
        if time.monotonic() < deadline:
            raise
    summary = {"minutes": round((time.monotonic() - started) / 60, 1), "inputs": count, "seed": args.seed,
               "findings": len(findings)}
    print(json.dumps(summary))
    if args.report:
        args.report.write_text(json.dumps({**summary, "details": list(findings.values())}, ensure_ascii=False,
                                          indent=1) + "\n")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
