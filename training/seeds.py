"""The seed pages as labelled records: the raw text inline, one paragraph per labelled line."""

from __future__ import annotations

import json
from pathlib import Path

from cleaner.data import LabelledPage

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
#: The seed page with real spam and machine comments: what the spam benchmarks keep unseen.
SEED_WITH_SPAM = "002_8b0eba742893faf0"


def seed_pages(folder: Path = SEEDS) -> list[LabelledPage]:
    """Every seed page with its line labels (seeds/labels/<id>.jsonl)."""
    pages = []
    for text_file in sorted(folder.glob("*.txt")):
        labels = folder / "labels" / f"{text_file.stem}.jsonl"
        rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
        pages.append(LabelledPage(id=text_file.stem, kind="text", source=f"seeds/{text_file.name}",
                                  raw=text_file.read_text(encoding="utf-8"),
                                  paragraphs=[(r["text"], r["label"]) for r in rows]))
    return pages


def seed_joins(folder: Path = SEEDS) -> dict[str, list[tuple[str, str]]]:
    """The broken-paragraph pairs of each seed page (seeds/labels/joins.json)."""
    data = json.loads((folder / "labels" / "joins.json").read_text(encoding="utf-8"))
    return {page: [tuple(pair) for pair in pairs] for page, pairs in data.items()}
