"""Training and evaluation on labelled pages, shared by the CLI and `training/`.

Pages go through `pipeline.prepare`, the very code that cleaning runs, and their labels
are matched to the blocks it cuts (`data.align`); blocks no label matches are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cleaner.classify import Model, ParagraphClassifier
from cleaner.data import LabelledPage, align, page_content
from cleaner.features import hidden_word_lists
from cleaner.labels import LABELS, SPAM
from cleaner.pipeline import prepare
from cleaner.segment import compact


@dataclass(slots=True)
class Dataset:
    X: np.ndarray
    y: np.ndarray
    pages: np.ndarray  # the page number of each row
    ids: list[str]  # page ids, by page number
    unmatched: int = 0  # blocks no label matched (left out)
    weights: np.ndarray | None = None
    texts: list[str] = field(default_factory=list)  # each row's block text
    groups: list[str] = field(default_factory=list)  # each row's fold group (see `row_groups`)


def page_source_id(page: LabelledPage) -> str:
    """The real page a page was made from: the id before any '#' (its generated copies, `#synth…`,
    `#small…`, `#text`, share its text and this id)."""
    return page.id.split("#")[0]


def row_groups(page: LabelledPage, blocks: Sequence[str], labels: Sequence[str]) -> list[str]:
    """The fold group of each block for the out-of-fold n-gram lifts: its source page (the page id
    before any '#': the copies generated from a page share its text), or the group that
    `page.extra["groups"]` names for the spam paragraph holding it (a generated spam
    paragraph's family, so that one family's spam falls in one fold)."""
    source = page_source_id(page)
    named = {compact(text): group for text, group in page.extra.get("groups", {}).items()}
    if not named:
        return [source] * len(blocks)
    out = []
    for text, label in zip(blocks, labels):
        key = compact(text)
        group = None
        if label == SPAM:
            group = named.get(key) or next((g for k, g in named.items() if key in k or k in key), None)
        out.append(group or source)
    return out


def build_dataset(pages: Iterable[LabelledPage], roots: Sequence[Path] = (),
                  page_weights: dict[str, float] | None = None) -> Dataset:
    """Feature rows and labels of every matched block of every page (a page whose
    `extra["hidden_lists"]` names lexicon word lists gets its features without them)."""
    rows, labels, numbers, weights, ids, texts, groups = [], [], [], [], [], [], []
    unmatched = 0
    for number, page in enumerate(pages):
        with hidden_word_lists(page.extra.get("hidden_lists", ())):
            prepared = prepare(page_content(page, roots), kind=page.kind)
        matched = align(prepared.blocks, page.paragraphs)
        keep = [i for i, label in enumerate(matched) if label is not None]
        unmatched += len(matched) - len(keep)
        ids.append(page.id)
        if not keep:
            continue
        rows.append(prepared.features[keep])
        labels.extend(matched[i] for i in keep)
        kept = [prepared.blocks[i].text for i in keep]
        texts.extend(kept)
        groups.extend(row_groups(page, kept, [matched[i] for i in keep]))
        numbers.extend([number] * len(keep))
        weights.extend([(page_weights or {}).get(page.id, 1.0)] * len(keep))
    X = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    return Dataset(X, np.array(labels), np.array(numbers), ids, unmatched,
                   np.array(weights) if page_weights else None, texts, groups)


def fit(pages: Iterable[LabelledPage], roots: Sequence[Path] = (), *, seed: int = 0,
        page_weights: dict[str, float] | None = None, text_lifts: bool = True) -> ParagraphClassifier:
    """Train a ParagraphClassifier on labelled pages (`text_lifts=False`: without the n-gram lifts)."""
    data = build_dataset(pages, roots, page_weights)
    if len(data.y) == 0:
        raise ValueError("no labelled block matched: nothing to train on")
    return ParagraphClassifier(random_state=seed).fit(
        data.X, data.y, data.pages, data.weights,
        texts=data.texts if text_lifts else None, groups=data.groups)


@dataclass(slots=True)
class Report:
    """Per-class precision, recall, F1 and support, and the confusion matrix (rows: gold)."""

    precision: dict[str, float] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)
    f1: dict[str, float] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)
    blocks: int = 0
    pages: int = 0

    def to_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "support": self.support,
                "confusion": {"labels": list(LABELS), "rows_gold_columns_predicted": self.confusion},
                "blocks": self.blocks, "pages": self.pages}


def score(gold: Sequence[str], predicted: Sequence[str], pages: int = 0) -> Report:
    """Block-level metrics of predicted labels against gold labels."""
    index = {label: i for i, label in enumerate(LABELS)}
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for g, p in zip(gold, predicted):
        confusion[index[g], index[p]] += 1
    report = Report(confusion=confusion.tolist(), blocks=int(confusion.sum()), pages=pages)
    for label, i in index.items():
        tp = confusion[i, i]
        predicted_n, gold_n = confusion[:, i].sum(), confusion[i, :].sum()
        p = tp / predicted_n if predicted_n else 0.0
        r = tp / gold_n if gold_n else 0.0
        report.precision[label] = round(float(p), 4)
        report.recall[label] = round(float(r), 4)
        report.f1[label] = round(float(2 * p * r / (p + r)) if p + r else 0.0, 4)
        report.support[label] = int(gold_n)
    return report


def evaluate(model: Model, pages: Iterable[LabelledPage], roots: Sequence[Path] = ()) -> Report:
    """Score a model's block labels (after repair rules) on labelled pages."""
    from cleaner.pipeline import Cleaner

    cleaner = Cleaner(model)
    gold, predicted = [], []
    count = 0
    for page in pages:
        count += 1
        prepared = prepare(page_content(page, roots), kind=page.kind)
        result = cleaner.finish(prepared)
        for label, paragraph in zip(align(prepared.blocks, page.paragraphs), result.paragraphs):
            if label is not None:
                gold.append(label)
                predicted.append(paragraph.label)
    return score(gold, predicted, count)


def format_report(report: Report) -> str:
    """A plain-text table of a Report."""
    lines = [f"{report.pages} pages, {report.blocks} labelled blocks",
             f"{'label':<9}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}"]
    for label in LABELS:
        lines.append(f"{label:<9}{report.precision[label]:>10.3f}{report.recall[label]:>8.3f}"
                     f"{report.f1[label]:>8.3f}{report.support[label]:>9}")
    lines.append("confusion (rows gold, columns predicted): " + " ".join(LABELS))
    for label, row in zip(LABELS, report.confusion):
        lines.append(f"  {label:<8}" + "".join(f"{v:>8}" for v in row))
    return "\n".join(lines)
