"""The synthetic spam and comment generator (training/synth.py): deterministic, correctly labelled,
varied, and placed where the segmenters will find it."""

from __future__ import annotations

import copy
import random
import re
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.html import segment_html
from cleaner.labels import LABELS
from cleaner.segment import segment_text, squash
from training import synth

CJK = re.compile(r"[\u4e00-\u9fff]")
BAIT = re.compile(r"加微|微信|加V|\+V|薇|威信|vx|wx|QQ|扣扣|电话|热线|咨询|电报|飞机|Telegram|t\.me|下载地址|官网|点击|复制链接|戳这里|扫码|私信|"
                  r"主页|头像|WhatsApp|Email|@|https?://|www\.|bit\.ly|tinyurl|cutt\.ly|rb\.gy|is\.gd|t\.ly|shorturl|goo\.su|"
                  r"Call or text|Text \+|Signal|Discord|Link in bio|profile", re.I)

ZH_PAGE = {
    "id": "zh1", "source": "test/zh1.txt", "kind": "text",
    "paragraphs": [
        {"text": "国际影响力再提升!北京国际科创中心建设年度成绩单出炉", "label": "body"},
        {"text": "1月25日,北京市统计局盘点去年北京在建设国际科技创新中心方面取得的新进展新成就。去年,北京国际科技创新中心连续9年蝉联全球榜首。", "label": "body"},
        {"text": "创新策源功能持续强化。截至2025年末,北京市拥有全国重点实验室145家;在量子信息、脑科学与类脑等前沿领域建设10家新型研发机构。", "label": "body"},
        {"text": "数据显示,北京全社会研究与试验发展经费稳步增长,投入强度保持在6%左右,基础研究经费占比保持在16%左右,处于国际领先水平。", "label": "body"},
        {"text": "来源:北京日报 夏骅", "label": "body"},
        {"text": "本文来自作者[勤浩宇]投稿,不代表视听号立场,如若转载,请注明出处", "label": "chrome"},
        {"text": "联系我们", "label": "chrome"},
    ],
}

EN_PAGE = {
    "id": "en1", "source": "https://example.com/news/1", "kind": "html",
    "paragraphs": [
        {"text": "Home", "label": "chrome"},
        {"text": "City council approves new rail line after years of debate", "label": "body"},
        {"text": "The city council voted on Tuesday to approve the long-delayed rail line, ending a debate that has divided residents for nearly a decade.", "label": "body"},
        {"text": "Supporters said the project would cut commute times and reduce traffic, while critics warned that the budget had doubled since the plan was first proposed.", "label": "body"},
        {"text": "Construction is expected to begin next spring and last about four years, officials said.", "label": "body"},
        {"text": "© 2025 Example News. All rights reserved.", "label": "chrome"},
    ],
}

HTML_PAGE = """<!DOCTYPE html><html><head><title>{title}</title>
<script>var p = "<p>not a paragraph, a string in a script</p>";</script></head>
<body><div class="nav"><a href="/">{home}</a></div>
<div class="article"><h1>{title}</h1>
<p>{p1}</p>
<p>{p2}</p>
<p>{p3}</p>
</div>
<div class="side"><h3>{rel}</h3><ul class="related-list"><li><a href="/a/1">{r1}</a></li><li><a href="/a/2">{r2}</a></li></ul></div>
<div class="footer">© 2025</div>
</body></html>"""

ZH_HTML = HTML_PAGE.format(
    title="北京国际科创中心建设年度成绩单出炉", home="首页", rel="相关推荐",
    p1="1月25日,北京市统计局盘点去年北京在建设国际科技创新中心方面取得的新进展新成就,成绩亮眼。",
    p2="创新策源功能持续强化。截至2025年末,北京市拥有全国重点实验室145家,新型研发机构10家。",
    p3="数据显示,北京全社会研究与试验发展经费稳步增长,投入强度保持在6%左右,处于国际领先水平。",
    r1="北京发布新能源汽车三年行动计划", r2="多地出台养老服务支持政策")
EN_HTML = HTML_PAGE.format(
    title="City council approves new rail line", home="Home", rel="Related",
    p1="The city council voted on Tuesday to approve the long-delayed rail line, ending a long debate.",
    p2="Supporters said the project would cut commute times, while critics pointed to the doubled budget.",
    p3="Construction is expected to begin next spring and last about four years, officials said on Tuesday.",
    r1="Five things to know about the rail line", r2="Opinion: the budget deserves a second look")


def key(text: str) -> str:
    return "".join(text.split())


def is_subsequence(small: list, big: list) -> bool:
    items = iter(big)
    return all(any(x == y for y in items) for x in small)


# --- spam paragraphs ---------------------------------------------------------------------------


def test_same_seed_gives_the_same_spam_and_threads():
    for family in synth.FAMILIES:
        for lang in synth.family_langs(family):
            a = [synth.spam_paragraph(family, lang, random.Random(5)) for _ in range(3)]
            b = [synth.spam_paragraph(family, lang, random.Random(5)) for _ in range(3)]
            assert a == b
    assert synth.comment_thread("zh", random.Random(1), "标题", machine=2) == \
        synth.comment_thread("zh", random.Random(1), "标题", machine=2)


def test_every_family_yields_text_in_each_of_its_languages_and_forms():
    assert set(synth.FAMILIES) == set(synth.template_counts())
    rng = random.Random(0)
    for family in synth.FAMILIES:
        langs = synth.family_langs(family)
        assert langs, family
        for lang in langs:
            for form in synth.FORMS:
                text = synth.spam_paragraph(family, lang, rng, form=form)
                assert text.strip() and text == text.strip(), (family, lang, form)
                if lang == "zh":
                    assert CJK.search(text), (family, form, text)
                else:
                    assert not CJK.search(text), (family, form, text)


def test_families_exist_in_the_languages_their_spam_is_written_in():
    assert synth.family_langs("invoice") == ("zh",)
    assert synth.family_langs("private_server") == ("zh",)
    assert synth.family_langs("essay_writing") == ("en",)
    for family in ("game_cheat", "gambling", "loan", "click_farm", "pharma", "seo_links", "machine_comment",
                   *synth.TRAIN_ONLY_FAMILIES):
        assert synth.family_langs(family) == ("zh", "en")


def test_major_families_have_at_least_fifteen_templates_per_language():
    for family, counts in synth.template_counts().items():
        for lang, n in counts.items():
            assert n >= 15, (family, lang, n)


def test_every_template_renders_without_leftover_slot_syntax():
    rng = random.Random(3)
    for family in synth.FAMILIES:
        for lang in synth.family_langs(family):
            for _ in range(60):
                text = synth.spam_paragraph(family, lang, rng)
                assert "{" not in text and "}" not in text, (family, lang, text)
    for lang in synth.LANGS:
        for _ in range(30):
            for line in synth.comment_thread(lang, rng, "A title: with a topic", machine=1):
                assert "{" not in line["text"] and "}" not in line["text"]


def test_spam_is_varied_rather_than_near_duplicate():
    for family in synth.FAMILIES:
        for lang in synth.family_langs(family):
            rng = random.Random(11)
            texts = [synth.spam_paragraph(family, lang, rng, form="teaser") for _ in range(100)]
            assert len(set(texts)) >= 95, (family, lang)
            openings = {t[:8] for t in texts}
            assert len(openings) >= 15, (family, lang, len(openings))


def test_some_spam_carries_contact_bait_and_some_does_not():
    for family in ("game_cheat", "gambling", "loan", "click_farm", "counterfeit", "pharma", *synth.TRAIN_ONLY_FAMILIES):
        for lang in synth.family_langs(family):
            rng = random.Random(2)
            texts = [synth.spam_paragraph(family, lang, rng, form="teaser") for _ in range(200)]
            baited = sum(bool(BAIT.search(t)) for t in texts)
            assert 20 <= baited <= 180, (family, lang, baited)


@pytest.mark.parametrize("family", synth.TRAIN_ONLY_FAMILIES)
def test_every_template_of_the_train_only_families_renders_in_both_languages(family):
    """Each template on its own (not a random draw), with and without contact bait, many times."""
    data = synth._family_file(family)
    assert set(synth.FORMS) <= {form for lang in synth.LANGS for form in data[lang]}
    for lang in synth.LANGS:
        spec = data[lang]
        slots = [spec["slots"], synth._common(lang)]
        counts = {form: len(spec[form]) for form in synth.FORMS}
        assert counts["title"] >= 7 and counts["teaser"] >= 9 and counts["comment"] >= 4, (family, lang, counts)
        rng = random.Random(f"{family}:{lang}")
        for form in synth.FORMS:
            for template in spec[form]:
                texts = set()
                for i in range(12):
                    text = synth._tidy(synth._Renderer(rng, slots, bait=i % 2 == 0).render(template), lang)
                    assert text and "{" not in text and "}" not in text, (family, lang, template, text)
                    assert bool(CJK.search(text)) == (lang == "zh"), (family, lang, text)
                    texts.add(text)
                assert len(texts) >= 6, (family, lang, template)
        for name, values in spec["slots"].items():  # every slot value renders too, even if rarely drawn
            for value in values:
                text = synth._Renderer(rng, slots).render(value)
                assert "{" not in text and "}" not in text, (family, lang, name, value)


def test_train_only_families_have_no_lexicon_list_and_are_new():
    assert set(synth.FAMILIES) == set(synth.SPLIT_FAMILIES) | set(synth.TRAIN_ONLY_FAMILIES)
    assert not set(synth.SPLIT_FAMILIES) & set(synth.TRAIN_ONLY_FAMILIES)
    assert synth.lexicon_lists(synth.TRAIN_ONLY_FAMILIES) == ()
    assert not set(synth.LEXICON_LIST) & set(synth.TRAIN_ONLY_FAMILIES)


def test_machine_comments_quote_the_page_they_stand_on():
    context = {"title": "北京国际科创中心建设年度成绩单出炉", "site": "视听号", "author": "勤浩宇",
               "lead_cut": "1月25日,北京市统计局盘点去年", "topic": "科创中心"}
    rng = random.Random(4)
    texts = [synth.spam_paragraph("machine_comment", "zh", rng, form="comment", context=context) for _ in range(80)]
    assert any("《北京国际科创中心建设年度成绩单出炉》" in t for t in texts)
    assert any("视听号" in t for t in texts)
    assert any(t.startswith("本文概览") and "1月25日" in t for t in texts)


def test_unknown_family_language_or_form_is_refused():
    rng = random.Random(0)
    with pytest.raises(ValueError, match="unknown spam family"):
        synth.spam_paragraph("phishing", "zh", rng)
    with pytest.raises(ValueError, match="no 'en' templates"):
        synth.spam_paragraph("invoice", "en", rng)
    with pytest.raises(ValueError, match="unknown form"):
        synth.spam_paragraph("loan", "zh", rng, form="haiku")
    with pytest.raises(ValueError, match="unknown language"):
        synth.comment_thread("fr", rng, "Titre")


# --- comment threads ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", synth.LANGS)
def test_comment_thread_has_no_spam_label_unless_machine_comments_are_asked(lang):
    for seed in range(30):
        lines = synth.comment_thread(lang, random.Random(seed), "City council approves new rail line")
        assert lines and {line["label"] for line in lines} == {"comment"}
        assert all(set(line) == {"text", "label"} and line["text"].strip() for line in lines)


@pytest.mark.parametrize("lang", synth.LANGS)
def test_comment_thread_labels_exactly_the_machine_comments_spam(lang):
    for seed in range(20):
        lines = synth.comment_thread(lang, random.Random(seed), "北京科创中心成绩单出炉", n=3, machine=2)
        assert sum(line["label"] == "spam" for line in lines) == 2
        assert {line["label"] for line in lines} == {"comment", "spam"}


def test_comment_thread_names_the_story_and_counts_its_comments():
    title = "City council approves new rail line after years of debate"
    texts = [line["text"] for seed in range(40) for line in synth.comment_thread("en", random.Random(seed), title, n=5)]
    assert any("rail line" in t.lower() or "city council" in t.lower() for t in texts)
    assert any(re.search(r"\b5\b", t) and "omment" in t for t in texts)


# --- injection into text pages -------------------------------------------------------------------


@pytest.mark.parametrize("page", [ZH_PAGE, EN_PAGE], ids=["zh", "en"])
def test_inject_does_not_mutate_the_input_page(page):
    before = copy.deepcopy(page)
    out = synth.inject(page, random.Random(0), synth.FAMILIES, spam_rate=1.0)
    assert page == before
    assert out is not page and out["paragraphs"] is not page["paragraphs"]


@pytest.mark.parametrize("page", [ZH_PAGE, EN_PAGE], ids=["zh", "en"])
def test_inject_keeps_the_original_paragraphs_in_order_and_uses_only_valid_labels(page):
    for seed in range(25):
        out = synth.inject(page, random.Random(seed), synth.FAMILIES)
        paragraphs = out["paragraphs"]
        assert all(p["label"] in LABELS for p in paragraphs)
        assert all(set(p) == ({"text", "label", "family"} if p["label"] == "spam" else {"text", "label"})
                   for p in paragraphs)
        original = [(p["text"], p["label"]) for p in page["paragraphs"]]
        assert is_subsequence(original, [(p["text"], p["label"]) for p in paragraphs])
        assert out["kind"] == "text" and out["id"] == page["id"]


def test_inject_is_deterministic_in_the_seed():
    a = synth.inject(ZH_PAGE, random.Random(9), synth.FAMILIES)
    b = synth.inject(ZH_PAGE, random.Random(9), synth.FAMILIES)
    c = synth.inject(ZH_PAGE, random.Random(10), synth.FAMILIES)
    assert a == b and a != c


@pytest.mark.parametrize("page", [ZH_PAGE, EN_PAGE], ids=["zh", "en"])
def test_injected_raw_text_segments_into_exactly_the_labelled_paragraphs(page):
    for seed in range(25):
        out = synth.inject(page, random.Random(seed), synth.FAMILIES)
        blocks = [squash(b.text) for b in segment_text(out["raw"])]
        assert blocks == [squash(p["text"]) for p in out["paragraphs"]]


def test_inject_puts_spam_between_body_paragraphs_and_appends_a_thread_after_the_body():
    found_gap = found_thread = False
    for seed in range(30):
        out = synth.inject(ZH_PAGE, random.Random(seed), synth.FAMILIES, spam_rate=1.0)
        labels = [p["label"] for p in out["paragraphs"]]
        found_gap |= any(a == "body" and b == "spam" and c == "body" for a, b, c in zip(labels, labels[1:], labels[2:]))
        last_body = max(i for i, lab in enumerate(labels) if lab == "body")
        first_comment = labels.index("comment")
        found_thread |= first_comment > last_body
        assert "comment" not in labels[:last_body]
    assert found_gap and found_thread


def test_inject_adds_spam_items_inside_an_existing_recommended_list_with_chrome_scaffolding():
    page = copy.deepcopy(ZH_PAGE)
    items = []
    for k in range(4):
        items += [{"text": f"• 第{k}条推荐新闻的标题在这里", "label": "chrome"},
                  {"text": f"2025年0{k + 1}月1{k}日", "label": "chrome"}, {"text": f"{100 + k}", "label": "chrome"}]
    page["paragraphs"][5:5] = [{"text": "文章推荐", "label": "chrome"}, *items]
    seen = False
    for seed in range(20):
        out = synth.inject(page, random.Random(seed), ["gambling", "loan"], spam_rate=1.0, comments=False)
        paras = out["paragraphs"]
        for i, p in enumerate(paras):
            if p["label"] == "spam" and p["text"].startswith("• "):
                seen = True
                assert paras[i + 1]["label"] == "chrome" and re.match(r"\d{4}年\d{2}月\d{2}日$", paras[i + 1]["text"])
                assert paras[i + 2]["label"] == "chrome" and paras[i + 2]["text"].isdigit()
    assert seen


def test_inject_mixes_machine_comments_into_an_existing_thread_without_a_second_thread():
    page = copy.deepcopy(ZH_PAGE)
    page["paragraphs"][5:5] = [{"text": "评论列表(1条)", "label": "comment"}, {"text": "• 张三", "label": "comment"},
                               {"text": "张三 2026年01月27日", "label": "comment"}, {"text": "写得好", "label": "comment"}]
    for seed in range(10):
        out = synth.inject(page, random.Random(seed), ["machine_comment"], spam_rate=1.0)
        texts = [p["text"] for p in out["paragraphs"]]
        assert texts.count("评论列表(1条)") == 1
        assert any(p["label"] == "spam" for p in out["paragraphs"])
        assert out["synth"]["families"] == ["machine_comment"]


def test_inject_with_zero_spam_rate_adds_no_spam_and_without_comments_no_thread():
    for seed in range(20):
        out = synth.inject(ZH_PAGE, random.Random(seed), synth.FAMILIES, spam_rate=0.0)
        assert all(p["label"] != "spam" for p in out["paragraphs"])
        assert any(p["label"] == "comment" for p in out["paragraphs"])
        out = synth.inject(EN_PAGE, random.Random(seed), synth.FAMILIES, comments=False)
        assert all(p["label"] != "comment" for p in out["paragraphs"])


def test_inject_uses_only_the_given_families_in_the_page_language():
    train, _ = synth.split_families(0)
    for seed in range(30):
        out = synth.inject(EN_PAGE, random.Random(seed), train, spam_rate=1.0)
        assert out["synth"]["lang"] == "en"
        assert set(out["synth"]["families"]) <= set(train)
        assert not {"invoice", "private_server"} & set(out["synth"]["families"])


def test_inject_matches_the_page_punctuation_width():
    out = synth.inject(ZH_PAGE, random.Random(1), synth.FAMILIES, spam_rate=1.0)
    added = [p["text"] for p in out["paragraphs"] if p["label"] in ("spam", "comment")]
    assert not any("，" in t or "！" in t for t in added)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(["body", "chrome", "comment"]),
                       st.text(alphabet="北京科创中心建设成绩单出炉的新进展abc ,.。1234•", min_size=1, max_size=80)),
             max_size=12),
    st.integers(0, 2**32), st.floats(0, 1),
)
def test_inject_keeps_its_invariants_on_arbitrary_pages(rows, seed, rate):
    page = {"id": "h", "source": "h.txt", "kind": "text",
            "paragraphs": [{"text": squash(t) or "x", "label": lab} for lab, t in rows]}
    before = copy.deepcopy(page)
    out = synth.inject(page, random.Random(seed), synth.FAMILIES, spam_rate=rate)
    assert page == before
    assert all(p["label"] in LABELS for p in out["paragraphs"])
    assert is_subsequence([(p["text"], p["label"]) for p in page["paragraphs"]],
                          [(p["text"], p["label"]) for p in out["paragraphs"]])
    assert out["raw"].strip() or not out["paragraphs"]


# --- injection into HTML -----------------------------------------------------------------------


@pytest.mark.parametrize(("html", "lang"), [(ZH_HTML, "zh"), (EN_HTML, "en")], ids=["zh", "en"])
def test_inject_html_output_parses_and_contains_every_inserted_text(html, lang):
    for seed in range(25):
        out, added = synth.inject_html(html, random.Random(seed), synth.FAMILIES, lang)
        blocks = {key(b.text) for b in segment_html(out)[0]}
        assert added and all(a["label"] in LABELS for a in added)
        for item in added:
            assert key(item["text"]) in blocks, item
        original = {key(b.text) for b in segment_html(html)[0]}
        assert original <= blocks  # nothing of the page was lost


def test_inject_html_places_spam_in_the_article_the_related_list_and_the_comments():
    places = set()
    for seed in range(30):
        out, added = synth.inject_html(ZH_HTML, random.Random(seed), synth.FAMILIES, "zh", spam_rate=1.0)
        blocks, _ = segment_html(out)
        spam = {key(a["text"]) for a in added if a["label"] == "spam"}
        footer = next(i for i, block in enumerate(blocks) if block.text == "© 2025")
        for i, block in enumerate(blocks):
            if key(block.text) not in spam:
                continue
            if block.tag == "p" and "article" in block.path:
                places.add("paragraph")
            elif block.tag == "li" and "related" in block.path:
                places.add("list")
            elif i > footer:  # the comment section goes in before </body>
                places.add("thread")
    assert places == {"paragraph", "list", "thread"}


def test_inject_html_is_deterministic_and_leaves_script_strings_alone():
    a = synth.inject_html(EN_HTML, random.Random(3), synth.FAMILIES, "en")
    assert a == synth.inject_html(EN_HTML, random.Random(3), synth.FAMILIES, "en")
    assert '"<p>not a paragraph, a string in a script</p>";</script>' in a[0]


def test_inject_html_comment_sections_do_not_always_say_comment():
    classes = set()
    for seed in range(40):
        out, _ = synth.inject_html(EN_HTML, random.Random(seed), synth.FAMILIES, "en")
        classes.add('class="comments" id="comment"' in out)
        classes.add("comment" in out.lower())
    assert classes == {True, False}


def test_inject_html_without_comments_or_spam_adds_only_chrome():
    for seed in range(10):
        _, added = synth.inject_html(ZH_HTML, random.Random(seed), synth.FAMILIES, "zh", comments=False, spam_rate=0)
        assert {a["label"] for a in added} <= {"chrome"}


# --- the family of every generated spam paragraph ------------------------------------------------

FAMILIES_ASKED = ("gambling", "loan", "adult", "surrogacy", "machine_comment")


def _spy_on_spam(monkeypatch) -> list[tuple[str, str]]:
    """(text, family) of every spam text `synth._spam` writes from now on: the truth to check the
    family each paragraph carries against."""
    written: list[tuple[str, str]] = []
    write = synth._spam

    def spy(family, *args, **kwargs):
        text = write(family, *args, **kwargs)
        written.append((text, family))
        return text

    monkeypatch.setattr(synth, "_spam", spy)
    return written


def _writers(text: str, written: list[tuple[str, str]]) -> set[str]:
    """The families that wrote `text`, also behind a bullet, before a date, or cut short with an ellipsis."""
    return {family for made, family in written if made in text or text.rstrip(".…") in made}


def _check_families(paragraphs, written, families) -> int:
    """Every spam paragraph carries the family that wrote it, one of `families`; no other one carries
    a family. Returns the number of spam paragraphs."""
    spam = [p for p in paragraphs if p["label"] == "spam"]
    assert all("family" not in p for p in paragraphs if p["label"] != "spam")
    for p in spam:
        assert p["family"] in families and p["family"] in _writers(p["text"], written), p
    return len(spam)


def _numbered_list_page() -> dict:
    """ZH_PAGE with a recommended list of numbered items, as `1、 title` lines (a bullet that is a
    word character: family_of by text prefix used to lose these)."""
    page = copy.deepcopy(ZH_PAGE)
    items = [{"text": f"{k + 1}、 第{k}条推荐新闻的标题在这里", "label": "chrome"} for k in range(4)]
    page["paragraphs"][5:5] = [{"text": "文章推荐", "label": "chrome"}, *items]
    return page


@pytest.mark.parametrize("page", [ZH_PAGE, EN_PAGE, _numbered_list_page()], ids=["zh", "en", "zh-list"])
def test_every_spam_paragraph_of_a_text_page_carries_the_family_that_wrote_it(page, monkeypatch):
    written = _spy_on_spam(monkeypatch)
    spam = 0
    for seed in range(20):
        out = synth.inject(page, random.Random(seed), FAMILIES_ASKED, spam_rate=1.0)
        spam += _check_families(out["paragraphs"], written, FAMILIES_ASKED)
        assert {p["family"] for p in out["paragraphs"] if "family" in p} <= set(out["synth"]["families"])
        out = synth.vary(out, random.Random(seed), ("pharma", "vpn_proxy"))
        spam += _check_families(out["paragraphs"], written, (*FAMILIES_ASKED, "pharma", "vpn_proxy"))
    assert spam >= 100


@pytest.mark.parametrize(("html", "lang"), [(ZH_HTML, "zh"), (EN_HTML, "en")], ids=["zh", "en"])
def test_every_spam_text_added_to_html_carries_the_family_that_wrote_it(html, lang, monkeypatch):
    written = _spy_on_spam(monkeypatch)
    spam = 0
    for seed in range(20):
        out, added = synth.inject_html(html, random.Random(seed), FAMILIES_ASKED, lang, spam_rate=1.0)
        _, more = synth.vary_html(out, random.Random(seed), FAMILIES_ASKED, lang)
        spam += _check_families(added + more, written, FAMILIES_ASKED)
    assert spam >= 60


def test_machine_comments_of_a_thread_carry_their_family(monkeypatch):
    written = _spy_on_spam(monkeypatch)
    for seed in range(10):
        lines = synth.comment_thread("zh", random.Random(seed), "北京科创中心成绩单出炉", machine=3,
                                     families=("machine_comment", "loan"))
        assert _check_families(lines, written, ("machine_comment", "loan")) == 3


def test_training_groups_keep_each_familys_spam_together(monkeypatch):
    """The generated pages of `train_model` name each spam paragraph's family in `extra["groups"]`, so
    `row_groups` gives all spam of one family, whatever page it came from, one fold group."""
    from cleaner.data import LabelledPage
    from cleaner.train import row_groups
    from training import train_model

    written = _spy_on_spam(monkeypatch)
    pages = [LabelledPage(id=p["id"], kind="text", source=p["source"], raw="\n\n".join(q["text"] for q in p["paragraphs"]),
                          paragraphs=[(q["text"], q["label"]) for q in p["paragraphs"]])
             for p in (ZH_PAGE, EN_PAGE, _numbered_list_page() | {"id": "zh2"})]
    families = ("gambling", "loan", "adult", "machine_comment")
    made = (train_model.synthetic_pages(pages, 1, families, html_pages=0)
            + train_model.varied_pages(pages, 1, families, html_pages=0)
            + train_model.small_pages(pages, 1, count=60, families=families))
    groups_of = defaultdict(set)
    sources_of = defaultdict(set)
    for page in made:
        texts = [t for t, _ in page.paragraphs]
        labels = [lab for _, lab in page.paragraphs]
        # the source pages have no spam: every spam paragraph here is generated, and named
        assert set(page.extra.get("groups", {})) == {t for t, lab in page.paragraphs if lab == "spam"}
        for text, label, group in zip(texts, labels, row_groups(page, texts, labels)):
            if label != "spam":
                assert group == page.id.split("#")[0]
                continue
            family = group.removeprefix("spam:")
            assert family in families and family in _writers(text, written), (text, group)
            groups_of[family].add(group)
            sources_of[family].add(page.id.split("#")[0])
    assert set(groups_of) >= {"gambling", "loan", "machine_comment"}
    assert all(groups == {f"spam:{family}"} for family, groups in groups_of.items())
    assert any(len(sources) >= 2 for sources in sources_of.values())  # one group across source pages


# --- family split ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(50))
def test_family_split_is_disjoint_complete_and_holds_out_game_cheat(seed):
    train, test = synth.split_families(seed)
    assert not set(train) & set(test)
    assert set(train) | set(test) == set(synth.FAMILIES)
    assert "game_cheat" in test and "machine_comment" in train
    assert len(test) >= 2 and len(train) >= 2
    assert synth.split_families(seed) == (train, test)


def _split_before_train_only_families(seed: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """split_families as it was before TRAIN_ONLY_FAMILIES existed (FAMILIES were the 14 of SPLIT_FAMILIES)."""
    families = synth.SPLIT_FAMILIES
    rest = [f for f in families if f not in synth.PINNED_TEST and f not in synth.PINNED_TRAIN]
    random.Random(f"split_families:{seed}").shuffle(rest)
    test = {*synth.PINNED_TEST, *rest[:max(0, round(synth.TEST_SHARE * len(families)) - len(synth.PINNED_TEST))]}
    return tuple(f for f in families if f not in test), tuple(f for f in families if f in test)


@pytest.mark.parametrize("seed", [*range(100), 20261124])
def test_train_only_families_leave_the_split_as_it_was(seed):
    old_train, old_test = _split_before_train_only_families(seed)
    train, test = synth.split_families(seed)
    assert test == old_test
    assert train == old_train + synth.TRAIN_ONLY_FAMILIES


def test_benchmark_split_and_validation_families_are_pinned():
    """bench_spam's held-out families and tune_spam's validation families (training.train_model.SEED)."""
    from training import tune_spam
    from training.train_model import SEED

    assert SEED == 20261124
    train, test = synth.split_families(SEED)
    assert test == ("game_cheat", "loan", "account_trade", "seo_links")
    fit, held = tune_spam.validation_families(SEED)
    assert held == ("gambling", "pharma", "essay_writing")
    assert set(synth.TRAIN_ONLY_FAMILIES) <= set(fit) and set(fit) | set(held) == set(train)
    for seed in range(30):
        assert not set(tune_spam.validation_families(seed)[1]) & set(synth.TRAIN_ONLY_FAMILIES)


def test_train_only_families_cannot_be_pinned_to_the_test_side():
    with pytest.raises(ValueError, match="train-only"):
        synth.split_families(0, pinned_test=("game_cheat", synth.TRAIN_ONLY_FAMILIES[0]))


def test_family_split_changes_with_the_seed_and_can_pin_more_families():
    assert len({synth.split_families(s) for s in range(20)}) > 1
    _, test = synth.split_families(0, pinned_test=("game_cheat", "machine_comment"), pinned_train=())
    assert {"game_cheat", "machine_comment"} <= set(test)
    with pytest.raises(ValueError, match="both sides"):
        synth.split_families(0, pinned_test=("loan",), pinned_train=("loan",))


# --- varied placements and look-alikes (training data only) --------------------------------------


@pytest.mark.parametrize("page", [ZH_PAGE, EN_PAGE], ids=["zh", "en"])
def test_vary_keeps_the_page_in_order_and_its_raw_text_segments_into_the_labelled_paragraphs(page):
    for seed in range(25):
        before = copy.deepcopy(page)
        out = synth.vary(page, random.Random(seed), synth.FAMILIES)
        assert page == before
        original = [(p["text"], p["label"]) for p in page["paragraphs"]]
        assert is_subsequence(original, [(p["text"], p["label"]) for p in out["paragraphs"]])
        assert all(p["label"] in LABELS for p in out["paragraphs"])
        assert [squash(b.text) for b in segment_text(out["raw"])] == [squash(p["text"]) for p in out["paragraphs"]]
    assert synth.vary(page, random.Random(3), synth.FAMILIES) == synth.vary(page, random.Random(3), synth.FAMILIES)


def test_vary_puts_spam_in_places_inject_does_not_and_lookalikes_as_body():
    before_title = after_title = lookalike = False
    for seed in range(40):
        out = synth.vary(ZH_PAGE, random.Random(seed), ["gambling", "adult"], lookalike_rate=1.0)
        labels = [p["label"] for p in out["paragraphs"]]
        first_body = labels.index("body")
        before_title |= "spam" in labels[:first_body]
        after_title |= labels[first_body + 1] == "spam"
        added_body = [p["text"] for p in out["paragraphs"] if p["label"] == "body"
                      and p["text"] not in {q["text"] for q in ZH_PAGE["paragraphs"]}]
        assert 1 <= len(added_body) <= 2
        lookalike |= any(CJK.search(t) and ("警方" in t or "法院" in t or "监管" in t or "记者" in t or "海关" in t
                                            or "数据" in t or "专家" in t or "据" in t) for t in added_body)
    assert before_title and after_title and lookalike


def test_lookalikes_report_rather_than_sell():
    rng = random.Random(2)
    for lang in ("zh", "en"):
        texts = [synth.lookalike_paragraph(lang, rng) for _ in range(60)]
        assert len(set(texts)) > 40
        assert not any("{" in t or "}" in t for t in texts)
        # news about scams may quote a scam's words, but never gives a contact to reach
        assert not any(re.search(r"(?:微信|vx|wx|QQ)\s*[:：]\s*\w{5,}|t\.me/|bit\.ly/", t) for t in texts)


@pytest.mark.parametrize(("html", "lang"), [(ZH_HTML, "zh"), (EN_HTML, "en")], ids=["zh", "en"])
def test_vary_html_output_contains_every_inserted_text_and_loses_nothing(html, lang):
    outside_article = False
    for seed in range(25):
        out, added = synth.vary_html(html, random.Random(seed), ["gambling", "pharma"], lang)
        blocks, _ = segment_html(out)
        keys = {key(b.text) for b in blocks}
        assert added and all(a["label"] in ("spam", "body") for a in added)
        for item in added:
            assert key(item["text"]) in keys, item
        assert {key(b.text) for b in segment_html(html)[0]} <= keys
        spam = {key(a["text"]) for a in added if a["label"] == "spam"}
        outside_article |= any(key(b.text) in spam and "article" not in b.path for b in blocks)
    assert outside_article


@given(st.lists(st.tuples(st.sampled_from(["body", "chrome", "comment"]),
                          st.sampled_from(["北京市统计局发布数据显示全市经济稳中向好。", "首页", "网友评论", "说得好",
                                           "The council voted on Tuesday to approve the plan."])),
                min_size=1, max_size=12), st.integers(0, 1000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_vary_keeps_its_invariants_on_arbitrary_pages(rows, seed):
    page = {"id": "x", "kind": "text", "paragraphs": [{"text": t, "label": lab} for lab, t in rows]}
    out = synth.vary(page, random.Random(seed), synth.FAMILIES)
    assert is_subsequence([(t, lab) for lab, t in rows], [(p["text"], p["label"]) for p in out["paragraphs"]])


def test_tune_spam_prefers_the_rule_that_meets_the_bar_else_the_fewest_pages_losing_body_then_recall():
    from training.tune_spam import MAX_PAGES_LOSING, choose

    def stats(recall, losing, comments=0.0):
        return (recall, 0.9, 0.9, losing, comments)

    over = MAX_PAGES_LOSING * 2.3
    # none meets the bar: the fewest pages losing body, and among ties the highest recall (not the first seen)
    assert choose([("a", stats(0.60, over)), ("b", stats(0.75, over)), ("c", stats(0.90, over * 1.5))]) == (
        ("b", stats(0.75, over)), False)
    # one meets it: it wins over a higher recall that does not; too many comments called spam never wins
    assert choose([("a", stats(0.90, over)), ("b", stats(0.50, MAX_PAGES_LOSING)), ("c", stats(0.95, 0.0, 0.5))]) == (
        ("b", stats(0.50, MAX_PAGES_LOSING)), True)


def test_tune_spam_chooses_over_several_validations_by_each_rules_worst_case():
    from training.tune_spam import MAX_PAGES_LOSING, choose_jointly

    def stats(recall, losing, comments=0.0):
        return (recall, 0.9, 0.9, losing, comments)

    edge = [stats(0.80, MAX_PAGES_LOSING), stats(0.82, MAX_PAGES_LOSING * 1.7)]  # breaks the bar in one run
    safe = [stats(0.70, MAX_PAGES_LOSING / 3), stats(0.72, MAX_PAGES_LOSING / 2)]
    best, met = choose_jointly([("edge", edge), ("safe", safe)])
    assert met and best == ("safe", (0.70, 0.9, 0.9, MAX_PAGES_LOSING / 2, 0.0))
    best, met = choose_jointly([("edge", edge)])
    assert not met and best[0] == "edge" and best[1][3] == MAX_PAGES_LOSING * 1.7
