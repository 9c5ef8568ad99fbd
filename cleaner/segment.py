"""Stage 2, segment: a page's text cut into blocks, the units that get a label.

Text input: blank lines separate paragraphs. A paragraph whose lines are a hard-wrapped
run of prose stays one block; a paragraph whose lines are unrelated items (a list entry's
title, its date, its view count, as scraped text of a "recommended" list prints them)
becomes one block a line. HTML input is segmented in `cleaner.html`; both produce `Block`s
so that everything after this stage is shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from cleaner.limits import TooManyBlocks, check

#: Lines shorter than this (in characters, CJK counted double) are items, never wrapped prose.
WRAP_MIN_WIDTH = 50
#: Wrapped prose lines (all but the last) differ in width by at most this share of the widest.
WRAP_WIDTH_SPREAD = 0.3

_BULLET_MARKS = "•·●○◆◇■□▪▫►▶▸‣⁃◦"
BULLET = re.compile(rf"^\s*(?:[{_BULLET_MARKS}]|[-*+]\s|\d{{1,3}}[.)]\s|\d{{1,3}}、|[（(]\d{{1,3}}[)）])")
#: The characters a line BULLET matches can begin with, besides digits and white space.
_BULLET_HEADS = _BULLET_MARKS + "-*+（("
#: A teaser and the lead it repeats share at least this many leading characters (without spaces).
TEASER_PREFIX = 20
#: A trailing ellipsis, as teasers and cut-off list items end.
ELLIPSIS_END = re.compile(r"(?:\.\.\.|(?<!…)…+|。。。)$")  # (?<!…): linear on long runs of …
#: Last characters of a text that ELLIPSIS_END can match before (its `$` also matches before a
#: final newline): a text ending otherwise needs no regex call.
ELLIPSIS_LAST = (".", "…", "。", "\n")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@dataclass(slots=True)
class Block:
    """One unit of a page to label, with what the segmenter knows about where it stood."""

    text: str
    start: int | None = None  # character offsets in the decoded text input (None for HTML)
    end: int | None = None
    group: int = 0  # blocks sharing a container: a blank-line paragraph, or a parent element
    tag: str = "text"  # the HTML element that holds the block; "text" for text input
    path: str = ""  # HTML: tag.class#id tokens from <body> down to the block
    bullet: bool = False  # a list item
    heading: bool = False  # an HTML heading
    link_chars: int = 0  # HTML: characters inside <a>
    depth: int = 0  # HTML: element depth
    hints: dict[str, float] = field(default_factory=dict)  # DOM evidence for features


def squash(text: str) -> str:
    """Collapse runs of white space to one space and strip: the form blocks and labels use.

    (str.split() splits at the white space `\\s` matches, and is faster than a regex.)"""
    return " ".join(text.split())


def ellipsis_stem(text: str) -> str | None:
    """The text without its trailing ellipsis, or None when it ends in none (teasers end so)."""
    if not text.endswith(ELLIPSIS_LAST):  # most texts: no regex call
        return None
    stem = ELLIPSIS_END.sub("", text)
    return stem if stem != text else None


def compact(text: str) -> str:
    """The text without any white space: the key that finds the same words laid out differently."""
    return "".join(text.split())


def width(text: str) -> int:
    """Display width: CJK characters count double, as they do in a fixed-width layout."""
    return len(text) + len(_CJK.findall(text))


def join_lines(left: str, right: str) -> str:
    """Join two pieces of one paragraph: no space between CJK characters, one elsewhere."""
    if not left or not right:
        return left + right
    if _CJK.match(left[-1]) or _CJK.match(right[0]):
        return left + right
    return f"{left} {right}"


def segment_text(text: str, max_blocks: int | None = None) -> list[Block]:
    """Cut text into blocks: paragraphs at blank lines, item lines apart, wrapped prose kept.

    Raises TooManyBlocks as soon as more than `max_blocks` blocks are cut, so a page of
    millions of one-character lines costs no more than the cap.
    """
    blocks: list[Block] = []
    group: list[tuple[int, int, str]] = []
    group_index = 0
    for number, (offset, line) in enumerate(_lines(text)):
        if not number & 4095:
            check("segmentation")
        words = line.split()
        if words:
            stripped = " ".join(words)  # squash(line)
            if stripped == line:  # most lines: no white space to strip
                group.append((offset, offset + len(line), stripped))
            else:
                lead = len(line) - len(line.lstrip())
                group.append((offset + lead, offset + len(line.rstrip()), stripped))
        elif group:
            blocks.extend(_paragraph_blocks(group, group_index))
            group, group_index = [], group_index + 1
            if max_blocks is not None and len(blocks) > max_blocks:
                raise TooManyBlocks(max_blocks)
    if group:
        blocks.extend(_paragraph_blocks(group, group_index))
    if max_blocks is not None and len(blocks) > max_blocks:
        raise TooManyBlocks(max_blocks)
    return blocks


#: Texts up to this many characters are split into lines at once (faster than line by line);
#: longer ones lazily, as a list of millions of short lines would cost hundreds of MB.
SPLIT_AT_ONCE_CHARS = 1 << 20


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line."""
    if len(text) <= SPLIT_AT_ONCE_CHARS:
        offset = 0
        for line in text.split("\n"):
            yield offset, line
            offset += len(line) + 1
        return
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield start, text[start:end]
        start = end + 1
    yield start, text[start:]


def _paragraph_blocks(lines: list[tuple[int, int, str]], group: int) -> list[Block]:
    """One block for a wrapped paragraph, else one block a line."""
    if len(lines) > 1 and _is_wrapped_prose([t for _, _, t in lines]):
        pieces = [lines[0][2]]  # joined once at the end: joining line by line is quadratic
        for _, _, more in lines[1:]:
            pieces.append("" if _CJK.match(pieces[-1][-1]) or _CJK.match(more[0]) else " ")
            pieces.append(more)
        return [Block("".join(pieces), lines[0][0], lines[-1][1], group)]
    return [Block(t, s, e, group, bullet=_is_bullet(t)) for s, e, t in lines]


def _is_wrapped_prose(lines: list[str]) -> bool:
    """True when every line but the last fills the same width, as a hard wrap leaves it."""
    if any(map(_is_bullet, lines)):
        return False
    widths = [width(line) for line in lines[:-1]]
    widest = max(widths)
    return min(widths) >= WRAP_MIN_WIDTH and widest - min(widths) <= WRAP_WIDTH_SPREAD * widest


def _is_bullet(line: str) -> bool:
    """BULLET.match(line), without calling the regex on lines whose first character no list item starts with."""
    head = line[:1]
    return (head in _BULLET_HEADS or head.isdecimal() or head.isspace()) and BULLET.match(line) is not None
