"""The pipeline: decode -> segment -> features -> classify -> repair -> Result.

`Cleaner` holds the model, loaded once, and runs the stages; `prepare` runs the stages up
to the features and is what training and evaluation share with cleaning, so a model is
always trained on exactly what it will see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from cleaner.classify import ParagraphClassifier, load_model
from cleaner.decode import Decoded, decode
from cleaner.errors import InputError
from cleaner.features import FEATURE_NAMES, page_features
from cleaner.html import PageMeta, segment_html
from cleaner.labels import COMMENT, LABELS, SPAM
from cleaner.limits import (
    MAX_BLOCKS,
    MAX_PAGE_BYTES,
    TIME_BUDGET,
    BudgetExceeded,
    OverLimit,
    check,
    deadline,
    tame_markup,
)
from cleaner.repair import body_text, mark_layout_duplicates, mark_lead_teasers, rescue_empty_body
from cleaner.result import Paragraph, Result
from cleaner.segment import Block, segment_text

Page = str | bytes
KINDS = ("auto", "html", "text")


@dataclass(slots=True)
class Prepared:
    """A page decoded, segmented and featurised: everything before the model."""

    decoded: Decoded
    blocks: list[Block]
    meta: PageMeta
    features: np.ndarray


def prepare(page: Page, kind: str = "auto", encoding: str | None = None,
            max_bytes: int = MAX_PAGE_BYTES, max_blocks: int | None = None) -> Prepared:
    """Decode, segment and featurise a page (a page over a limit is prepared empty, with a reason)."""
    return prepare_decoded(decode_page(page, kind, encoding, max_bytes), max_blocks)


def decode_page(page: Page, kind: str = "auto", encoding: str | None = None,
                max_bytes: int = MAX_PAGE_BYTES) -> Decoded:
    """Check the arguments (InputError) and decode the page."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not isinstance(page, (str, bytes, bytearray, memoryview)):
        raise InputError(f"a page is str or bytes, not {type(page).__name__}")
    if encoding is not None and not isinstance(encoding, str):
        raise InputError(f"encoding is a str, not {type(encoding).__name__}")
    return decode(page, kind, encoding, max_bytes)


def prepare_decoded(decoded: Decoded, max_blocks: int | None = None) -> Prepared:
    """Segment and featurise a decoded page."""
    meta = PageMeta()
    blocks: list[Block] = []
    try:
        if decoded.reason:
            pass
        elif decoded.kind == "html":
            blocks, meta = segment_html(tame_markup(decoded.text), max_blocks)
        else:
            blocks = segment_text(decoded.text, max_blocks)
            meta.title = blocks[0].text if blocks else None
    except OverLimit as error:
        decoded, blocks, meta = replace(decoded, text="", reason=str(error)), [], PageMeta()
    check("features")
    features = page_features(blocks, meta.title, decoded.kind, meta.article_body, meta.description)
    return Prepared(decoded, blocks, meta, features)


#: A block is called spam only when the model is this sure: a false spam call deletes an
#: article paragraph, a missed one leaves an ad in the text, and the first costs more.
SPAM_MIN_PROBABILITY = 0.8
_SPAM = LABELS.index(SPAM)
#: Feature columns that show a block sells something: spam words of any family, contact bait,
#: sales language, self-promotion, contact ids. Spam without any of them is not called spam.
SELLING_SIGNALS = [FEATURE_NAMES.index(name) for name in (
    "spam_topic_words", "contact_bait", "sales_words", "self_promotion", "has_qq_wechat", "has_phone")]


def decide(row: np.ndarray, features: np.ndarray) -> tuple[int, str | None]:
    """The label index for one block, and the rule that chose it if not the model: the most
    probable label, except that a spam call yields to the next most probable label when the
    model is below SPAM_MIN_PROBABILITY or the block shows no selling signal at all
    (off-topic text alone is not an ad)."""
    best = int(row.argmax())
    if best != _SPAM:
        return best, None
    if row[_SPAM] < SPAM_MIN_PROBABILITY:
        return int(np.argsort(row)[::-1][1]), f"spam below {SPAM_MIN_PROBABILITY}: next most probable label"
    if not np.any(features[SELLING_SIGNALS] > 0):
        return int(np.argsort(row)[::-1][1]), "spam without any selling signal: next most probable label"
    return best, None


class Cleaner:
    """Cleans pages with one model, loaded once: `clean` a page, `clean_many` an iterable.

    The limits keep one page from stalling or starving a batch (see `cleaner.limits`): a page
    over `max_bytes` (bytes, or characters for str; after gunzip), cut into more than
    `max_blocks` paragraphs, or taking longer than `time_budget` seconds (None: no limit) gives
    a Result with empty `text` and a `reason`.
    """

    def __init__(self, model: ParagraphClassifier | str | Path | None = None, *, trust_model: bool = False,
                 max_bytes: int = MAX_PAGE_BYTES, max_blocks: int = MAX_BLOCKS,
                 time_budget: float | None = TIME_BUDGET) -> None:
        if isinstance(model, ParagraphClassifier):
            self.model = model
        else:
            self.model = load_model(model, trust=trust_model)
        self.max_bytes = max_bytes
        self.max_blocks = max_blocks
        self.time_budget = time_budget

    def clean(self, page: Page, *, url: str | None = None, kind: str = "auto", include_comments: bool = False,
              encoding: str | None = None) -> Result:
        """Label every paragraph of `page` and return the clean article text.

        Raises InputError only for arguments that are not a page; whatever the page holds gives a Result.
        """
        started = kind if kind != "auto" else "text"
        try:
            with deadline(self.time_budget):
                decoded = decode_page(page, kind, encoding, self.max_bytes)
                started = decoded.kind
                prepared = prepare_decoded(decoded, self.max_blocks)
                check("classification")
                return self.finish(prepared, url=url, include_comments=include_comments)
        except BudgetExceeded as error:
            return Result(text="", paragraphs=[], kind=started, url=url, reason=str(error),
                          comments=[] if include_comments else None)

    def clean_many(self, pages: Iterable[Page], **options) -> Iterator[Result]:
        """Clean pages lazily, one at a time, with the same options."""
        for page in pages:
            yield self.clean(page, **options)

    def finish(self, prepared: Prepared, *, url: str | None = None, include_comments: bool = False) -> Result:
        """Classify prepared blocks, repair them and build the Result."""
        decoded, blocks, meta = prepared.decoded, prepared.blocks, prepared.meta
        proba = self.model.predict_proba(prepared.features) if blocks else np.zeros((0, len(LABELS)))
        paragraphs = []
        for index, (block, row, features) in enumerate(zip(blocks, proba, prepared.features)):
            best, rule = decide(row, features)
            paragraphs.append(Paragraph(
                text=block.text, label=LABELS[best], score=round(float(row[best]), 4), index=index,
                start=block.start, end=block.end, path=block.path or None,
                probabilities={label: round(float(p), 4) for label, p in zip(LABELS, row)}, rule=rule))
        mark_layout_duplicates(paragraphs)
        mark_lead_teasers(paragraphs)
        rescue_empty_body(paragraphs)
        text = body_text(paragraphs, join_broken=decoded.kind == "text")
        reason = decoded.reason or (None if text else "no paragraph was labelled body")
        return Result(
            text=text, paragraphs=paragraphs, kind=decoded.kind, encoding=decoded.encoding,
            title=meta.title, date=meta.date, author=meta.author, url=url,
            comments=[p.text for p in paragraphs if p.label == COMMENT] if include_comments else None,
            reason=reason)
