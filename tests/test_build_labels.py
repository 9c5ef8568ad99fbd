"""The labelling rules of trafilatura-eval training pages (training/build.py)."""

from cleaner.html import segment_html
from cleaner.labels import BODY, CHROME, LABELS
from training.build import apply_overrides, fill_between_body, label_article_lead, peer_kept, read_overrides

ARTICLE = "Theministermetthedelegationonmonday." + "Thetalkslastedfivehours." + "5" + "Shewillreturnnextweek,aspokesmansaid."


def test_long_block_kept_wherever_the_peer_has_it():
    keys = ["Thetalkslastedfivehours.", "Somethingelseentirelythatisnotthere"]
    assert peer_kept(keys, ARTICLE) == [True, False]


def test_short_block_kept_only_next_to_a_kept_neighbour():
    # "5" stands in the article between two kept blocks: kept
    keys = ["Thetalkslastedfivehours.", "5", "Shewillreturnnextweek,aspokesmansaid."]
    assert peer_kept(keys, ARTICLE) == [True, True, True]
    # a "Home" or "5" in the navigation, far from any kept block: not kept, though the text has it
    nav = ["Home", "5", "Sport", "Theministermetthedelegationonmonday."]
    assert peer_kept(nav, ARTICLE) == [False, False, False, True]
    assert peer_kept(["on", "Menu"], ARTICLE) == [False, False]


def test_short_blocks_chain_from_a_kept_neighbour_and_allow_table_bars():
    out = "Resultsofthewomen'sfinal:|Name|Time|Anna|12,3|"
    keys = ["Resultsofthewomen'sfinal:", "Name", "Time", "Anna", "12,3", "Next"]
    assert peer_kept(keys, out) == [True, True, True, True, True, False]
    # backwards too: short cells just before a kept paragraph
    assert peer_kept(["Menu", "Fazit", "Dasistdaslangeschlusswort."], "Fazit|Dasistdaslangeschlusswort.") == [
        False, True, True]


def test_fill_between_body():
    labels = [CHROME, None, BODY, None, None, BODY, None, CHROME, None]
    fill_between_body(labels)
    assert labels == [CHROME, None, BODY, BODY, BODY, BODY, None, CHROME, None]


def test_overrides_relabel_every_block_of_that_text():
    keys = ["LesenSieauch:", "Thetalkslastedfivehours.", "LesenSieauch:"]
    labels = [BODY, BODY, BODY]
    fixes = [{"text": "Lesen Sie auch:", "label": CHROME, "reason": "a read-also line"}]
    assert apply_overrides(keys, labels, fixes, "https://example.org/a") == 2
    assert labels == [CHROME, BODY, CHROME]


def test_the_overrides_file_is_well_formed():
    pages = read_overrides()
    assert pages
    for fixes in pages.values():
        for fix in fixes:
            assert fix["label"] in LABELS and fix["text"].strip() and fix["reason"].strip()


def test_the_article_lead_is_body_where_the_peers_dropped_it():
    html = ('<body><nav><a href="/">Home</a></nav><h1>Headline</h1>'
            '<p class="article-lead">The lead says what happened, in a sentence or two.'
            ' It stands in the header, set apart.</p><p>The first paragraph of the article, with the news.</p>'
            '<div class="teaser-list"><p class="excerpt">Another story entirely, teased here with a summary.</p></div>'
            '</body>')
    blocks = segment_html(html)[0]
    labels = [CHROME, BODY, CHROME, BODY, CHROME]
    given = ["peers", "peers", "peers", "peers", "peers"]
    label_article_lead(blocks, labels, given)
    assert labels == [CHROME, BODY, BODY, BODY, CHROME]
    assert given[2] == "lead"
