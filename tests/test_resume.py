"""Resumable runs: a killed `cleaner clean` leaves no partial output and a rerun finishes it byte-identically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from cleaner import batch
from cleaner.cli import app

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = [
    "The river authority warned residents on Monday that water levels could rise again over the weekend.",
    "Engineers spent the night reinforcing the embankment near the old bridge with thousands of sandbags.",
    "Local shops stayed closed while volunteers handed out food and blankets at the community centre.",
    "The regional government said it would review its flood defences once the water had gone down.",
]


def write_pages(folder: Path, count: int, paragraphs: int = 40) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        body = "".join(f"<p>{SENTENCES[(n + i) % 4]} Update {n}.{i}.</p>" for i in range(paragraphs))
        (folder / f"flood{n:03d}.html").write_text(
            f"<html><head><title>Flood update {n}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Flood update {n}</h1>{body}</article><footer>© Example News</footer></body></html>",
            encoding="utf-8")


def cli(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "cleaner", "clean", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def finished_parts(output: Path) -> list[Path]:
    parts = output.parent / f".{output.name}.parts"
    return sorted(parts.glob("*-*.jsonl")) if parts.exists() else []


def kill_after_first_part(output: Path, args: list[str], sig: int) -> subprocess.Popen[bytes]:
    """Start the CLI, wait until it has stored its first part, then send `sig` to its whole process group."""
    process = cli(*args)
    deadline = time.monotonic() + 300
    while not finished_parts(output):
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, "no part was written"
        time.sleep(0.005)
    os.killpg(process.pid, sig)
    process.communicate(timeout=120)
    return process


def reference(tmp_path: Path, pages: Path, *extra: str) -> bytes:
    done = cli(str(pages), "-o", str(tmp_path / "reference.jsonl"), *extra)
    _, stderr = done.communicate(timeout=600)
    assert done.returncode == 0, stderr.decode()
    return (tmp_path / "reference.jsonl").read_bytes()


def test_killed_run_leaves_no_output_and_rerun_matches_an_uninterrupted_run(tmp_path):
    pages, output = tmp_path / "pages", tmp_path / "clean.jsonl"
    write_pages(pages, 40)
    args = [str(pages), "-o", str(output), "--checkpoint", "2", "--jobs", "2"]
    killed = kill_after_first_part(output, args, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert not output.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".clean.jsonl.parts", "pages"]  # no temporary file
    kept = len(finished_parts(output))
    assert 1 <= kept < 20

    rerun = cli(*args)
    _, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr.decode()
    assert f"skipped (done before) {2 * kept}" in " ".join(stderr.decode().split())
    assert output.read_bytes() == reference(tmp_path, pages)
    assert not (tmp_path / ".clean.jsonl.parts").exists()


def test_ctrl_c_keeps_finished_records_and_rerun_completes_the_output(tmp_path):
    pages, output = tmp_path / "pages", tmp_path / "clean.jsonl"
    write_pages(pages, 40)
    args = [str(pages), "-o", str(output), "--checkpoint", "3"]
    interrupted = kill_after_first_part(output, args, signal.SIGINT)
    assert interrupted.returncode == 130
    assert not output.exists()
    rerun = cli(*args)
    _, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr.decode()
    assert output.read_bytes() == reference(tmp_path, pages)


def test_parts_of_a_run_with_other_options_are_not_reused(tmp_path):
    output = tmp_path / "out.jsonl"
    old = batch.JsonlParts(output, "fingerprint-a", every=2)
    old.add(0, "old line\n")
    old.add(1, "old line\n")
    assert batch.JsonlParts(output, "fingerprint-a").resumed == 2
    fresh = batch.JsonlParts(output, "fingerprint-b")
    assert fresh.resumed == 0 and not fresh.is_done(0)


def test_parts_cover_the_positions_left_by_an_earlier_run_and_join_in_input_order(tmp_path):
    output = tmp_path / "out.jsonl"
    first = batch.JsonlParts(output, "f", every=2)
    for index in (0, 1, 4, 5):  # an earlier run finished these
        first.add(index, f"line {index}\n")
    first.flush()
    second = batch.JsonlParts(output, "f", every=100)
    assert [second.is_done(i) for i in range(7)] == [True, True, False, False, True, True, False]
    for index in (2, 3, 6):
        second.add(index, f"line {index}\n" if index != 3 else "")  # 3 failed: no line
    second.finish()
    assert output.read_text() == "".join(f"line {i}\n" for i in (0, 1, 2, 4, 5, 6))


def test_overwrite_redoes_a_finished_jsonl_output(tmp_path):
    write_pages(tmp_path / "pages", 2, paragraphs=3)
    output = tmp_path / "clean.jsonl"
    runner = CliRunner()
    assert runner.invoke(app, ["clean", str(tmp_path / "pages"), "-o", str(output)]).exit_code == 0
    complete = output.read_bytes()
    output.write_text("edited\n")
    again = runner.invoke(app, ["clean", str(tmp_path / "pages"), "-o", str(output)])
    assert again.exit_code == 0 and "nothing to do" in again.output
    assert output.read_text() == "edited\n"
    redo = runner.invoke(app, ["clean", str(tmp_path / "pages"), "-o", str(output), "--overwrite"])
    assert redo.exit_code == 0
    assert output.read_bytes() == complete
