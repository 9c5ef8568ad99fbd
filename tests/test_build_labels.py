"""The labelling rules of trafilatura-eval training pages (training/build.py)."""

from cleaner.labels import BODY, CHROME
from training.build import fill_between_body, peer_kept

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
