from cleaner.html import segment_html
from cleaner.segment import squash

PAGE = """<html><head><title>Site | Big news</title>
<meta property="og:title" content="Big news">
<meta property="article:published_time" content="2025-01-02">
<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": "Ann Lee"},
 "articleBody": "The first paragraph of the story, with detail. The second paragraph."}</script>
<style>p {color: red}</style></head>
<body><nav class="main-nav"><a href="/">Home</a> <a href="/news">News</a></nav>
<article class="article-content"><h1>Big news</h1>
<p>The first paragraph of the story, with detail.</p>
<div>Text in a div<br>after a break <a href="#">with a link</a></div>
<p style="display:none">hidden text</p><script>var x = 1;</script>
<p>The second paragraph.</p></article>
<div id="comments"><p>Great read!</p></div></body></html>"""


def test_blocks_come_in_reading_order_without_scripts_styles_or_hidden_text():
    blocks, _ = segment_html(PAGE)
    texts = [b.text for b in blocks]
    assert texts == ["Home News", "Big news", "The first paragraph of the story, with detail.", "Text in a div",
                     "after a break with a link", "The second paragraph.", "Great read!"]


def test_dom_evidence_is_recorded_per_block():
    blocks, _ = segment_html(PAGE)
    by_text = {b.text: b for b in blocks}
    assert by_text["Home News"].link_chars == len("Home News") - 1
    assert by_text["Home News"].hints["path_chrome"] == 1.0
    assert by_text["Big news"].heading
    assert by_text["Great read!"].hints["path_comment"] == 1.0
    assert by_text["The first paragraph of the story, with detail."].hints["path_body"] == 1.0


def test_metadata_comes_from_og_json_ld_and_meta_tags():
    _, meta = segment_html(PAGE)
    assert meta.title == "Big news"
    assert meta.date == "2025-01-02"
    assert meta.author == "Ann Lee"
    assert meta.article_body.startswith("The first paragraph")


def test_deeply_nested_page_is_walked_without_recursion():
    depth = 20_000
    page = "<div>" * depth + "deep text" + "</div>" * depth
    blocks, _ = segment_html(page)
    assert [b.text for b in blocks] == ["deep text"]


def test_class_words_split_into_the_tokens_of_the_regex():
    from cleaner.html import _TOKEN_SPLIT, _tokens

    for word in ["article-content", "main__body", "postEntry", "ABCdef", "myURL", "x12", "news_detail-2",
                 "café", "Ａrticle", "post:content", "--", "123", "js-commentList", ""]:
        assert _tokens(word) == [t.lower() for t in _TOKEN_SPLIT.split(word) if t], word


def test_white_space_between_inline_tags_joins_words_and_the_first_piece_sets_the_depth():
    blocks, _ = segment_html("<body><p>\n <b class='x'>one</b> <i>two</i></p><div><span><a>three</a></span></div></body>")
    assert [(b.text, b.depth) for b in blocks] == [("one two", 2), ("three", 4)]


def test_ruby_readings_are_not_read_into_the_line():
    blocks, _ = segment_html("<body><p><ruby>子<rt>こ</rt></ruby>どもへの<ruby>虐待<rp>(</rp><rt>ぎゃくたい</rt>"
                             "<rp>)</rp></ruby>をなくす</p></body>")
    assert [b.text for b in blocks] == ["子どもへの虐待をなくす"]


def test_noscript_is_read_only_when_the_page_has_nothing_else():
    article = "<p>" + "The whole article of this page stands inside a noscript element. " * 5 + "</p>"
    only = segment_html(f"<body><div id=app></div><noscript>{article}</noscript></body>")[0]
    assert [b.text for b in only] == [squash(article[3:-4])]
    both = segment_html(f"<body>{article}<noscript><p>Please enable JavaScript.</p></noscript></body>")[0]
    assert "Please enable JavaScript." not in [b.text for b in both]


def test_lead_containers_are_a_family_of_their_own():
    blocks, _ = segment_html('<body><header><p class="article__lead">The lead.</p></header><p>Text.</p></body>')
    assert [b.hints["near_lead"] for b in blocks] == [1.0, 0.0]
