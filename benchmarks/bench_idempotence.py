"""Issue 6's idempotence on text input: does cleaning clean text keep it as it is?

    python -m benchmarks.bench_idempotence [--show N]

For every held-out text page (sites the shipped model never saw: the text dumps and clean
copies of gne-zh and trafilatura-eval in training/data, and the text of the held-out HTML
pages as `clean()` writes it), `y = clean(x).text` and `z = clean(y).text` with the shipped
model. Printed: the pages where z != y, and how many characters of y the second pass lost
(paragraphs of y not in z) or changed. `--show N` lists the paragraphs lost on N pages.
"""

from __future__ import annotations

import argparse
import platform
from datetime import date
from pathlib import Path

from cleaner import Cleaner
from cleaner.data import page_content, read_pages
from training.splits import is_held_out, page_source
from training.train_model import CORPORA, DATA

SOURCES = ("gne-zh-text.jsonl", "trafilatura-eval-text.jsonl", "gne-zh.jsonl", "trafilatura-eval.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", type=int, default=0, help="list the lost paragraphs of this many pages")
    args = parser.parse_args(argv)
    print(f"# bench_idempotence {date.today()} python {platform.python_version()} {platform.machine()}")
    default = Cleaner()
    print("| input | settle | pages | changed | share | chars of y | lost | share |\n"
          "|---|---|--:|--:|--:|--:|--:|--:|")
    for name, settle in ((name, settle) for name in SOURCES for settle in (False, True)):
        cleaner = Cleaner(default.model, settle=settle)
        pages = [p for p in read_pages([DATA / name]) if is_held_out(page_source(p))]
        changed = chars = lost = count = 0
        for page in pages:
            first = cleaner.clean(page_content(page, [CORPORA]), kind=page.kind).text
            if not first:
                continue
            second = cleaner.clean(first, kind="text").text
            count += 1
            chars += len(first)
            if second != first:
                changed += 1
                gone = set(first.split("\n\n")) - set(second.split("\n\n"))
                lost += sum(len(p) for p in gone)
                if args.show > 0:
                    args.show -= 1
                    print(f"<!-- {page.id}: " + " | ".join(p[:60] for p in gone) + " -->")
        kind = "text" if name.endswith("-text.jsonl") else "HTML, its text re-cleaned"
        print(f"| {Path(name).stem} ({kind}) | {'yes' if settle else 'no'} | {count} | {changed} "
              f"| {changed / max(count, 1):.1%} | {chars} | {lost} | {lost / max(chars, 1):.2%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
