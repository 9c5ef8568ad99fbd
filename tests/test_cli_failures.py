"""`cleaner clean` on a batch with broken files: it finishes, reports each with its reason, exits
with the documented status, and never writes inside the input tree or over an input."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("<html><body><div class='article-content'>"
        + "<p>The parliament passed the budget on Tuesday after a long debate, officials said.</p>" * 5
        + "</div></body></html>")


def run_cli(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "COLUMNS": "1000"}  # no wrapped lines
    return subprocess.run([sys.executable, "-m", "cleaner", "clean", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under `folder` with the SHA-256 of its content (a link: its target; a folder: '')."""
    def state(path: Path) -> str:
        if path.is_symlink():
            return f"-> {os.readlink(path)}"
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return {str(p.relative_to(folder)): state(p) for p in sorted(folder.rglob("*"))}


@pytest.fixture()
def broken_tree(tmp_path: Path) -> Path:
    pages = tmp_path / "in"
    (pages / "sub").mkdir(parents=True)
    (pages / "good.html").write_text(GOOD)
    (pages / "sub" / "good.txt.gz").write_bytes(gzip.compress("第一段文字，北京市统计局公布了数据。\n\n第二段。".encode()))
    (pages / "empty.html").write_bytes(b"")
    (pages / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    (pages / "truncated.html.gz").write_bytes(gzip.compress(GOOD.encode())[:40])
    (pages / "nul.txt").write_bytes(bytes(3000))
    (pages / "rot13.html").write_text('<meta charset="rot13">' + GOOD)
    (pages / "unreadable.html").symlink_to("/proc/self/mem")  # reading it fails with EIO, even as root
    return pages


def test_a_batch_with_broken_files_finishes_reports_each_and_exits_1(broken_tree, tmp_path):
    out = tmp_path / "out"
    before = snapshot(broken_tree)
    done = run_cli(broken_tree, "-o", out)
    assert done.returncode == 1, done.stderr  # one page could not be read: "some failed"
    assert "unreadable.html" in done.stderr and "Input/output error" in done.stderr
    for name, reason in [("empty.html", "no text"), ("binary.html", "PNG"), ("nul.txt", "NUL")]:
        assert any(name in line and reason in line for line in done.stderr.splitlines()), (name, done.stderr)
    assert "parliament passed the budget" in (out / "good.txt").read_text()
    assert (out / "sub" / "good.txt").exists()  # the folder tree is mirrored
    assert "parliament" in (out / "rot13.txt").read_text()
    assert snapshot(broken_tree) == before  # inputs untouched, nothing written among them
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]  # no temporary left


def test_a_batch_whose_pages_all_clean_exits_0(tmp_path):
    pages = tmp_path / "in"
    pages.mkdir()
    (pages / "a.html").write_text(GOOD)
    (pages / "binary.html").write_bytes(bytes(100))  # no text: an empty output with a reason, not a failure
    done = run_cli(pages, "-o", tmp_path / "out", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "binary.html" in done.stderr and "NUL" in done.stderr
    assert (tmp_path / "out" / "binary.json").exists()


def test_output_inside_the_input_tree_is_refused_with_status_2(broken_tree):
    before = snapshot(broken_tree)
    done = run_cli(broken_tree, "-o", broken_tree / "out")
    assert done.returncode == 2 and "inside the input folder" in done.stderr
    assert snapshot(broken_tree) == before


def test_an_input_is_never_overwritten(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(GOOD)
    done = run_cli(page, "-o", page, "--format", "jsonl", "--allow-output-inside-input")
    assert done.returncode == 2 and "one of the inputs" in done.stderr
    assert page.read_text() == GOOD


def test_a_missing_input_is_a_usage_error(tmp_path):
    done = run_cli(tmp_path / "no-such-page.html", "-o", tmp_path / "out")
    assert done.returncode == 2 and "no-such-page.html" in done.stderr
    assert not (tmp_path / "out").exists()
