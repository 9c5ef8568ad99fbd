"""Scoring for the extraction benchmark.

Two metrics:

* :func:`count_segments` / :class:`SegmentScore` — trafilatura's own evaluation of
  ``evaldata.json`` (its ``tests/eval_common.py``, which replaced the older
  ``tests/comparison.py``), reproduced from the behaviour that its unit tests
  (``tests/eval_common_tests.py``) pin down:

  - both the extractor output and every annotated segment are normalised by collapsing
    all whitespace runs (``str.split()``, so ``\\xa0`` and newlines too) to one space and
    stripping the ends (``norm``); nothing else: no case folding, no Unicode normalisation;
  - a segment is "found" when it is a plain substring of the normalised output
    (case-sensitive ``in``);
  - each ``with`` segment found is a TP, else an FN; each ``without`` segment found is an
    FP, else a TN;
  - an output of ``None`` (or not a string, or a crash) counts as a full miss: every
    ``with`` is an FN, every ``without`` a TN;
  - counts are summed over all segments of all pages, then precision = TP/(TP+FP),
    recall = TP/(TP+FN), accuracy = (TP+TN)/all and F1 = 2TP/(2TP+FP+FN), each 0.0 when
    its denominator is 0.

* :func:`shingles` / :class:`ShingleScore` — 4-gram shingle overlap against a gold text.
  Tokens are words for space-separated scripts and single characters for CJK (Han, kana,
  hangul); punctuation, symbols and whitespace are dropped; text is NFKC-normalised and
  case-folded first. Shingles are a multiset (``Counter``): the overlap of a page is the
  size of the multiset intersection. A text with 1-3 tokens yields one shingle of all its
  tokens. Scores are micro-averaged over pages (sums of overlaps and sizes) and also
  averaged per page; a page with an empty output scores P = R = F1 = 0 (1 when the gold is
  empty too).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SHINGLE_SIZE = 4

# CJK scripts tokenised one character at a time.
_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3005-\u3007"  # 々 〆 〇
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended A
    "\uac00-\ud7ff"  # Hangul syllables, Jamo extended B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_CJK = re.compile(f"([{_CJK_RANGES}])")


def norm(text: str) -> str:
    """Collapse whitespace runs to one space and strip, as trafilatura's eval does."""
    return " ".join(text.split())


@dataclass
class SegmentScore:
    """Confusion counts of trafilatura's segment metric, summed over pages."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    pages: int = 0

    def add(self, counts: tuple[int, int, int, int]) -> None:
        """Add one page's ``(tp, fp, fn, tn)``."""
        tp, fp, fn, tn = counts
        self.tp += tp
        self.fp += fp
        self.fn += fn
        self.tn += tn
        self.pages += 1

    @property
    def precision(self) -> float:
        """TP / (TP + FP)."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        """TP / (TP + FN)."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def accuracy(self) -> float:
        """(TP + TN) / all segments."""
        return _ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn)

    @property
    def f1(self) -> float:
        """2TP / (2TP + FP + FN)."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


def count_segments(item: Mapping[str, Sequence[str]], result: object) -> tuple[int, int, int, int]:
    """Score one evaldata item against an extractor's output: ``(tp, fp, fn, tn)``."""
    with_, without = item["with"], item["without"]
    if not isinstance(result, str):
        return 0, 0, len(with_), len(without)
    text = norm(result)
    tp = sum(1 for seg in with_ if norm(seg) in text)
    fp = sum(1 for seg in without if norm(seg) in text)
    return tp, fp, len(with_) - tp, len(without) - fp


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """Runs of letters, digits and combining marks (marks so Indic/Arabic words stay whole)."""
    marks: list[str] = []
    start = prev = -2
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith("M"):
            if cp != prev + 1:
                if start >= 0:
                    marks.append(_span(start, prev))
                start = cp
            prev = cp
    if start >= 0:
        marks.append(_span(start, prev))
    return re.compile(f"(?:[^\\W_]|[{''.join(marks)}])+")


def _span(lo: int, hi: int) -> str:
    return re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"


def tokenize(text: str) -> list[str]:
    """Words for space-separated scripts, single characters for CJK; punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _word_pattern().findall(_CJK.sub(r" \1 ", text))


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of token n-grams; a text of 1..size-1 tokens gives one shingle of them all."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


@dataclass
class PageOverlap:
    """Shingle counts of one page."""

    overlap: int
    extracted: int
    gold: int

    @property
    def precision(self) -> float:
        """Share of extracted shingles that are in the gold (0 for an empty output)."""
        if self.extracted == 0:
            return 1.0 if self.gold == 0 else 0.0
        return self.overlap / self.extracted

    @property
    def recall(self) -> float:
        """Share of gold shingles that were extracted."""
        if self.gold == 0:
            return 1.0 if self.extracted == 0 else 0.0
        return self.overlap / self.gold

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        return _f1(self.precision, self.recall)


def page_overlap(extracted: str, gold: str, size: int = SHINGLE_SIZE) -> PageOverlap:
    """Multiset shingle overlap between one extracted text and its gold text."""
    ext, ref = shingles(extracted, size), shingles(gold, size)
    return PageOverlap(sum((ext & ref).values()), sum(ext.values()), sum(ref.values()))


@dataclass
class ShingleScore:
    """Shingle overlap over pages: micro averages and per-page means."""

    pages: list[PageOverlap] = field(default_factory=list)

    def add(self, page: PageOverlap) -> None:
        """Add one page's counts."""
        self.pages.append(page)

    @property
    def precision(self) -> float:
        """Micro-averaged precision: summed overlaps over summed extracted shingles."""
        return _ratio(sum(p.overlap for p in self.pages), sum(p.extracted for p in self.pages))

    @property
    def recall(self) -> float:
        """Micro-averaged recall: summed overlaps over summed gold shingles."""
        return _ratio(sum(p.overlap for p in self.pages), sum(p.gold for p in self.pages))

    @property
    def f1(self) -> float:
        """Micro-averaged F1."""
        return _f1(self.precision, self.recall)

    @property
    def mean_precision(self) -> float:
        """Mean of per-page precision."""
        return _mean(p.precision for p in self.pages)

    @property
    def mean_recall(self) -> float:
        """Mean of per-page recall."""
        return _mean(p.recall for p in self.pages)

    @property
    def mean_f1(self) -> float:
        """Mean of per-page F1."""
        return _mean(p.f1 for p in self.pages)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return _ratio(2 * p * r, p + r)


def _mean(values: Iterable[float]) -> float:
    vals = list(values)
    return sum(vals) / len(vals) if vals else 0.0
