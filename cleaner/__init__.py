"""cleaner: strip boilerplate, comments and spam from scraped news pages.

    >>> from cleaner import clean
    >>> result = clean(html_or_text)       # str or bytes, HTML or text, gzip too
    >>> result.text                         # the article, paragraphs apart by a blank line
    >>> [(p.label, p.text) for p in result.paragraphs]

Every paragraph gets one of LABELS (body, chrome, comment, spam).
"""

from __future__ import annotations

import functools
from pathlib import Path

from cleaner import classify
from cleaner.classify import Ensemble, Model, ParagraphClassifier, load_model, save_model
from cleaner.errors import CleanerError, InputError, ModelError
from cleaner.labels import BODY, CHROME, COMMENT, LABELS, SPAM, Label
from cleaner.limits import MAX_BLOCKS, MAX_PAGE_BYTES, TIME_BUDGET
from cleaner.pipeline import Cleaner, Page
from cleaner.result import Paragraph, Result

__version__ = "0.1.0"
__all__ = [
    "BODY", "CHROME", "COMMENT", "LABELS", "SPAM", "Cleaner", "CleanerError", "Ensemble", "InputError", "Label",
    "Model", "ModelError", "Page", "Paragraph", "ParagraphClassifier", "Result", "clean", "load_model", "save_model",
]

_default: Cleaner | None = None
#: Model files `clean(model=path)` keeps loaded (loading and checking one costs ~20 ms, 25 pages' worth).
LOADED_MODELS = 4


def _model(model: Model | str | Path, trust: bool) -> Model:
    """`model` loaded, once per file as long as neither it nor its card changes."""
    if isinstance(model, Model):
        return model
    path = Path(model).resolve()
    stamps = tuple(_stamp(f) for f in (path, classify.card_path(path)))
    if stamps[0] is None:
        return load_model(path, trust=trust)  # says what is wrong with it
    return _loaded(path, trust, stamps)


def _stamp(path: Path) -> tuple[int, int] | None:
    """When a file last changed and its size (None: it cannot be read), one stat call."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=LOADED_MODELS)
def _loaded(path: Path, trust: bool, stamps: tuple) -> Model:
    return load_model(path, trust=trust)


def clean(page: Page, *, url: str | None = None, kind: str = "auto", include_comments: bool = False,
          model: Model | str | Path | None = None, trust_model: bool = False,
          encoding: str | None = None, max_bytes: int = MAX_PAGE_BYTES, max_blocks: int = MAX_BLOCKS,
          time_budget: float | None = TIME_BUDGET, settle: bool = False) -> Result:
    """Clean one page with the shipped model (or `model`, a path needing `trust_model`); see `Cleaner.clean`.

    `max_bytes`, `max_blocks` and `time_budget` are the per-page limits of `Cleaner` (`cleaner.limits`);
    `settle=True` makes cleaning text idempotent (`Cleaner`).
    """
    global _default
    settings = {"max_bytes": max_bytes, "max_blocks": max_blocks, "time_budget": time_budget, "settle": settle}
    if model is not None:
        cleaner = Cleaner(_model(model, trust_model), **settings)
    else:
        if _default is None:
            _default = Cleaner()
        cleaner = _default
        if any(getattr(cleaner, name) != value for name, value in settings.items()):
            cleaner = Cleaner(cleaner.model, **settings)  # shares the loaded model
    return cleaner.clean(page, url=url, kind=kind, include_comments=include_comments, encoding=encoding)
