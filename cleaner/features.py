"""Stage 3, features: a fixed-width numeric row per block, the same for text and HTML input.

Three kinds of evidence, in the order the columns come:
1. the block on its own: length, script, punctuation, dates, contact ids, word lists;
2. where it stands: position on the page, the DOM (NaN on text input, so one model serves
   both), whether it copies an earlier block, how close it is to the page's topic;
3. its neighbours: the same few facts about the two blocks before and after it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from cleaner import lexicon
from cleaner.limits import check
from cleaner.segment import Block

#: A block this long, ending a sentence, counts as prose (the article's likely fabric).
PROSE_MIN_CHARS = 40
#: Only the first characters of a block count for topic similarity (keeps it linear).
TOPIC_MAX_CHARS = 400
#: Blocks longer than this are featurised on their start and end (the regexes and word lists
#: cost time per character, and a 5-million-character line must not take minutes).
MAX_FEATURE_CHARS = 20_000
#: Neighbour offsets whose facts each row repeats.
NEIGHBOURS = (-2, -1, 1, 2)

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u0400-\u04ff]+")
_PUNCT = re.compile(r"[^\w\s]")
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
_ELLIPSIS = re.compile(r"(?:\.\.\.|(?<!…)…+|。。。)$")

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


def own_features(text: str) -> list[float]:
    """The block on its own: the OWN columns."""
    check("features")
    full = len(text)
    if full > MAX_FEATURE_CHARS:
        text = text[:MAX_FEATURE_CHARS // 2] + "\n" + text[-MAX_FEATURE_CHARS // 2:]
    n = len(text)
    cjk = len(_CJK.findall(text))
    words = len(_LATIN_WORD.findall(text))
    spam = {family: lexicon.hits(pattern, text) for family, pattern in lexicon.SPAM.items()}
    date = _DATE.search(text)
    return [
        math.log1p(full),
        cjk / n,
        math.log1p(words),
        len(_PUNCT.findall(text)) / n,
        math.log1p(len(_SENTENCE_END.findall(text))),
        math.log1p(len(_COMMA.findall(text))),
        float(text[-1] in _TERMINAL),
        float(bool(_ELLIPSIS.search(text))),
        len(_DIGIT.findall(text)) / n,
        float(date is not None),
        float(date is not None and n <= 30 and len(date.group()) >= 0.4 * n),
        float(bool(_NUMBER_ONLY.match(text))),
        float(bool(_TIME.search(text))),
        float(bool(_URL.search(text))),
        float(bool(_EMAIL.search(text))),
        float(bool(_PHONE.search(text))),
        float(bool(_QQ_WECHAT.search(text))),
        float(bool(_COPYRIGHT.search(text))),
        float(bool(_BRACKET_START.match(text))),
        math.log1p(len(_SEPARATORS.findall(text))),
        float(n <= 40 and bool(_NAME_DATE.match(text))),
        0.0,  # bullet: filled from the Block
        math.log1p(lexicon.hits(lexicon.CHROME, text)),
        math.log1p(lexicon.hits(lexicon.COMMENT, text)),
        math.log1p(lexicon.hits(lexicon.BODY, text)),
        math.log1p(sum(spam[f] for f in lexicon.SPAM_TOPICS)),
        math.log1p(spam["contact_bait"]),
        math.log1p(spam["sales"]),
        math.log1p(spam["self_promotion"]),
    ]


def _bigrams(text: str) -> Counter[str]:
    text = text[:TOPIC_MAX_CHARS].lower()
    return Counter(text[i:i + 2] for i in range(len(text) - 1) if not text[i:i + 2].isspace())


def _containment(grams: Counter[str], reference: Counter[str], own: Counter[str] | None = None) -> float:
    """Share of a block's bigrams found in `reference` (leaving the block's own counts out)."""
    total = sum(grams.values())
    if not total:
        return 0.0
    found = 0
    for gram, count in grams.items():
        available = reference.get(gram, 0) - (own.get(gram, 0) if own is not None else 0)
        if available > 0:
            found += count
    return found / total


def page_features(blocks: Sequence[Block], title: str | None = None, kind: str = "text",
                  article_body: str | None = None, description: str | None = None) -> np.ndarray:
    """The feature matrix of a page: one row per block, columns FEATURE_NAMES."""
    n = len(blocks)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    own = np.array([own_features(b.text) for b in blocks], dtype=np.float64)
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
    return np.column_stack([own, place, dom, *neighbours, window]).astype(np.float32)


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
    title_grams = _bigrams(title) if title else Counter()
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
        [_containment(g, topic, g if p else None) for g, p in zip(grams, prose)],
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
    seen: set[str] = set()
    copies = []
    for b in blocks:
        key = re.sub(r"\s+", "", b.text)
        copies.append(float(len(key) >= 6 and key in seen))
        seen.add(key)
    teasers = []
    starts = Counter(re.sub(r"\s+", "", b.text)[:20] for b in blocks if len(b.text) >= 20)
    for b in blocks:
        stem = _ELLIPSIS.sub("", b.text)
        is_teaser = stem != b.text and len(stem) >= 20 and starts[re.sub(r"\s+", "", stem)[:20]] >= 2
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
