"""Limits that keep one page from stalling or starving a batch: size, shape and time.

A crawl holds pages no one would write by hand (a 5-million-character line, 200,000 nested
divs, 300,000 one-character paragraphs). Every stage is linear in the page, but linear in a
pathological page can still be minutes and gigabytes, so each page also gets:

- a size cap (`MAX_PAGE_BYTES`, checked in `cleaner.decode` before any parsing);
- a nesting cap (`flatten_deep_nesting`): lexbor's tree builder is quadratic in element depth
  (it scans the open-element stack), so elements nested deeper than `MAX_NESTING` are
  flattened into their ancestor at that depth before parsing, as browsers do (Blink caps at 512);
- a block cap (`MAX_BLOCKS`): the features and the model cost time and memory per block, and
  no article has tens of thousands of paragraphs;
- a time budget (`TIME_BUDGET`): the pipeline checks a per-page deadline between stages and
  inside its long Python loops (`check`), and a page over it gets an empty Result with a
  reason. The checks are cooperative: a C call (parsing, the model) is never interrupted,
  which is why the caps above bound the work each such call can do.

The deadline lives in a context variable, so concurrent threads each have their own, and code
that runs the stages without one (training, evaluation) never times out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: Pages larger than this (bytes, or characters for str input; after gunzip) get a reason, not a parse.
MAX_PAGE_BYTES = 16 * 2**20
#: Pages cut into more blocks than this get a reason: a news page has hundreds, not tens of thousands.
MAX_BLOCKS = 20_000
#: Seconds one page may take before it is given up with a reason (the slowest real pages take about 1 s).
TIME_BUDGET = 30.0
#: Element depth past which start and end tags are dropped before parsing (far above real pages' ~50).
MAX_NESTING = 2_000
#: Pages with more start tags than this get a reason: lexbor's tree costs ~300 bytes an element
#: (2 million elements: 600 MB), and heavy real pages have tens of thousands.
MAX_ELEMENTS = 400_000

# Elements that never stay open (void) or that the parser closes when a sibling starts: they
# do not deepen the tree, so they do not count towards its depth.
_NOT_NESTING = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb", "rt", "rp",
    "colgroup", "caption",
})
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,15})")
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("cleaner_deadline", default=None)


class BudgetExceeded(Exception):
    """Raised by `check` when the page's time budget is spent; `Cleaner` turns it into a reason."""

    def __init__(self, budget: float, stage: str) -> None:
        super().__init__(f"time budget exceeded ({budget:g} s, in {stage})")
        self.budget = budget
        self.stage = stage


class OverLimit(Exception):
    """A page is over one of the shape limits; `prepare` turns it into an empty page with this reason."""


class TooManyBlocks(OverLimit):
    """Raised by the segmenters past `max_blocks` blocks."""

    def __init__(self, max_blocks: int) -> None:
        super().__init__(f"too many paragraphs (more than {max_blocks})")
        self.max_blocks = max_blocks


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Give the code inside `seconds` of wall-clock time (None: no limit)."""
    token = _deadline.set(None if seconds is None else (time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check(stage: str) -> None:
    """Raise BudgetExceeded when the current page's deadline has passed (cheap: call it in loops)."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current[0]:
        raise BudgetExceeded(current[1], stage)


def tame_markup(html: str, max_depth: int = MAX_NESTING, max_elements: int = MAX_ELEMENTS) -> str:
    """Drop the tags of elements nested deeper than `max_depth`, keeping their text.

    The depth is estimated from the tags alone (implicitly closed and void elements do not
    count), which is exact for well-formed markup and errs towards deeper for broken markup;
    it only matters on pages that nest thousands of elements, which no layout does.
    Raises OverLimit for a page with more than `max_elements` start tags. One pass, linear.
    """
    if _few_start_tags(html, min(max_depth, max_elements)):
        return html  # nothing nests deeper than there are start tags: no tag is dropped
    pieces: list[str] = []
    depth = dropped = elements = 0
    kept_to = 0
    for number, match in enumerate(_TAG.finditer(html)):
        if not number & 4095:
            check("nesting")
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            elements += 1
            if elements > max_elements:
                raise OverLimit(f"too many elements (more than {max_elements})")
        if name in _NOT_NESTING or match.start() < kept_to:  # void, or inside a tag dropped already
            continue
        if not closing:
            if depth < max_depth:
                depth += 1
                continue
            dropped += 1
        elif dropped:
            dropped -= 1
        else:
            depth = max(depth - 1, 0)
            continue
        end = html.find(">", match.end())
        end = len(html) if end < 0 else end + 1
        pieces.append(html[kept_to:match.start()])
        kept_to = end
    if not pieces:
        return html
    pieces.append(html[kept_to:])
    return "".join(pieces)


def _few_start_tags(html: str, limit: int) -> bool:
    """True when the page has at most `limit` start tags, by C-speed counts of `<`, `</`, `<!`.

    Many real pages have a few thousand `<` but fewer start tags than `MAX_NESTING`: the
    counts spare them the per-tag loop. (An upper bound: not every other `<` starts a tag.)
    """
    lesser = html.count("<")
    return lesser <= limit or lesser - html.count("</") - html.count("<!") <= limit
