"""The n-gram lifts (cleaner/ngrams.py): their page-level numpy against a plain definition, and
what the lifts mean."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner import ngrams
from cleaner.classify import ParagraphClassifier
from cleaner.features import FEATURE_NAMES
from cleaner.labels import BODY, LABELS, SPAM
from cleaner.ngrams import NGRAM_BITS, NGRAM_SIZES, NgramLift, ngram_buckets

_MASK = (1 << 64) - 1


def _normalised(text: str) -> str:
    cut = ngrams.MAX_BLOCK_CHARS // 2
    if len(text) > ngrams.MAX_BLOCK_CHARS:
        text = text[:cut] + text[-cut:]
    out = []
    for c in text:
        if "A" <= c <= "Z":
            c = c.lower()
        elif "0" <= c <= "9" or "０" <= c <= "９":
            c = "0"
        elif c in " \t\n\r\f\v\u3000\xa0":
            c = " "
        out.append(c)
    return "".join(out)


def _plain_bucket(gram: str) -> int:
    key = len(gram)
    for c in gram:
        key = ((key ^ ord(c)) * 0x100000001B3) & _MASK
    return ((key * 0x9E3779B97F4A7C15) & _MASK) >> (64 - NGRAM_BITS)


def _plain_buckets(texts: list[str]) -> list[list[int]]:
    out = []
    for text in texts:
        t = _normalised(text)
        out.append(sorted(_plain_bucket(t[i:i + n]) for n in NGRAM_SIZES for i in range(len(t) - n + 1)))
    return out


TEXTS = ["加微信 ABC123 领取", "", "a", "ab", "Hello World, 2026!", "全角１２３　空格", "x" * 700 + "尾巴",
         "İstanbul ǅ ß"]


def test_buckets_match_the_plain_definition_block_by_block():
    buckets, owner = ngram_buckets(TEXTS)
    got = [sorted(buckets[owner == i].tolist()) for i in range(len(TEXTS))]
    assert got == _plain_buckets(TEXTS)


def test_no_ngram_crosses_two_blocks():
    buckets, owner = ngram_buckets(["ab", "cd"])
    assert _plain_bucket("bc") not in buckets.tolist()
    assert sorted(owner.tolist()) == [0, 1]


def test_digits_case_and_white_space_are_folded():
    lift = NgramLift().fit(["Call 555-1234 NOW", "the city council met"], np.array([3, 0]))
    a, b = lift.transform(["call 999-0000 now", "CALL 123-4567 NOW"])
    assert np.allclose(a, b)


def test_an_unseen_ngram_lifts_nothing_and_a_spam_ngram_lifts_spam():
    labels = np.array([LABELS.index(SPAM)] * 3 + [LABELS.index(BODY)] * 3)
    lift = NgramLift().fit(["加微信领取", "加微信下单", "加微信咨询", "政府表示", "记者获悉", "会议指出"], labels)
    unseen, spammy = lift.transform(["ΩΨΦΧ", "快加微信"])
    assert np.all(unseen == 0)
    assert spammy[LABELS.index(SPAM)] > 0 > spammy[LABELS.index(BODY)]
    assert [g for g, _ in lift.top_ngrams("快加微信", SPAM)][:1] in (["加微"], ["微信"], ["加微信"])


def test_transform_is_the_mean_lift_of_the_blocks_ngrams():
    rng = np.random.default_rng(0)
    lift = NgramLift()
    lift.lift_ = rng.integers(-127, 128, size=(1 << NGRAM_BITS, len(LABELS)), dtype=np.int8)
    got = lift.transform(TEXTS)
    for row, buckets in zip(got, _plain_buckets(TEXTS)):
        want = lift.lift_[buckets].mean(axis=0) * ngrams.LIFT_STEP if buckets else np.zeros(len(LABELS))
        assert np.allclose(row, want)


@pytest.mark.parametrize("tables", [1, 2, 3])
def test_tables_side_by_side_give_each_tables_lifts_exactly(tables):
    rng = np.random.default_rng(tables)
    parts = []
    for _ in range(tables):
        part = NgramLift()
        part.lift_ = rng.integers(-127, 128, size=(1 << NGRAM_BITS, len(LABELS)), dtype=np.int8)
        parts.append(part)
    for texts in ([*TEXTS, ""], ["a"], ["一", "二"]):  # the last two have no 3-gram (nor 2-gram) at all
        joined = NgramLift.side_by_side(parts).transform(texts)
        assert joined.shape == (len(texts), tables * len(LABELS))
        assert np.array_equal(joined, np.hstack([part.transform(texts) for part in parts]))


def test_counts_add_up_over_any_split_of_the_blocks():
    labels = np.array([0, 3, 1, 2, 0, 3, 1, 0])
    whole = NgramLift.counts(TEXTS, labels)
    parts = NgramLift.counts(TEXTS[:3], labels[:3]) + NgramLift.counts(TEXTS[3:], labels[3:])
    assert np.array_equal(whole, parts)


def _tiny_data():
    texts, labels, pages = [], [], []
    for page in range(12):
        for text, label in ((f"政府表示第{page}次会议指出", BODY), ("首页 导航 登录", "chrome"),
                            ("加微信领取免费资料", SPAM), ("网友评论：说得好", "comment")):
            texts.append(text)
            labels.append(label)
            pages.append(page)
    X = np.random.default_rng(1).normal(size=(len(texts), len(FEATURE_NAMES)))
    return X, np.array(labels), np.array(pages), texts


def test_a_model_with_lifts_needs_the_texts_and_reads_them():
    X, y, pages, texts = _tiny_data()
    model = ParagraphClassifier(n_estimators=5, context_estimators=3, min_child_samples=2)
    model.fit(X, y, pages, texts=texts)
    assert model.needs_texts
    with pytest.raises(ValueError, match="texts"):
        model.predict_proba(X[:4])
    assert model.predict(X[:4], texts=texts[:4]).tolist() == [BODY, "chrome", SPAM, "comment"]


def test_a_model_without_lifts_reads_features_only():
    X, y, pages, _ = _tiny_data()
    model = ParagraphClassifier(n_estimators=5, context_estimators=3, min_child_samples=2).fit(X, y, pages)
    assert not model.needs_texts
    assert model.predict_proba(X[:4]).shape == (4, len(LABELS))
