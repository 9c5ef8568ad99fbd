"""Properties of `clean` on generated input (hypothesis): it never raises, invents nothing, is stable.

The long fuzz with the same contract is tests/fuzz/fuzz_clean.py (minutes, outside CI).
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import BODY, LABELS, Cleaner, ParagraphClassifier, Result
from cleaner.decode import clean_characters

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLEANER = Cleaner()
SETTLED = Cleaner(CLEANER.model, settle=True)
_SPACE = re.compile(r"\s+")

# Text the way pages hold it: CJK, Latin, digits, punctuation, blank lines, markup characters.
ALPHABET = st.sampled_from(list("北京市统计局公布了去年的数据增长明显上海评论加微信") + list("The budget passed, said officials.")
                           + list("0123456789@<>&/;:!?。，、…") + ["\n", "\n", " ", "\t", "\r"])
PAGE_TEXT = st.text(ALPHABET, max_size=600)
TAGS = st.sampled_from(["<p>", "</p>", "<div class='content'>", "</div>", "<br>", "<li>", "<h1>", "</h1>",
                        "<a href='/x'>", "</a>", "<td>", "<nav>", "</nav>", "<!-- note -->"])
HTML = st.lists(st.one_of(TAGS, st.text(ALPHABET.filter(lambda c: c not in "<>&"), max_size=80)), max_size=40).map(
    lambda parts: "<html><body>" + "".join(parts) + "</body></html>")


def squeezed(text: str) -> str:
    return _SPACE.sub("", text)


def assert_contract(result: Result) -> None:
    assert isinstance(result, Result)
    assert all(p.label in LABELS for p in result.paragraphs)
    assert bool(result.text) != bool(result.reason)  # empty text exactly when a reason says why


def assert_nothing_invented(result: Result, source: str) -> None:
    """Every body paragraph is a run of the source, and the text is those paragraphs in order."""
    source = squeezed(clean_characters(source))
    body = [squeezed(p.text) for p in result.paragraphs if p.label == BODY]
    assert all(piece in source for piece in body)
    assert squeezed(result.text) == "".join(body)


@SETTINGS
@given(st.text())
def test_clean_never_raises_on_arbitrary_text(page):
    assert_contract(CLEANER.clean(page))


@SETTINGS
@given(st.binary())
def test_clean_never_raises_on_arbitrary_bytes(page):
    assert_contract(CLEANER.clean(page))


@SETTINGS
@given(HTML)
def test_clean_never_raises_on_tag_soup(page):
    assert_contract(CLEANER.clean(page))
    assert_contract(CLEANER.clean(page.encode("utf-8")))


@SETTINGS
@given(PAGE_TEXT)
def test_text_holds_only_runs_of_the_input(page):
    assert_nothing_invented(CLEANER.clean(page, kind="text"), page)


@SETTINGS
@given(PAGE_TEXT, st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "gb18030 meta", "gbk wrong meta"]))
def test_encoded_text_comes_back_without_mojibake(page, how):
    codec = how.split()[0]
    if how == "gb18030 meta":
        data = f'<meta charset="gb2312">\n\n{page}'.encode("gb18030")
    elif how == "gbk wrong meta":  # told from Latin-1 by its Chinese: a page has more than a character of it
        page = f"北京市统计局公布了去年的数据。\n\n{page}"
        data = f'<meta charset="iso-8859-1">\n\n{page}'.encode("gbk")
    else:
        data = page.encode(codec)
    result = CLEANER.clean(data, kind="text")
    assert_contract(result)
    allowed = set(page) | set('<meta charset="gb2312iso-8859-1">')
    assert set(result.text) <= allowed | {"\n", " "}


class AllBody(ParagraphClassifier):
    """A model that calls every block body: what is left to test is the pipeline's own stability."""

    def predict_proba(self, X: np.ndarray, pages: np.ndarray | None = None, texts=None, fast=False, lifts=None) -> np.ndarray:
        out = np.zeros((len(X), len(LABELS)))
        out[:, LABELS.index(BODY)] = 1.0
        return out


@SETTINGS
@given(PAGE_TEXT)
def test_cleaning_clean_text_again_changes_nothing(page):
    """decode, segmentation, joining and repair are idempotent on text input (the model's labels aside)."""
    cleaner = Cleaner(AllBody())
    once = cleaner.clean(page, kind="text").text
    assert cleaner.clean(once, kind="text").text == once


@SETTINGS
@given(PAGE_TEXT)
def test_cleaning_clean_text_again_changes_nothing_with_the_shipped_model_settled(page):
    once = SETTLED.clean(page, kind="text").text
    assert SETTLED.clean(once, kind="text").text == once


def test_the_seeds_settled_text_cleaned_again_is_the_same(seeds):
    for seed in seeds:
        once = SETTLED.clean(seed.raw, kind="text")
        assert once.text, seed.id
        assert SETTLED.clean(once.text, kind="text").text == once.text, seed.id
