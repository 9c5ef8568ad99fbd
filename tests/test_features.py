"""The fast, page-level computations of features and results equal their plain definitions."""

from __future__ import annotations

import random
import re
from collections import Counter
from itertools import pairwise

import numpy as np
import pytest

from cleaner import features, lexicon
from cleaner.classify import _with_context
from cleaner.features import (
    _CJK_WORD_STARTS,
    _CLASSES,
    _COPYRIGHT_STARTS,
    _DATE_STARTS,
    _LATIN_WORD_STARTS,
    _PRICE_STARTS,
    _QQ_WECHAT_STARTS,
    _SELLING_CJK_STARTS,
    _SELLING_LATIN_STARTS,
    TOPIC_MAX_CHARS,
    _case_variants,
    _date_starts,
    _distance_to,
    _Page,
    _similarities,
)
from cleaner.pipeline import round_rows
from cleaner.segment import BULLET, _is_bullet, squash

RNG = random.Random(7)
ALPHABET = "abcAB 。，的是了一在中国.!?İıſßẞ\U0001f600字"


def random_texts(count: int) -> list[str]:
    return ["".join(RNG.choice(ALPHABET) for _ in range(RNG.choice([0, 1, 2, 5, 30, 500]))) for _ in range(count)]


def bigrams(text: str) -> set[str]:
    text = text[:TOPIC_MAX_CHARS].lower()
    return {a + b for a, b in pairwise(text)}


def containment(grams: set[str], reference: set[str]) -> float:
    return len(grams & reference) / len(grams) if grams else 0.0


def similarities_by_sets(texts: list[str], prose: np.ndarray, title: str | None) -> tuple[list[float], list[float]]:
    """title_sim and topic_sim as first written: a set of bigram strings per block."""
    grams = [bigrams(t) for t in texts]
    topic: Counter[str] = Counter()
    for g, is_prose in zip(grams, prose):
        if is_prose:
            topic.update(g)
    title_grams = bigrams(title) if title else set()
    anywhere = set(topic)
    shared = {gram for gram, blocks in topic.items() if blocks > 1}
    return ([containment(g, title_grams) if title_grams else np.nan for g in grams],
            [containment(g, shared if p else anywhere) for g, p in zip(grams, prose)])


@pytest.mark.parametrize("seed", range(30))
def test_similarities_equal_the_set_definition(seed, monkeypatch):
    if seed % 3 == 0:  # the path of pages with too many blocks to pack a block number into a bigram key
        monkeypatch.setattr(features, "_BLOCK_BITS", 1)
    texts = random_texts(RNG.randint(1, 40))
    prose = np.array([RNG.random() < 0.5 for _ in texts])
    title = RNG.choice([None, "", "a", "İ", texts[0], "中国的字 abc"])
    expected = similarities_by_sets(texts, prose, title)
    got = _similarities(texts, prose, title)
    assert np.array_equal(got[0], expected[0], equal_nan=True)
    assert np.array_equal(got[1], expected[1])


@pytest.mark.parametrize("seed", range(20))
def test_distance_to_the_nearest_true(seed):
    mask = np.array([RNG.random() < 0.2 for _ in range(RNG.randint(0, 30))], dtype=bool)
    n = len(mask)
    at = np.flatnonzero(mask)
    expected = [min([abs(i - j) for j in at] + [n]) for i in range(n)]
    assert _distance_to(mask).tolist() == expected


def test_round_rows_equals_python_round():
    rng = np.random.default_rng(0)
    halves = (np.arange(20_001) + 0.5) / 1e4  # ties and near-ties are where numpy's rounding may differ
    values = np.concatenate([rng.random(200_000), halves, np.nextafter(halves, 1), np.nextafter(halves, 0),
                             rng.random(10_000) ** 8, [0.0, 1.0, 5e-5, 1.5e-4, 0.99995]])
    got = round_rows(values.reshape(-1, 4)[: len(values) // 4])
    expected = [[round(v, 4) for v in row] for row in values.reshape(-1, 4)[: len(values) // 4].tolist()]
    assert got == expected


# --- pattern scans tried only where a match can begin -----------------------------------------

def scan_texts() -> list[str]:
    """Pages made of every listed word (and their case variants), dates, and random mixtures."""
    words = [w for ws in (*lexicon.LISTS.values(), *lexicon.SELLING_LISTS.values()) for w in ws if w]
    rng = random.Random(11)
    words += [*features._COPYRIGHT_MARKS, *features._QQ, *features._WECHAT, "@", "t.me/", "qq:12345678", "微信 abcde_f",
              "@handle_x", "t.me/chan", "QQ\n123456", "vx：\nabc12345", *features._MESSENGERS, "Telegram: @abcd1",
              "DM @x1234 on TG", "电报@kefu1", "whatsapp me @helper99", "@abcd on\nsignal", "online @abcd",
              "¥ 5", "$9", "5元起", "8块/", "仅需 9", "低至3", "打8.5折", "7折", "1234% off", "30 % OFF", "Per Month",
              "ONLY $", "from $", "特价", "首充", "返现", "!!", "！", "100%", "100 %", "1000", "百分百", "百分", "5 元", "3.5折", "100%off", "5000% off",
              "\U0001f600" "50%", "\U0001d7d3元", "12\u3000%", "1.5元/",
              *features._HYPE_MARKS]
    pieces = words + [w.upper() for w in words] + [w.swapcase() for w in words] + [
        "2024年5月3日", "12 Jan 2024", "JANUARY 5, 2024", "ſep 3, 2021", "3 days ago", "5分钟前", "12024-05-06",
        "1\n2", "\U0001d7ce\U0001d7cf", "İ", "K", "ß", "\n", " ", ".", "..."]
    # word boundaries (the Latin scans try only where `\b` may hold) and three-character prefixes
    # cut short, split by a character beyond the BMP, or spelled with case variants (ſ, K)
    pieces += ["é", "_", "字", "9", "\U0001d400", "\U0001f600", "fo", "fr", "jA", "seP", "ſale", "ſeo", "Kk", "fre\U0001d400e"]
    texts = [" ".join(words), "".join(words), "\n".join(pieces)]
    for _ in range(40):
        texts.append("".join(rng.choice(pieces) + rng.choice(["", " ", "\n", "的", "x"]) for _ in range(60)))
    digits = ["1", "12", "2024", "12345", "٣", "\U0001d7ce", "０"]
    after = [*"-/.年月日x ", "\n", "\u3000", "\t", "天前", "分钟前", "小时前", " minutes ago", " jan 2024", "5日", "",
             "元起", " 块/", "折", "%", " % off", ".5折"]
    for _ in range(200):  # dates and near-dates: digit runs of every length before every kind of character
        texts.append("".join(rng.choice(digits) + rng.choice(after) for _ in range(rng.randint(1, 12))))
    return texts


@pytest.mark.parametrize("scan", [_CJK_WORD_STARTS, _LATIN_WORD_STARTS, _DATE_STARTS, _COPYRIGHT_STARTS,
                                  _QQ_WECHAT_STARTS, _SELLING_CJK_STARTS, _SELLING_LATIN_STARTS, _PRICE_STARTS,
                                  features._HYPE_STARTS],
                         ids=["cjk", "latin", "date", "copyright", "qq_wechat", "selling_cjk", "selling_latin", "price",
                              "hype"])
def test_scans_find_what_finditer_finds(scan):
    for text in scan_texts():
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        flags = _CLASSES[np.minimum(codes, 0x10000)]
        also = {_DATE_STARTS: _date_starts, _PRICE_STARTS: features._price_starts}.get(scan, lambda _: None)(flags)
        expected = [(m.start(), m.end()) for m in scan.pattern.finditer(text)]
        assert [(m.start(), m.end()) for m in scan.finditer(_Page.of(text, codes), also)] == expected


def test_short_url_blocks_are_among_the_blocks_with_a_dot_before_a_letter():
    rng = random.Random(5)
    pool = ["bit.ly/", "T.CN/", "x.top", "a.ſite", "b.\u212aom", "e.g.", "3.5", ". ", "abc", "\U0001d400", "字", ".", "\n"]
    for _ in range(300):
        texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(1, 6))]
        scan = features._Scan.of(texts)
        candidates = features._blocks_with_dot_letter(scan.page, scan.starts, len(texts))
        for text, candidate in zip(texts, candidates):
            assert candidate or not features._SHORT_URL.search(text)


def test_the_word_scans_use_the_lexicon_patterns_built_from_the_words_they_assume():
    words = [w for ws in lexicon.LISTS.values() for w in ws]
    cjk, latin = lexicon._split_patterns(words)
    assert (_CJK_WORD_STARTS.pattern, _LATIN_WORD_STARTS.pattern) == (lexicon.ANY_CJK_WORD, lexicon.ANY_LATIN_WORD)
    assert (cjk.pattern, latin.pattern) == (lexicon.ANY_CJK_WORD.pattern, lexicon.ANY_LATIN_WORD.pattern)


def test_case_variants_are_what_ignorecase_matches():
    bmp = [chr(c) for c in range(0x10000)]
    for ch in "aksiQ9字ß":
        literal = re.compile(re.escape(ch), re.I)
        assert {c for c in bmp if literal.fullmatch(c)} <= _case_variants({ch})[ch]
    assert _case_variants({"ß"})["ß"] == {"ß", "ẞ"}


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 60])
def test_context_of_one_page_equals_the_per_page_computation(n):
    rng = np.random.default_rng(n)
    X, proba = rng.random((n, 5)).astype(np.float32), rng.random((n, 4))
    one_page = _with_context(X, proba, None)
    assert np.array_equal(one_page, _with_context(X, proba, np.zeros(n, dtype=np.int64)), equal_nan=True)


def test_squash_and_bullets_equal_their_regex_definitions():
    spaces = [chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))]
    pool = [*spaces, *"ab字1.-•(（)、", "\u200b"]
    for _ in range(20_000):
        text = "".join(RNG.choice(pool) for _ in range(RNG.randint(0, 8)))
        assert squash(text) == re.sub(r"\s+", " ", text).strip()
        assert _is_bullet(text) == bool(BULLET.match(text))


def blocks_with_a_match(pattern: re.Pattern[str], texts: list[str]) -> list[float]:
    """Per block, whether `pattern` matches in the page (blocks joined by newlines) starting in that block."""
    joined, starts = "\n".join(texts), np.cumsum([0] + [len(t) + 1 for t in texts])[:-1]
    found = np.zeros(len(texts))
    for m in pattern.finditer(joined):
        found[np.searchsorted(starts, m.start(), "right") - 1] = 1.0
    return found.tolist()


def test_own_columns_equal_their_plain_definitions():
    pool = [*"ab字。.!? \t@:1-/【《[「『”）…", "\U0001f600", "\u3000", "x@y.cn", "13912345678", "12:30", "www.a.com",
            "+1 234567", "+1234567", "+12345", "138-1234-", "5678", "+44 7123 ", "(201) 555-", "1234"]
    texts = ["", "【", "a。", "", *("".join(RNG.choice(pool) for _ in range(RNG.randint(0, 30))) for _ in range(300)), ""]
    own = features.own_matrix(texts)
    column = {name: own[:, i].tolist() for i, name in enumerate(features.OWN)}
    assert column["log_len"] == [float(np.log1p(len(t))) for t in texts]
    assert column["ends_terminal"] == [float(bool(t) and t[-1] in features._TERMINAL) for t in texts]
    assert column["bracket_start"] == [float(t[:1] in features._BRACKETS) for t in texts]
    cjk = [sum(any(low <= ord(c) <= high for low, high in features._CJK_RANGES) for c in t) for t in texts]
    assert column["cjk_share"] == [count / max(len(t), 1) for count, t in zip(cjk, texts)]
    punct = [sum(ord(c) <= 0xFFFF and not (c.isalnum() or c == "_" or c.isspace()) for c in t) for t in texts]
    assert column["punct_share"] == [count / max(len(t), 1) for count, t in zip(punct, texts)]
    for name, pattern in (("has_time", features._TIME), ("has_url", features._URL), ("has_email", features._EMAIL),
                          ("has_phone", features._PHONE), ("has_qq_wechat", features._QQ_WECHAT),
                          ("has_copyright", features._COPYRIGHT)):
        assert column[name] == blocks_with_a_match(pattern, texts), name


def test_copies_and_teasers_equal_their_plain_definition():
    from cleaner.segment import ELLIPSIS_END, TEASER_PREFIX, compact
    rng = random.Random(3)
    lead = "The minister said on Monday that the plan would go ahead"
    pool = [lead, lead[:30] + "...", lead[:25] + "…", lead[:10] + "。。。", "short...", "x" * 30 + "…", "a b c", "新闻。",
            "。", "...", lead + " again."]
    for _ in range(300):
        texts = [rng.choice(pool) for _ in range(rng.randint(0, 12))]
        keys = [compact(t) for t in texts]
        copies = [float(len(k) >= 6 and k in keys[:i]) for i, k in enumerate(keys)]
        starts = Counter(k[:TEASER_PREFIX] for t, k in zip(texts, keys) if len(t) >= TEASER_PREFIX)
        teasers = []
        for t in texts:
            stem = ELLIPSIS_END.sub("", t)
            teasers.append(float(stem != t and len(stem) >= TEASER_PREFIX and starts[compact(stem)[:TEASER_PREFIX]] >= 2))
        assert features._copies_and_teasers(texts) == (copies, teasers)


def test_lead_in_phrases_and_container_facts():
    from cleaner.features import _lead_in
    from cleaner.html import segment_html

    assert _lead_in(["Lesen Sie auch: Der Streit", "(Le puede interesar: x)", ">> Mehr lesen", "Relatedness is",
                     "Read the report"]) == [1.0, 1.0, 1.0, 0.0, 0.0]
    blocks, _ = segment_html('<body><ul><li><a href="/a">One story</a></li><li><a href="/b">Two</a></li></ul>'
                             '<div><p>A long paragraph of the article itself.</p><p>Another one.</p></div></body>')
    rows = features.page_features(blocks, None, "html")
    density = rows[:, features.FEATURE_NAMES.index("group_link_density")]
    share = rows[:, features.FEATURE_NAMES.index("group_chars_share")]
    assert density[0] == density[1] == 1.0 and density[2] == 0.0
    assert share[2] == share[3] and share[2] > share[0]


def test_hidden_word_lists_nest_and_hide_both_blocks_lists():
    from cleaner.features import FEATURE_NAMES, hidden_word_lists
    from cleaner.pipeline import prepare

    column = FEATURE_NAMES.index("spam_topic_words")
    text = "正文第一段，讲述本地新闻。\n\n赌场开业，外挂上线。\n\n正文第二段，继续讲述。"

    def topic_words() -> float:
        return float(prepare(text, kind="text").features[1, column])

    everything = topic_words()
    with hidden_word_lists(["gambling"]):
        gambling_hidden = topic_words()
        with hidden_word_lists(["game_cheat"]):
            both_hidden = topic_words()
        assert topic_words() == gambling_hidden  # the inner block's list counts again after it
    assert topic_words() == everything
    assert everything > gambling_hidden > both_hidden == 0
    with pytest.raises(ValueError, match="no such word lists"), hidden_word_lists(["no_such_list"]):
        pass
