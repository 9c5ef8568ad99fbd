"""LightGBM against the compiled trees of `cleaner.fasttrees` (the `fast` extra), interleaved in one process.

On the first `--pages` pages of trafilatura-eval (sorted by file name) as HTML, the same
pages' paragraphs joined by blank lines as text, and bench_seeds' throughput pages (the seeds
and the gne-zh text pages) as seeds: the two predicts per page (ms) and whole-page
`Cleaner.clean` pages/s, each backend timed page by page in alternating order, medians over
`--reps` repetitions; then the largest probability difference and whether every Result (labels,
rules, text, rounded probabilities) is identical. Run: python -m benchmarks.bench_trees
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time

import numpy as np

from benchmarks.corpora import CORPORA
from cleaner import classify, fasttrees
from cleaner.data import read_pages
from cleaner.pipeline import Cleaner, prepare
from training.seeds import seed_pages
from training.train_model import DATA

KINDS = ("html", "text", "seeds")


def load(count: int) -> dict[str, list]:
    """Pages by kind: (page, first-pass matrix) for every page with blocks."""
    files = sorted((CORPORA / "trafilatura-eval" / "html").glob("*.html.gz"))[:count]
    model = Cleaner(fast_trees=False).model
    pages: dict[str, list] = {kind: [] for kind in KINDS}
    found = []
    for path in files:
        html = gzip.decompress(path.read_bytes())
        blocks = prepare(html, kind="html").blocks
        found += [("html", html), ("text", "\n\n".join(block.text for block in blocks))]
    found += [("seeds", p.raw) for p in [*seed_pages(), *read_pages([DATA / "gne-zh-text.jsonl"])]]
    for kind, page in found:
        prepared = prepare(page, kind=mode(kind))
        if prepared.blocks:
            lifts = model.text_lifts([block.text for block in prepared.blocks])
            pages[kind].append((page, np.hstack([prepared.features, lifts])))
    return pages


def mode(kind: str) -> str:
    return "html" if kind == "html" else "text"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    slow = Cleaner(fast_trees=False)
    fast = Cleaner(slow.model, fast_trees=True)
    model = slow.model
    pages = load(args.pages)
    fasttrees.COMPILE_AFTER = fasttrees.LOOK_AFTER = 0  # compile (or load) on the first page
    started = time.perf_counter()
    fast.clean(pages["seeds"][0][0], kind="text")
    print(f"first compiled page: {time.perf_counter() - started:.2f} s (compile or cache load)")
    if fasttrees._disabled:
        print("compiled trees unavailable (see the log): nothing to compare")
        return 1

    def passes(X: np.ndarray, score) -> np.ndarray:
        return score(model.second_, classify._with_context(X, score(model.first_, X), None))

    worst = 0.0
    identical = True
    for kind in KINDS:
        for page, X in pages[kind]:
            worst = max(worst, float(np.abs(passes(X, classify._proba) - passes(X, classify._fast_proba)).max()))
            a, b = slow.clean(page, kind=mode(kind)), fast.clean(page, kind=mode(kind))
            identical &= a.text == b.text and [(p.label, p.rule, p.probabilities) for p in a.paragraphs] == [
                (p.label, p.rule, p.probabilities) for p in b.paragraphs]
    backends = {"lightgbm": (classify._proba, slow), "lleaves": (classify._fast_proba, fast)}
    times: dict[tuple, list[float]] = {}
    for _ in range(args.reps):
        for kind in KINDS:
            for step in ("predict", "clean"):
                total = dict.fromkeys(backends, 0.0)
                for i, (page, X) in enumerate(pages[kind]):
                    for name in (list(backends) if i % 2 else list(backends)[::-1]):
                        score, cleaner = backends[name]
                        started = time.perf_counter()
                        passes(X, score) if step == "predict" else cleaner.clean(page, kind=mode(kind))
                        total[name] += time.perf_counter() - started
                for name, seconds in total.items():
                    times.setdefault((kind, step, name), []).append(seconds / len(pages[kind]))
    print(f"medians of {args.reps} interleaved repetitions")
    for kind in KINDS:
        print(f"{kind}: {len(pages[kind])} pages, {statistics.mean(len(X) for _, X in pages[kind]):.0f} rows a page")
        for name in backends:
            predict = statistics.median(times[kind, "predict", name]) * 1e3
            rate = 1 / statistics.median(times[kind, "clean", name])
            print(f"{kind:5s} {name:9s} both predicts {predict:.3f} ms/page   clean {rate:6.1f} pages/s")
    print(f"max abs difference of probabilities {worst:.2g}; Results identical: {'yes' if identical else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
