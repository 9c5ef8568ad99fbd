"""Optional compiled trees (the `fast` extra): the boosters scored by lleaves instead of LightGBM.

Why: LightGBM's predict goes through its general C API, ~13 µs a row for our 480 trees; lleaves
compiles the same trees to machine code with LLVM (the llvmlite wheel: no system compiler) and
scores a page ~4x faster (2.4 -> 0.65 ms an HTML page for both passes), with the same
probabilities to 1.4e-15 (600 pages: every Result identical). tl2cgen is as exact but needs a C
compiler and was half as fast (benchmarks/RESULTS.md, fifth session).

Compiling takes ~12 s a member (its two boosters; the shipped model has two members) and ~250 MB, a price every
process would pay (the CLI runs once per folder, Spark once per Python worker), so the object
code is cached on disk, keyed by everything it depends on (`_cache_key`), and a later process
loads it in ~10 ms. A booster scores its first LOOK_AFTER pages with LightGBM, and without a
cached copy its first COMPILE_AFTER, so that small jobs never wait for a load or a compile that
would not pay back.
The trees are compiled from the booster already loaded (the shipped model is checked against
its card first), never from a model file, and a cached object is loaded only from a directory
and a file that this user owns and that no one else can write (it is native code).

Anything that goes wrong (lleaves absent, an llvmlite it does not work with, a compile error,
probabilities that differ from LightGBM's on the page being scored) turns the backend off for
the process, logged once, and LightGBM scores as before.
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
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: lleaves' compile options, its defaults: cache-blocking by 34 trees, inlined trees, the large
#: code model. `fcodemodel="small"` scored ~12% faster but may crash on large forests;
#: `finline=False` compiles 3x faster and scores 40% slower.
COMPILE_OPTIONS = {"fblocksize": 34, "finline": True, "fcodemodel": "large"}
#: Largest difference from LightGBM's probabilities accepted on the page it is checked on (measured: 1.4e-15).
TOLERANCE = 1e-9
#: Subdirectory of the user's cache directory ($XDG_CACHE_HOME, else ~/.cache) holding compiled trees.
CACHE_SUBDIR = Path("cleaner") / "trees"

#: Pages a booster scores with LightGBM, when no compiled copy is cached, before it is compiled:
#: a compile (~13 s) saves ~1.5 ms a page, so it pays back over ~9,000 pages, and a small job (a
#: folder of pages, an evaluation, the tests) should not wait 13 s for it; past this many pages a
#: job is likely to go on (and later processes find the trees cached).
COMPILE_AFTER = 1000
#: Pages a booster scores with LightGBM before its cached compiled trees are looked for: finding
#: and loading them costs ~90 ms (the model's text, its hash, the load, the check), ~60 pages'
#: worth of what they save, so a Cleaner made for a few pages never pays it.
LOOK_AFTER = 50

#: Rows of made-up features `warm` checks compiled trees on (it has no page to check them on).
WARM_PROBE_ROWS = 256

Predict = Callable[[np.ndarray], np.ndarray]


@dataclass
class _State:
    """One booster's compiled trees, or how many pages it has scored without them."""

    key: str | None = None
    predict: Predict | None = None
    scored: int = 0


_boosters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # booster -> _State
_lock = threading.Lock()
_disabled = False


def compiled(booster, probe: np.ndarray) -> Predict | None:
    """The booster's compiled predict (rows -> probabilities), or None: lleaves absent or failed,
    or not compiled yet. The compiled trees are loaded from the cache once the booster has scored
    LOOK_AFTER pages, else compiled once it has scored COMPILE_AFTER; either way checked against
    LightGBM on `probe` (the page being scored) before use."""
    global _disabled
    state = _boosters.get(booster)
    if state is not None and state.predict is not None:
        return state.predict
    if _disabled:
        return None
    with _lock:
        try:
            state = _boosters.setdefault(booster, _State())
            if state.predict is None and state.key is None and state.scored >= LOOK_AFTER:
                state.key = _key(booster)
                if _cached(state.key) is not None:
                    state.predict = _checked(_build(booster, state.key), booster, probe)
            if state.predict is None and state.scored >= COMPILE_AFTER:
                state.key = state.key or _key(booster)
                log.info("compiling the model's trees (~10 s, once: cached in %s)", _cache_dir())
                state.predict = _checked(_build(booster, state.key), booster, probe)
            state.scored += 1
        except ImportError as error:
            _disabled = True
            level = logging.INFO if error.name == "lleaves" else logging.WARNING
            log.log(level, "compiled trees unavailable (%s): scoring with LightGBM", error)
        except Exception as error:  # any failure of an optional backend must leave LightGBM scoring
            _disabled = True
            log.warning("compiled trees unavailable, scoring with LightGBM: %s: %s", type(error).__name__, error)
    return None if _disabled else _boosters[booster].predict


def warm(boosters) -> Path | None:
    """Compile the boosters' trees now (or load them from the cache), whatever the page counts,
    checked against LightGBM on rows that reach many leaves, so that later processes of this user
    on this CPU start fast: what `cleaner compile-trees` runs, e.g. when a Docker image is built.
    Raises what goes wrong (ImportError without lleaves); returns the cache directory (None: none)."""
    rng = np.random.default_rng(0)
    with _lock:
        for booster in boosters:
            probe = rng.normal(size=(WARM_PROBE_ROWS, booster.num_feature())) * 50
            probe[rng.random(probe.shape) < 0.1] = np.nan
            state = _boosters.setdefault(booster, _State())
            state.key = state.key or _key(booster)
            state.predict = state.predict or _checked(_build(booster, state.key), booster, probe)
    return _cache_dir()


def _checked(predict: Predict, booster, probe: np.ndarray) -> Predict:
    """`predict`, once it has given LightGBM's probabilities on `probe`."""
    got = predict(probe)
    difference = float(np.max(np.abs(got - booster.predict(probe, num_threads=1).reshape(got.shape))))
    if not difference <= TOLERANCE:
        raise ValueError(f"compiled trees differ from LightGBM by {difference:g}")
    return predict


def _key(booster) -> str:
    """The cache key of the booster's compiled trees (ImportError without lleaves)."""
    import lleaves  # noqa: F401 - the `fast` extra
    import llvmlite.binding as llvm

    cpu = f"{llvm.get_host_cpu_name()} {llvm.get_host_cpu_features().flatten()}"
    return _cache_key(booster.model_to_string(), version("lleaves"), version("llvmlite"), cpu)


def _cached(key: str) -> Path | None:
    """The cached object code for `key`, if there is one this user alone can have written, whole:
    its SHA-256 is the one written beside it when it was compiled (LLVM may crash, not raise, on a
    cut or damaged object file)."""
    directory = _cache_dir()
    cached = directory / f"{key}.o" if directory else None
    if cached is None or not cached.is_file() or not _private(cached):
        return None
    digest = cached.with_suffix(".sha256")
    if not digest.is_file() or digest.read_text(encoding="ascii").strip() != _file_sha256(cached):
        log.warning("ignoring %s: it does not match its digest (it will be compiled again)", cached)
        return None
    return cached


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build(booster, key: str) -> Predict:
    """The booster's trees loaded from the cache, or compiled (and cached, when the cache is writable)."""
    import lleaves

    with tempfile.TemporaryDirectory() as scratch:
        model_file = Path(scratch) / "model.txt"  # lleaves reads the model's text from a file
        model_file.write_text(booster.model_to_string(), encoding="utf-8")
        model = lleaves.Model(model_file=str(model_file))
        directory = _cache_dir()
        cached = _cached(key)
        if cached is not None:
            model.compile(cache=str(cached), **COMPILE_OPTIONS)
        elif directory is not None:
            fresh = directory / f".{key}.{os.getpid()}.tmp"  # lleaves writes it when done; renamed whole
            digest = fresh.with_suffix(".sha256.tmp")
            try:
                model.compile(cache=str(fresh), **COMPILE_OPTIONS)
                if fresh.is_file():  # the digest first: an object is never there without its digest
                    digest.write_text(_file_sha256(fresh) + "\n", encoding="ascii")
                    for path in (fresh, digest):
                        path.chmod(0o600)
                    digest.replace(directory / f"{key}.sha256")
                    fresh.replace(directory / f"{key}.o")
            finally:
                fresh.unlink(missing_ok=True)
                digest.unlink(missing_ok=True)
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
