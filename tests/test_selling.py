"""Generic selling cues (features.selling_matrix, lexicon.SELLING_LISTS) and the spam rule that uses them."""

from __future__ import annotations

import numpy as np

from cleaner import lexicon
from cleaner.features import FEATURE_NAMES, OWN, SELLING, own_matrix, page_features, selling_matrix
from cleaner.labels import BODY, CHROME, LABELS, SPAM
from cleaner.pipeline import SPAM_LIFT_MIN, SPAM_MIN_PROBABILITY, decide, has_selling_signal
from cleaner.segment import segment_text

NEWS = "1月25日,北京市统计局盘点去年北京在建设国际科技创新中心方面取得的新进展新成就。"
AD_ZH = "有需要的朋友赶紧加微信：kefu123，100%保证效果，点击领取→ bit.ly/a8Kd2x"
AD_EN = "Order now and get yours today! Only $9.99 per month, money back guaranteed. Text me on WhatsApp +1 5551234567"


def cues(texts):
    rows = selling_matrix(texts, own_matrix(texts))
    return [dict(zip(SELLING, row)) for row in rows]


def test_selling_columns_are_appended_after_every_earlier_feature():
    assert FEATURE_NAMES[-len(SELLING):] == SELLING
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)


def test_an_ad_shows_a_call_to_action_a_contact_and_a_promise_and_news_shows_none():
    news, ad_zh, ad_en = cues([NEWS, AD_ZH, AD_EN])
    assert news["selling_score"] == 0 and news["action_and_contact"] == 0
    for ad in (ad_zh, ad_en):
        assert ad["call_to_action"] > 0 and ad["promises"] > 0 and ad["contact_any"] == 1
        assert ad["action_and_contact"] == 1 and ad["selling_score"] >= 4
    assert ad_zh["short_url"] == 1 and ad_en["price_marks"] > 0


def test_news_prices_in_yuan_are_not_sales_prices():
    (row,) = cues(["该项目总投资120亿元,同比增长8.5%,票价为每人100元。"])
    assert row["price_marks"] == 0
    (sale,) = cues(["原价399元,今天仅需99元,包邮到家"])
    assert sale["price_marks"] > 0


def test_selling_window_is_the_mean_score_of_a_block_and_its_neighbours():
    blocks = segment_text("\n\n".join([NEWS, NEWS, AD_ZH, NEWS, NEWS]))
    matrix = page_features(blocks)
    score = matrix[:, FEATURE_NAMES.index("selling_score")]
    window = matrix[:, FEATURE_NAMES.index("selling_score_window")]
    assert score[2] > 0 and score[[0, 1, 3, 4]].sum() == 0
    assert np.allclose(window[2], score[2] / 5) and np.allclose(window[0], score[2] / 3)


def test_generic_selling_lists_name_no_product_of_any_spam_family():
    family_words = {w.lower() for f, words in lexicon.SPAM_FAMILIES.items()
                    if f not in ("contact_bait", "sales", "self_promotion") for w in words}
    generic = {w.lower() for words in lexicon.SELLING_LISTS.values() for w in words}
    # 稳赚 and free/official are promises any seller makes; the rest of the family words stay out
    assert generic & family_words <= {"稳赚"}
    for word in ("麻将", "挂", "外挂", "贷款", "账号", "网贷", "卖号", "代练", "外链", "收录", "快排", "seo", "backlinks",
                 "你", "您", "you", "free", "visit"):
        assert word not in generic


def test_spam_call_needs_probability_and_a_selling_signal():
    ad, news = (page_features(segment_text(t))[0] for t in (AD_ZH, NEWS))
    assert has_selling_signal(ad) and not has_selling_signal(news)
    sure = np.array([0.001, 0.001, 0.001, 0.997])
    assert LABELS[sure.argmax()] == SPAM and sure[3] >= SPAM_MIN_PROBABILITY
    labels, rules = decide(np.array([sure, sure]), np.array([ad, news]))
    assert labels[0] == LABELS.index(SPAM) and rules[0] is None
    assert labels[1] != LABELS.index(SPAM) and "selling signal" in rules[1]
    labels, rules = decide(np.array([[0.3, 0.1, 0.05, 0.55]]), np.array([ad]), min_probability=0.6)
    assert labels[0] == 0 and "below 0.6" in rules[0]


def test_a_block_whose_characters_read_like_spam_passes_the_selling_gate():
    """Without any selling cue, a spam call stands when the block's spam n-gram lift reaches
    SPAM_LIFT_MIN, and yields below it or when no lift is given."""
    news = page_features(segment_text(NEWS))[0]
    sure = np.array([[0.003, 0.012, 0.003, 0.982]] * 3)  # chrome next
    lifts = np.array([SPAM_LIFT_MIN, SPAM_LIFT_MIN - 0.01, 5.0])
    labels, rules = decide(sure, np.array([news] * 3), spam_lifts=lifts)
    assert labels.tolist()[:2] == [LABELS.index(SPAM), LABELS.index(CHROME)] and rules[0] is None
    assert labels[2] == LABELS.index(SPAM)
    assert decide(sure, np.array([news] * 3))[0].tolist() == [LABELS.index(CHROME)] * 3
    assert decide(sure, np.array([news] * 3), spam_lifts=lifts, lift_min=None)[0].tolist() == [LABELS.index(CHROME)] * 3


def test_cleaning_reads_the_spam_lift_the_model_computed(monkeypatch):
    """`Cleaner` hands the model's own n-gram lifts (computed once) to the spam rule."""
    from cleaner import Cleaner
    from cleaner import pipeline as pl

    seen = {}
    real = pl.decide

    def spy(proba, features, **kw):
        seen["lifts"] = kw.get("spam_lifts")
        return real(proba, features, **kw)

    monkeypatch.setattr(pl, "decide", spy)
    cleaner = Cleaner()
    result = cleaner.clean(AD_ZH + "\n\n" + NEWS, kind="text")
    texts = [p.text for p in result.paragraphs]
    assert np.allclose(seen["lifts"], cleaner.model.spam_lifts(cleaner.model.text_lifts(texts)))


def test_own_columns_are_unchanged_by_the_selling_lists():
    # the generic lists are scanned by patterns of their own: the older word-list columns stay as they were
    row = own_matrix([AD_ZH])[0]
    assert row[OWN.index("contact_bait")] > 0
    assert lexicon.ANY_CJK_WORD.pattern.count("赶紧") == 0


def test_an_unsure_spam_call_yields_only_to_body():
    """The probability bar guards article paragraphs: below it, spam yields when body is the next
    likeliest label, and stands when chrome or comment is (the text is the same either way)."""
    ad = page_features(segment_text(AD_ZH))[0]
    unsure_over_body = [0.3, 0.1, 0.05, 0.55]
    unsure_over_chrome = [0.05, 0.3, 0.1, 0.55]
    labels, rules = decide(np.array([unsure_over_body, unsure_over_chrome]), np.array([ad, ad]), min_probability=0.6)
    assert labels.tolist() == [LABELS.index(BODY), LABELS.index(SPAM)]
    assert "with body next" in rules[0] and rules[1] is None


def test_phone_numbers_count_in_the_formats_ads_print_them_and_dates_and_scores_do_not():
    phones = ["138-1234-5678", "138 1234 5678", "13812345678", "400-123-4567", "010-12345678", "+1 (201) 555-1234",
              "+44 7123 456789", "+91 12345 67890", "+1-201-555-1234", "(201) 555-1234", "+86 13812345678"]
    others = ["2024-10-12", "3-2", "+5.3%", "1,234,567", "2019-2020", "978-3-16-148410-0", "+12345", "第1-3季度"]
    column = OWN.index("has_phone")
    rows = own_matrix([f"咨询 {p} 。" for p in phones] + [f"比分 {o} 。" for o in others])
    assert rows[:len(phones), column].tolist() == [1.0] * len(phones)
    assert rows[len(phones):, column].tolist() == [0.0] * len(others)


def test_throwaway_urls_count_with_subdomains_and_bare_ip_addresses():
    throwaway = ["官网:www.jlm309.shop", "m.abc.top/x", "http://166.76.25.208:9881", "https://10.2.3.4/a"]
    plain = ["www.xinhuanet.com", "版本 1.2.3.4", "http://1.2.3", "see example.com/top"]
    assert [row["short_url"] for row in cues(throwaway)] == [1.0] * len(throwaway)
    assert [row["short_url"] for row in cues(plain)] == [0.0] * len(plain)


def test_selling_cue_candidates_are_phrases_that_several_families_share():
    from training.selling_cues import _candidates, _holds
    spam = {("a", "en"): ["call us now for a quote"] * 10, ("b", "en"): ["please call us now"] * 10,
            ("c", "en"): ["call us now, cheap"] * 10, ("d", "zh"): ["详情咨询本店"] * 10}
    found = _candidates(spam)
    assert "call us now" in found and "please" not in found and "详情咨询" not in found
    assert _holds("call us")("call us today") and not _holds("call us")("recall usage")


def test_an_at_handle_is_a_contact_id_only_beside_a_messengers_name():
    column = OWN.index("has_qq_wechat")
    sellers = ["Telegram: @realjohn12", "DM @thebest on Telegram", "电报@kefu123", "飞机：@abc_123", "TG @abcd1"]
    news = ["Follow her on Twitter @ErinAndrews for updates.", "Write to john@example.com.", "Posted online @someone"]
    rows = own_matrix(sellers + news)
    assert rows[:, column].tolist() == [1.0] * len(sellers) + [0.0] * len(news)
