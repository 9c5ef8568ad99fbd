"""Text input settles: the article text is cleaned again until that changes nothing."""

from __future__ import annotations

import math

import numpy as np

from cleaner import BODY, CHROME, LABELS, Cleaner, ParagraphClassifier
from cleaner.features import FEATURE_NAMES

LOG_LEN = FEATURE_NAMES.index("log_len")
MENU, RELATED = "menu", "Related"  # told apart by their lengths, which the features carry


class ContextModel(ParagraphClassifier):
    """Calls the 4-character blocks chrome, and the 7-character one too on a page of fewer than
    four blocks: a label that depends on what else is on the page, as the real model's do."""

    def predict_proba(self, X: np.ndarray, pages: np.ndarray | None = None, texts=None, fast=False, lifts=None) -> np.ndarray:
        chrome = np.isclose(X[:, LOG_LEN], math.log1p(len(MENU)))
        if len(X) < 4:
            chrome |= np.isclose(X[:, LOG_LEN], math.log1p(len(RELATED)))
        out = np.zeros((len(X), len(LABELS)))
        out[:, LABELS.index(BODY)] = ~chrome
        out[:, LABELS.index(CHROME)] = chrome
        return out


PAGE = "A headline of the day\n\nThe first paragraph, long enough to be prose.\n\nRelated\n\nmenu\n\nmenu"


def test_a_paragraph_dropped_once_the_chrome_is_gone_is_dropped_at_once():
    cleaner = Cleaner(ContextModel(), settle=True)
    result = cleaner.clean(PAGE, kind="text")
    assert result.text == "A headline of the day\n\nThe first paragraph, long enough to be prose."
    related = next(p for p in result.paragraphs if p.text == RELATED)
    assert related.label == CHROME and "cleaned again" in related.rule


def test_cleaning_the_settled_text_again_changes_nothing():
    cleaner = Cleaner(ContextModel(), settle=True)
    once = cleaner.clean(PAGE, kind="text").text
    assert cleaner.clean(once, kind="text").text == once


def test_html_input_is_not_settled():
    html = "<html><body>" + "".join(f"<p>{t}</p>" for t in PAGE.split("\n\n")) + "</body></html>"
    result = Cleaner(ContextModel(), settle=True).clean(html, kind="html")
    assert RELATED in result.text.split("\n\n")


def test_settling_is_asked_for():
    result = Cleaner(ContextModel()).clean(PAGE, kind="text")
    assert RELATED in result.text.split("\n\n")


def test_clean_passes_settle_on(monkeypatch):
    import cleaner

    monkeypatch.setattr(cleaner, "_default", Cleaner(ContextModel()))
    assert RELATED in cleaner.clean(PAGE, kind="text").text
    assert RELATED not in cleaner.clean(PAGE, kind="text", settle=True).text
