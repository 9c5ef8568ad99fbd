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
block is hashed into 2**NGRAM_BITS buckets; everything is page-level numpy, a few tens of
microseconds a page.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleaner.labels import LABELS

#: Character n-gram lengths: 2 catches most Chinese words, 3 the common English affixes and words.
NGRAM_SIZES = (2, 3)
#: log2 of the hash buckets: 2**18 keeps collisions rare for the ~10^6 distinct n-grams of the
#: training pages while the table stays 2 MB (float16).
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
_ZERO, _NINE, _UPPER_A, _UPPER_Z = ord("0"), ord("9"), ord("A"), ord("Z")
_FULL_ZERO, _FULL_NINE = ord("０"), ord("９")
_WHITE = np.array([ord(c) for c in " \t\n\r\f\v\u3000\xa0"])


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The normalised code points of the blocks, joined with a separator, and each block's index
    per position. Blocks are cut to MAX_BLOCK_CHARS (half from each end)."""
    half = MAX_BLOCK_CHARS // 2
    cut = [t if len(t) <= MAX_BLOCK_CHARS else t[:half] + t[-half:] for t in texts]
    joined = "\0".join(cut) + "\0"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in cut), dtype=np.int64, count=len(cut))
    owner = np.repeat(np.arange(len(cut)), lengths)
    ends = np.cumsum(lengths) - 1
    upper = (codes >= _UPPER_A) & (codes <= _UPPER_Z)
    codes[upper] += 32
    codes[((codes >= _ZERO) & (codes <= _NINE)) | ((codes >= _FULL_ZERO) & (codes <= _FULL_NINE))] = _ZERO
    codes[np.isin(codes, _WHITE)] = 32
    codes[ends] = _SEPARATOR
    return codes, owner


def _hashes(codes: np.ndarray, size: int) -> np.ndarray:
    """The bucket of every window of `size` code points (windows across a separator included)."""
    count = len(codes) - size + 1
    key = np.full(count, size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(size):
            key = (key ^ codes[k:k + count]) * _MULTIPLIER
        return ((key * _MIX) >> np.uint64(64 - NGRAM_BITS)).astype(np.int64)


def ngram_buckets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, block index) of every n-gram inside a block, for every block."""
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, owner = _codes(texts)
    separators = np.concatenate([[0], np.cumsum(codes == _SEPARATOR)])
    buckets, owners = [], []
    for size in NGRAM_SIZES:
        count = len(codes) - size + 1
        if count <= 0:
            continue
        inside = separators[size:count + size] - separators[:count] == 0
        buckets.append(_hashes(codes, size)[inside])
        owners.append(owner[:count][inside])
    return np.concatenate(buckets), np.concatenate(owners)


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
        self.lift_ = lift.astype(np.float16)
        return self

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> NgramLift:
        """Fit on blocks and their label indices (into LABELS)."""
        return self.fit_counts(self.counts(texts, labels))

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Mean n-gram lift of each block for each label (blocks x LABELS)."""
        out = np.zeros((len(texts), len(LABELS)))
        if not texts:
            return out
        buckets, owner = ngram_buckets(texts)
        if not len(buckets):
            return out
        lifts = self.lift_[buckets].astype(np.float64)
        sums = np.column_stack([np.bincount(owner, lifts[:, c], minlength=len(texts)) for c in range(len(LABELS))])
        n = np.bincount(owner, minlength=len(texts))[:, None]
        np.divide(sums, n, out=out, where=n > 0)
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
                    seen[gram] = float(self.lift_[_hashes(codes[:size], size)[0], column])
        return sorted(((g, v) for g, v in seen.items() if v > 0), key=lambda item: -item[1])[:k]
