"""Shared fixtures: the seed pages and, per seed, a model that never saw it; a cache of compiled
trees of the session's own."""

from __future__ import annotations

import functools

import pytest

from cleaner import fasttrees
from cleaner.classify import ParagraphClassifier
from training.seeds import seed_joins, seed_pages


@pytest.fixture(autouse=True, scope="session")
def _own_tree_cache(tmp_path_factory):
    """The tests never read or write the user's cache of compiled trees (subprocesses inherit the
    variable), and compile trees only where they mean to (tests/test_fasttrees.py): a property test
    cleaning its 1,001st page would otherwise stop for a 10 s compile."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    patch.setattr(fasttrees, "COMPILE_AFTER", 10**12)
    yield
    patch.undo()


@functools.cache
def _seeds():
    return seed_pages()


@functools.cache
def model_without(page_id: str) -> ParagraphClassifier:
    """A model trained on every seed but `page_id` (leave-one-page-out), cached per session."""
    from cleaner.train import fit

    return fit([p for p in _seeds() if p.id != page_id], seed=0)


@pytest.fixture(scope="session")
def seeds():
    return _seeds()


@pytest.fixture(scope="session")
def joins():
    return seed_joins()


@pytest.fixture(scope="session")
def lopo():
    return model_without
