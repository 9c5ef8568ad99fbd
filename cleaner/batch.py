"""Batch cleaning: read records, clean them (in N processes), write outputs atomically.

Three small steps, as in datatrove, so a local run and a distributed one share the code:
a reader yields `Record`s, `clean_record` turns one into an output dict, a writer stores it.
Inputs are only ever read; every output file is written to a temporary name and renamed,
so an interrupted run leaves complete files or none, and a rerun skips what is done.
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.errors import CleanerError, InputError
from cleaner.pipeline import Cleaner

#: File endings read from folders (a .gz of any of them too).
PAGE_SUFFIXES = (".html", ".htm", ".txt", ".xhtml", ".shtml")
#: Output formats: a file per page (txt, json) or one JSON line per page (jsonl).
FORMATS = ("txt", "json", "jsonl")


@dataclass(slots=True)
class Record:
    """One page to clean: an id, its content, and where it came from."""

    id: str
    content: bytes | str
    relpath: str | None = None  # where its output goes under the output folder
    meta: dict[str, Any] = field(default_factory=dict)  # url, kind, encoding hints, source path


def is_page_file(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(PAGE_SUFFIXES)


def find_inputs(specs: Iterable[str]) -> list[tuple[Path | None, Path]]:
    """Expand files, folders (recursive) and globs into (root, file) pairs; '-' is stdin (None, '-')."""
    found: list[tuple[Path | None, Path]] = []
    for spec in specs:
        if spec == "-":
            found.append((None, Path("-")))
            continue
        path = Path(spec)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and is_page_file(p))
            found.extend((path, p) for p in files)
        elif path.is_file():
            found.append((path.parent, path))
        else:
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                raise InputError(f"no such file, folder or glob match: {spec}")
            for match in matches:
                match_path = Path(match)
                if match_path.is_file():
                    found.append((match_path.parent, match_path))
                elif match_path.is_dir():
                    found.extend(find_inputs([match]))
    return found


def read_files(inputs: list[tuple[Path | None, Path]]) -> Iterator[Record]:
    """Records of page files, read lazily one at a time."""
    for root, path in inputs:
        if str(path) == "-":
            yield Record("-", sys.stdin.buffer.read(), "stdin", {"source": "-"})
            continue
        rel = path.relative_to(root).as_posix() if root is not None else path.name
        try:
            content: bytes | str = path.read_bytes()
        except OSError as error:
            yield Record(str(path), b"", rel, {"source": str(path), "error": f"unreadable: {error}"})
            continue
        yield Record(str(path), content, rel, {"source": str(path)})


def output_relpath(relpath: str, fmt: str) -> str:
    """Where a page's output goes under the output folder: its path with the format's ending."""
    name = relpath.removesuffix(".gz")
    stem, dot, suffix = name.rpartition(".")
    base = stem if dot and f".{suffix.lower()}" in PAGE_SUFFIXES else name
    return f"{base}.{fmt}"


# One Cleaner per process, made on first use: workers load the model once each.
_worker_cleaner: Cleaner | None = None
_worker_options: dict[str, Any] = {}


def _init_worker(options: dict[str, Any]) -> None:
    global _worker_cleaner, _worker_options
    _worker_options = options
    _worker_cleaner = None


def _cleaner() -> Cleaner:
    global _worker_cleaner
    if _worker_cleaner is None:
        _worker_cleaner = Cleaner(_worker_options.get("model"), trust_model=_worker_options.get("trust_model", False))
    return _worker_cleaner


def clean_record(record: Record) -> dict[str, Any]:
    """Clean one record into an output dict; a failure is an output with `error`, never an exception."""
    out: dict[str, Any] = {"id": record.id, "relpath": record.relpath, **{k: v for k, v in record.meta.items()
                                                                       if k in ("source", "url", "warc_record_id")}}
    if "error" in record.meta:
        out["error"] = record.meta["error"]
        return out
    try:
        result = _cleaner().clean(record.content, url=record.meta.get("url"), kind=record.meta.get("kind", "auto"),
                                  include_comments=_worker_options.get("include_comments", False),
                                  encoding=record.meta.get("encoding"))
    except CleanerError as error:
        out["error"] = str(error)
        return out
    except Exception as error:  # a bug must not stop a batch: report it with the page
        out["error"] = f"internal error: {type(error).__name__}: {error}"
        return out
    out.update(text=result.text, title=result.title, url=result.url or out.get("url"), kind=result.kind,
               encoding=result.encoding, date=result.date, author=result.author, reason=result.reason)
    if _worker_options.get("include_comments"):
        out["comments"] = result.comments
    if _worker_options.get("labels"):
        out["paragraphs"] = [{"text": p.text, "label": p.label, "score": p.score} for p in result.paragraphs]
    return out


def run(records: Iterable[Record], options: dict[str, Any], jobs: int = 1) -> Iterator[dict[str, Any]]:
    """Clean records in order, in `jobs` processes; yields outputs in input order, lazily."""
    if jobs <= 1:
        _init_worker(options)
        for record in records:
            yield clean_record(record)
        return
    context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    with context.Pool(jobs, initializer=_init_worker, initargs=(options,)) as pool:
        yield from pool.imap(clean_record, records, chunksize=4)


def write_atomic(path: Path, data: str) -> None:
    """Write `data` to `path` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(output: dict[str, Any], fmt: str) -> str:
    """A page's output file content in the given format."""
    if fmt == "txt":
        return output.get("text", "") + ("\n" if output.get("text") else "")
    public = {k: v for k, v in output.items() if k != "relpath"}
    return json.dumps(public, ensure_ascii=False) + ("\n" if fmt == "jsonl" else "")
