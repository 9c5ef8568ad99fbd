"""Stage 4, classify: per-block probabilities of the four labels, then a revision by context.

`ParagraphClassifier` is a small scikit-learn-style estimator in two passes, as jusText
classifies each paragraph and then revises it by its neighbours, except that here both
passes are learned:
0. (given the blocks' texts) the n-gram lifts of `cleaner.ngrams` add columns (`ngrams.COLUMNS`),
   what the block's characters say of its class, out-of-fold in training like the second pass;
1. a gradient-boosted model (LightGBM) over the block's own, positional and neighbour features;
2. the same model again, given also the first pass's probabilities of the neighbouring
   blocks (and how close the block is to the page's likely body), trained on out-of-fold
   first-pass outputs so that it learns how wrong the first pass is on unseen pages.
`Ensemble` averages several such classifiers' probabilities: the shipped model is two, each
trained on its own draw of the generated training pages (`training.train_model.MEMBER_SEEDS`).

Persistence: a model file is a joblib pickle, and pickles run code when loaded. So every
model has a card (JSON) beside it holding its SHA-256, and `load_model` checks it before
`joblib.load`; a model from outside the shipped `models/` needs the caller's explicit trust.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import lightgbm
import numpy as np
import sklearn
from sklearn.model_selection import GroupKFold

from cleaner import fasttrees, ngrams
from cleaner.errors import ModelError
from cleaner.features import FEATURE_NAMES
from cleaner.labels import LABELS, SPAM
from cleaner.ngrams import NgramLift

#: Neighbour offsets whose first-pass probabilities the second pass sees.
CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
#: Folds for the out-of-fold first-pass probabilities the second pass trains on.
CONTEXT_FOLDS = 3
#: Folds for the out-of-fold n-gram lifts the first pass trains on, by source page (a page's
#: copies, synthetic, clean or short, share its text and fall in one fold) and, for generated
#: spam, by family (so that the first pass learns what lifts say of a family they never saw).
TEXT_FOLDS = 4
#: LightGBM threads for training: one, so that a retrain is bit-for-bit repeatable (threaded
#: histogram sums are not) and does not fight other work for the cores (a 2-core box shared
#: with other jobs trained 30x slower threaded).
TRAIN_THREADS = 1
#: Where the shipped model and its card live (in a wheel: cleaner/models; in a checkout: models/).
_PACKAGED = Path(__file__).resolve().parent / "models"
SHIPPED_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "models"
SHIPPED_MODEL = SHIPPED_DIR / "cleaner.joblib"
_SPAM = LABELS.index(SPAM)


class ParagraphClassifier:
    """Two-pass gradient boosting over FEATURE_NAMES; `predict_proba` columns follow LABELS.

    LightGBM boosters rather than scikit-learn's: a page is ~100 rows and the model ~1,000
    trees, and LightGBM scores all trees in one native call (scikit-learn makes a Python call
    per tree, which costs more than the features of a text page).
    """

    def __init__(self, n_estimators: int = 80, context_estimators: int = 40, learning_rate: float = 0.15,
                 num_leaves: int = 31, max_bin: int = 63, min_child_samples: int = 10, random_state: int = 0) -> None:
        self.n_estimators = n_estimators
        self.context_estimators = context_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_bin = max_bin
        self.min_child_samples = min_child_samples
        self.random_state = random_state
        self.feature_names = list(FEATURE_NAMES)
        self.classes_ = np.array(LABELS)

    def _params(self) -> dict[str, Any]:
        return {"objective": "multiclass", "num_class": len(LABELS), "learning_rate": self.learning_rate,
                "num_leaves": self.num_leaves, "max_bin": self.max_bin,
                "min_child_samples": self.min_child_samples, "seed": self.random_state,
                "deterministic": True, "force_row_wise": True, "num_threads": TRAIN_THREADS, "verbose": -1}

    def _booster(self, X: np.ndarray, codes: np.ndarray, weight: np.ndarray | None,
                 rounds: int | None = None) -> lightgbm.Booster:
        data = lightgbm.Dataset(X, codes, weight=weight, params={"max_bin": self.max_bin, "verbose": -1})
        return lightgbm.train(self._params(), data, num_boost_round=rounds or self.n_estimators)

    def fit(self, X: np.ndarray, y: np.ndarray, pages: np.ndarray, sample_weight: np.ndarray | None = None,
            texts: Sequence[str] | None = None, groups: Sequence[str] | None = None) -> ParagraphClassifier:
        """Fit both passes. `pages` gives each row's page, so context never crosses pages.

        With `texts` (each row's block text) the n-gram lifts are fitted too and the model
        needs the texts to predict; `groups` (each row's source page, default its page) keeps
        copies of one page in one fold of the out-of-fold lifts.
        """
        codes = np.array([LABELS.index(v) for v in np.asarray(y)])
        self.text_ = None
        self.text_columns_ = []
        if texts is not None:
            X, self.text_ = _with_lifts(X, list(texts), codes, pages if groups is None else groups)
            self.text_columns_ = list(ngrams.COLUMNS)
        self.first_ = self._booster(X, codes, sample_weight)
        oof = np.zeros((len(codes), len(LABELS)))
        folds = min(CONTEXT_FOLDS, len(np.unique(pages)))
        if folds >= 2:
            for train, test in GroupKFold(n_splits=folds).split(X, codes, pages):
                booster = self._booster(X[train], codes[train],
                                        None if sample_weight is None else sample_weight[train])
                oof[test] = _proba(booster, X[test])
        else:
            oof = _proba(self.first_, X)
        self.second_ = self._booster(_with_context(X, oof, pages), codes, sample_weight, self.context_estimators)
        return self

    @property
    def needs_texts(self) -> bool:
        """Whether `predict_proba` needs the blocks' texts (the model has n-gram lifts)."""
        return getattr(self, "text_", None) is not None

    @property
    def boosters(self) -> list[lightgbm.Booster]:
        """The fitted boosters, first pass first (what `fasttrees.warm` compiles)."""
        return [self.first_, self.second_]

    def text_lifts(self, texts: Sequence[str]) -> np.ndarray | None:
        """The n-gram lift columns of blocks (rows x LABELS), None for a model without them; what
        `predict_proba` adds to X, computed once when the spam rule reads them too."""
        return self.text_.transform(texts) if self.needs_texts else None

    def spam_lifts(self, lifts: np.ndarray | None) -> np.ndarray | None:
        """The spam column of `text_lifts(...)`, which the spam rule reads."""
        return None if lifts is None else lifts[:, _SPAM]

    def predict_proba(self, X: np.ndarray, pages: np.ndarray | None = None,
                      texts: Sequence[str] | None = None, fast: bool = False,
                      lifts: np.ndarray | None = None) -> np.ndarray:
        """Probabilities (rows x LABELS); rows of one page must be contiguous and in order;
        `texts`, each row's block text, when the model `needs_texts`. `fast`: score with the
        compiled trees of `cleaner.fasttrees` when lleaves is installed (same probabilities to
        ~1e-15, ~4x faster), else with LightGBM; training and evaluation leave it off. `lifts`:
        `text_lifts(texts)` if already computed."""
        if len(X) == 0:
            return np.zeros((0, len(LABELS)))
        if self.needs_texts:
            if lifts is None:
                _check_texts(X, texts)
            X = np.hstack([X, self.text_.transform(texts) if lifts is None else lifts])
        score = _fast_proba if fast else _proba
        first = score(self.first_, X)
        return score(self.second_, _with_context(X, first, pages))

    def predict(self, X: np.ndarray, pages: np.ndarray | None = None,
                texts: Sequence[str] | None = None) -> np.ndarray:
        return self.classes_[self.predict_proba(X, pages, texts).argmax(axis=1)]


class Ensemble:
    """The mean of several ParagraphClassifiers' probabilities, each fitted on its own draw of the
    generated training pages (`training.train_model`, one seed a member).

    A retrain's draw decides where the generator put its spam, and with ~40 hand-labelled
    Chinese pages one draw can turn a borderline page (a digest of headlines, an article laid
    out as a list) one way or the other; averaging draws removes most of that risk at the cost
    of one model's predict a member. The members read the same features; each keeps its own
    n-gram lifts, so `text_lifts` returns the members' columns side by side.
    """

    def __init__(self, members: Sequence[ParagraphClassifier | Ensemble]) -> None:
        members = [m for x in members for m in (x.members if isinstance(x, Ensemble) else [x])]
        if not members:
            raise ValueError("an ensemble needs at least one member")
        if len({m.needs_texts for m in members}) > 1 or len({tuple(m.feature_names) for m in members}) > 1:
            raise ValueError("the members must read the same features (and all the blocks' texts, or none)")
        self.members = list(members)
        self.feature_names = list(self.members[0].feature_names)
        self.classes_ = np.array(LABELS)

    @property
    def needs_texts(self) -> bool:
        return self.members[0].needs_texts

    @property
    def text_columns_(self) -> list[str]:
        return self.members[0].text_columns_

    @property
    def text_(self) -> NgramLift | None:
        """The first member's n-gram lifts, for explanations (`cleaner explain`): the members'
        differ only by their draws of generated pages."""
        return self.members[0].text_

    @property
    def boosters(self) -> list[lightgbm.Booster]:
        return [booster for member in self.members for booster in member.boosters]

    def text_lifts(self, texts: Sequence[str]) -> np.ndarray | None:
        """Each member's lift columns, member after member (rows x members·LABELS), from one
        table holding them all (`NgramLift.side_by_side`, built on first use, not pickled)."""
        if not self.needs_texts:
            return None
        if getattr(self, "_lifts", None) is None:
            self._lifts = NgramLift.side_by_side([member.text_ for member in self.members])
        return self._lifts.transform(texts)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_lifts"}

    def spam_lifts(self, lifts: np.ndarray | None) -> np.ndarray | None:
        """The members' mean spam lift."""
        return None if lifts is None else lifts[:, _SPAM::len(LABELS)].mean(axis=1)

    def predict_proba(self, X: np.ndarray, pages: np.ndarray | None = None,
                      texts: Sequence[str] | None = None, fast: bool = False,
                      lifts: np.ndarray | None = None) -> np.ndarray:
        """The members' mean probabilities; arguments as `ParagraphClassifier.predict_proba`."""
        if len(X) == 0:
            return np.zeros((0, len(LABELS)))
        if self.needs_texts and lifts is None:
            _check_texts(X, texts)
            lifts = self.text_lifts(texts)
        width = len(LABELS)
        return sum(member.predict_proba(X, pages, fast=fast,
                                        lifts=None if lifts is None else lifts[:, k * width:(k + 1) * width])
                   for k, member in enumerate(self.members)) / len(self.members)

    def predict(self, X: np.ndarray, pages: np.ndarray | None = None,
                texts: Sequence[str] | None = None) -> np.ndarray:
        return self.classes_[self.predict_proba(X, pages, texts).argmax(axis=1)]


#: What `load_model` returns and `Cleaner` scores with (`isinstance(x, Model)` tells one).
Model = ParagraphClassifier | Ensemble


def ensemble_of(models: Sequence[Model]) -> Model:
    """One model as it is, several as the Ensemble of their members."""
    return models[0] if len(models) == 1 else Ensemble(models)


def _check_texts(X: np.ndarray, texts: Sequence[str] | None) -> None:
    if texts is None or len(texts) != len(X):
        raise ValueError("this model reads the blocks' texts: pass texts=, one per row")


def _with_lifts(X: np.ndarray, texts: list[str], codes: np.ndarray,
                groups: Sequence) -> tuple[np.ndarray, NgramLift]:
    """X with the n-gram lift columns, each row's from lifts fitted without its fold of source
    pages, and the lifts fitted on every row (for prediction). Counts add up over folds, so the
    out-of-fold lifts cost one count per fold."""
    fold = np.array([zlib.crc32(str(g).encode()) % TEXT_FOLDS for g in groups])
    members = [np.flatnonzero(fold == k) for k in range(TEXT_FOLDS)]
    counts = [NgramLift.counts([texts[i] for i in rows], codes[rows]) for rows in members]
    total = sum(counts)
    lifts = np.zeros((len(X), len(ngrams.COLUMNS)))
    for rows, own in zip(members, counts):
        if len(rows):
            lifts[rows] = NgramLift().fit_counts(total - own).transform([texts[i] for i in rows])
    return np.hstack([X, lifts]), NgramLift().fit_counts(total)


def _proba(booster: lightgbm.Booster, X: np.ndarray) -> np.ndarray:
    """Class probabilities, scored on one thread: a page is too small to share out."""
    return booster.predict(X, num_threads=1).reshape(len(X), len(LABELS))


def _fast_proba(booster: lightgbm.Booster, X: np.ndarray) -> np.ndarray:
    """`_proba` by the booster's compiled trees, or by LightGBM when they are unavailable."""
    predict = fasttrees.compiled(booster, X)
    return _proba(booster, X) if predict is None else predict(X).reshape(len(X), len(LABELS))


def _with_context(X: np.ndarray, proba: np.ndarray, pages: np.ndarray | None) -> np.ndarray:
    """Append the neighbours' probabilities and the page's body share before/after each row
    (`pages`: each row's page; None: all rows are one page, the case of cleaning, done without a loop)."""
    n = len(X)
    columns = [X]
    for offset in CONTEXT_OFFSETS:
        shifted = np.full((n, proba.shape[1]), np.nan)
        if pages is None:
            overlap = n - abs(offset)
            if overlap > 0 and offset > 0:
                shifted[:overlap] = proba[offset:]
            elif overlap > 0:
                shifted[-offset:] = proba[:overlap]
        else:
            source = np.arange(n) + offset
            ok = (source >= 0) & (source < n)
            ok[ok] = pages[source[ok]] == pages[ok]
            shifted[ok] = proba[source[ok]]
        columns.append(shifted)
    body = proba[:, 0]
    before = np.zeros(n)
    after = np.zeros(n)
    for rows in [slice(None)] if pages is None else [np.flatnonzero(pages == page) for page in np.unique(pages)]:
        cumulative = np.cumsum(body[rows])
        total = cumulative[-1] if len(cumulative) else 0.0
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


def _estimator(model: Model) -> str:
    if isinstance(model, Ensemble):
        return f"Ensemble({len(model.members)} members: " + "; ".join(map(_estimator, model.members)) + ")"
    return (f"ParagraphClassifier(n_estimators={model.n_estimators}, context_estimators={model.context_estimators}, "
            f"learning_rate={model.learning_rate}, num_leaves={model.num_leaves}, max_bin={model.max_bin}, "
            f"random_state={model.random_state})")


def save_model(model: Model, path: str | Path, card: dict[str, Any] | None = None) -> dict[str, Any]:
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
        "estimator": _estimator(model),
        "text_lifts": {"columns": ngrams.COLUMNS, "ngram_sizes": list(ngrams.NGRAM_SIZES),
                       "buckets": 1 << ngrams.NGRAM_BITS, "smoothing": model.text_.smoothing,
                       "lift_step": ngrams.LIFT_STEP, "folds": TEXT_FOLDS,
                       "fold_groups": "source page; a generated spam paragraph's family"}
        if model.needs_texts else None,
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__, "joblib": joblib.__version__,
                     "lightgbm": lightgbm.__version__},
        **(card or {}),
    }
    tmp_card = card_path(path).with_name(f".{card_path(path).name}.tmp")
    tmp_card.write_text(json.dumps(full, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp_card.replace(card_path(path))
    return full


def load_model(path: str | Path | None = None, *, trust: bool = False) -> Model:
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
    if not isinstance(model, Model):
        raise ModelError(f"{path} holds a {type(model).__name__}, not a ParagraphClassifier or an Ensemble")
    if list(model.feature_names) != FEATURE_NAMES or (
            model.needs_texts and getattr(model, "text_columns_", None) != ngrams.COLUMNS):
        raise ModelError(f"{path} was trained on other features than this version of cleaner computes; retrain it")
    return model
