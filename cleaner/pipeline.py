"""The pipeline: decode -> segment -> features -> classify -> repair -> Result.

`Cleaner` holds the model, loaded once, and runs the stages; `prepare` runs the stages up
to the features and is what training and evaluation share with cleaning, so a model is
always trained on exactly what it will see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from cleaner.classify import Model, load_model
from cleaner.decode import Decoded, decode
from cleaner.errors import InputError
from cleaner.features import FEATURE_NAMES, page_features
from cleaner.html import PageMeta, segment_html
from cleaner.labels import BODY, COMMENT, LABELS, SPAM
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
from cleaner.segment import Block, compact, segment_text

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


#: Text input: how many times at most the article text is cleaned again until cleaning it
#: changes nothing (each round that changes it drops or joins a paragraph; 2 are the rule).
SETTLE_ROUNDS = 10

#: A block the model finds likeliest spam, and whose next likeliest label is body, is called
#: spam only when the model is this sure: a false spam call there deletes an article
#: paragraph, a missed one leaves an ad in the text, and the first costs more. (When the next
#: likeliest label is chrome or comment the text is the same either way: the spam call stands.)
#: Chosen with SELLING_SCORE_MIN on a validation split of the *training* spam families (gambling,
#: pharma, essay_writing, their word lists hidden) on training sites (`python -m training.tune_spam`),
#: never on the held-out families of bench_spam: no rule kept pages losing body under 1% there;
#: 0.98 with a score of 1 gave the lowest share (2.8%, recall 0.56; 0.9 gave 3.7%, recall 0.58)
#: (2026-12-01, the recipe with n-gram lifts and 18 training families), and again with the
#: lead-quoting machine comments of the third session (2.3%, recall 0.53; 0.9 gave 4.2%) and
#: with the fourth session's selling cues (2.3%, recall 0.59; 0.95 tied it on pages, 0.9 gave 3.1%).
#: tune_spam swept 0.99 and 0.995 too in the seventh session (pooled over the three pairs):
#: 0.995 / 1 / 0.2 loses body on 1.2% of validation pages against 1.8% at 0.98, spam recall
#: 0.672 against 0.682, spam precision 0.918 against 0.914. With the training pages that hide
#: their own spam families' word lists (eighth session, `train_model.HIDDEN_LISTS_SHARE`): 0.98 /
#: 1 / 0.1, the rule of highest recall that loses body on at most 1% of validation pages for the
#: shipped pair (0.6%), pooled over three pairs (0.3%) and over three single members (0.9%); spam
#: recall 0.714 / 0.710 / 0.721. (Over the pooled pairs alone 0.7 / 1 / 0.2 scores higher, 0.727
#: at 0.9%, but loses body on 1.7% of pages for the pair and 2.4% for single members.)
SPAM_MIN_PROBABILITY = 0.98
_SPAM, _BODY = LABELS.index(SPAM), LABELS.index(BODY)
#: Probabilities in a Result are rounded to this many decimals.
PROBABILITY_DIGITS = 4
#: Feature columns that show a block sells something: spam words of any family, contact bait,
#: sales language, self-promotion, contact ids, and the generic cues of `features.selling_matrix`
#: (a call to action with a contact, a short URL, a price). Spam without any of them is not called spam.
SELLING_SIGNALS = [FEATURE_NAMES.index(name) for name in (
    "spam_topic_words", "contact_bait", "sales_words", "self_promotion", "has_qq_wechat", "has_phone",
    "action_and_contact", "short_url", "price_marks")]
#: ...or at least this many kinds of generic selling cue together (features.SELLING "selling_score").
SELLING_SCORE_MIN = 1
_SELLING_SCORE = FEATURE_NAMES.index("selling_score")
#: ...or a spam n-gram lift (`cleaner.ngrams`, the model's `text_lift_spam`) of at least this: the
#: block's characters are those of spam, of whatever family (the lifts are learned out-of-fold by
#: family). Spam of a kind the cues miss ("Free NFL tips every day in our group, 85% accuracy.")
#: still reads like spam. Chosen on tune_spam's validation over three training seeds (default, 1,
#: 2; 2026-12-01, fifth session): recall 0.592/0.584/0.575 -> 0.694/0.703/0.682 with no more pages
#: losing body on any seed and spam precision within 0.002 or better; 0.1 gained 2-3 more points
#: of recall but lost one more page on one seed, 0.0 on two. The three minimums were chosen again
#: for the two-member Ensemble (sixth session, pooled over three pairs of members): 0.98 / 1 / 0.2,
#: and 0.995 / 1 / 0.2 over a wider sweep of the threshold (seventh session); 0.98 / 1 / 0.1 with
#: the training pages that hide their own families' word lists (eighth session; see SPAM_MIN_PROBABILITY).
SPAM_LIFT_MIN = 0.1


def has_selling_signal(features: np.ndarray, score_min: int = SELLING_SCORE_MIN,
                       spam_lifts: np.ndarray | None = None, lift_min: float | None = SPAM_LIFT_MIN) -> np.ndarray:
    """Whether each feature row (or the one row) shows any sign of selling (see SELLING_SIGNALS),
    or, given the rows' spam n-gram lifts, reads like spam (SPAM_LIFT_MIN; `lift_min=None`: not asked)."""
    signal = np.any(features[..., SELLING_SIGNALS] > 0, axis=-1) | (features[..., _SELLING_SCORE] >= score_min)
    if spam_lifts is not None and lift_min is not None:
        signal |= spam_lifts >= lift_min
    return signal


def decide(proba: np.ndarray, features: np.ndarray, min_probability: float = SPAM_MIN_PROBABILITY,
           score_min: int = SELLING_SCORE_MIN, spam_lifts: np.ndarray | None = None,
           lift_min: float | None = SPAM_LIFT_MIN) -> tuple[np.ndarray, list[str | None]]:
    """The label index of every block, and the rule that chose it where not the model: the most
    probable label, except that a spam call yields to the next most probable label when the
    block shows no selling signal at all (off-topic text alone is not an ad), and to body when
    body is the next most probable and the model is below `min_probability`. `spam_lifts`: each
    block's spam n-gram lift, a signal too (`has_selling_signal`). One numpy pass over the page,
    not one call per block."""
    best = proba.argmax(axis=1)
    rules: list[str | None] = [None] * len(best)
    spam = np.flatnonzero(best == _SPAM)
    if spam.size:
        runner_up = np.argsort(proba[spam], axis=1)[:, -2]
        unsure = (proba[spam, _SPAM] < min_probability) & (runner_up == _BODY)
        selling = has_selling_signal(features[spam], score_min,
                                     None if spam_lifts is None else spam_lifts[spam], lift_min)
        for row, second, low, sells in zip(spam.tolist(), runner_up.tolist(), unsure.tolist(), selling.tolist()):
            if low:
                best[row], rules[row] = second, f"spam below {min_probability} with body next: body"
            elif not sells:
                best[row], rules[row] = second, "spam without any selling signal: next most probable label"
    return best, rules


#: How close to a half (in units of the last kept digit) a scaled value must come for numpy's
#: rounding to be possibly wrong: the scaling errs by ~1e-12 at most.
_NEAR_HALF = 1e-6


def round_rows(values: np.ndarray, digits: int = PROBABILITY_DIGITS) -> list[list[float]]:
    """`[[round(v, digits) for v in row] for row in values]`, vectorised: Python's `round` costs
    a microsecond a call (it goes through decimal strings), four per paragraph.

    rint(v * 10**digits) / 10**digits is Python's correctly rounded result whenever v * 10**digits
    is not within rounding error of a half; those rare values go through `round` itself.
    """
    scale = 10.0 ** digits
    scaled = values * scale
    rows = (np.rint(scaled) / scale).tolist()
    for row, column in np.argwhere(~(np.abs(scaled - np.floor(scaled) - 0.5) > _NEAR_HALF)).tolist():
        rows[row][column] = round(float(values[row, column]), digits)
    return rows


class Cleaner:
    """Cleans pages with one model, loaded once: `clean` a page, `clean_many` an iterable.

    The limits keep one page from stalling or starving a batch (see `cleaner.limits`): a page
    over `max_bytes` (bytes, or characters for str; after gunzip), cut into more than
    `max_blocks` paragraphs, or taking longer than `time_budget` seconds (None: no limit) gives
    a Result with empty `text` and a `reason`.

    `fast_trees=True` scores with the trees compiled by lleaves when it is installed (the `fast`
    extra; see `cleaner.fasttrees`): the same Results, the model ~4x faster; compiled (~12 s a
    member, then cached per user) once a process has cleaned `fasttrees.COMPILE_AFTER` pages
    without a cached copy. Off, or without lleaves, LightGBM scores.

    `settle=True` makes cleaning text idempotent: `clean(clean(x).text).text == clean(x).text`
    (see `_settle`). It is off by default: it costs a third of the text throughput and, on
    held-out text pages, trades 2.4 points of body recall for 1.6 of precision.
    """

    def __init__(self, model: Model | str | Path | None = None, *, trust_model: bool = False,
                 max_bytes: int = MAX_PAGE_BYTES, max_blocks: int = MAX_BLOCKS,
                 time_budget: float | None = TIME_BUDGET, settle: bool = False, fast_trees: bool = True) -> None:
        if isinstance(model, Model):
            self.model: Model = model
        else:
            self.model = load_model(model, trust=trust_model)
        self.max_bytes = max_bytes
        self.max_blocks = max_blocks
        self.time_budget = time_budget
        self.settle = settle
        self.fast_trees = fast_trees

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
        """Classify prepared blocks, repair them and build the Result (settled, if asked, on text input)."""
        result = self._finish_once(prepared, url=url, include_comments=include_comments)
        if self.settle and prepared.decoded.kind == "text" and result.text and result.text != prepared.decoded.text:
            self._settle(result)
        return result

    def _settle(self, result: Result) -> None:
        """Clean the article text again until that changes nothing, so that
        `clean(clean(x).text).text == clean(x).text` on text input: a paragraph the model
        keeps beside chrome but drops once the chrome is gone would otherwise go at the second
        cleaning. A paragraph a round drops takes the label that round gave it."""
        for _ in range(SETTLE_ROUNDS):
            again = self._finish_once(prepare_decoded(Decoded(result.text, "text", None), self.max_blocks))
            if again.text == result.text:
                return
            _relabel_dropped(result.paragraphs, again.paragraphs)
            result.text = again.text
            result.reason = again.reason
            if result.comments is not None:
                result.comments = [p.text for p in result.paragraphs if p.label == COMMENT]

    def _finish_once(self, prepared: Prepared, *, url: str | None = None, include_comments: bool = False) -> Result:
        decoded, blocks, meta = prepared.decoded, prepared.blocks, prepared.meta
        texts = [block.text for block in blocks]
        lifts = self.model.text_lifts(texts) if blocks else None
        proba = self.model.predict_proba(prepared.features, texts=texts, fast=self.fast_trees, lifts=lifts) \
            if blocks else np.zeros((0, len(LABELS)))
        best, rules = decide(proba, prepared.features, spam_lifts=self.model.spam_lifts(lifts))
        # positional arguments, in Paragraph's field order, and a dict display: keywords and dict(zip())
        # cost 3x as much a paragraph
        first, second, third, fourth = LABELS
        paragraphs = [
            Paragraph(block.text, LABELS[label], rounded[label], index, block.start, block.end, block.path or None,
                      {first: rounded[0], second: rounded[1], third: rounded[2], fourth: rounded[3]}, rule)
            for index, (block, rounded, label, rule) in enumerate(zip(blocks, round_rows(proba), best.tolist(), rules))]
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


def _relabel_dropped(paragraphs: Sequence[Paragraph], again: Sequence[Paragraph]) -> None:
    """Give each body paragraph the label of the paragraph of `again` (the blocks of the
    article text, cleaned again) where it starts. Both tile the article text: without white
    space, the body paragraphs follow each other (joins only add spaces), and so do `again`'s."""
    ends: list[int] = []
    position = 0
    for q in again:
        position += len(compact(q.text))
        ends.append(position)
    position = 0
    k = 0
    for p in paragraphs:
        if p.label != BODY:
            continue
        while k < len(again) - 1 and ends[k] <= position:
            k += 1
        position += len(compact(p.text))
        if again and again[k].label != BODY:
            q = again[k]
            p.label, p.score, p.rule = q.label, p.probabilities.get(q.label, 0.0), (
                f"{q.label} once the article text was cleaned again")
