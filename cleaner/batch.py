"""Batch cleaning: read records, clean them (in N processes), write outputs atomically.

Three small steps, as in datatrove, so a local run and a distributed one share the code:
a reader yields `Record`s, `clean_record` turns one into an output dict, a writer stores it.
`cleaner.spark` calls the same `RecordCleaner`, so Spark's rows equal the CLI's lines.
Inputs are only ever read; every output file is written to a temporary name and renamed,
so an interrupted run leaves complete files or none, and a rerun skips what is done.
"""

from __future__ import annotations

import bisect
import glob
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from cleaner.errors import CleanerError, InputError
from cleaner.pipeline import Cleaner

#: File endings read from folders (a .gz of any of them too).
PAGE_SUFFIXES = (".html", ".htm", ".txt", ".xhtml", ".shtml")
#: Output formats: a file per page (txt, json) or one JSON line per page (jsonl).
FORMATS = ("txt", "json", "jsonl")
#: The keys of every output, in this order: a JSONL line and a Spark row have the same fields.
OUTPUT_FIELDS = ("id", "url", "warc_record_id", "source", "title", "text", "kind", "encoding", "date", "author",
                 "reason")
#: Records sent to a worker at a time, and chunks in flight per worker: enough to keep the
#: workers busy, few enough that memory does not grow with the number of pages.
CHUNK = 4
IN_FLIGHT_PER_JOB = 4


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


def _is_folder_input(path: Path, archives: bool) -> bool:
    """Files taken from a folder: pages, and WARCs with `archives`. JSONL only when named: folders hold other JSONL."""
    from cleaner.records import archive_kind

    return is_page_file(path) or (archives and archive_kind(path) == "warc")


def find_inputs(specs: Iterable[str], archives: bool = False) -> list[tuple[Path | None, Path]]:
    """Expand files, folders (recursive) and globs into (root, file) pairs; '-' is stdin (None, '-').

    With `archives`, folders yield their WARC files too (for readers that open them, as `read_files`).
    """
    found: list[tuple[Path | None, Path]] = []
    for spec in specs:
        if spec == "-":
            found.append((None, Path("-")))
            continue
        path = Path(spec)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_folder_input(p, archives))
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
                    found.extend(find_inputs([match], archives))
    return found


def read_files(inputs: Iterable[tuple[Path | None, Path]]) -> Iterator[Record]:
    """Records of page files and archives (WARC, JSONL), read lazily one at a time."""
    from cleaner.records import archive_kind, read_archive

    for root, path in inputs:
        if str(path) == "-":
            yield Record("-", sys.stdin.buffer.read(), "stdin", {"source": "-"})
            continue
        rel = path.relative_to(root).as_posix() if root is not None else path.name
        if archive_kind(path):
            try:
                yield from read_archive(path, rel, str(path))
            except Exception as error:  # a truncated archive: report it, keep what was read, go on
                yield Record(str(path), b"", rel, {"source": str(path), "error": f"unreadable archive: {error}"})
            continue
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


def limit_threads() -> None:
    """One BLAS/OpenMP thread per process: N processes on N cores, not N×N threads fighting.

    The model's predict uses OpenMP over all cores; in a worker beside other workers (or
    beside anything else busy) its spinning threads make it many times slower, not faster.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn brings it; without it the env var still reaches new pools
        os.environ["OMP_NUM_THREADS"] = "1"
        return
    threadpool_limits(1)


class RecordCleaner:
    """Turns Records into output dicts with one Cleaner: the step the CLI, Spark and Scrapy share."""

    def __init__(self, options: dict[str, Any] | None = None, cleaner: Cleaner | None = None) -> None:
        self.options = dict(options or {})
        self._cleaner = cleaner

    @property
    def cleaner(self) -> Cleaner:
        """The Cleaner, its model loaded on first use (so a process that gets no page loads none)."""
        if self._cleaner is None:
            self._cleaner = Cleaner(self.options.get("model"), trust_model=self.options.get("trust_model", False),
                                    settle=self.options.get("settle", False),
                                    fast_trees=self.options.get("fast_trees", True))
        return self._cleaner

    def __call__(self, record: Record) -> dict[str, Any]:
        """Clean one record into an output dict; a failure is an output with `error`, never an exception."""
        meta = record.meta
        out: dict[str, Any] = dict.fromkeys(OUTPUT_FIELDS)
        out.update(id=record.id, url=meta.get("url"), warc_record_id=meta.get("warc_record_id"),
                   source=meta.get("source"))
        include_comments = bool(self.options.get("include_comments"))
        if include_comments:
            out["comments"] = None
        if self.options.get("labels"):
            out["paragraphs"] = None
        out["error"] = None
        out["relpath"] = record.relpath
        if meta.get("error"):
            out["error"] = meta["error"]
            return out
        try:
            result = self.cleaner.clean(record.content, url=meta.get("url"), kind=meta.get("kind") or "auto",
                                        include_comments=include_comments, encoding=meta.get("encoding"))
        except CleanerError as error:
            out["error"] = str(error)
            return out
        except Exception as error:  # a bug must not stop a batch: report it with the page
            out["error"] = f"internal error: {type(error).__name__}: {error}"
            return out
        out.update(text=result.text, title=result.title, url=result.url or out["url"], kind=result.kind,
                   encoding=result.encoding, date=result.date, author=result.author, reason=result.reason)
        if include_comments:
            out["comments"] = result.comments
        if self.options.get("labels"):
            out["paragraphs"] = [{"text": p.text, "label": p.label, "score": p.score} for p in result.paragraphs]
        return out


# One RecordCleaner per worker process, made by the pool's initializer: the model loads once a worker.
_worker: RecordCleaner = RecordCleaner()


def _init_worker(options: dict[str, Any]) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, once
    if _worker.options != options or _worker._cleaner is None:  # else forked with the parent's model loaded
        _worker = RecordCleaner(options)
    _worker.cleaner  # noqa: B018 - load the model (and its OpenMP) now, then limit its threads
    limit_threads()


def clean_record(record: Record) -> dict[str, Any]:
    """Clean one record with this process's RecordCleaner (see `RecordCleaner.__call__`)."""
    return _worker(record)


def _clean_chunk(records: list[Record]) -> list[dict[str, Any]]:
    return [_worker(record) for record in records]


def run(records: Iterable[Record], options: dict[str, Any], jobs: int = 1) -> Iterator[dict[str, Any]]:
    """Clean records in `jobs` processes; yields one output per record, in input order, lazily.

    At most `jobs * IN_FLIGHT_PER_JOB` chunks of CHUNK records are read ahead, so memory
    stays flat however many records come (Pool.imap would read the whole input at once).
    """
    global _worker
    if jobs <= 1:
        _worker = RecordCleaner(options)
        _worker.cleaner  # noqa: B018 - load the model, then limit its threads
        limit_threads()
        for record in records:
            yield _worker(record)
        return
    # fork: workers start at once and share the parent's imports and model; spawn where fork is unsafe
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    if method == "fork":
        _worker = RecordCleaner(options)
        _worker.cleaner  # noqa: B018 - loaded once here, inherited by every worker
    context = multiprocessing.get_context(method)
    pool = context.Pool(jobs, initializer=_init_worker, initargs=(options,))
    try:
        pending: deque[AsyncResult[list[dict[str, Any]]]] = deque()
        iterator = iter(records)
        while chunk := list(islice(iterator, CHUNK)):
            pending.append(pool.apply_async(_clean_chunk, (chunk,)))
            if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
    except GeneratorExit:
        # The reader stopped early (or was interrupted): let the few chunks in flight finish
        # (at most jobs * IN_FLIGHT_PER_JOB) before the pool goes. Pool.terminate() with tasks
        # still on their way to the workers can hang for ever: its task thread blocks writing to
        # a pipe that the killed workers no longer read.
        pool.close()
        pool.join()
        raise
    finally:
        pool.terminate()  # nothing left to stop after the join; the workers, on any other way out


def _file_mode() -> int:
    """The mode a plain open() would give a new file (mkstemp's are private, 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def write_atomic(path: Path, data: str) -> None:
    """Write `data` to `path` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def public(output: dict[str, Any]) -> dict[str, Any]:
    """An output as written: without the internal `relpath`, and `error` only when there is one."""
    return {k: v for k, v in output.items() if k != "relpath" and not (k == "error" and v is None)}


def render(output: dict[str, Any], fmt: str) -> str:
    """A page's output file content in the given format."""
    if fmt == "txt":
        return output.get("text", "") + ("\n" if output.get("text") else "")
    return json.dumps(public(output), ensure_ascii=False) + ("\n" if fmt == "jsonl" else "")


def input_fingerprint(inputs: Iterable[tuple[Path | None, Path]], options: dict[str, Any]) -> str:
    """What a run's output depends on: the input files (path, size, mtime) and the options."""
    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
    for _, path in inputs:
        try:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
    return digest.hexdigest()


class JsonlParts:
    """JSONL output written as finished parts, so a killed run resumes and still ends byte-identical.

    Lines of records [start, end) (positions in input order) go to `start-end.jsonl` in a hidden
    folder beside the output, each part written to a temporary name and renamed. A rerun with
    the same inputs and options skips the positions its parts cover; `finish` concatenates the
    parts in order into the output (again via a rename) and removes the folder. The output file
    itself therefore exists only once complete.
    """

    def __init__(self, output: Path, fingerprint: str, *, every: int = 1000, seconds: float = 30.0,
                 overwrite: bool = False) -> None:
        self.output = output
        self.dir = output.parent / f".{output.name}.parts"
        self.every, self.seconds = max(1, every), seconds
        self.done: list[tuple[int, int]] = []
        stamp = self.dir / "run.json"
        if self.dir.exists() and (overwrite or not stamp.exists()
                                  or json.loads(stamp.read_text()).get("fingerprint") != fingerprint):
            shutil.rmtree(self.dir)  # another run's parts: its inputs or options differ
        self.dir.mkdir(parents=True, exist_ok=True)
        if not stamp.exists():
            write_atomic(stamp, json.dumps({"fingerprint": fingerprint, "output": str(output)}) + "\n")
        for part in self.dir.glob("*-*.jsonl"):
            start, _, end = part.stem.partition("-")
            if start.isdigit() and end.isdigit():
                self.done.append((int(start), int(end)))
        self.done.sort()
        self._starts = [start for start, _ in self.done]  # what earlier runs did, for bisecting
        self._ends = [end for _, end in self.done]
        self._lines: list[str] = []
        self._start: int | None = None
        self._next = 0
        self._since = time.monotonic()

    @property
    def resumed(self) -> int:
        """How many record positions earlier runs finished."""
        return sum(end - start for start, end in self.done)

    def is_done(self, index: int) -> bool:
        """Whether an earlier run already wrote record `index`."""
        at = bisect.bisect_right(self._starts, index) - 1
        return at >= 0 and index < self._ends[at]

    def add(self, index: int, line: str) -> None:
        """The output line of record `index` ('' for a record with no output, e.g. a failure)."""
        if self._start is not None and index != self._next:
            self.flush()  # a gap (positions done before): parts cover consecutive positions only
        if self._start is None:
            self._start = index
        self._lines.append(line)
        self._next = index + 1
        if len(self._lines) >= self.every or time.monotonic() - self._since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Store the records added since the last flush as one finished part."""
        if self._start is not None:
            write_atomic(self.dir / f"{self._start:012d}-{self._next:012d}.jsonl", "".join(self._lines))
            self.done.append((self._start, self._next))
        self._lines, self._start, self._since = [], None, time.monotonic()

    def finish(self) -> None:
        """Concatenate the parts, in input order, into the output; then drop the parts."""
        self.flush()
        fd, tmp = tempfile.mkstemp(prefix="output.", suffix=".tmp", dir=self.dir)
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            for start, end in sorted(self.done):
                with open(self.dir / f"{start:012d}-{end:012d}.jsonl", "rb") as part:
                    shutil.copyfileobj(part, handle)
        os.replace(tmp, self.output)
        shutil.rmtree(self.dir, ignore_errors=True)
