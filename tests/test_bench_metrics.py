"""The benchmark's two metrics on tiny hand-made examples."""

from __future__ import annotations

import pytest

from benchmarks.metrics import (
    PageOverlap,
    SegmentScore,
    ShingleScore,
    count_segments,
    norm,
    page_overlap,
    shingles,
    tokenize,
)

# --- trafilatura's segment metric ----------------------------------------------------------


def test_norm_collapses_all_whitespace():
    assert norm("  hello \n\t world\xa0again  ") == "hello world again"


def test_count_segments_tp_fp_fn_tn():
    item = {"with": ["hello world", "second chunk", "missing"], "without": ["boiler plate", "imprint"]}
    out = "hello world text second chunk here and boiler plate"
    assert count_segments(item, out) == (2, 1, 1, 1)


def test_count_segments_normalises_both_sides():
    item = {"with": ["hello   world", "Zeile eins Zeile zwei"], "without": [" cookie\xa0notice "]}
    out = "prefix hello\nworld suffix\nZeile eins\n\nZeile zwei\ncookie notice"
    assert count_segments(item, out) == (2, 1, 0, 0)


def test_count_segments_is_case_sensitive_substring():
    item = {"with": ["Hello"], "without": ["world"]}
    assert count_segments(item, "hello World") == (0, 0, 1, 1)


@pytest.mark.parametrize("result", [None, 123])
def test_count_segments_no_result_is_a_full_miss(result):
    item = {"with": ["a", "b"], "without": ["c"]}
    assert count_segments(item, result) == (0, 0, 2, 1)


def test_count_segments_empty_output_finds_nothing():
    item = {"with": ["a", "b"], "without": ["c"]}
    assert count_segments(item, "") == (0, 0, 2, 1)


def test_segment_score_sums_over_pages():
    score = SegmentScore()
    score.add((6, 2, 3, 8))
    assert (score.precision, score.recall, score.accuracy, score.f1) == pytest.approx((6 / 8, 6 / 9, 14 / 19, 12 / 17))
    score.add((2, 0, 1, 2))
    assert (score.tp, score.fp, score.fn, score.tn, score.pages) == (8, 2, 4, 10, 2)
    assert score.f1 == pytest.approx(16 / 22)


def test_segment_score_empty_is_zero():
    score = SegmentScore()
    assert (score.precision, score.recall, score.accuracy, score.f1) == (0.0, 0.0, 0.0, 0.0)


# --- shingles -------------------------------------------------------------------------------


def test_tokenize_words_drop_punctuation():
    assert tokenize("Hello, World! It's 2024 — café-au-lait.") == [
        "hello", "world", "it", "s", "2024", "café", "au", "lait"
    ]  # fmt: skip


def test_tokenize_cjk_one_token_per_character():
    assert tokenize("北京，欢迎你。") == ["北", "京", "欢", "迎", "你"]
    assert tokenize("カタカナとひらがな") == list("カタカナとひらがな")
    assert tokenize("한국어 뉴스") == ["한", "국", "어", "뉴", "스"]


def test_tokenize_mixed_scripts_and_fullwidth():
    assert tokenize("新华社ＡＢＣ电 GDP增长５%") == ["新", "华", "社", "abc", "电", "gdp", "增", "长", "5"]


def test_tokenize_keeps_combining_marks_inside_words():
    assert tokenize("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]


def test_shingles_are_a_multiset_of_4grams():
    sh = shingles("a b c d a b c d")
    assert sh[("a", "b", "c", "d")] == 2
    assert sum(sh.values()) == 5


def test_short_text_is_one_shingle():
    assert shingles("只有三") == {("只", "有", "三"): 1}
    assert shingles("...") == {}


def test_perfect_match():
    page = page_overlap("今天北京天气很好。", "今天北京天气很好")
    assert (page.precision, page.recall, page.f1) == (1.0, 1.0, 1.0)


def test_empty_output_scores_zero():
    page = page_overlap("", "今天北京天气很好")
    assert page == PageOverlap(0, 0, 5)
    assert (page.precision, page.recall, page.f1) == (0.0, 0.0, 0.0)


def test_empty_output_and_empty_gold_score_one():
    assert page_overlap("", "").f1 == 1.0


def test_partial_match_counts():
    # gold: 8 chars -> 5 shingles; output: first 6 chars of gold + 3 chars of chrome -> 6 shingles
    page = page_overlap("一二三四五六 菜单栏", "一二三四五六七八")
    assert page == PageOverlap(overlap=3, extracted=6, gold=5)
    assert page.precision == pytest.approx(0.5)
    assert page.recall == pytest.approx(0.6)
    assert page.f1 == pytest.approx(2 * 0.5 * 0.6 / 1.1)


def test_multiset_overlap_caps_repeats():
    # a paragraph repeated twice in the output only matches once
    page = page_overlap("one two three four one two three four", "one two three four")
    assert page == PageOverlap(overlap=1, extracted=5, gold=1)


def test_shingle_score_micro_and_mean():
    score = ShingleScore()
    score.add(PageOverlap(overlap=9, extracted=10, gold=10))  # P .9 R .9
    score.add(PageOverlap(overlap=0, extracted=0, gold=90))  # empty output
    assert score.precision == pytest.approx(9 / 10)
    assert score.recall == pytest.approx(9 / 100)
    assert score.f1 == pytest.approx(2 * 0.9 * 0.09 / 0.99)
    assert score.mean_precision == pytest.approx(0.45)
    assert score.mean_recall == pytest.approx(0.45)
    assert score.mean_f1 == pytest.approx(0.45)


def test_generated_copies_of_a_page_share_its_source_id_in_training_and_bench_spam():
    from cleaner.data import LabelledPage
    from cleaner.train import page_source_id
    ids = ["te-27f9#text#synth0", "te-27f9#synth", "te-27f9", "gz-1#text"]
    assert [page_source_id(LabelledPage(i, "text", [])) for i in ids] == ["te-27f9"] * 3 + ["gz-1"]
