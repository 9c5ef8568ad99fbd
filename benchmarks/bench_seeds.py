"""Issue 2's acceptance numbers on the seed pages, leave-one-page-out, and text throughput.

    python -m benchmarks.bench_seeds [--strict] [--skip-throughput] [--train-seed N ...]

For each seed, a model is trained by the shipped recipe (training/train_model.py) on every
page but that one (and without synthetic pages made from it), then cleans the seed:
- body F1 against the gold body lines (4-gram shingles, CJK characters as tokens);
- the seed's broken paragraphs (seeds/labels/joins.json) joined in `text`;
- on seed 002: every gold spam line labelled spam, none left in `text`, per-class F1.
`--strict` also holds out the synthetic spam families game_cheat and machine_comment (the
latter's templates were written after seed 002's machine comments), so the spam on 002 is
judged by a model that saw nothing like it. `--train-seed` (repeatable) sets the members' seeds,
i.e. their draws of generated pages (the seeds judged stay the same): how much one retrain moves
the numbers, before a line or two on seed 002 is read as a change.
Throughput: `clean()` with the shipped model on the seeds and the text dumps of the gne-zh
pages, single process, pages/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Sequence
from datetime import date

from benchmarks.metrics import page_overlap
from benchmarks.peers import model_backend
from cleaner import Cleaner
from cleaner.data import read_pages
from cleaner.labels import BODY, LABELS, SPAM
from cleaner.train import score
from training import synth
from training.seeds import seed_joins, seed_pages
from training.train_model import DATA, MEMBER_SEEDS, load_real_pages, split, train_recipe


def lopo_model(page_id: str, strict: bool, train_seeds: Sequence[int] = MEMBER_SEEDS):
    real = [p for p in load_real_pages() if p.id != page_id]
    train, _ = split(real)
    families = tuple(f for f in synth.FAMILIES if not (strict and f in ("game_cheat", "machine_comment")))
    return train_recipe(train, train_seeds, families)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--throughput-only", action="store_true", help="skip the leave-one-page-out models")
    parser.add_argument("--train-seed", type=int, action="append",
                        help="seed of a member of the leave-one-page-out models (its draw of generated pages); "
                             "repeatable; default: the shipped recipe's")
    args = parser.parse_args(argv)
    machine = platform.processor() or platform.machine()
    print(f"# bench_seeds {date.today()} python {platform.python_version()} {machine}")
    joins = seed_joins()
    rows = []
    for page in [] if args.throughput_only else seed_pages():
        started = time.perf_counter()
        cleaner = Cleaner(lopo_model(page.id, args.strict, args.train_seed or MEMBER_SEEDS))
        trained = time.perf_counter() - started
        result = cleaner.clean(page.raw, kind="text")
        gold_body = "\n\n".join(t for t, label in page.paragraphs if label == BODY)
        overlap = page_overlap(result.text, gold_body)
        p, r, f = overlap.precision, overlap.recall, overlap.f1
        pairs = joins.get(page.id, [])
        joined = sum(1 for left, right in pairs if left + right in result.text)
        gold = [label for _, label in page.paragraphs]
        predicted = [q.label for q in result.paragraphs]
        spam_lines = [t for t, label in page.paragraphs if label == SPAM]
        spam_found = sum(1 for g, q in zip(gold, predicted) if g == SPAM and q == SPAM)
        spam_in_text = sum(1 for t in spam_lines if t in result.text)
        report = score(gold, predicted, 1)
        rows.append((page.id, p, r, f, joined, len(pairs), spam_found, len(spam_lines), spam_in_text, report, trained))
    if rows:
        _print_rows(rows, args.strict, args.train_seed or MEMBER_SEEDS)
    if not args.skip_throughput:
        _throughput()
    return 0


def _print_rows(rows: list, strict: bool, train_seeds: Sequence[int] = MEMBER_SEEDS) -> None:
    print("\n| seed | body P | body R | body F1 | joins | spam labelled | spam in text | "
          + " | ".join(f"F1 {lab}" for lab in LABELS) + " |")
    print("|---|---|---|---|---|---|---|" + "---|" * len(LABELS))
    for pid, p, r, f, joined, pairs, found, spam, in_text, report, _ in rows:
        f1 = " | ".join(f"{report.f1[lab]:.3f}" if report.support[lab] else "–" for lab in LABELS)
        print(f"| {pid[:3]} | {p:.3f} | {r:.3f} | {f:.3f} | {joined}/{pairs} | {found}/{spam} | {in_text} | {f1} |")
    print(f"\nmodels: leave-one-page-out{' (strict: game_cheat and machine_comment held out)' if strict else ''}"
          f", member seeds {' '.join(map(str, train_seeds))}, "
          f"training {sum(row[-1] for row in rows):.0f} s in all")


def _throughput() -> None:
    """clean() on the seeds and the gne-zh text pages, shipped model, one process."""
    pages = [p.raw for p in seed_pages()] + [p.raw for p in read_pages([DATA / "gne-zh-text.jsonl"])]
    cleaner = Cleaner()
    backend = model_backend(cleaner)
    cleaner.clean(pages[0])
    started, cpu_started = time.perf_counter(), time.process_time()
    repeats = 3
    for _ in range(repeats):
        for raw in pages:
            cleaner.clean(raw, kind="text")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    count = repeats * len(pages)
    print(f"\nthroughput: {count} text pages in {seconds:.2f} s = {count / seconds:.0f} pages/s "
          f"(clean(), shipped model scored by {backend}, one process); "
          f"CPU {cpu:.2f} s = {count / cpu:.0f} pages/CPU-s, "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
