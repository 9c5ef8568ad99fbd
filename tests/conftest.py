"""Shared fixtures: the seed pages and, per seed, a model that never saw it."""

from __future__ import annotations

import functools

import pytest

from cleaner.classify import ParagraphClassifier
from training.seeds import seed_joins, seed_pages


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
