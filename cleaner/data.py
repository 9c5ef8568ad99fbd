"""Labelled pages: the JSONL format that training, evaluation and `cleaner label` share.

One page a line: {"id", "source", "kind": "text"|"html", "paragraphs": [{"text", "label"}, ...]}
as in LABELS.md, extended with where the page itself is: `raw` (the page inline) or
`source` (a path, relative to the JSONL file's folder or to a corpora root). Labels are
matched to the blocks the segmenter cuts by their text, so a record stays valid when the
segmenter changes where a block begins or ends. An optional `groups` ({paragraph text: name})
puts spam paragraphs of a common origin (a generated family) in one fold of the out-of-fold
n-gram lifts (`cleaner.train.row_groups`), and an optional `hidden_lists` ([lexicon list name])
has the page's features computed without those word lists (`cleaner.train.build_dataset`);
other keys are kept as they are (`extra`).
"""

from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.errors import InputError
from cleaner.labels import Label, check_label
from cleaner.segment import Block, compact

#: Where `source` paths are looked for after the JSONL file's own folder (os.pathsep-separated).
CORPORA_ENV = "CLEANER_CORPORA"


@dataclass(slots=True)
class LabelledPage:
    id: str
    kind: str
    paragraphs: list[tuple[str, Label]]
    source: str | None = None
    raw: str | None = None
    base: Path | None = None  # the folder of the file the record came from
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        record: dict[str, Any] = {"id": self.id, "source": self.source, "kind": self.kind}
        if self.raw is not None:
            record["raw"] = self.raw
        record.update(self.extra)
        record["paragraphs"] = [{"text": t, "label": lab} for t, lab in self.paragraphs]
        return json.dumps(record, ensure_ascii=False)


def read_pages(paths: Iterable[str | Path]) -> Iterator[LabelledPage]:
    """Labelled pages from JSONL files (a folder means every *.jsonl in it)."""
    for path in paths:
        path = Path(path)
        files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            with open(file, encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if line.strip():
                        yield _record(json.loads(line), file, number)


def _record(data: dict[str, Any], file: Path, number: int) -> LabelledPage:
    try:
        paragraphs = [(p["text"], check_label(p["label"])) for p in data["paragraphs"]]
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{file}:{number}: not a labelled page: {error}") from error
    known = {"id", "source", "kind", "raw", "paragraphs"}
    return LabelledPage(id=str(data.get("id", f"{file.stem}:{number}")), kind=data.get("kind", "text"),
                        paragraphs=paragraphs, source=data.get("source"), raw=data.get("raw"),
                        base=file.parent, extra={k: v for k, v in data.items() if k not in known})


def write_pages(pages: Iterable[LabelledPage], path: str | Path) -> int:
    """Write pages as JSONL atomically; returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    count = 0
    with open(tmp, "w", encoding="utf-8") as handle:
        for page in pages:
            handle.write(page.to_json() + "\n")
            count += 1
    os.replace(tmp, path)
    return count


def page_content(page: LabelledPage, roots: Sequence[Path] = ()) -> str | bytes:
    """The page itself: its inline `raw`, or the bytes of its `source` file."""
    if page.raw is not None:
        return page.raw
    if not page.source:
        raise InputError(f"page {page.id} has neither raw text nor a source file")
    env = [Path(p) for p in os.environ.get(CORPORA_ENV, "").split(os.pathsep) if p]
    candidates = [Path(page.source)] + [root / page.source for root in [page.base, *roots, *env] if root]
    for candidate in candidates:
        if candidate.is_file():
            data = candidate.read_bytes()
            return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    raise InputError(f"page {page.id}: source {page.source} not found (set {CORPORA_ENV} to its corpora folder)")


def align(blocks: Sequence[Block], paragraphs: Sequence[tuple[str, Label]]) -> list[Label | None]:
    """The label of each block, by text: exact matches in order first, then containment.

    A block that is part of a labelled paragraph takes its label; a block that holds several
    takes the label covering most of its characters; a block matching nothing gets None.
    """
    queues: dict[str, deque[Label]] = defaultdict(deque)
    for text, label in paragraphs:
        queues[compact(text)].append(label)
    keys = [(compact(t), lab) for t, lab in paragraphs]
    labels: list[Label | None] = []
    for block in blocks:
        key = compact(block.text)
        queue = queues.get(key)
        if queue:
            labels.append(queue.popleft() if len(queue) > 1 else queue[0])
            continue
        labels.append(_by_containment(key, keys))
    return labels


def _by_containment(key: str, keys: Sequence[tuple[str, Label]]) -> Label | None:
    if len(key) < 4:
        return None
    for text, label in keys:
        if key in text:
            return label
    cover: dict[Label, int] = defaultdict(int)
    for text, label in keys:
        if len(text) >= 4 and text in key:
            cover[label] += len(text)
    if cover and sum(cover.values()) >= 0.5 * len(key):
        return max(cover, key=cover.__getitem__)
    return None
