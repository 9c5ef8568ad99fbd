import random

from cleaner.labels import BODY, CHROME
from cleaner.repair import body_text, is_broken_pair, mark_layout_duplicates, mark_lead_teasers
from cleaner.result import Paragraph
from cleaner.segment import ELLIPSIS_END, TEASER_PREFIX, compact


def _body(texts):
    return [Paragraph(t, BODY, 1.0, i) for i, t in enumerate(texts)]


def test_all_broken_pairs_of_the_seeds_are_joined_with_gold_labels(seeds, joins):
    for page in seeds:
        paragraphs = [Paragraph(t, label, 1.0, i) for i, (t, label) in enumerate(page.paragraphs)]
        text = body_text(paragraphs, join_broken=True)
        for left, right in joins.get(page.id, []):
            assert left + right in text, (page.id, left, right)


def test_a_heading_is_never_joined_to_the_paragraph_after_it():
    assert not is_broken_pair("北京国际科创中心年度成绩单出炉", "本报讯(记者 张伟)1月25日,北京市统计局公布数据。")
    assert not is_broken_pair("看“高”:产业高端化、技术高尖化、投入高强度", "“十四五”以来,国家高新区迈出更加坚实的步伐。")
    assert not is_broken_pair("一句完整的话,到这里就结束了,后面是新的段落开头。", "新的段落。")


def test_english_halves_are_joined_with_a_space():
    text = body_text(_body(["The minister said on Tuesday that the budget, which was delayed, would be",
                            "presented to parliament next week."]), join_broken=True)
    assert text == "The minister said on Tuesday that the budget, which was delayed, would be presented to parliament next week."


def test_no_joining_on_html_pages():
    paragraphs = _body(["上海市浦东新区创造了上海市约40%的战略性新兴产业产值,总规模同比增长", "8.3%,达到9700亿元。"])
    assert body_text(paragraphs, join_broken=False).count("\n\n") == 1


def test_a_layout_duplicate_of_a_heading_becomes_chrome():
    paragraphs = _body(["看“新”:中试平台+双高协同", "正文第一段。", "看“新”:中试平台+双高协同"])
    mark_layout_duplicates(paragraphs)
    assert [p.label for p in paragraphs] == [BODY, BODY, CHROME]
    assert paragraphs[2].rule


def test_a_page_with_no_body_keeps_its_likeliest_body_paragraphs():
    from cleaner.repair import rescue_empty_body

    def page(chances):
        return [Paragraph(f"p{i}", CHROME, 1 - c, i, probabilities={BODY: c, CHROME: 1 - c})
                for i, c in enumerate(chances)]

    paragraphs = page([0.02, 0.40, 0.30, 0.15, 0.05])
    rescue_empty_body(paragraphs)
    assert [p.label for p in paragraphs] == [CHROME, BODY, BODY, CHROME, CHROME]
    assert paragraphs[1].rule and paragraphs[1].score == 0.40
    hopeless = page([0.02, 0.05, 0.09])  # nothing is fairly likely body: the page stays empty
    rescue_empty_body(hopeless)
    assert all(p.label == CHROME for p in hopeless)
    fine = [*page([0.3]), Paragraph("article", BODY, 0.9, 1, probabilities={BODY: 0.9})]
    rescue_empty_body(fine)  # a page with body is left alone
    assert fine[0].label == CHROME


def _teasers_by_definition(paragraphs):
    """mark_lead_teasers as first written: every body paragraph tried with the regex."""
    body = [p for p in paragraphs if p.label == BODY]
    last_start = {compact(q.text)[:TEASER_PREFIX]: i for i, q in enumerate(body)}
    for i, p in enumerate(body):
        stem = ELLIPSIS_END.sub("", p.text)
        if stem != p.text and len(key := compact(stem)[:TEASER_PREFIX]) >= TEASER_PREFIX and last_start.get(key, -1) > i:
            p.label, p.rule, p.score = CHROME, "teaser repeating the lead", p.probabilities.get(CHROME, 0.0)


def test_lead_teasers_equal_their_plain_definition():
    rng = random.Random(2)
    lead = "The minister said on Monday that the plan would go ahead"
    pool = [lead, lead[:30] + "...", lead[:25] + "…", lead[:21] + "。。。", "short...", "新闻。", "...", lead + "\n"]
    for _ in range(300):
        texts = [rng.choice(pool) for _ in range(rng.randint(0, 10))]
        labels = [rng.choice([BODY, BODY, CHROME]) for _ in texts]
        fast, plain = ([Paragraph(t, lab, 0.5, i, probabilities={CHROME: 0.25}) for i, (t, lab) in
                        enumerate(zip(texts, labels))] for _ in range(2))
        mark_lead_teasers(fast)
        _teasers_by_definition(plain)
        assert fast == plain
