"""Stage 3, features: a fixed-width numeric row per block, the same for text and HTML input.

Three kinds of evidence, in the order the columns come:
1. the block on its own: length, script, punctuation, dates, contact ids, word lists;
2. where it stands: position on the page, the DOM (NaN on text input, so one model serves
   both), whether it copies an earlier block, how close it is to the page's topic;
3. its neighbours: the same few facts about the two blocks before and after it;
4. generic selling cues (SELLING, appended last): a call to action, a contact, a promise, a
   price, a short URL, and how many such cues the block and its neighbours show; no product
   words, so that they hold on spam of families no word list or template names.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import string
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from cleaner import lexicon
from cleaner.limits import check
from cleaner.segment import TEASER_PREFIX, Block, compact, ellipsis_stem

#: A block this long, ending a sentence, counts as prose (the article's likely fabric).
PROSE_MIN_CHARS = 40
#: Only the first characters of a block count for topic similarity (keeps it linear).
TOPIC_MAX_CHARS = 400
#: Blocks longer than this are featurised on their start and end (the regexes and word lists
#: cost time per character, and a 5-million-character line must not take minutes).
MAX_FEATURE_CHARS = 20_000
#: Neighbour offsets whose facts each row repeats.
NEIGHBOURS = (-2, -1, 1, 2)

_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))
_LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x400, 0x4FF))
_DIGIT_RANGES = ((0x30, 0x39), (0xFF10, 0xFF19))
_WIDE_ENDS = "。!?！？…"
_ASCII_ENDS = ".!?"  # end a sentence when white space follows
_COMMAS = ",，、;；:："
_ELLIPSES = ("...", "…", "。。。")
_TERMINAL = "。!?！？….?!”\"」』)）;；"
_BRACKETS = "【《[「『"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: Every branch but one begins with at most _DATE_DIGITS digits and then white space or one of
#: _DATE_AFTER_DIGITS; that one begins with a month (`_date_starts` relies on it).
_DATE_DIGITS = 4
_DATE_AFTER_DIGITS = "-/.年月分小天"
#: Every digit-first branch of _PRICE begins with at most _PRICE_DIGITS digits and then white
#: space, a dot or one of _PRICE_AFTER_DIGITS (`_price_starts` relies on it).
_PRICE_DIGITS = 3
_PRICE_AFTER_DIGITS = "元块折%"
_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}月\d{1,2}日|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    rf"|(?:{'|'.join(_MONTHS)})[a-z]*\.? \d{{1,2}},? \d{{4}}"
    rf"|\d{{1,2}} (?:{'|'.join(_MONTHS)})[a-z]* \d{{4}}"
    r"|\d{1,4} (?:minutes?|hours?|days?) ago|\d{1,4}\s*(?:分钟|小时|天)前",
    re.I,
)
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
#: Every match of _TIME holds a colon and at least this many digits.
TIME_MIN_DIGITS = 3
_NUMBER_ONLY = re.compile(r"^[\s\d,.()（）\[\]%+\-kKwW万]+$")
_URL = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|html?)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}")
#: Phone numbers as ads print them: Chinese mobiles whole or in 3-4-4 groups, landlines, 400
#: numbers, North American 3-3-4 (area code in brackets or not), and + numbers of at least 7
#: digits, whole or in groups split by spaces or dashes. Groups need a separator between them,
#: so a run of digits splits one way only (no backtracking over the ways to cut it).
_PHONE = re.compile(
    r"(?<!\d)(?:1[3-9]\d(?:[ -]?\d{4}){2}|\d{3,4}-\d{7,8}|400-?\d{3}-?\d{4}|\(\d{3}\) ?\d{3}-\d{4}|\d{3}-\d{3}-\d{4}"
    r"|\+(?=(?:[ ()-]{0,2}\d){7})\d{1,3}[ -]?(?:\d{6,12}|(?:\(\d{1,4}\)[ -]?)?\d{1,5}(?:[ -]\d{1,6}){0,4}))(?!\d)")
#: Every match of _PHONE holds at least this many digits (a + number 7): only blocks with as many are searched.
PHONE_MIN_DIGITS = 7
_QQ = ("qq", "QQ", "扣扣", "q群", "Q群")
_WECHAT = ("微信", "vx", "VX", "wx", "WX", "薇信", "威信", "V信", "v信")
#: Messengers whose @handles sellers print. A bare @handle is no contact id: news quotes
#: tweets and bylines give their authors' handles (on validation pages, a listicle of
#: sports reporters' bios lost its paragraphs to spam calls through them).
_MESSENGERS = ("telegram", "tg", "电报", "飞机", "dm", "whatsapp", "instagram", "ig", "signal", "kik", "snapchat")
#: How every match of _QQ_WECHAT begins, besides a QQ or WeChat name: a messenger's name, an
#: @handle followed by one, or t.me/.
_HANDLE_STARTS = ("@", "t.", *_MESSENGERS)
_QQ_WECHAT = re.compile(
    rf"(?:{'|'.join(_QQ)})\s*[:：号群]?\s*\d{{5,11}}|(?:{'|'.join(_WECHAT)})\s*[:：号]?\s*[A-Za-z0-9_-]{{5,20}}"
    rf"|(?<![A-Za-z])(?i:{'|'.join(_MESSENGERS)})\s*(?:me\s+)?[:：]?\s*(?:(?i:at|on)\s+)?@[A-Za-z0-9_]{{4,32}}"
    rf"|@[A-Za-z0-9_]{{4,32}}\s+(?i:on|at|via)\s+(?i:{'|'.join(_MESSENGERS)})(?![A-Za-z])|t\.me/\w+"
)
_COPYRIGHT_MARKS = ("©", "(c)", "copyright", "版权", "ICP", "备案号", "公网安备")
_COPYRIGHT = re.compile("|".join(map(re.escape, _COPYRIGHT_MARKS)), re.I)
_SEPARATORS = re.compile(r"\s[|/>»·]\s|\|")
_NAME_DATE = re.compile(r"^\S{1,24}\s+(?:\d{4}[-/年]|\d{1,2}[-/月]|\d+\s*(?:分钟|小时|天)前|\d+ \w+ ago)")

TAG_GROUPS = {"p": "p", "h1": "h", "h2": "h", "h3": "h", "h4": "h", "h5": "h", "h6": "h", "li": "li",
              "td": "cell", "th": "cell", "tr": "cell", "div": "div", "span": "div", "section": "div",
              "article": "div", "blockquote": "p", "pre": "p", "figcaption": "caption",
              "caption": "caption", "dd": "li", "dt": "li"}

OWN = [
    "log_len", "cjk_share", "log_words", "punct_share", "log_sentence_ends", "log_commas",
    "ends_terminal", "ends_ellipsis", "digit_share", "has_date", "date_only", "number_only",
    "has_time", "has_url", "has_email", "has_phone", "has_qq_wechat", "has_copyright",
    "bracket_start", "separators", "name_date", "bullet",
    "chrome_words", "comment_words", "body_words", "spam_topic_words", "contact_bait", "sales_words",
    "self_promotion",
]
PLACE = [
    "rel_pos", "rel_chars_before", "before_first_prose", "after_last_prose", "prose_distance",
    "group_size", "group_index", "copies_earlier", "teaser_of_other", "title_sim", "topic_sim",
    "len_vs_page_max",
]
DOM = [
    "is_html", "link_density", "tag_p", "tag_h", "tag_li", "tag_cell", "tag_div", "tag_caption",
    "heading", "depth", "path_body", "path_chrome", "path_comment", "near_body", "near_chrome",
    "near_comment", "in_best_container", "container_score", "in_article_body", "is_description",
    "lead_in_phrase", "group_link_density", "group_chars_share", "near_lead",
]
NEIGHBOUR_FACTS = ["log_len", "ends_terminal", "punct_share", "link_density", "date_only",
                   "chrome_words", "comment_words", "spam_topic_words", "name_date"]
FEATURE_NAMES: list[str] = OWN + PLACE + DOM + [
    f"{fact}@{offset:+d}" for offset in NEIGHBOURS for fact in NEIGHBOUR_FACTS
] + ["prose_window"]
#: Generic selling cues, appended last (see selling_matrix): what any ad does, whatever it sells.
SELLING = ["call_to_action", "promises", "seller_voice", "reader_address", "price_marks", "short_url",
           "hype_marks", "contact_any", "action_and_contact", "selling_score", "selling_score_window"]
FEATURE_NAMES += SELLING


#: Every character of the BMP: the regex engine itself says which of them IGNORECASE matches.
_BMP = "".join(map(chr, range(0x10000)))
#: The table slot of every code point beyond the BMP (never ruled out as a match start).
_BEYOND_BMP = 0x10000
#: Scripts without case (CJK ideographs, kana, hangul): under IGNORECASE they match only themselves.
_CASELESS = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))


def _case_variants(chars: set[str]) -> dict[str, set[str]]:
    """Every BMP character that each of `chars` matches under re.IGNORECASE, as a literal or
    inside a set (where an uncased character is also matched by those that lower to it: ß by ẞ)."""
    cased = sorted(ch for ch in chars if not any(low <= ord(ch) <= high for low, high in _CASELESS))
    variants = {ch: {ch} for ch in chars}
    if not cased:
        return variants
    # the 'a' makes each set below case-insensitive even when its character is uncased
    hits = set(re.findall("[" + "".join(map(re.escape, cased)) + "a]", _BMP, re.I))
    for ch in cased:
        as_literal = re.compile(re.escape(ch), re.I)
        in_set = re.compile(f"[{re.escape(ch)}a]", re.I)
        variants[ch].update(c for c in hits if as_literal.fullmatch(c) or (in_set.fullmatch(c) and c not in "aA"))
    return variants


@dataclass(slots=True)
class _Page:
    """A page's text and what the scans need of its code points, computed once for all of them."""

    text: str
    slots: np.ndarray  # the table slot of each character: its code point, or _BEYOND_BMP
    flags: np.ndarray  # the _CLASSES bits of each character
    boundary: np.ndarray  # where `\b` may hold: a word character (`\w`) after none, or none after one

    @classmethod
    def of(cls, text: str, codes: np.ndarray) -> _Page:
        slots = np.minimum(codes, _BEYOND_BMP).astype(np.int64)
        flags = _CLASSES[slots]
        word = (flags & _WORD_BIT) != 0
        unknown = slots == _BEYOND_BMP  # beyond the BMP: never ruled out
        before = np.concatenate([[False], word[:-1]])
        boundary = (word != before) | unknown | np.concatenate([[False], unknown[:-1]])
        return cls(text, slots, flags, boundary)


@dataclass(slots=True)
class _Scan:
    """A page's blocks as the scans read them, built once for own_matrix and selling_matrix:
    each block cut to MAX_FEATURE_CHARS, where each starts, and all joined by newlines."""

    texts: list[str]
    lengths: np.ndarray
    starts: np.ndarray
    offsets: list[int]  # starts, as a list for bisect
    page: _Page

    @classmethod
    def of(cls, texts: Sequence[str]) -> _Scan:
        texts = [t if len(t) <= MAX_FEATURE_CHARS else t[:MAX_FEATURE_CHARS // 2] + "\n" + t[-MAX_FEATURE_CHARS // 2:]
                 for t in texts]
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
        joined = "\n".join(texts)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return cls(texts, lengths, starts, starts.tolist(), _Page.of(joined, codes))


class _Starts:
    """`pattern.finditer` that tries the pattern only where a match can begin.

    At every position of a page sre tries each branch of a case-insensitive alternation in
    turn; the word lists' and the date's patterns cost most of the features that way. Every
    match of `pattern` begins with one of `firsts` or one of the two- or three-character
    `prefixes` (up to IGNORECASE), and, with `at_boundary`, at a word boundary (the pattern
    begins with `\b`). So numpy finds the few positions that may begin a match on the page's
    code points (a character beyond the BMP is never ruled out) and the pattern is tried
    there only, in order, skipping positions inside the last match: the very matches finditer
    yields. The pattern must not match the empty string; the tables are built on first use.
    """

    def __init__(self, pattern: re.Pattern[str], firsts: Iterable[str] = (), prefixes: Iterable[str] = (),
                 at_boundary: bool = False) -> None:
        if at_boundary and not pattern.pattern.startswith(r"\b"):
            raise ValueError("at_boundary needs a pattern that begins with \\b")
        self.pattern = pattern
        self.at_boundary = at_boundary
        self._firsts, self._prefixes = set(firsts), set(prefixes)
        if any(not 2 <= len(prefix) <= 3 for prefix in self._prefixes):
            raise ValueError("prefixes have two or three characters")
        self._tables: tuple[np.ndarray, list[tuple[int, np.ndarray, np.ndarray]]] | None = None

    def tables(self) -> tuple[np.ndarray, list[tuple[int, np.ndarray, np.ndarray]]]:
        """By table slot, which code points may begin a match alone; and for the prefixes of
        each length, which code points may begin one and the sorted keys of those that may."""
        if self._tables is None:
            chars = self._firsts | {c for prefix in self._prefixes for c in prefix}
            variants = _case_variants(chars)
            first = np.zeros(_BEYOND_BMP + 1, dtype=bool)
            first[[ord(v) for c in self._firsts for v in variants[c]] + [_BEYOND_BMP]] = True
            by_length = []
            for size in (2, 3):
                prefixes = [p for p in self._prefixes if len(p) == size]
                if not prefixes:
                    continue
                head = np.zeros(_BEYOND_BMP + 1, dtype=bool)
                head[[ord(v) for p in prefixes for v in variants[p[0]]] + [_BEYOND_BMP]] = True
                keys = set()
                for prefix in prefixes:
                    packed = [0]
                    for char in prefix:
                        packed = [(key << _CODE_BITS) | ord(v) for key in packed for v in variants[char]]
                    keys.update(packed)
                by_length.append((size, head, np.array(sorted(keys), dtype=np.int64)))
            self._tables = first, by_length
        return self._tables

    def finditer(self, page: _Page, also: np.ndarray | None = None) -> list[re.Match[str]]:
        """The matches of `pattern.finditer(page.text)`; `also` marks more positions where a match
        may begin (the caller's own knowledge of the pattern)."""
        first, by_length = self.tables()
        possible = first[page.slots] if also is None else first[page.slots] | also
        slots, n = page.slots, len(page.slots)
        for size, head, keys in by_length:
            at = np.flatnonzero(head[slots] & page.boundary) if self.at_boundary else np.flatnonzero(head[slots])
            if not at.size:
                continue
            key = slots[at]
            unknown = key == _BEYOND_BMP
            for step in range(1, size):
                ahead = at + step
                code = slots[np.minimum(ahead, n - 1)]
                code[ahead >= n] = 0  # past the page's end: no prefix holds a NUL
                unknown |= code == _BEYOND_BMP
                key = (key << _CODE_BITS) | code
            found_key = keys[np.searchsorted(keys, key).clip(max=len(keys) - 1)] == key
            possible[at[found_key | unknown]] = True
        if self.at_boundary:
            possible &= page.boundary
        found: list[re.Match[str]] = []
        end = 0
        match = self.pattern.match
        for start in np.flatnonzero(possible).tolist():
            if start >= end and (m := match(page.text, start)) is not None:
                found.append(m)
                end = m.end()
        return found


def _prefixes(words: Iterable[str]) -> dict[str, set[str]]:
    """The one-character words and the first three characters of the longer ones (two of a
    two-character word): the rarer the prefix, the fewer places the pattern is tried."""
    words = set(words)
    return {"firsts": {w for w in words if len(w) == 1}, "prefixes": {w[:3] for w in words if len(w) > 1}}


_LISTED = [w for words in lexicon.LISTS.values() for w in words if w]
#: The word lists' two patterns (built in `lexicon` from the same words: non-ASCII ones, and ASCII ones lower-cased).
_CJK_WORD_STARTS = _Starts(lexicon.ANY_CJK_WORD, **_prefixes(w for w in _LISTED if not w.isascii()))
_LATIN_WORD_STARTS = _Starts(lexicon.ANY_LATIN_WORD, **_prefixes(w.lower() for w in _LISTED if w.isascii()),
                             at_boundary=True)
_DIGITS = re.findall(r"\d", _BMP)
_COPYRIGHT_STARTS = _Starts(_COPYRIGHT, **_prefixes(_COPYRIGHT_MARKS))
_QQ_WECHAT_STARTS = _Starts(_QQ_WECHAT, **_prefixes(_QQ + _WECHAT + _HANDLE_STARTS))
_DATE_STARTS = _Starts(_DATE, prefixes=_MONTHS)  # and digits: `_date_starts`
#: What each code point is, as bits, by table slot (all of the BMP, then one slot for beyond it):
#: the character classes OWN counts, and characters that some patterns' matches must hold.
_CJK_BIT, _LATIN_BIT, _PUNCT_BIT, _DIGIT_BIT, _WIDE_END_BIT, _ASCII_END_BIT, _COMMA_BIT = (1 << i for i in range(7))
_ANY_DIGIT_BIT, _COLON_BIT, _DOT_BIT, _AT_BIT, _SPACE_BIT, _DATE_AFTER_BIT = (1 << i for i in range(7, 13))
_TERMINAL_BIT, _BRACKET_BIT, _PRICE_AFTER_BIT, _WORD_BIT = (1 << i for i in range(13, 17))


def _class_table() -> np.ndarray:
    table = np.zeros(_BEYOND_BMP + 1, dtype=np.uint32)
    for bit, ranges in ((_CJK_BIT, _CJK_RANGES), (_LATIN_BIT, _LATIN_RANGES), (_DIGIT_BIT, _DIGIT_RANGES)):
        for low, high in ranges:
            table[low:high + 1] |= bit
    punctuation = [not (c.isalnum() or c == "_" or c.isspace()) for c in _BMP]  # what `[^\w\s]` matches
    table[:_BEYOND_BMP][np.array(punctuation)] |= _PUNCT_BIT
    for bit, chars in ((_WIDE_END_BIT, _WIDE_ENDS), (_ASCII_END_BIT, _ASCII_ENDS), (_COMMA_BIT, _COMMAS),
                       (_ANY_DIGIT_BIT, _DIGITS), (_COLON_BIT, ":"), (_DOT_BIT, "."), (_AT_BIT, "@"),
                       (_SPACE_BIT, " \n\t"), (_DATE_AFTER_BIT, re.findall(r"\s", _BMP) + list(_DATE_AFTER_DIGITS)),
                       (_TERMINAL_BIT, _TERMINAL), (_BRACKET_BIT, _BRACKETS), (_PRICE_AFTER_BIT, _PRICE_AFTER_DIGITS),
                       (_WORD_BIT, re.findall(r"\w", _BMP))):
        table[[ord(c) for c in chars]] |= bit
    table[_BEYOND_BMP] = _ANY_DIGIT_BIT | _DATE_AFTER_BIT  # beyond the BMP: never ruled out
    return table


_CLASSES = _class_table()
#: The bits own_matrix counts per block, in this order.
_COUNTED = (_CJK_BIT, _PUNCT_BIT, _DIGIT_BIT, _COMMA_BIT, _ANY_DIGIT_BIT, _COLON_BIT, _DOT_BIT, _AT_BIT)


def _date_starts(flags: np.ndarray) -> np.ndarray:
    """Where a match of a digit-first branch of _DATE may begin: at a digit whose run of digits
    ends within _DATE_DIGITS characters, at white space or one of _DATE_AFTER_DIGITS."""
    return _digit_run_starts(flags, _DATE_DIGITS, _DATE_AFTER_BIT)


def _price_starts(flags: np.ndarray) -> np.ndarray:
    """Where a match of a digit-first branch of _PRICE may begin: at a digit whose run of digits
    ends within _PRICE_DIGITS characters, at white space, a dot or one of _PRICE_AFTER_DIGITS."""
    return _digit_run_starts(flags, _PRICE_DIGITS, _DATE_AFTER_BIT | _PRICE_AFTER_BIT)


def _digit_run_starts(flags: np.ndarray, most: int, after_bits: int) -> np.ndarray:
    """True at each digit whose run of digits ends within `most` characters at a character with one of `after_bits`."""
    n = len(flags)
    index = np.arange(n)
    digit = (flags & _ANY_DIGIT_BIT) != 0
    run_end = np.minimum.accumulate(np.where(digit, n, index)[::-1])[::-1] if n else index
    after = np.append((flags & after_bits) != 0, False)  # the page's end: nothing follows
    return digit & (run_end - index <= most) & after[run_end]


def _blocks_matching(pattern: re.Pattern[str], texts: Sequence[str], candidates: np.ndarray) -> np.ndarray:
    """1.0 for the blocks `pattern` matches in, searching only the `candidates`.

    For a pattern that never spans two blocks (no match crosses a newline) this equals
    scanning the page, when every block it matches in is a candidate: the callers pass the
    blocks holding a character each of the pattern's matches must contain.
    """
    found = np.zeros(len(texts))
    for block in np.flatnonzero(candidates).tolist():
        found[block] = pattern.search(texts[block]) is not None
    return found


def _per_block(found: Sequence[re.Match[str]], starts: np.ndarray, n: int) -> np.ndarray:
    """How many of the matches `found` (on the page whose blocks begin at `starts`) begin in each block."""
    if not found:
        return np.zeros(n)
    return np.bincount(np.searchsorted(starts, [m.start() for m in found], "right") - 1, minlength=n).astype(np.float64)


def _distinct_words(scans: Iterable[_Starts], page: _Page, offsets: list[int]) -> Iterator[tuple[int, str]]:
    """(block, word lower-cased) for every word list match, each distinct pair once."""
    seen: set[tuple[int, str]] = set()
    for scan in scans:
        for m in scan.finditer(page):
            key = (bisect_right(offsets, m.start()) - 1, m.group().lower())
            if key not in seen:
                seen.add(key)
                yield key


def own_matrix(texts: Sequence[str], scan: _Scan | None = None) -> np.ndarray:
    """The OWN columns of every block of a page at once.

    Each pattern scans the page once (blocks joined by newlines), tried only where a match
    can begin (`_Starts`) or only in the blocks that hold a character its matches need, and its
    matches are counted per block by position; character classes are counted on the page's
    code points with numpy (`_CLASSES`). Per-block regex calls cost more than the rest of the
    pipeline together. `scan`: the page of `texts` as `_Scan.of` makes it (selling_matrix shares it).
    """
    check("features")
    n = len(texts)
    full = np.fromiter(map(len, texts), dtype=np.float64, count=n)
    scan = scan or _Scan.of(texts)
    texts, lengths, starts, offsets, joined, page = (
        scan.texts, scan.lengths, scan.starts, scan.offsets, scan.page.text, scan.page)
    size = np.maximum(lengths, 1)

    def count(found: Sequence[re.Match[str]]) -> np.ndarray:
        return _per_block(found, starts, n)

    flags = page.flags
    latin = (flags & _LATIN_BIT) != 0
    word_start = latin & ~np.concatenate([[False], latin[:-1]])
    following = np.append(flags[1:], _SPACE_BIT)  # the page ends as if a newline followed
    ascii_end = ((flags & _ASCII_END_BIT) != 0) & ((following & _SPACE_BIT) != 0)
    sentence_end = ((flags & _WIDE_END_BIT) != 0) | ascii_end
    counted = np.column_stack([(flags & bit) != 0 for bit in _COUNTED] + [word_start, sentence_end])
    # per block, its characters and the newline after it (a zero row ends the page: no block is empty)
    counted = np.vstack([counted, np.zeros((1, counted.shape[1]), dtype=bool)])
    sums = np.add.reduceat(counted, starts, axis=0, dtype=np.int64).astype(np.float64)
    cjk, punct, digits, commas, any_digits, colons, dots, ats, word_starts, sentence_ends = sums.T
    padded = np.append(flags, 0)  # so that an empty last block has a slot
    begins, ends = padded[starts], padded[np.maximum(starts + lengths - 1, 0)]  # flags of first and last characters
    dates = _DATE_STARTS.finditer(page, also=_date_starts(flags))
    date_any = count(dates) > 0
    longest_date = np.zeros(n)
    for m in dates:
        block = bisect_right(offsets, m.start()) - 1
        longest_date[block] = max(longest_date[block], m.end() - m.start())
    lists = _word_lists(page, offsets, n)
    rows = np.zeros((n, len(OWN)))
    rows[:, 0] = np.log1p(full)
    rows[:, 1] = cjk / size
    rows[:, 2] = np.log1p(word_starts)
    rows[:, 3] = punct / size
    rows[:, 4] = np.log1p(sentence_ends)
    rows[:, 5] = np.log1p(commas)
    rows[:, 6] = (lengths > 0) & ((ends & _TERMINAL_BIT) != 0)
    rows[:, 7] = [float(t.endswith(_ELLIPSES) and not t.endswith("……")) for t in texts]
    rows[:, 8] = digits / size
    rows[:, 9] = date_any
    rows[:, 10] = date_any & (lengths <= 30) & (longest_date >= 0.4 * lengths)
    rows[:, 11] = [float(bool(_NUMBER_ONLY.match(t))) for t in texts]
    rows[:, 12] = _blocks_matching(_TIME, texts, (colons > 0) & (any_digits >= TIME_MIN_DIGITS))
    rows[:, 13] = _blocks_matching(_URL, texts, (colons > 0) | (dots > 0))
    rows[:, 14] = _blocks_matching(_EMAIL, texts, ats > 0)
    rows[:, 15] = _blocks_matching(_PHONE, texts, any_digits >= PHONE_MIN_DIGITS)
    rows[:, 16] = (count(_QQ_WECHAT_STARTS.finditer(page)) > 0).astype(np.float64)
    rows[:, 17] = (count(_COPYRIGHT_STARTS.finditer(page)) > 0).astype(np.float64)
    rows[:, 18] = (lengths == 0) | ((begins & _BRACKET_BIT) != 0)  # (an empty block counts, as "" in "【《" is True)
    rows[:, 19] = np.log1p(count(list(_SEPARATORS.finditer(joined))))
    rows[:, 20] = [float(len(t) <= 40 and bool(_NAME_DATE.match(t))) for t in texts]
    # column 21, bullet, comes from the Block
    rows[:, [OWN.index(c) for c in _LIST_COLUMNS]] = np.log1p(lists)
    return rows


#: The word-list columns of OWN, and for every listed word the columns it counts in.
_LIST_COLUMNS = ("chrome_words", "comment_words", "body_words", "spam_topic_words", "contact_bait",
                 "sales_words", "self_promotion")
_LIST_OF_COLUMN = {"chrome_words": ("chrome",), "comment_words": ("comment",), "body_words": ("body",),
                   "spam_topic_words": lexicon.SPAM_TOPICS, "contact_bait": ("contact_bait",),
                   "sales_words": ("sales",), "self_promotion": ("self_promotion",)}


@functools.lru_cache(maxsize=64)
def _word_columns(hidden: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    """For every listed word, how many of its lists count in each of _LIST_COLUMNS (lists in `hidden` not)."""
    return {word: np.array([sum(1 for name in _LIST_OF_COLUMN[column] if name in lists and name not in hidden)
                            for column in _LIST_COLUMNS], dtype=np.float64)
            for word, lists in lexicon.LISTS_OF.items()}


_WORD_COLUMNS: dict[str, np.ndarray] = _word_columns()
_HIDDEN: frozenset[str] = frozenset()  # the lists hidden now (`hidden_word_lists`, nested)


@contextmanager
def hidden_word_lists(names: Collection[str]) -> Iterator[None]:
    """Count no word of these lexicon lists (`lexicon.LISTS` names) while the block runs: for
    benchmarks of spam families the lexicon must not know, in training and in evaluation alike,
    and for training pages whose own spam families the lexicon is to ignore (a word also in a
    list not hidden still counts there). Nested, it hides both blocks' lists. Not thread-safe:
    it swaps a module table."""
    global _WORD_COLUMNS, _HIDDEN
    unknown = set(names) - set(lexicon.LISTS)
    if unknown:
        raise ValueError(f"no such word lists: {', '.join(sorted(unknown))}")
    saved = _WORD_COLUMNS, _HIDDEN
    _HIDDEN = _HIDDEN | frozenset(names)
    _WORD_COLUMNS = _word_columns(_HIDDEN)
    try:
        yield
    finally:
        _WORD_COLUMNS, _HIDDEN = saved


#: The Latin word list is scanned for when an ASCII letter occurs this early on the page (or all is ASCII).
LATIN_SCAN_CHARS = 4000
_ASCII_LETTER = re.compile("[A-Za-z]")  # the ASCII characters str.isalpha() accepts


def _word_lists(page: _Page, offsets: list[int], n: int) -> np.ndarray:
    """Counts of distinct words per block for each of _LIST_COLUMNS, from one scan per pattern."""
    counts = np.zeros((n, len(_LIST_COLUMNS)))
    scans = [_CJK_WORD_STARTS]
    if _ASCII_LETTER.search(page.text, 0, LATIN_SCAN_CHARS) or page.text.isascii():
        scans.append(_LATIN_WORD_STARTS)
    for block, word in _distinct_words(scans, page, offsets):
        if (columns := _WORD_COLUMNS.get(word)) is not None:
            counts[block] += columns
    return counts


#: Bits of a code point in a bigram key (Unicode has 0x110000 code points).
_CODE_BITS = 21


def _bigram_keys(text: str) -> np.ndarray:
    """The distinct bigrams of a block's start, lower-cased, each packed into one integer."""
    codes = _code_points(text[:TOPIC_MAX_CHARS].lower())
    return np.unique((codes[:-1] << _CODE_BITS) | codes[1:])


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


#: Bits of a block number packed below a bigram key (pages with more blocks take a slower sort).
_BLOCK_BITS = 21


def _similarities(texts: Sequence[str], prose: np.ndarray, title: str | None) -> tuple[np.ndarray, np.ndarray]:
    """title_sim and topic_sim of every block: the share of a block's distinct bigrams (of its
    first TOPIC_MAX_CHARS characters, lower-cased) found in the title, and in the topic.

    The topic is the bigrams of the prose blocks, leaving the block itself out (a prose block
    counts only bigrams that another prose block has too). Computed on the page's distinct
    (bigram, block) pairs, sorted by bigram, with numpy: a set of bigram strings per block
    costs more than the rest of the place features together.
    """
    n = len(texts)
    lowered = [t[:TOPIC_MAX_CHARS].lower() for t in texts]
    codes = _code_points("".join(lowered))
    owner = np.repeat(np.arange(n, dtype=np.int64), np.fromiter(map(len, lowered), dtype=np.int64, count=n))
    within = owner[:-1] == owner[1:]  # a bigram never spans two blocks
    grams = ((codes[:-1] << _CODE_BITS) | codes[1:])[within]
    owner = owner[:-1][within]
    if n < 1 << _BLOCK_BITS:
        pairs = np.sort((grams << _BLOCK_BITS) | owner)
        pairs = pairs[_starts_of_runs(pairs)]
        gram, block = pairs >> _BLOCK_BITS, pairs & ((1 << _BLOCK_BITS) - 1)
    else:
        order = np.lexsort((owner, grams))
        gram, block = grams[order], owner[order]
        distinct = _starts_of_runs(gram) | _starts_of_runs(block)
        gram, block = gram[distinct], block[distinct]
    size = np.bincount(block, minlength=n)
    in_prose = prose[block]
    runs = np.flatnonzero(_starts_of_runs(gram))
    prose_blocks_with = np.repeat(np.add.reduceat(in_prose.astype(np.int64), runs), np.diff(np.append(runs, len(gram))))
    topic_sim = _share(np.bincount(block, weights=prose_blocks_with > in_prose, minlength=n), size)
    title_grams = _bigram_keys(title) if title else np.zeros(0, dtype=np.int64)
    if not title_grams.size:
        return np.full(n, np.nan), topic_sim
    at = np.searchsorted(title_grams, gram).clip(max=len(title_grams) - 1)
    return _share(np.bincount(block, weights=title_grams[at] == gram, minlength=n), size), topic_sim


def _starts_of_runs(values: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it (and at the first)."""
    return np.concatenate([values[:1] == values[:1], values[1:] != values[:-1]])


def _share(hits: np.ndarray, size: np.ndarray) -> np.ndarray:
    """hits / size, 0 where size is 0."""
    return np.divide(hits, size, out=np.zeros(len(size)), where=size > 0)


def page_features(blocks: Sequence[Block], title: str | None = None, kind: str = "text",
                  article_body: str | None = None, description: str | None = None) -> np.ndarray:
    """The feature matrix of a page: one row per block, columns FEATURE_NAMES."""
    n = len(blocks)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    texts = [b.text for b in blocks]
    scan = _Scan.of(texts)
    own = own_matrix(texts, scan)
    own[:, OWN.index("bullet")] = [float(b.bullet) for b in blocks]
    prose = _is_prose(blocks, texts, own)
    place = _place_features(blocks, texts, own, prose, title)
    dom = _dom_features(blocks, kind, article_body, description)
    columns = {name: own[:, i] for i, name in enumerate(OWN)}
    columns["link_density"] = dom[:, DOM.index("link_density")]
    facts = np.column_stack([columns[f] for f in NEIGHBOUR_FACTS])
    padded = np.full((n + 4, facts.shape[1]), np.nan)
    padded[2:n + 2] = facts
    neighbours = [padded[2 + offset:2 + offset + n] for offset in NEIGHBOURS]
    window = _window_mean(prose.astype(np.float64), 3)
    selling = selling_matrix(texts, own, scan)
    return np.column_stack([own, place, dom, *neighbours, window, selling]).astype(np.float32)


def _is_prose(blocks: Sequence[Block], texts: Sequence[str], own: np.ndarray) -> np.ndarray:
    ends = own[:, OWN.index("log_sentence_ends")] > 0
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    links = np.array([b.link_chars for b in blocks], dtype=np.float64) / np.maximum(lengths, 1)
    return (lengths >= PROSE_MIN_CHARS) & ends & (links < 0.5)


def _place_features(blocks: Sequence[Block], texts: Sequence[str], own: np.ndarray, prose: np.ndarray,
                    title: str | None) -> np.ndarray:
    n = len(blocks)
    lengths = np.fromiter(map(len, texts), dtype=np.float64, count=n)
    prose_at = np.flatnonzero(prose)
    index = np.arange(n)
    first, last = (prose_at[0], prose_at[-1]) if prose_at.size else (n, -1)
    distance = _distance_to(prose)
    groups = np.array([b.group for b in blocks], dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    run_start = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    run_length = np.diff(np.append(run_start, n))
    group_index = np.empty(n, dtype=np.int64)
    group_index[order] = index - np.repeat(run_start, run_length)  # how many blocks of its group came before
    group_size = np.empty(n)
    group_size[order] = np.repeat([math.log1p(size) for size in run_length.tolist()], run_length)
    copies, teasers = _copies_and_teasers(texts)
    title_sim, topic_sim = _similarities(texts, prose, title)
    before = np.concatenate([[0.0], np.cumsum(lengths)[:-1]]) / max(lengths.sum(), 1.0)
    return np.column_stack([
        index / max(n - 1, 1),
        before,
        (index < first).astype(float),
        (index > last).astype(float),
        np.log1p(distance),
        group_size,
        np.log1p(group_index),
        copies,
        teasers,
        title_sim,
        topic_sim,
        lengths / max(lengths.max(), 1.0),
    ])


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean of values[i - radius : i + radius + 1] (clipped at the page's ends), for every i."""
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(len(values))
    low = np.maximum(index - radius, 0)
    high = np.minimum(index + radius + 1, len(values))
    return (cumulative[high] - cumulative[low]) / (high - low)


def _distance_to(mask: np.ndarray) -> np.ndarray:
    """For each position, how many steps away the nearest True is (len(mask) when none is)."""
    n = len(mask)
    index = np.arange(n)
    before = np.maximum.accumulate(np.where(mask, index, -n)) if n else index
    after = np.minimum.accumulate(np.where(mask, index, 2 * n)[::-1])[::-1] if n else index
    return np.minimum(np.minimum(index - before, after - index), n)


def _copies_and_teasers(texts: Sequence[str]) -> tuple[list[float], list[float]]:
    """Layout duplicates: a block that repeats an earlier one, or a '...' teaser of another."""
    keys = [compact(t) for t in texts]
    seen: set[str] = set()
    copies = []
    for key in keys:
        copies.append(float(len(key) >= 6 and key in seen))
        seen.add(key)
    teasers = [0.0] * len(texts)
    stems = {}  # the blocks that end in an ellipsis, long enough without it: the only possible teasers
    for i, t in enumerate(texts):
        if (stem := ellipsis_stem(t)) is not None and len(stem) >= TEASER_PREFIX:
            stems[i] = stem
    if not stems:  # most pages: the prefix counts are not needed
        return copies, teasers
    starts = Counter(key[:TEASER_PREFIX] for t, key in zip(texts, keys) if len(t) >= TEASER_PREFIX)
    for i, stem in stems.items():
        teasers[i] = float(starts[compact(stem)[:TEASER_PREFIX]] >= 2)
    return copies, teasers


#: How the lines a site sets inside or after an article to send the reader elsewhere begin: "read
#: also", "related", "more on this", newsletter and follow-us calls, comment prompts, ad labels, in
#: the languages of the development corpora (German, English, Spanish, French, Polish, Italian,
#: Portuguese, Dutch, Finnish). Matched at a block's start (after up to 8 marks like "»", ">>", "(", "▶"),
#: lower-cased. Evidence, not a rule: an article may begin "Related to this, ...".
LEAD_IN_PHRASES = (
    # de
    "lesen sie auch", "lesen sie mehr", "lesen sie hier", "lies auch", "auch interessant", "ebenfalls interessant",
    "das könnte sie", "das könnte dich", "diese artikel könnten", "mehr zum thema", "mehr lesen", "weiterlesen",
    "zum weiterlesen", "weitere artikel", "weitere beiträge", "weitere nachrichten", "verwandte artikel",
    "verwandte themen", "zum thema", "mehr dazu", "passend dazu", "newsletter", "jetzt abonnieren",
    "abonnieren sie", "folgen sie uns", "folgt uns", "kommentar schreiben", "kommentare", "anzeige", "werbung",
    "nach oben", "zur startseite", "schon gelesen", "war der artikel", "war dieser artikel", "möchten sie den artikel",
    "gefällt dir", "gefällt ihnen", "ihre meinung", "jetzt spenden", "unterstützen sie",
    # en
    "read also", "also read", "read more", "read next", "see also", "related", "recommended", "you may also like",
    "you might also like", "more from", "more on this", "sign up", "subscribe", "follow us", "advertisement",
    "sponsored", "share this", "click here", "submit your letter", "leave a comment", "leave a reply",
    "was this article", "did you like", "don't miss", "never miss",
    # es, pt
    "le puede interesar", "te puede interesar", "también te puede interesar", "puede interesarte", "puedes ver",
    "lee también", "lea también", "lee además", "lea además", "vea también", "ver también", "mira también",
    "lea más", "lee más", "más información", "más noticias", "noticias relacionadas", "leer más", "seguir leyendo",
    "suscríbete",
    "suscribete", "síguenos", "hazte miembro", "publicidad", "te recomendamos", "leia também", "leia mais",
    "veja também", "saiba mais",
    # fr, it, nl
    "lire aussi", "à lire aussi", "a lire aussi", "lire également", "voir aussi", "à voir aussi",
    "sur le même sujet", "pour aller plus loin", "abonnez-vous", "inscrivez-vous", "suivez-nous", "publicité",
    "leggi anche", "potrebbe interessarti", "articoli correlati", "iscriviti", "lees ook", "lees meer",
    # pl, fi
    "czytaj też", "czytaj także", "czytaj więcej", "zobacz też", "zobacz także", "przeczytaj też",
    "przeczytaj również", "dowiedz się więcej", "polecamy", "reklama", "lue myös", "lue lisää",
    "lue seuraavaksi", "lue aiheesta",
)
_LEAD_IN = re.compile(r"\A[\W_]{0,8}(?:" + "|".join(map(re.escape, LEAD_IN_PHRASES)) + r")(?!\w)")
#: Characters of a block's start the lead-in test reads (the phrase and the marks before it).
LEAD_IN_CHARS = 48


def _lead_in(texts: Sequence[str]) -> list[float]:
    """1.0 for a block that begins with one of LEAD_IN_PHRASES, else 0.0."""
    return [float(_LEAD_IN.match(t[:LEAD_IN_CHARS].lower()) is not None) for t in texts]


def _group_facts(blocks: Sequence[Block], lengths: np.ndarray, links: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each block, the link density of all the blocks that share its container (`group`)
    and the share of the page's characters they hold: a list of links or a footer reads as
    one link-dense container of little text, the article as one container of most of it."""
    groups = np.array([b.group for b in blocks], dtype=np.int64)
    _, index = np.unique(groups, return_inverse=True)
    chars = np.bincount(index, weights=lengths)
    linked = np.bincount(index, weights=links)
    density = linked / np.maximum(chars, 1.0)
    return density[index], chars[index] / max(float(lengths.sum()), 1.0)


#: The DOM column of each tag group (tag_p ... tag_caption).
_GROUP_COLUMNS = {group: DOM.index(f"tag_{group}") for group in ("p", "h", "li", "cell", "div", "caption")}


def _dom_features(blocks: Sequence[Block], kind: str, article_body: str | None,
                  description: str | None) -> np.ndarray:
    n = len(blocks)
    if kind != "html":
        out = np.full((n, len(DOM)), np.nan)
        out[:, 0] = 0.0
        return out
    if n == 0:
        return np.zeros((0, len(DOM)))
    # column by column: a quarter faster than a list of floats per block
    column = DOM.index
    hint_names = ("path_body", "path_chrome", "path_comment", "near_body", "near_chrome", "near_comment",
                  "in_best_container", "container_score", "near_lead")  # 0.0 when missing
    out = np.zeros((n, len(DOM)))
    texts = [b.text for b in blocks]
    lengths = np.array([len(t) for t in texts], dtype=np.float64)
    out[:, column("is_html")] = 1.0
    links = np.array([b.link_chars for b in blocks], dtype=np.float64)
    out[:, column("link_density")] = links / np.maximum(lengths, 1.0)
    groups = [_GROUP_COLUMNS.get(TAG_GROUPS.get(b.tag, "other")) for b in blocks]
    tagged = [i for i, group in enumerate(groups) if group is not None]
    out[tagged, [groups[i] for i in tagged]] = 1.0
    out[:, column("heading")] = [b.heading for b in blocks]
    out[:, column("depth")] = np.minimum([b.depth for b in blocks], 60) / 60.0
    try:
        read = operator.itemgetter(*hint_names)
        hints = [read(b.hints) for b in blocks]
    except KeyError:  # not blocks of segment_html, which give every hint
        hints = [tuple(b.hints.get(name, 0.0) for name in hint_names) for b in blocks]
    out[:, [column(name) for name in hint_names]] = hints
    if article_body:
        out[:, column("in_article_body")] = [len(t) >= 10 and t in article_body for t in texts]
    else:
        out[:, column("in_article_body")] = np.nan
    if description:
        out[:, column("is_description")] = [len(t) >= 10 and (t in description or description in t) for t in texts]
    out[:, column("lead_in_phrase")] = _lead_in(texts)
    group_density, group_share = _group_facts(blocks, lengths, links)
    out[:, column("group_link_density")] = group_density
    out[:, column("group_chars_share")] = group_share
    return out


# --- generic selling cues (issue 4) -----------------------------------------------------------

_PRICE = re.compile(
    r"[¥￥$€£]\s?\d|\d\s?(?:元|块)(?:/|起|每|一|包|左右)|(?:仅需|只需|只要|低至|仅|才)\s?\d|特价|折扣|打\d(?:\.\d)?折|\d(?:\.\d)?折"
    r"|优惠价|原价|现价|首单|首充|返现|(?<!\d)\d{1,3}\s?%\s?off|\bper (?:month|day|hour|week)\b|\bonly \$|\bfrom \$",
    re.I)
#: Short links, and hosts under the cheap top-level domains throwaway sites use (with any
#: subdomains: www.x.shop as well as x.shop).
_SHORT_URL = re.compile(
    r"(?<![\w.])(?:bit\.ly|t\.cn|dwz\.cn|url\.cn|tinyurl\.com|goo\.gl|suo\.im|is\.gd|ow\.ly|t\.co|cutt\.ly|rb\.gy|t\.ly"
    r"|c\.tb\.cn|t\.me|shorturl\.at|goo\.su)/"
    r"|(?<![\w.])(?:[a-z0-9-]{1,30}\.){0,3}[a-z0-9-]{1,30}\.(?:top|vip|xyz|club|shop|icu|fun|site|cc|ltd|bet|win|app|online|live)(?![\w])",
    re.I)
#: A link to a bare IP address (and port), as sites that change domains daily print them; it
#: counts as a throwaway URL. Every match is a match of _URL too: only blocks with a URL are searched.
_IP_URL = re.compile(r"https?://\d{1,3}(?:\.\d{1,3}){3}(?![\d.])", re.I)
_HYPE_MARKS = "→☞👉★☆✔✅🔥💰❤"
_HYPE = re.compile(rf"[!！]+|[{_HYPE_MARKS}]|100\s?%|百分百")
#: Every match of _HYPE begins with one of these (the marks beyond the BMP are never ruled out).
_HYPE_STARTS = _Starts(_HYPE, firsts=[c for c in "!！1百" + _HYPE_MARKS if ord(c) < _BEYOND_BMP])
_SELLING_COLUMNS = ("call_to_action", "promises", "seller_voice", "reader_address")
#: Every match of _PRICE begins with a currency sign, a digit (`_price_starts`), one of these
#: characters or one of these prefixes (up to IGNORECASE).
_PRICE_FIRSTS = "¥￥$€£仅只低才特折打优原现首返"
_PRICE_PREFIXES = ("per", "onl", "fro")
_PRICE_STARTS = _Starts(_PRICE, firsts=_PRICE_FIRSTS, prefixes=_PRICE_PREFIXES)
_SELLING_WORDS = [w for words in lexicon.SELLING_LISTS.values() for w in words if w]
_SELLING_CJK_STARTS = _Starts(lexicon.SELLING_CJK_WORD, **_prefixes(w for w in _SELLING_WORDS if not w.isascii()))
_SELLING_LATIN_STARTS = _Starts(lexicon.SELLING_LATIN_WORD,
                                **_prefixes(w.lower() for w in _SELLING_WORDS if w.isascii()), at_boundary=True)


#: By table slot, the characters that may be an ASCII letter under IGNORECASE (K, the Kelvin sign, too).
_LETTER_LIKE = np.zeros(_BEYOND_BMP + 1, dtype=bool)
_LETTER_LIKE[[ord(v) for vs in _case_variants(set(string.ascii_lowercase)).values() for v in vs] + [_BEYOND_BMP]] = True


def _blocks_with_dot_letter(page: _Page, starts: np.ndarray, n: int) -> np.ndarray:
    """The blocks where a dot is followed by a letter: every match of _SHORT_URL has one."""
    dots = np.flatnonzero(((page.flags[:-1] & _DOT_BIT) != 0) & _LETTER_LIKE[page.slots[1:]])
    found = np.zeros(n, dtype=bool)
    found[np.searchsorted(starts, dots, "right") - 1] = True
    return found


def selling_matrix(texts: Sequence[str], own: np.ndarray, scan: _Scan | None = None) -> np.ndarray:
    """The SELLING columns of every block: cues that a block sells something, whatever it sells.

    Counts of the generic word lists of `lexicon.SELLING_LISTS` (call to action, promises, a
    seller's voice, addressing the reader), prices and discounts, short or throwaway URLs, hype
    marks (!, arrows, 100%), any contact id or contact bait, a call to action together with a
    contact, how many of these kinds of cue the block shows (0-9) and the mean of that score
    over the block and its two neighbours on each side. No column knows a product: they are meant
    to hold on spam families no word list names. `scan`: as for own_matrix.
    """
    n = len(texts)
    rows = np.zeros((n, len(SELLING)))
    if n == 0:
        return rows
    scan = scan or _Scan.of(texts)
    texts, starts, page = scan.texts, scan.starts, scan.page

    words = np.zeros((n, len(_SELLING_COLUMNS)))
    scans = [_SELLING_CJK_STARTS] + ([_SELLING_LATIN_STARTS] if _ASCII_LETTER.search(page.text) else [])
    for block, word in _distinct_words(scans, page, scan.offsets):
        for name in lexicon.SELLING_OF.get(word, ()):
            words[block, _SELLING_COLUMNS.index(name)] += 1
    price = _per_block(_PRICE_STARTS.finditer(page, also=_price_starts(page.flags)), starts, n)
    column = {name: own[:, OWN.index(name)] for name in
              ("has_url", "has_email", "has_phone", "has_qq_wechat", "contact_bait", "sales_words")}
    short_url = (_blocks_matching(_SHORT_URL, texts, _blocks_with_dot_letter(page, starts, n))
                 + _blocks_matching(_IP_URL, texts, column["has_url"] > 0))
    hype = _per_block(_HYPE_STARTS.finditer(page), starts, n)
    contact = ((column["has_qq_wechat"] > 0) | (column["has_phone"] > 0) | (column["contact_bait"] > 0)
               | (short_url > 0) | (column["has_email"] > 0)).astype(np.float64)
    action = words[:, 0] > 0
    rows[:, :4] = np.log1p(words)
    rows[:, 4] = np.log1p(price)
    rows[:, 5] = short_url > 0
    rows[:, 6] = np.log1p(hype)
    rows[:, 7] = contact
    rows[:, 8] = action & (contact > 0)
    score = (action.astype(np.float64) + (words[:, 1] > 0) + (words[:, 2] > 0) + (words[:, 3] > 0) + (price > 0)
             + (short_url > 0) + (hype > 0) + contact + (column["sales_words"] > 0))
    rows[:, 9] = score
    rows[:, 10] = _window_mean(score, 2)
    return rows
