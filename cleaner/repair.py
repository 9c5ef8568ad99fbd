"""Stage 5, repair: mend what the page's layout broke, after labelling.

- A layout duplicate (a heading or lead the print layout printed twice) is chrome: the first
  copy stays body, later ones go (LABELS.md).
- On text input, a paragraph broken in two by a column or page break is joined back:
  the left half fills its line and stops mid-sentence, the right half is not a heading.
- A page where no paragraph came out body, though some are fairly likely body, keeps its
  likeliest ones: an article page with an empty text is the costliest miss.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleaner.labels import BODY, CHROME
from cleaner.result import Paragraph
from cleaner.segment import BULLET, TEASER_PREFIX, compact, ellipsis_stem, join_lines, width

#: Lines narrower than this (CJK counted double) that end without a full stop may be headings.
HEADING_MAX_WIDTH = 50
#: A left half with no comma or full stop inside must be at least this wide: a full column line.
UNPUNCTUATED_MIN_WIDTH = 70
#: Characters that end a sentence or a paragraph: a left half ending in one is complete.
TERMINALS = frozenset("。!?！？…”\"」』)）.;；:：")
#: Characters that end a sentence (closing quotes and brackets excluded: titles end in them too).
SENTENCE_ENDS = frozenset("。!?！？….;；")
#: How a new paragraph starts in print (a lead-in, a byline marker): never a right half.
PARAGRAPH_OPENERS = re.compile(r"^(?:本报讯|本报记者|新华社|据|■|▶|▲|●|【)")
#: A page with no body paragraph keeps those whose body probability is at least this...
RESCUE_MIN_PROBABILITY = 0.1
#: ...and at least this share of the page's highest body probability.
RESCUE_MIN_SHARE = 0.5
_INNER_PUNCT = re.compile(r"[,，、;；。]")
_EARLY_COLON = re.compile(r"^.{1,10}[:：]")


def mark_layout_duplicates(paragraphs: Sequence[Paragraph]) -> None:
    """Relabel as chrome every body paragraph that repeats an earlier body paragraph."""
    seen: set[str] = set()
    for p in paragraphs:
        if p.label != BODY:
            continue
        key = compact(p.text)
        if len(key) >= 6 and key in seen:
            p.label, p.rule = CHROME, "layout duplicate of an earlier paragraph"
            p.score = p.probabilities.get(CHROME, 0.0)
        seen.add(key)


def mark_lead_teasers(paragraphs: Sequence[Paragraph]) -> None:
    """Relabel as chrome a body paragraph that ends in an ellipsis and whose start begins a
    later body paragraph: the teaser a site prints above the article (LABELS.md)."""
    body = [p for p in paragraphs if p.label == BODY]
    stems = {}  # the body paragraphs that end in an ellipsis: the only possible teasers
    for i, p in enumerate(body):
        if (stem := ellipsis_stem(p.text)) is not None:
            stems[i] = stem
    if not stems:  # most pages: no start keys needed
        return
    last_start = {compact(q.text)[:TEASER_PREFIX]: i for i, q in enumerate(body)}  # one pass, not one per teaser
    for i, stem in stems.items():
        key = compact(stem)[:TEASER_PREFIX]
        if len(key) >= TEASER_PREFIX and last_start.get(key, -1) > i:
            p = body[i]
            p.label, p.rule = CHROME, "teaser repeating the lead"
            p.score = p.probabilities.get(CHROME, 0.0)


def rescue_empty_body(paragraphs: Sequence[Paragraph]) -> None:
    """When no paragraph is body, relabel as body the chrome paragraphs the model found
    likeliest to be body (RESCUE_MIN_PROBABILITY, RESCUE_MIN_SHARE of the best one)."""
    if not paragraphs or any(p.label == BODY for p in paragraphs):
        return
    best = max(p.probabilities.get(BODY, 0.0) for p in paragraphs)
    if best < RESCUE_MIN_PROBABILITY:
        return
    for p in paragraphs:
        chance = p.probabilities.get(BODY, 0.0)
        if p.label == CHROME and chance >= max(RESCUE_MIN_PROBABILITY, RESCUE_MIN_SHARE * best):
            p.label, p.rule, p.score = BODY, "likeliest body of a page with none", chance


def looks_like_heading(text: str) -> bool:
    """A short line that does not end a sentence and reads as a title ('看“新”:…', '北京…出炉')."""
    if width(text) >= HEADING_MAX_WIDTH or text[-1] in SENTENCE_ENDS:
        return False
    return not _INNER_PUNCT.search(text) or bool(_EARLY_COLON.match(text))


def is_broken_pair(left: str, right: str) -> bool:
    """True when `right` continues the sentence `left` broke off."""
    if not left or not right or left[-1] in TERMINALS:
        return False
    if looks_like_heading(left) or looks_like_heading(right):
        return False
    if not _INNER_PUNCT.search(left) and width(left) < UNPUNCTUATED_MIN_WIDTH:
        return False
    return not (PARAGRAPH_OPENERS.match(right) or BULLET.match(right))


def body_text(paragraphs: Sequence[Paragraph], join_broken: bool) -> str:
    """The article text: body paragraphs in order, broken ones joined, a blank line between."""
    pieces: list[str] = []
    for p in paragraphs:
        if p.label != BODY:
            continue
        if join_broken and pieces and is_broken_pair(pieces[-1], p.text):
            pieces[-1] = join_lines(pieces[-1], p.text)
        else:
            pieces.append(p.text)
    return "\n\n".join(pieces)
