"""Readers of archives: WARC (.warc, .warc.gz) and JSON lines (.jsonl, .jsonl.gz) into `Record`s.

Each reader yields records lazily, one at a time, so a 50 GB crawl is read in flat memory,
and in the same order on every run, which is what lets an interrupted run be resumed by
record position. The CLI and `cleaner.spark` both read through here, so a page gets the
same id, URL and encoding hint whichever way it is cleaned.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cleaner.batch import Record

#: Archive file endings (also with .gz); a folder given on the command line yields WARCs too.
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
#: HTTP content types worth cleaning; a response without one is sniffed by `decode`.
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def archive_kind(path: str | Path) -> str | None:
    """'warc' or 'jsonl' for an archive file name, None for a page file."""
    name = str(path).lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return None


def read_archive(path: str | Path, relpath: str | None = None, source: str | None = None) -> Iterator[Record]:
    """Records of a WARC or JSONL file; `relpath` names the file under the output folder."""
    kind = archive_kind(path)
    if kind == "warc":
        yield from read_warc(path, relpath, source)
    elif kind == "jsonl":
        yield from read_jsonl(path, relpath, source)
    else:
        raise ValueError(f"not a WARC or JSONL file: {path}")


def _record_relpath(relpath: str | None, index: int) -> str | None:
    """Per-record output path for txt/json output: the archive's name without its ending, then the index."""
    if relpath is None:
        return None
    base = relpath
    for suffix in (*WARC_SUFFIXES, *JSONL_SUFFIXES):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    return f"{base}/{index:06d}"


def read_warc(path: str | Path, relpath: str | None = None, source: str | None = None) -> Iterator[Record]:
    """HTML response records (2xx) of a WARC, with the charset of the HTTP header as the encoding hint.

    Uses FastWARC (the `warc` extra) and falls back to warcio when only that is installed.
    """
    source = source or str(path)
    try:
        import fastwarc  # noqa: F401
    except ImportError:
        yield from _read_warc_warcio(path, relpath, source)
        return
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    index = 0
    with open(path, "rb") as stream:
        for rec in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True,
                                   auto_decode="all"):
            status = rec.http_headers.status_code if rec.http_headers is not None else None
            if not _wanted(status, rec.http_content_type):
                continue
            url = rec.headers.get("WARC-Target-URI")
            yield Record(id=rec.record_id or f"{source}#{index}", content=rec.reader.read(),
                         relpath=_record_relpath(relpath, index),
                         meta=_meta(source, url, rec.record_id, rec.http_charset, _kind(rec.http_content_type)))
            index += 1


def _read_warc_warcio(path: str | Path, relpath: str | None, source: str) -> Iterator[Record]:
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError as error:  # neither reader: say which extra to install
        raise ImportError("reading WARC needs fastwarc or warcio: pip install 'cleaner[warc]'") from error
    index = 0
    with open(path, "rb") as stream:
        for rec in ArchiveIterator(stream):
            if rec.rec_type != "response" or rec.http_headers is None:
                continue
            status = int(rec.http_headers.get_statuscode() or 0)
            content_type = rec.http_headers.get_header("Content-Type") or ""
            mime, _, params = content_type.partition(";")
            if not _wanted(status, mime.strip().lower() or None):
                continue
            charset = None
            for param in params.split(";"):
                key, _, value = param.partition("=")
                if key.strip().lower() == "charset":
                    charset = value.strip().strip("\"'").lower() or None
            record_id = rec.rec_headers.get_header("WARC-Record-ID")
            url = rec.rec_headers.get_header("WARC-Target-URI")
            yield Record(id=record_id or f"{source}#{index}", content=rec.content_stream().read(),
                         relpath=_record_relpath(relpath, index),
                         meta=_meta(source, url, record_id, charset, _kind(mime.strip().lower() or None)))
            index += 1


def _wanted(status: int | None, content_type: str | None) -> bool:
    if status is not None and not 200 <= status < 300:
        return False
    return content_type is None or content_type.lower() in HTML_TYPES


def _kind(content_type: str | None) -> str:
    """The page kind its HTTP content type says, or 'auto' to let `decode` sniff it."""
    if content_type is None:
        return "auto"
    return "text" if content_type.lower() == "text/plain" else "html"


def _meta(source: str, url: str | None, record_id: str | None, encoding: str | None, kind: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": source, "url": url, "warc_record_id": record_id, "kind": kind}
    if encoding:
        meta["encoding"] = encoding
    return meta


def _open_text(path: str | Path) -> IO[str]:
    """A JSONL file opened as text; gzip by its magic bytes, so a misnamed file still reads."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the wrapper
    magic = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="\n")


def read_jsonl(path: str | Path, relpath: str | None = None, source: str | None = None) -> Iterator[Record]:
    """One record a line, the page in an `html` (or `text`) field; `id`, `url`, `encoding` are kept.

    A line that is not a JSON object with a page is a record with an `error`, so it is
    reported like any failed page instead of stopping the batch.
    """
    source = source or str(path)
    with _open_text(path) as handle:
        index = 0
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            rel = _record_relpath(relpath, index)
            index += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:
                yield Record(f"{source}:{lineno}", b"", rel, {"source": source, "error": f"bad JSON: {error}"})
                continue
            if not isinstance(obj, dict):
                yield Record(f"{source}:{lineno}", b"", rel, {"source": source, "error": "not a JSON object"})
                continue
            yield record_from_fields(obj, f"{source}:{lineno}", rel, source)


def record_from_fields(obj: dict[str, Any], fallback_id: str, relpath: str | None, source: str | None) -> Record:
    """A Record from a page's fields (a JSONL object, a DataFrame row, a Scrapy item).

    The page is `html` or `text` (str or bytes); `id`, `url`, `warc_record_id`, `encoding` and
    `kind` are used when present, and the id falls back to the record id, the URL, then `fallback_id`.
    """
    url = _str_or_none(obj.get("url"))
    record_id = _str_or_none(obj.get("warc_record_id"))
    page_id = _str_or_none(obj.get("id")) or record_id or url or fallback_id
    encoding = _str_or_none(obj.get("encoding"))
    meta = _meta(source or "", url, record_id, encoding, "auto")
    if source is None:
        meta.pop("source")
    given_kind = obj.get("kind") if obj.get("kind") in ("auto", "html", "text") else None
    for field, kind in (("html", "html"), ("text", "text")):
        value = obj.get(field)
        if isinstance(value, (str, bytes, bytearray)):
            meta["kind"] = given_kind or kind
            return Record(page_id, bytes(value) if isinstance(value, bytearray) else value, relpath, meta)
    meta["error"] = "no html or text field"
    return Record(page_id, b"", relpath, meta)


def _str_or_none(value: Any) -> str | None:
    if value is None or isinstance(value, float):  # pandas gives NaN for a missing string
        return None
    return str(value)
