"""The learned text component of stage 4 (classify): what a block's characters say of its class.

The features of `cleaner.features` count words from hand-written lists; spam of a kind no list
was written for slips through them. `NgramLift` learns from the training blocks themselves
which character n-grams lean to which class, the way a spam filter does, and gives every block
four numbers, one per label: how much more often than usual its n-grams occur in blocks of that
label. The gradient-boosted model takes them as four more columns (trained on out-of-fold
values, so that it trusts them as much as they deserve on unseen pages).

Why lifts and not a naive-Bayes posterior: an n-gram never seen in training lifts nothing
(exactly 0) instead of leaning to the smallest class, and a block's score is a mean over its
n-grams, so that length does not make it extreme. Selling language that recurs across spam of
any product ("加微信", "私聊", "visit https", "guaranteed") gets a lift of its own, which is what
carries over to spam families the training data never had.

Normalisation: ASCII letters lower-cased, every digit read as 0 (phone numbers, prices and
years look alike), white space as one space. Each n-gram of NGRAM_SIZES characters inside one
block is hashed into 2**NGRAM_BITS buckets; everything is page-level numpy (one pass per
n-gram size over the page's code points, no Python per block but its length).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleaner.labels import LABELS

#: Character n-gram lengths: 2 catches most Chinese words, 3 the common English affixes and words.
NGRAM_SIZES = (2, 3)
#: log2 of the hash buckets: 2**18 keeps collisions rare for the ~10^6 distinct n-grams of the
#: training pages while the table stays 1 MB (int8, see LIFT_STEP).
NGRAM_BITS = 18
#: Pseudo-count of the smoothing: an n-gram seen k times has its lift shrunk by k / (k + SMOOTHING),
#: so that n-grams seen once or twice say little.
SMOOTHING = 4.0
#: Characters of a block that are read (a long block is told by its beginning and its end).
MAX_BLOCK_CHARS = 600
#: The columns `NgramLift.transform` adds, one per label, in LABELS order.
COLUMNS = [f"text_lift_{label}" for label in LABELS]

_SEPARATOR = 0x110000  # above every code point: marks block ends in the page array
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads the key's high bits
#: What each code point of the Basic Multilingual Plane reads as (ASCII capitals lower-cased,
#: digits as 0, white space as a space); code points above it are read as they are.
_FOLD = np.arange(0x10000, dtype=np.uint32)
_FOLD[ord("A"):ord("Z") + 1] += 32
_FOLD[ord("0"):ord("9") + 1] = ord("0")
_FOLD[ord("０"):ord("９") + 1] = ord("0")
_FOLD[[ord(c) for c in "\t\n\r\f\v\u3000\xa0"]] = ord(" ")
#: Lifts are stored as int8 in steps of this size (range +-8): a quarter of the float32 table,
#: so that the one lookup per n-gram hits the cache; a block's mean lift averages the rounding out.
LIFT_STEP = 1 / 16


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The normalised code points of the blocks, each followed by a separator, and the blocks'
    lengths (without it). Blocks are cut to MAX_BLOCK_CHARS (half from each end)."""
    half = MAX_BLOCK_CHARS // 2
    cut = [t if len(t) <= MAX_BLOCK_CHARS else t[:half] + t[-half:] for t in texts]
    raw = np.frombuffer(("\0".join(cut) + "\0").encode("utf-32-le"), dtype=np.uint32)
    codes = np.where(raw < 0x10000, _FOLD[raw & 0xFFFF], raw).astype(np.uint64)
    lengths = np.fromiter(map(len, cut), dtype=np.int64, count=len(cut))
    codes[np.cumsum(lengths + 1) - 1] = _SEPARATOR
    return codes, lengths


def _hashes(codes: np.ndarray, size: int) -> np.ndarray:
    """The bucket of every window of `size` code points (windows across a separator included)."""
    count = len(codes) - size + 1
    key = np.full(count, size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(size):
            key = (key ^ codes[k:k + count]) * _MULTIPLIER
        return ((key * _MIX) >> np.uint64(64 - NGRAM_BITS)).astype(np.intp)


def _windows(texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each size of NGRAM_SIZES: the buckets of the n-grams inside a block, block after block,
    and how many each block has (its length less size-1, or 0)."""
    codes, lengths = _codes(texts)
    separator = codes == _SEPARATOR
    out = []
    for size in NGRAM_SIZES:
        count = len(codes) - size + 1
        inside = ~separator[:count].copy()
        for k in range(1, size):
            inside &= ~separator[k:k + count]
        out.append((_hashes(codes, size)[inside], np.maximum(lengths - size + 1, 0)))
    return out


def ngram_buckets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, block index) of every n-gram inside a block, for every block."""
    if not texts:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    windows = _windows(texts)
    blocks = np.arange(len(texts))
    return (np.concatenate([buckets for buckets, _ in windows]),
            np.concatenate([np.repeat(blocks, per_block) for _, per_block in windows]))


class NgramLift:
    """Per-label lifts of hashed character n-grams; `fit` on labelled blocks, `transform` blocks.

    lift[g, c] = log((n[g, c] + SMOOTHING * share[c]) / ((n[g] + SMOOTHING) * share[c])), where
    n[g, c] counts n-gram g in blocks of label c and share[c] is label c's share of all n-grams:
    0 for an n-gram as common in c as anywhere (or never seen), positive when it leans to c.
    A block's value for c is the mean lift of its n-grams (0 for a block without any).
    """

    def __init__(self, smoothing: float = SMOOTHING) -> None:
        self.smoothing = smoothing

    @staticmethod
    def counts(texts: Sequence[str], labels: np.ndarray) -> np.ndarray:
        """n[g, c]: the n-gram counts per bucket and label index of labelled blocks."""
        buckets, owner = ngram_buckets(texts)
        cells = buckets * len(LABELS) + np.asarray(labels, dtype=np.int64)[owner]
        return np.bincount(cells, minlength=len(LABELS) << NGRAM_BITS).reshape(-1, len(LABELS))

    def fit_counts(self, counts: np.ndarray) -> NgramLift:
        """Fit from n-gram counts (`counts`), which add up over any split of the blocks."""
        counts = counts.astype(np.float64)
        share = counts.sum(axis=0) / max(counts.sum(), 1.0)
        share = np.maximum(share, 1e-9)
        total = counts.sum(axis=1, keepdims=True)
        lift = np.log((counts + self.smoothing * share) / ((total + self.smoothing) * share))
        self.lift_ = np.clip(np.rint(lift / LIFT_STEP), -127, 127).astype(np.int8)
        return self

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> NgramLift:
        """Fit on blocks and their label indices (into LABELS)."""
        return self.fit_counts(self.counts(texts, labels))

    @classmethod
    def side_by_side(cls, tables: Sequence[NgramLift]) -> NgramLift:
        """One table holding the columns of several fitted tables, table after table: its
        `transform` gives theirs side by side for the price of one (one hash and one lookup an
        n-gram), which is how an Ensemble reads its members' lifts."""
        joined = cls(tables[0].smoothing)
        width = sum(t.lift_.shape[1] for t in tables)
        joined.lift_ = np.hstack([t.lift_ for t in tables] + [np.zeros((len(tables[0].lift_), -width % 8), np.int8)])
        joined.width_ = width  # the real columns; the rest pads a row to 8-byte words
        return joined

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Mean n-gram lift of each block for each column of the table (blocks x LABELS for a
        fitted table)."""
        width = getattr(self, "width_", self.lift_.shape[1])
        sums = np.zeros((len(texts), width))
        counts = np.zeros(len(texts))
        if not texts:
            return sums
        # one lookup per n-gram: a bucket's row read as one 4-byte word (side by side: 8-byte words)
        rows = self.lift_.view(np.int32 if self.lift_.shape[1] == 4 else np.int64)
        for buckets, per_block in _windows(texts):
            lifts = rows[buckets].view(np.int8).reshape(len(buckets), self.lift_.shape[1])[:, :width]
            running = np.zeros((len(lifts) + 1, width), dtype=np.int32)  # exact: steps are integers
            np.cumsum(lifts, axis=0, dtype=np.int32, out=running[1:])
            ends = np.cumsum(per_block)
            sums += running[ends] - running[ends - per_block]
            counts += per_block
        out = np.zeros_like(sums)
        np.divide(sums * LIFT_STEP, counts[:, None], out=out, where=counts[:, None] > 0)
        return out

    def top_ngrams(self, text: str, label: str, k: int = 5) -> list[tuple[str, float]]:
        """The k n-grams of `text` that lean most to `label`, with their lifts: what `explain` shows."""
        column = LABELS.index(label)
        seen: dict[str, float] = {}
        for size in NGRAM_SIZES:
            for i in range(len(text) - size + 1):
                gram = text[i:i + size]
                if gram not in seen and gram.strip():
                    codes, _ = _codes([gram])
                    seen[gram] = float(self.lift_[_hashes(codes[:size], size)[0], column]) * LIFT_STEP
        return sorted(((g, v) for g, v in seen.items() if v > 0), key=lambda item: -item[1])[:k]
