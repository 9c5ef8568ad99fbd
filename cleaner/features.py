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

import math
import operator
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence

import numpy as np

from cleaner import lexicon
from cleaner.limits import check
from cleaner.segment import ELLIPSIS_END, TEASER_PREFIX, Block, compact

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
#: Code points of the BMP that are punctuation or symbols (what `[^\w\s]` matches).
_PUNCT_TABLE = np.array([not (chr(c).isalnum() or chr(c) == "_" or chr(c).isspace())
                         for c in range(0x10000)], dtype=bool)
_WIDE_ENDS = np.array([ord(c) for c in "。!?！？…"], dtype=np.uint32)
_ASCII_ENDS = np.array([ord(c) for c in ".!?"], dtype=np.uint32)
_COMMAS = np.array([ord(c) for c in ",，、;；:："], dtype=np.uint32)
_ELLIPSES = ("...", "…", "。。。")
_SENTENCE_END = re.compile(r"[。!?！？…]|[.!?](?:\s|$)")
_COMMA = re.compile(r"[,，、;；:：]")
_TERMINAL = frozenset("。!?！？….?!”\"」』)）;；")
_DIGIT = re.compile(r"\d")
_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}月\d{1,2}日|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}"
    r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}"
    r"|\d{1,4} (?:minutes?|hours?|days?) ago|\d{1,4}\s*(?:分钟|小时|天)前",
    re.I,
)
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_NUMBER_ONLY = re.compile(r"^[\s\d,.()（）\[\]%+\-kKwW万]+$")
_URL = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|html?)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}")
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{3,4}-\d{7,8}|400-?\d{3}-?\d{4}|\+\d{1,3}[ -]?\d{6,12})(?!\d)")
_QQ_WECHAT = re.compile(
    r"(?:qq|QQ|扣扣|q群|Q群)\s*[:：号群]?\s*\d{5,11}|(?:微信|vx|VX|wx|WX|薇信|威信|V信|v信)\s*[:：号]?\s*[A-Za-z0-9_-]{5,20}"
    r"|@[A-Za-z0-9_]{4,32}|t\.me/\w+"
)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|版权|ICP|备案号|公网安备", re.I)
_BRACKET_START = re.compile(r"^[【《\[「『]")
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


def own_matrix(texts: Sequence[str]) -> np.ndarray:
    """The OWN columns of every block of a page at once.

    Each pattern scans the page once (blocks joined by newlines) and its matches are
    counted per block by position; character classes are counted on the page's code points
    with numpy. Per-block regex calls cost more than the rest of the pipeline together.
    """
    check("features")
    n = len(texts)
    full = np.array([len(t) for t in texts], dtype=np.float64)
    texts = [t if len(t) <= MAX_FEATURE_CHARS else t[:MAX_FEATURE_CHARS // 2] + "\n" + t[-MAX_FEATURE_CHARS // 2:]
             for t in texts]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    joined = "\n".join(texts)
    offsets = starts.tolist()
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    owner = np.repeat(np.arange(n), lengths + 1)[: len(codes)]
    size = np.maximum(lengths, 1)

    def per_block(mask: np.ndarray) -> np.ndarray:
        return np.bincount(owner[mask], minlength=n).astype(np.float64)

    def matches(pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return list(pattern.finditer(joined))

    def count(found: list[re.Match[str]]) -> np.ndarray:
        if not found:
            return np.zeros(n)
        return np.bincount(np.searchsorted(starts, [m.start() for m in found], "right") - 1, minlength=n)

    def where(pattern: re.Pattern[str]) -> np.ndarray:
        return (count(matches(pattern)) > 0).astype(np.float64)

    cjk = per_block(_in_ranges(codes, _CJK_RANGES))
    latin = _in_ranges(codes, _LATIN_RANGES)
    word_starts = per_block(latin & ~np.concatenate([[False], latin[:-1]]))
    punct = per_block(_PUNCT_TABLE[np.minimum(codes, 0xFFFF)] & (codes <= 0xFFFF))
    digits = per_block(_in_ranges(codes, ((0x30, 0x39), (0xFF10, 0xFF19))))
    following = np.concatenate([codes[1:], [0x0A]])
    ascii_end = np.isin(codes, _ASCII_ENDS) & ((following == 0x20) | (following == 0x0A) | (following == 0x09))
    sentence_ends = per_block(np.isin(codes, _WIDE_ENDS) | ascii_end)
    commas = per_block(np.isin(codes, _COMMAS))
    dates = matches(_DATE)
    date_any = count(dates) > 0
    longest_date = np.zeros(n)
    for m in dates:
        block = bisect_right(offsets, m.start()) - 1
        longest_date[block] = max(longest_date[block], m.end() - m.start())
    lists = _word_lists(joined, starts, n)
    rows = np.zeros((n, len(OWN)))
    rows[:, 0] = np.log1p(full)
    rows[:, 1] = cjk / size
    rows[:, 2] = np.log1p(word_starts)
    rows[:, 3] = punct / size
    rows[:, 4] = np.log1p(sentence_ends)
    rows[:, 5] = np.log1p(commas)
    rows[:, 6] = [float(bool(t) and t[-1] in _TERMINAL) for t in texts]
    rows[:, 7] = [float(t.endswith(_ELLIPSES) and not t.endswith("……")) for t in texts]
    rows[:, 8] = digits / size
    rows[:, 9] = date_any
    rows[:, 10] = date_any & (lengths <= 30) & (longest_date >= 0.4 * lengths)
    rows[:, 11] = [float(bool(_NUMBER_ONLY.match(t))) for t in texts]
    rows[:, 12] = where(_TIME)
    rows[:, 13] = where(_URL)
    rows[:, 14] = where(_EMAIL)
    rows[:, 15] = where(_PHONE)
    rows[:, 16] = where(_QQ_WECHAT)
    rows[:, 17] = where(_COPYRIGHT)
    rows[:, 18] = [float(t[:1] in "【《[「『") for t in texts]
    rows[:, 19] = np.log1p(count(matches(_SEPARATORS)))
    rows[:, 20] = [float(len(t) <= 40 and bool(_NAME_DATE.match(t))) for t in texts]
    # column 21, bullet, comes from the Block
    rows[:, [OWN.index(c) for c in _LIST_COLUMNS]] = np.log1p(lists)
    return rows


def _in_ranges(codes: np.ndarray, ranges: Sequence[tuple[int, int]]) -> np.ndarray:
    mask = np.zeros(len(codes), dtype=bool)
    for low, high in ranges:
        mask |= (codes >= low) & (codes <= high)
    return mask


#: The word-list columns of OWN, and for every listed word the columns it counts in.
_LIST_COLUMNS = ("chrome_words", "comment_words", "body_words", "spam_topic_words", "contact_bait",
                 "sales_words", "self_promotion")
_LIST_OF_COLUMN = {"chrome_words": ("chrome",), "comment_words": ("comment",), "body_words": ("body",),
                   "spam_topic_words": lexicon.SPAM_TOPICS, "contact_bait": ("contact_bait",),
                   "sales_words": ("sales",), "self_promotion": ("self_promotion",)}
_WORD_COLUMNS: dict[str, np.ndarray] = {
    word: np.array([sum(1 for name in _LIST_OF_COLUMN[column] if name in lists) for column in _LIST_COLUMNS],
                   dtype=np.float64)
    for word, lists in lexicon.LISTS_OF.items()
}


def _word_lists(joined: str, starts: np.ndarray, n: int) -> np.ndarray:
    """Counts of distinct words per block for each of _LIST_COLUMNS, from one scan per pattern."""
    counts = np.zeros((n, len(_LIST_COLUMNS)))
    seen: set[tuple[int, str]] = set()
    patterns = [lexicon.ANY_CJK_WORD]
    if any(c.isascii() and c.isalpha() for c in joined[:4000]) or joined.isascii():
        patterns.append(lexicon.ANY_LATIN_WORD)
    offsets = starts.tolist()
    for pattern in patterns:
        for m in pattern.finditer(joined):
            key = (bisect_right(offsets, m.start()) - 1, m.group().lower())
            if key not in seen:
                seen.add(key)
                if (columns := _WORD_COLUMNS.get(key[1])) is not None:
                    counts[key[0]] += columns
    return counts


def _bigrams(text: str) -> set[str]:
    text = text[:TOPIC_MAX_CHARS].lower()
    return set(map(operator.add, text, text[1:]))


def _containment(grams: set[str], reference: set[str]) -> float:
    """Share of a block's bigrams found in `reference`."""
    return len(grams & reference) / len(grams) if grams else 0.0


def page_features(blocks: Sequence[Block], title: str | None = None, kind: str = "text",
                  article_body: str | None = None, description: str | None = None) -> np.ndarray:
    """The feature matrix of a page: one row per block, columns FEATURE_NAMES."""
    n = len(blocks)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    own = own_matrix([b.text for b in blocks])
    own[:, OWN.index("bullet")] = [float(b.bullet) for b in blocks]
    place = _place_features(blocks, own, title)
    dom = _dom_features(blocks, kind, article_body, description)
    columns = {name: own[:, i] for i, name in enumerate(OWN)}
    columns["link_density"] = dom[:, DOM.index("link_density")]
    facts = np.column_stack([columns[f] for f in NEIGHBOUR_FACTS])
    padded = np.full((n + 4, facts.shape[1]), np.nan)
    padded[2:n + 2] = facts
    neighbours = [padded[2 + offset:2 + offset + n] for offset in NEIGHBOURS]
    prose = _is_prose(blocks, own).astype(np.float64)
    window = _window_mean(prose, 3)
    selling = selling_matrix([b.text for b in blocks], own)
    return np.column_stack([own, place, dom, *neighbours, window, selling]).astype(np.float32)


def _is_prose(blocks: Sequence[Block], own: np.ndarray) -> np.ndarray:
    ends = own[:, OWN.index("log_sentence_ends")] > 0
    lengths = np.array([len(b.text) for b in blocks])
    links = np.array([b.link_chars / max(len(b.text), 1) for b in blocks])
    return (lengths >= PROSE_MIN_CHARS) & ends & (links < 0.5)


def _place_features(blocks: Sequence[Block], own: np.ndarray, title: str | None) -> np.ndarray:
    n = len(blocks)
    lengths = np.array([len(b.text) for b in blocks], dtype=np.float64)
    prose = _is_prose(blocks, own)
    prose_at = np.flatnonzero(prose)
    index = np.arange(n)
    first, last = (prose_at[0], prose_at[-1]) if prose_at.size else (n, -1)
    distance = _distance_to(prose)
    groups = Counter(b.group for b in blocks)
    seen_in_group: Counter[int] = Counter()
    group_index = []
    for b in blocks:
        group_index.append(seen_in_group[b.group])
        seen_in_group[b.group] += 1
    copies, teasers = _copies_and_teasers(blocks)
    grams = [_bigrams(b.text) for b in blocks]
    topic: Counter[str] = Counter()
    for g, is_prose in zip(grams, prose):
        if is_prose:
            topic.update(g)
    title_grams = _bigrams(title) if title else set()
    # the topic a block is compared with: bigrams of the prose blocks, leaving the block itself
    # out (a prose block counts only bigrams that another prose block has too)
    anywhere = set(topic)
    shared = {gram for gram, blocks_with in topic.items() if blocks_with > 1}
    before = np.concatenate([[0.0], np.cumsum(lengths)[:-1]]) / max(lengths.sum(), 1.0)
    return np.column_stack([
        index / max(n - 1, 1),
        before,
        (index < first).astype(float),
        (index > last).astype(float),
        np.log1p(distance),
        [math.log1p(groups[b.group]) for b in blocks],
        np.log1p(group_index),
        copies,
        teasers,
        [_containment(g, title_grams) if title_grams else np.nan for g in grams],
        [_containment(g, shared if p else anywhere) for g, p in zip(grams, prose)],
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
    distance = np.full(n, n, dtype=np.int64)
    last = -n
    for i in range(n):
        if mask[i]:
            last = i
        distance[i] = i - last
    last = 2 * n
    for i in range(n - 1, -1, -1):
        if mask[i]:
            last = i
        distance[i] = min(distance[i], last - i)
    return np.minimum(distance, n)


def _copies_and_teasers(blocks: Sequence[Block]) -> tuple[list[float], list[float]]:
    """Layout duplicates: a block that repeats an earlier one, or a '...' teaser of another."""
    keys = [compact(b.text) for b in blocks]
    seen: set[str] = set()
    copies = []
    for key in keys:
        copies.append(float(len(key) >= 6 and key in seen))
        seen.add(key)
    teasers = []
    starts = Counter(key[:TEASER_PREFIX] for b, key in zip(blocks, keys) if len(b.text) >= TEASER_PREFIX)
    for b in blocks:
        stem = ELLIPSIS_END.sub("", b.text)
        is_teaser = (stem != b.text and len(stem) >= TEASER_PREFIX
                     and starts[compact(stem)[:TEASER_PREFIX]] >= 2)
        teasers.append(float(is_teaser))
    return copies, teasers


def _dom_features(blocks: Sequence[Block], kind: str, article_body: str | None,
                  description: str | None) -> np.ndarray:
    n = len(blocks)
    if kind != "html":
        out = np.full((n, len(DOM)), np.nan)
        out[:, 0] = 0.0
        return out
    rows = []
    description = description or ""
    for b in blocks:
        group = TAG_GROUPS.get(b.tag, "other")
        h = b.hints
        rows.append([
            1.0,
            b.link_chars / max(len(b.text), 1),
            float(group == "p"), float(group == "h"), float(group == "li"), float(group == "cell"),
            float(group == "div"), float(group == "caption"),
            float(b.heading),
            min(b.depth, 60) / 60.0,
            h.get("path_body", 0.0), h.get("path_chrome", 0.0), h.get("path_comment", 0.0),
            h.get("near_body", 0.0), h.get("near_chrome", 0.0), h.get("near_comment", 0.0),
            h.get("in_best_container", 0.0), h.get("container_score", 0.0),
            float(bool(article_body) and len(b.text) >= 10 and b.text in article_body) if article_body else np.nan,
            float(bool(description) and len(b.text) >= 10 and (b.text in description or description in b.text)),
        ])
    return np.array(rows, dtype=np.float64)


# --- generic selling cues (issue 4) -----------------------------------------------------------

_PRICE = re.compile(
    r"[¥￥$€£]\s?\d|\d\s?(?:元|块)(?:/|起|每|一|包|左右)|(?:仅需|只需|只要|低至|仅|才)\s?\d|特价|折扣|打\d(?:\.\d)?折|\d(?:\.\d)?折"
    r"|优惠价|原价|现价|首单|首充|返现|(?<!\d)\d{1,3}\s?%\s?off|\bper (?:month|day|hour|week)\b|\bonly \$|\bfrom \$",
    re.I)
_SHORT_URL = re.compile(
    r"(?<![\w.])(?:bit\.ly|t\.cn|dwz\.cn|url\.cn|tinyurl\.com|goo\.gl|suo\.im|is\.gd|ow\.ly|t\.co|cutt\.ly|rb\.gy|t\.ly"
    r"|c\.tb\.cn|t\.me)/|(?<![\w.])[a-z0-9-]{1,30}\.(?:top|vip|xyz|club|shop|icu|fun|site|cc|ltd|bet|win|app|online|live)(?![\w])",
    re.I)
_HYPE = re.compile(r"[!！]+|[→☞👉★☆✔✅🔥💰❤]|100\s?%|百分百")
_SELLING_COLUMNS = ("call_to_action", "promises", "seller_voice", "reader_address")


def selling_matrix(texts: Sequence[str], own: np.ndarray) -> np.ndarray:
    """The SELLING columns of every block: cues that a block sells something, whatever it sells.

    Counts of the generic word lists of `lexicon.SELLING_LISTS` (call to action, promises, a
    seller's voice, addressing the reader), prices and discounts, short or throwaway URLs, hype
    marks (!, arrows, 100%), any contact id or contact bait, a call to action together with a
    contact, how many of these kinds of cue the block shows (0-9) and the mean of that score
    over the block and its two neighbours on each side. No column knows a product: they are meant
    to hold on spam families no word list names.
    """
    n = len(texts)
    rows = np.zeros((n, len(SELLING)))
    if n == 0:
        return rows
    texts = [t if len(t) <= MAX_FEATURE_CHARS else t[:MAX_FEATURE_CHARS // 2] + "\n" + t[-MAX_FEATURE_CHARS // 2:]
             for t in texts]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    offsets = starts.tolist()
    joined = "\n".join(texts)

    def count(pattern: re.Pattern[str]) -> np.ndarray:
        found = [m.start() for m in pattern.finditer(joined)]
        if not found:
            return np.zeros(n)
        return np.bincount(np.searchsorted(starts, found, "right") - 1, minlength=n).astype(np.float64)

    words = np.zeros((n, len(_SELLING_COLUMNS)))
    seen: set[tuple[int, str]] = set()
    for pattern in (lexicon.SELLING_CJK_WORD, lexicon.SELLING_LATIN_WORD):
        for m in pattern.finditer(joined):
            key = (bisect_right(offsets, m.start()) - 1, m.group().lower())
            if key not in seen:
                seen.add(key)
                for name in lexicon.SELLING_OF.get(key[1], ()):
                    words[key[0], _SELLING_COLUMNS.index(name)] += 1
    price = count(_PRICE)
    short_url = count(_SHORT_URL)
    hype = count(_HYPE)
    column = {name: own[:, OWN.index(name)] for name in
              ("has_url", "has_email", "has_phone", "has_qq_wechat", "contact_bait", "sales_words")}
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
