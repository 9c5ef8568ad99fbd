"""Stage 4, classify: per-block probabilities of the four labels, then a revision by context.

`ParagraphClassifier` is a small scikit-learn-style estimator in two passes, as jusText
classifies each paragraph and then revises it by its neighbours, except that here both
passes are learned:
1. a gradient-boosted model over the block's own, positional and neighbour features;
2. the same model again, given also the first pass's probabilities of the neighbouring
   blocks (and how close the block is to the page's likely body), trained on out-of-fold
   first-pass outputs so that it learns how wrong the first pass is on unseen pages.

Persistence: a model file is a joblib pickle, and pickles run code when loaded. So every
model has a card (JSON) beside it holding its SHA-256, and `load_model` checks it before
`joblib.load`; a model from outside the shipped `models/` needs the caller's explicit trust.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from cleaner.errors import ModelError
from cleaner.features import FEATURE_NAMES
from cleaner.labels import LABELS

#: Neighbour offsets whose first-pass probabilities the second pass sees.
CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
#: Folds for the out-of-fold first-pass probabilities the second pass trains on.
CONTEXT_FOLDS = 5
#: Where the shipped model and its card live (in a wheel: cleaner/models; in a checkout: models/).
_PACKAGED = Path(__file__).resolve().parent / "models"
SHIPPED_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "models"
SHIPPED_MODEL = SHIPPED_DIR / "cleaner.joblib"


class ParagraphClassifier:
    """Two-pass gradient boosting over FEATURE_NAMES; `predict_proba` columns follow LABELS."""

    def __init__(self, max_iter: int = 250, learning_rate: float = 0.08, max_leaf_nodes: int = 31,
                 l2_regularization: float = 1.0, random_state: int = 0) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.random_state = random_state
        self.feature_names = list(FEATURE_NAMES)
        self.classes_ = np.array(LABELS)

    def _booster(self) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization, class_weight="balanced",
            random_state=self.random_state, early_stopping=False)

    def fit(self, X: np.ndarray, y: np.ndarray, pages: np.ndarray,
            sample_weight: np.ndarray | None = None) -> ParagraphClassifier:
        """Fit both passes. `pages` gives each row's page, so context never crosses pages."""
        y = np.asarray(y)
        X = _fillable(X)
        codes = np.array([LABELS.index(v) for v in y])
        self.first_ = self._booster().fit(X, codes, sample_weight=sample_weight)
        oof = np.zeros((len(y), len(LABELS)))
        folds = min(CONTEXT_FOLDS, len(np.unique(pages)))
        if folds >= 2:
            for train, test in GroupKFold(n_splits=folds).split(X, codes, pages):
                booster = self._booster().fit(X[train], codes[train],
                                              sample_weight=None if sample_weight is None else sample_weight[train])
                oof[test] = _full_proba(booster, X[test])
        else:
            oof = _full_proba(self.first_, X)
        self.second_ = self._booster().fit(_with_context(X, oof, pages), codes, sample_weight=sample_weight)
        return self

    def predict_proba(self, X: np.ndarray, pages: np.ndarray | None = None) -> np.ndarray:
        """Probabilities (rows x LABELS); rows of one page must be contiguous and in order."""
        if len(X) == 0:
            return np.zeros((0, len(LABELS)))
        pages = np.zeros(len(X), dtype=np.int64) if pages is None else pages
        first = _full_proba(self.first_, X)
        return _full_proba(self.second_, _with_context(X, first, pages))

    def predict(self, X: np.ndarray, pages: np.ndarray | None = None) -> np.ndarray:
        return self.classes_[self.predict_proba(X, pages).argmax(axis=1)]


def _fillable(X: np.ndarray) -> np.ndarray:
    """Columns that are NaN throughout (DOM features when training on text only) become 0.

    scikit-learn cannot bin an all-NaN column; a constant one carries the same (no) information.
    """
    empty = np.isnan(X).all(axis=0)
    if not empty.any():
        return X
    X = X.copy()
    X[:, empty] = 0.0
    return X


def _full_proba(booster: HistGradientBoostingClassifier, X: np.ndarray) -> np.ndarray:
    """predict_proba with a column for every label, also those absent from training."""
    out = np.zeros((len(X), len(LABELS)))
    if len(booster.classes_) == 1:
        out[:, booster.classes_[0]] = 1.0
    else:
        out[:, booster.classes_] = booster.predict_proba(X)
    return out


def _with_context(X: np.ndarray, proba: np.ndarray, pages: np.ndarray) -> np.ndarray:
    """Append the neighbours' probabilities and the page's body share before/after each row."""
    n = len(X)
    columns = [X]
    for offset in CONTEXT_OFFSETS:
        shifted = np.full((n, proba.shape[1]), np.nan)
        source = np.arange(n) + offset
        ok = (source >= 0) & (source < n)
        ok[ok] = pages[source[ok]] == pages[ok]
        shifted[ok] = proba[source[ok]]
        columns.append(shifted)
    body = proba[:, 0]
    before = np.zeros(n)
    after = np.zeros(n)
    for page in np.unique(pages):
        rows = np.flatnonzero(pages == page)
        cumulative = np.cumsum(body[rows])
        total = cumulative[-1] if len(rows) else 0.0
        before[rows] = (cumulative - body[rows]) / max(total, 1e-9)
        after[rows] = (total - cumulative) / max(total, 1e-9)
    columns.extend([before[:, None], after[:, None]])
    return np.hstack(columns)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def card_path(model_path: Path) -> Path:
    return model_path.with_suffix(".card.json")


def save_model(model: ParagraphClassifier, path: str | Path, card: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the model atomically and its card beside it; returns the card."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.replace(path)
    full = {
        "name": path.stem,
        "file": path.name,
        "sha256": file_sha256(path),
        "classes": list(LABELS),
        "features": list(model.feature_names),
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "estimator": f"ParagraphClassifier(max_iter={model.max_iter}, learning_rate={model.learning_rate}, "
                     f"max_leaf_nodes={model.max_leaf_nodes}, random_state={model.random_state})",
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__, "joblib": joblib.__version__},
        **(card or {}),
    }
    tmp_card = card_path(path).with_name(f".{card_path(path).name}.tmp")
    tmp_card.write_text(json.dumps(full, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp_card.replace(card_path(path))
    return full


def load_model(path: str | Path | None = None, *, trust: bool = False) -> ParagraphClassifier:
    """Load a model after checking its SHA-256 against its card.

    The shipped model is always checked against its card. A model outside the shipped
    folder is loaded only with `trust=True` (it may run any code); if it has a card, the
    card is checked too.
    """
    path = Path(path) if path is not None else SHIPPED_MODEL
    shipped = path.resolve().parent == SHIPPED_DIR.resolve()
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    if not shipped and not trust:
        raise ModelError(f"{path} is not the shipped model: loading it runs code from the file; "
                         "pass trust=True (CLI: --trust-model) if you trust its source")
    card_file = card_path(path)
    if card_file.is_file():
        try:
            expected = json.loads(card_file.read_text(encoding="utf-8"))["sha256"]
        except (ValueError, KeyError) as error:
            raise ModelError(f"model card {card_file} is unreadable: {error}") from error
        actual = file_sha256(path)
        if actual != expected:
            raise ModelError(f"model {path} does not match its card: SHA-256 {actual}, card says {expected}; "
                             "refusing to load it")
    elif shipped:
        raise ModelError(f"the shipped model has no card ({card_file}): refusing to load it")
    model = joblib.load(path)
    if not isinstance(model, ParagraphClassifier):
        raise ModelError(f"{path} holds a {type(model).__name__}, not a ParagraphClassifier")
    if list(model.feature_names) != FEATURE_NAMES:
        raise ModelError(f"{path} was trained on other features than this version of cleaner computes; retrain it")
    return model
