"""Optional compiled trees (the `fast` extra): the boosters scored by lleaves instead of LightGBM.

Why: LightGBM's predict goes through its general C API, ~10 µs a row for our ~480 trees; lleaves
compiles the same trees to machine code with LLVM (the llvmlite wheel: no system compiler) and
scores a page ~3.5x faster (2.6 -> 0.7 ms an HTML page for both passes), with the same
probabilities to 1.5e-15 (600 pages: no label changed). tl2cgen is as exact but needs a C
compiler and was half as fast.

Compiling takes ~14 s for the two boosters (on a shared 2-core box), a price every process
would pay (the CLI runs once per folder, Spark once per Python worker), so the object code is
cached on disk, keyed by everything it depends on (`_cache_key`): a later process loads it in
milliseconds. It is compiled from the booster already loaded (the shipped model is checked
against its card first), never from a model file, and a cached object is loaded only from a
directory and a file that this user owns and that no one else can write (it is native code).

Anything that goes wrong (lleaves absent, an llvmlite it does not work with, a compile error,
probabilities that differ from LightGBM's on the first page) turns the backend off for the
process, logged once, and LightGBM scores as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: lleaves' compile options, its defaults: cache-blocking by 34 trees, inlined trees, the large
#: code model. `fcodemodel="small"` scored ~12% faster but may crash on large forests;
#: `finline=False` compiles 3x faster and scores 40% slower.
COMPILE_OPTIONS = {"fblocksize": 34, "finline": True, "fcodemodel": "large"}
#: Largest difference from LightGBM's probabilities accepted on the first page scored (measured: 1.5e-15).
TOLERANCE = 1e-9
#: Subdirectory of the user's cache directory ($XDG_CACHE_HOME, else ~/.cache) holding compiled trees.
CACHE_SUBDIR = Path("cleaner") / "trees"

Predict = Callable[[np.ndarray], np.ndarray]
_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # booster -> Predict
_lock = threading.Lock()
_disabled = False


def compiled(booster, probe: np.ndarray) -> Predict | None:
    """The booster's compiled predict (rows -> probabilities), compiled on first use and checked
    against LightGBM on `probe` (the first page it scores); None when the backend is unavailable."""
    global _disabled
    predict = _compiled.get(booster)
    if predict is not None or _disabled:
        return predict
    with _lock:
        if booster in _compiled or _disabled:
            return _compiled.get(booster)
        try:
            predict = _compile(booster)
            expected = booster.predict(probe, num_threads=1).reshape(predict(probe).shape)
            difference = float(np.max(np.abs(predict(probe) - expected)))
            if not difference <= TOLERANCE:
                raise ValueError(f"compiled trees differ from LightGBM by {difference:g}")
        except ImportError as error:
            _disabled = True
            log.info("lleaves is not installed (%s): scoring with LightGBM", error)
            return None
        except Exception as error:  # any failure of an optional backend must leave LightGBM scoring
            _disabled = True
            log.warning("compiled trees unavailable, scoring with LightGBM: %s: %s", type(error).__name__, error)
            return None
        _compiled[booster] = predict
        return predict


def _compile(booster) -> Predict:
    import lleaves  # the `fast` extra
    import llvmlite.binding as llvm

    text = booster.model_to_string()
    cpu = f"{llvm.get_host_cpu_name()} {llvm.get_host_cpu_features().flatten()}"
    key = _cache_key(text, version("lleaves"), version("llvmlite"), cpu)
    with tempfile.TemporaryDirectory() as scratch:
        model_file = Path(scratch) / "model.txt"  # lleaves reads the model's text from a file
        model_file.write_text(text, encoding="utf-8")
        model = lleaves.Model(model_file=str(model_file))
        directory = _cache_dir()
        cached = directory / f"{key}.o" if directory else None
        if cached is not None and cached.is_file() and _private(cached):
            model.compile(cache=str(cached), **COMPILE_OPTIONS)
        elif cached is not None:
            fresh = directory / f".{key}.{os.getpid()}.tmp"  # lleaves writes it when done; renamed whole
            try:
                model.compile(cache=str(fresh), **COMPILE_OPTIONS)
                if fresh.is_file():
                    fresh.chmod(0o600)
                    fresh.replace(cached)
            finally:
                fresh.unlink(missing_ok=True)
        else:
            model.compile(**COMPILE_OPTIONS)

    def predict(X: np.ndarray) -> np.ndarray:
        return model.predict(np.ascontiguousarray(X, dtype=np.float64), n_jobs=1)

    return predict


def _cache_key(*parts: str) -> str:
    """SHA-256 of what the object code depends on: the trees, lleaves, llvmlite, the CPU, the options."""
    digest = hashlib.sha256()
    for part in (*parts, repr(sorted(COMPILE_OPTIONS.items())), sys.platform):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _cache_dir() -> Path | None:
    """The user's private cache directory for compiled trees, made if need be; None if it cannot be."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    directory = root / CACHE_SUBDIR
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        log.info("no cache for compiled trees (%s): compiling in memory", error)
        return None
    return directory if _private(directory) else None


def _private(path: Path) -> bool:
    """Whether `path` is this user's and writable by no one else (a cached object is native code)."""
    status = path.stat()
    mine = status.st_uid == os.getuid() if hasattr(os, "getuid") else True
    if not mine or status.st_mode & 0o022:
        log.warning("ignoring %s: it is not private to this user", path)
        return False
    return True
