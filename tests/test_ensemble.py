"""The shipped model is an Ensemble of members trained on different draws of generated pages."""

import numpy as np
import pytest

from cleaner import Cleaner, Ensemble, load_model, save_model
from cleaner.labels import BODY, LABELS, SPAM
from cleaner.pipeline import prepare

A, B = "000_2a5c8b3ad26d3a28", "002_8b0eba742893faf0"


@pytest.fixture(scope="module")
def members(lopo):
    return [lopo(A), lopo(B)]


@pytest.fixture(scope="module")
def page(seeds):
    prepared = prepare(next(p for p in seeds if p.id == B).raw, kind="text")
    return prepared, [block.text for block in prepared.blocks]


def test_an_ensemble_scores_the_mean_of_its_members_probabilities(members, page):
    prepared, texts = page
    ensemble = Ensemble(members)
    expected = sum(m.predict_proba(prepared.features, texts=texts) for m in members) / 2
    assert np.allclose(ensemble.predict_proba(prepared.features, texts=texts), expected)
    lifts = ensemble.text_lifts(texts)
    assert lifts.shape == (len(texts), 2 * len(LABELS))
    assert np.allclose(ensemble.predict_proba(prepared.features, lifts=lifts), expected)
    assert not np.allclose(members[0].predict_proba(prepared.features, texts=texts), expected)


def test_an_ensemble_gives_the_spam_rule_its_members_mean_spam_lift(members, page):
    _, texts = page
    ensemble = Ensemble(members)
    spam = LABELS.index(SPAM)
    expected = (members[0].text_lifts(texts)[:, spam] + members[1].text_lifts(texts)[:, spam]) / 2
    assert np.allclose(ensemble.spam_lifts(ensemble.text_lifts(texts)), expected)
    assert np.allclose(members[0].spam_lifts(members[0].text_lifts(texts)), members[0].text_lifts(texts)[:, spam])


def test_an_ensemble_cleans_as_it_did_after_a_round_trip_through_its_card(members, seeds, tmp_path):
    ensemble = Ensemble(members)
    path = tmp_path / "ensemble.joblib"
    card = save_model(ensemble, path)
    assert card["estimator"].startswith("Ensemble(2 members: ParagraphClassifier(")
    loaded = load_model(path, trust=True)
    assert isinstance(loaded, Ensemble) and len(loaded.members) == 2
    page = next(p for p in seeds if p.id == B).raw
    before, after = Cleaner(ensemble).clean(page), Cleaner(loaded).clean(page)
    assert after.to_dict() == before.to_dict()
    single = Cleaner(members[0]).clean(page)
    assert [p.probabilities for p in before.paragraphs] != [p.probabilities for p in single.paragraphs]


def test_an_ensemble_of_ensembles_weighs_every_member_once(members):
    nested = Ensemble([Ensemble(members), members[0]])
    assert nested.members == [members[0], members[1], members[0]]
    assert len(nested.boosters) == 3 * 2


def test_members_must_read_the_same_features(members):
    with pytest.raises(ValueError, match="at least one"):
        Ensemble([])
    other = Ensemble(members).members[0].__class__()
    other.feature_names = other.feature_names[:-1]
    other.text_ = members[0].text_
    with pytest.raises(ValueError, match="same features"):
        Ensemble([members[0], other])


def test_the_recipe_trains_the_same_members_in_one_process_or_in_several(seeds, page):
    from training.train_model import train_recipe

    prepared, texts = page
    serial, forked = train_recipe(seeds, (1, 2), jobs=1), train_recipe(seeds, (1, 2), jobs=2)
    assert isinstance(serial, Ensemble) and [m.random_state for m in serial.members] == [1, 2]
    assert np.array_equal(serial.predict_proba(prepared.features, texts=texts),
                          forked.predict_proba(prepared.features, texts=texts))
    assert not np.array_equal(serial.members[0].predict_proba(prepared.features, texts=texts),
                              serial.members[1].predict_proba(prepared.features, texts=texts))


def test_half_the_generated_spam_pages_are_featurised_without_their_own_families_word_lists():
    from cleaner.data import LabelledPage
    from cleaner.features import FEATURE_NAMES
    from cleaner.train import build_dataset
    from training.train_model import HIDDEN_LISTS_SHARE, _spam_groups

    made = [[{"text": f"赌场开业第{k}天，外挂上线。", "label": SPAM, "family": family}]
            for k in range(200) for family in ("gambling", "game_cheat")]
    extras = [_spam_groups(paragraphs) for paragraphs in made]
    hidden = [extra.get("hidden_lists") for extra in extras]
    assert abs(sum(map(bool, hidden)) / len(hidden) - HIDDEN_LISTS_SHARE) < 0.1
    assert {tuple(h) for h in hidden if h} == {("gambling",), ("game_cheat",)}
    assert all(extra["groups"] for extra in extras)
    assert _spam_groups([{"text": "正文。", "label": BODY}]) == {}

    text = "正文第一段，讲述本地新闻。\n\n赌场开业，外挂上线。\n\n正文第二段，继续讲述。"
    paragraphs = [(t, label) for t, label in zip(text.split("\n\n"), (BODY, SPAM, BODY))]
    pages = [LabelledPage(id=f"p{k}", kind="text", source=None, raw=text, paragraphs=paragraphs,
                          extra=extra) for k, extra in enumerate(({}, {"hidden_lists": ["gambling", "game_cheat"]}))]
    data = build_dataset(pages)
    column = FEATURE_NAMES.index("spam_topic_words")
    seen, unseen = data.X[data.pages == 0], data.X[data.pages == 1]
    assert seen[1, column] > 0 and unseen[1, column] == 0
    assert prepare(text, kind="text").features[1, column] == seen[1, column]  # nothing stays hidden after
