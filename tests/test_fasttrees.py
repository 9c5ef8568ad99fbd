"""The optional compiled trees (`cleaner.fasttrees`): the same results as LightGBM, or LightGBM itself."""

import hashlib
import importlib.util
import logging
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest

from cleaner import Cleaner, fasttrees
from cleaner.pipeline import prepare

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
HTML = ("<html><head><title>Rain expected</title></head><body><nav><a href='/'>Home</a> | <a href='/news'>News</a>"
        "</nav><article><h1>Rain expected</h1><p>Heavy rain is expected across the region on Tuesday, the weather "
        "service said, with up to 40 millimetres in the hills.</p><p>Drivers are asked to take care on the coast "
        "road, which flooded twice last winter.</p></article><div class='comments'><p>Great, my garden needs it!"
        "</p></div><footer>Copyright 2026 Daily News. All rights reserved.</footer></body></html>")


@pytest.fixture()
def fresh(monkeypatch, tmp_path):
    """The backend as in a new process (nothing compiled, not disabled, an empty private cache),
    compiling on first use."""
    new_process(monkeypatch)
    monkeypatch.setattr(fasttrees, "COMPILE_AFTER", 0)
    monkeypatch.setattr(fasttrees, "LOOK_AFTER", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def new_process(monkeypatch):
    monkeypatch.setattr(fasttrees, "_disabled", False)
    monkeypatch.setattr(fasttrees, "_boosters", weakref.WeakKeyDictionary())


def lightgbm_in_disguise(booster, key):
    """A stand-in for compiled trees (no lleaves needed): the booster's own predict."""
    return lambda X: booster.predict(X, num_threads=1)


def compiled_boosters():
    return sum(state.predict is not None for state in fasttrees._boosters.values())


def shipped_boosters():
    """How many boosters the shipped model scores with (two a member)."""
    return len(Cleaner(fast_trees=False).model.boosters)


def pages():
    return [(path.read_text(encoding="utf-8"), "text") for path in SEEDS] + [(HTML, "html")]


def outcome(cleaner, page, kind):
    result = cleaner.clean(page, kind=kind)
    return result.text, [(p.label, p.rule, p.probabilities) for p in result.paragraphs]


def assert_lightgbm_results(cleaner):
    reference = Cleaner(cleaner.model, fast_trees=False)
    for page, kind in pages():
        assert outcome(cleaner, page, kind) == outcome(reference, page, kind)


@pytest.mark.skipif(importlib.util.find_spec("lleaves") is None, reason="lleaves (the `fast` extra) is not installed")
def test_compiled_trees_give_lightgbms_labels_and_probabilities(fresh, monkeypatch):
    fast = Cleaner()
    assert_lightgbm_results(fast)
    assert compiled_boosters() == shipped_boosters() and not fasttrees._disabled  # all boosters ran compiled
    for page, kind in pages():
        prepared = prepare(page, kind=kind)
        texts = [block.text for block in prepared.blocks]
        difference = fast.model.predict_proba(prepared.features, texts=texts, fast=True) - \
            fast.model.predict_proba(prepared.features, texts=texts)
        assert np.abs(difference).max() < 1e-12
    assert len(list((Path(fasttrees._cache_dir())).glob("*.o"))) == shipped_boosters()  # cached for the next process
    new_process(monkeypatch)
    monkeypatch.setattr(fasttrees, "COMPILE_AFTER", 10**9)  # loaded from the cache, never compiled
    again = Cleaner()
    assert_lightgbm_results(again)
    assert compiled_boosters() == shipped_boosters()


def test_without_lleaves_lightgbm_scores_and_says_so_once(fresh, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "lleaves", None)  # `import lleaves` raises ImportError
    with caplog.at_level(logging.INFO, logger="cleaner.fasttrees"):
        assert_lightgbm_results(Cleaner())
    assert [record.levelname for record in caplog.records] == ["INFO"]
    assert "lleaves" in caplog.text


def test_a_compile_that_fails_leaves_lightgbm_scoring_with_one_warning(fresh, monkeypatch, caplog):
    def broken(booster, key):
        raise RuntimeError("no target machine")

    monkeypatch.setattr(fasttrees, "_key", lambda booster: "key")
    monkeypatch.setattr(fasttrees, "_build", broken)
    with caplog.at_level(logging.INFO, logger="cleaner.fasttrees"):
        assert_lightgbm_results(Cleaner())
    assert [record.levelname for record in caplog.records if record.levelno >= logging.WARNING] == ["WARNING"]
    assert "no target machine" in caplog.text


def test_compiled_trees_that_disagree_with_lightgbm_are_never_used(fresh, monkeypatch, caplog):
    monkeypatch.setattr(fasttrees, "_key", lambda booster: "key")
    monkeypatch.setattr(fasttrees, "_build", lambda booster, key: lambda X: np.full((len(X), 4), 0.25))
    with caplog.at_level(logging.WARNING, logger="cleaner.fasttrees"):
        assert_lightgbm_results(Cleaner())
    assert "differ from LightGBM" in caplog.text


def test_without_a_cached_copy_lightgbm_scores_until_compiling_pays(fresh, monkeypatch):
    monkeypatch.setattr(fasttrees, "COMPILE_AFTER", 2)
    monkeypatch.setattr(fasttrees, "_key", lambda booster: f"key{id(booster)}")
    monkeypatch.setattr(fasttrees, "_build", lightgbm_in_disguise)
    cleaner = Cleaner()
    page, kind = pages()[0]
    for _ in range(2):
        cleaner.clean(page, kind=kind)
        assert compiled_boosters() == 0
    cleaner.clean(page, kind=kind)
    assert compiled_boosters() == shipped_boosters()


def test_a_cached_copy_is_used_from_the_first_page(fresh, monkeypatch):
    monkeypatch.setattr(fasttrees, "COMPILE_AFTER", 10**9)
    monkeypatch.setattr(fasttrees, "_key", lambda booster: "key")
    monkeypatch.setattr(fasttrees, "_build", lightgbm_in_disguise)
    cache(b"object code")
    page, kind = pages()[0]
    Cleaner().clean(page, kind=kind)
    assert compiled_boosters() == shipped_boosters()


def cache(content: bytes, digest_of: bytes | None = None) -> Path:
    """An object file in the cache under the key "key", with the digest of `digest_of` (default: its own)."""
    cached = fasttrees._cache_dir() / "key.o"
    cached.write_bytes(content)
    cached.with_suffix(".sha256").write_text(hashlib.sha256(digest_of or content).hexdigest() + "\n")
    for path in (cached, cached.with_suffix(".sha256")):
        path.chmod(0o600)
    return cached


def test_a_cached_object_that_does_not_match_its_digest_is_not_loaded(fresh, monkeypatch, caplog):
    monkeypatch.setattr(fasttrees, "COMPILE_AFTER", 10**9)
    monkeypatch.setattr(fasttrees, "_key", lambda booster: "key")
    monkeypatch.setattr(fasttrees, "_build", lightgbm_in_disguise)
    cached = cache(b"object co", digest_of=b"object code")  # cut short after it was written
    page, kind = pages()[0]
    with caplog.at_level(logging.WARNING, logger="cleaner.fasttrees"):
        Cleaner().clean(page, kind=kind)
    assert compiled_boosters() == 0 and "does not match its digest" in caplog.text
    cached.with_suffix(".sha256").unlink()  # no digest at all: not loaded either
    assert fasttrees._cached("key") is None


@pytest.mark.skipif(importlib.util.find_spec("lleaves") is None, reason="lleaves (the `fast` extra) is not installed")
def test_warm_compiles_and_caches_every_booster_for_the_next_process(fresh, monkeypatch):
    model = Cleaner().model
    directory = fasttrees.warm(model.boosters)
    assert compiled_boosters() == shipped_boosters()
    objects = sorted(directory.glob("*.o"))
    assert len(objects) == shipped_boosters() and all(fasttrees._cached(o.stem) == o for o in objects)
    new_process(monkeypatch)
    monkeypatch.setattr(fasttrees, "COMPILE_AFTER", 10**9)
    later = Cleaner()  # held: its boosters' compiled state lives as long as they do
    assert_lightgbm_results(later)
    assert compiled_boosters() == shipped_boosters()  # loaded from the cache


def test_warm_without_lleaves_says_so(fresh, monkeypatch):
    monkeypatch.setitem(sys.modules, "lleaves", None)
    model = Cleaner().model
    with pytest.raises(ImportError):
        fasttrees.warm(model.boosters[:1])


def test_fast_trees_off_never_compiles(fresh, monkeypatch):
    def refuse(booster, probe):
        raise AssertionError("compiled with fast_trees=False")

    monkeypatch.setattr(fasttrees, "compiled", refuse)
    page, kind = pages()[0]
    assert Cleaner(fast_trees=False).clean(page, kind=kind).text


def test_a_cached_object_others_can_write_is_not_loaded(tmp_path):
    shared = tmp_path / "trees.o"
    shared.write_bytes(b"\x7fELF")
    shared.chmod(0o666)
    assert not fasttrees._private(shared)
    shared.chmod(0o600)
    assert fasttrees._private(shared)


def test_compile_trees_command_without_lleaves_fails_with_the_extra_to_install(fresh, monkeypatch):
    from typer.testing import CliRunner

    from cleaner.cli import app

    monkeypatch.setitem(sys.modules, "lleaves", None)
    result = CliRunner().invoke(app, ["compile-trees"])
    assert result.exit_code != 0 and "cleaner[fast]" in result.output
