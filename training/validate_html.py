"""Score HTML extraction on validation splits of the *training* sites, with trafilatura's metric:

    python -m training.validate_html [--folds N] [--seed N ...] [--save-model PREFIX | --load-model PREFIX ...]
        [--peers] [--show N]

bench_html reports on the held-out sites (training/splits.py); changes to the segmenter, the
features or the labels must not be chosen there. Here the training sites are split again by a
salted site hash (a salt of its own, not tune_spam's) into VALIDATION_BUCKETS buckets. For
each of the first `--folds` buckets a model is trained by the shipped recipe (the real pages
and the pages generated from them) on the sites of the other buckets only, and that bucket's
trafilatura-eval pages are scored with the segment metric of bench_html
(`benchmarks.metrics.count_segments`), and its gne-zh pages (those of the training sites with a
gold body) with bench_html's 4-gram shingles (`page_overlap`), cleaner's output being
`Cleaner.clean(html, kind="html").text` exactly as bench_html runs it. For gne-zh the pages whose
recall falls under COLLAPSED_RECALL are listed too: with ~10 Chinese pages a fold, one page whose
article goes to chrome is what moves F1. The counts are summed over the folds:
`--folds 4` scores every training site once (a fold is ~170 pages and ~1,000 segments, where
one retraining moves F1 by a few tenths of a point; four folds are steadier).

`--seed` (repeatable) sets the members' seeds (default: the shipped recipe's MEMBER_SEEDS).
`--save-model` / `--load-model` keep the trained models (PREFIX.fold<k>.joblib, e.g. in /tmp) to
score again without retraining (several `--load-model`: their Ensemble); `--peers` scores
trafilatura on the same pages; `--show N` prints the N pages with the most segment errors, each
missed `with` and each kept `without` segment with the label cleaner gave the block holding it.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import joblib

from benchmarks.corpora import Page, load_gne_zh, load_trafilatura_eval
from benchmarks.metrics import SegmentScore, ShingleScore, count_segments, norm, page_overlap
from cleaner.classify import Model, ensemble_of
from cleaner.data import LabelledPage
from cleaner.pipeline import Cleaner
from training.splits import bucket_of, is_held_out, is_seed, page_source, site_of
from training.train_model import MEMBER_SEEDS, load_real_pages, split, train_recipe

#: The training sites are cut into this many validation buckets (a fold validates on one).
VALIDATION_BUCKETS = 4
#: The site-hash salt of these buckets (training/splits.py uses none, tune_spam "tune_spam:").
SALT = "validate_html:"
#: A gne-zh page whose shingle recall is under this has lost its article (listed by name).
COLLAPSED_RECALL = 0.7


def fold_of(source: str) -> int | None:
    """The validation bucket of a page's site (URL or corpus path); None for a held-out site."""
    return None if is_held_out(source) else bucket_of(source, VALIDATION_BUCKETS, salt=SALT)


def fit_pages(real: list[LabelledPage], fold: int) -> list[LabelledPage]:
    """The real training pages that are not on a site of `fold` (seeds always train)."""
    train, _ = split(real)
    return [p for p in train if is_seed(p) or fold_of(page_source(p)) != fold]


def train(real: list[LabelledPage], fold: int, seeds: Sequence[int] = MEMBER_SEEDS) -> Model:
    """A model by the shipped recipe, on the other folds' sites and the pages generated from them."""
    pages = fit_pages(real, fold)
    print(f"fold {fold}: training {len(seeds)} member(s) on {len(pages)} real pages", file=sys.stderr)
    return train_recipe(pages, seeds)


def validation_pages(fold: int) -> list[Page]:
    """The trafilatura-eval pages of one fold's sites, decoded as bench_html decodes them."""
    return [p for p in _corpus("trafilatura-eval") if fold_of(p.url or p.id) == fold]


def chinese_pages(fold: int) -> list[Page]:
    """The gne-zh pages with a gold body of one fold's sites (a gne-zh page's site is its name's
    prefix, for the page as for its labelled record)."""
    return [p for p in _corpus("gne-zh") if fold_of(p.id) == fold]


@functools.cache
def _corpus(name: str) -> tuple[Page, ...]:
    """Every page of a corpus, read and decoded once a process, not once a fold."""
    return tuple(load_trafilatura_eval("all") if name == "trafilatura-eval" else load_gne_zh("all")[0])


def _peer_outputs(pages: list[Page]) -> list[str]:
    from benchmarks import peers

    adapter = peers.load("trafilatura")
    return [adapter(p.html, p.url) or "" for p in pages]


def _errors(page: Page, cleaner: Cleaner) -> tuple[list[str], list[str], list]:
    """A page's missed `with` segments, kept `without` segments, and cleaner's paragraphs."""
    result = cleaner.clean(page.html, url=page.url, kind="html")
    text = norm(result.text)
    missed = [s for s in page.segments["with"] if norm(s) not in text]
    kept = [s for s in page.segments["without"] if norm(s) in text]
    return missed, kept, result.paragraphs


def _show(rows: list[tuple[Page, list[str], list[str], list]], worst: int) -> None:
    """The pages with the most segment errors: missed `with`, kept `without`, and the block label."""
    rows = sorted((r for r in rows if r[1] or r[2]), key=lambda r: -(len(r[1]) + len(r[2])))
    for page, missed, kept, paragraphs in rows[:worst]:
        print(f"\n== {page.url}  ({len(missed)} missed, {len(kept)} kept)")
        for kind, segments in (("MISSED", missed), ("KEPT", kept)):
            for s in segments:
                holder = next((p for p in paragraphs if norm(s)[:40] in norm(p.text)), None)
                where = f"{holder.label} {holder.score:.2f} {(holder.path or '')[-60:]}" if holder else "no block"
                print(f"  {kind:6} [{where}] {norm(s)[:110]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=1, choices=range(1, VALIDATION_BUCKETS + 1),
                        help="validate on the first N buckets, one model each (default 1)")
    parser.add_argument("--save-model", help="also write the trained models to PREFIX.fold<k>.joblib")
    parser.add_argument("--load-model", action="append",
                        help="the models --save-model wrote, instead of training (repeat it: their Ensemble)")
    parser.add_argument("--peers", action="store_true", help="score trafilatura on the same pages")
    parser.add_argument("--show", type=int, default=0, help="print the N pages with the most segment errors")
    parser.add_argument("--seed", type=int, action="append",
                        help="seed of a member of the model (repeatable; default: the shipped recipe's)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    real = [] if args.load_model else load_real_pages()
    ours, theirs, rows, sites = SegmentScore(), SegmentScore(), [], set()
    chinese, collapsed = ShingleScore(), []
    for fold in range(args.folds):
        if args.load_model:
            model = ensemble_of([joblib.load(Path(f"{prefix}.fold{fold}.joblib")) for prefix in args.load_model])
        else:
            model = train(real, fold, args.seed or MEMBER_SEEDS)
            if args.save_model:
                joblib.dump(model, Path(f"{args.save_model}.fold{fold}.joblib"))
        pages = validation_pages(fold)
        cleaner = Cleaner(model)
        fold_score = SegmentScore()
        for page in pages:
            missed, kept, paragraphs = _errors(page, cleaner)
            found, wrong = len(page.segments["with"]) - len(missed), len(page.segments["without"]) - len(kept)
            fold_score.add((found, len(kept), len(missed), wrong))
            rows.append((page, missed, kept, paragraphs))
        ours.tp, ours.fp, ours.fn, ours.tn = (ours.tp + fold_score.tp, ours.fp + fold_score.fp,
                                              ours.fn + fold_score.fn, ours.tn + fold_score.tn)
        ours.pages += fold_score.pages
        sites.update(site_of(p.url or p.id) for p in pages)
        fold_chinese = ShingleScore()
        for page in chinese_pages(fold):
            overlap = page_overlap(cleaner.clean(page.html, kind="html").text, page.gold or "")
            fold_chinese.add(overlap)
            chinese.add(overlap)
            if overlap.recall < COLLAPSED_RECALL:
                collapsed.append(f"{page.id} ({overlap.recall:.2f})")
        print(f"fold {fold}: {len(pages)} pages, F1 {fold_score.f1:.4f}; gne-zh {len(fold_chinese.pages)} pages, "
              f"F1 {fold_chinese.f1:.4f}", file=sys.stderr)
        if args.peers:
            for page, out in zip(pages, _peer_outputs(pages)):
                theirs.add(count_segments(page.segments, out))
    print(f"validation: {ours.pages} trafilatura-eval pages of {len(sites)} sites, {args.folds} fold(s)")
    print(f"cleaner      P {ours.precision:.3f} R {ours.recall:.3f} F1 {ours.f1:.4f}"
          f"  (tp {ours.tp} fp {ours.fp} fn {ours.fn})")
    print(f"gne-zh: {len(chinese.pages)} pages, cleaner P {chinese.precision:.3f} R {chinese.recall:.3f} "
          f"F1 {chinese.f1:.4f}; recall under {COLLAPSED_RECALL}: {', '.join(collapsed) or 'none'}")
    if args.peers:
        print(f"trafilatura  P {theirs.precision:.3f} R {theirs.recall:.3f} F1 {theirs.f1:.4f}"
              f"  (tp {theirs.tp} fp {theirs.fp} fn {theirs.fn})")
    if args.show:
        _show(rows, args.show)
    print(f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
