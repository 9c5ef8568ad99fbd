"""The command line: clean, explain, train, evaluate, label.

Exit status of `cleaner clean`: 0 when every page was cleaned, 1 when some pages failed
(each reported with its reason; the others are written), 2 for a usage error.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cleaner import batch
from cleaner.classify import load_model, save_model
from cleaner.data import LabelledPage, read_pages, write_pages
from cleaner.errors import CleanerError
from cleaner.labels import BODY, CHROME, COMMENT, SPAM
from cleaner.lexicon import spam_signals
from cleaner.pipeline import Cleaner
from cleaner.records import archive_kind

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Strip boilerplate, comments and spam from scraped news pages.")
err = Console(stderr=True)
COLOURS = {BODY: "green", CHROME: "bright_black", COMMENT: "cyan", SPAM: "red"}

ModelOption = Annotated[Path | None, typer.Option("--model", "-m", help="Model file (default: the shipped one).")]
TrustOption = Annotated[bool, typer.Option("--trust-model", help="Load a model from outside models/ (runs its code).")]


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")  # escaped: a "[draft]" in a path is text
    raise typer.Exit(2)


@app.command()
def clean(
    paths: Annotated[list[str], typer.Argument(
        help="Pages, WARC (.warc, .warc.gz) and JSONL files (an html or text field a line), folders "
             "(recursive: pages and WARCs), globs, or - for stdin.")],
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Output folder (txt, json) or file (jsonl, - for stdout).")],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="txt, json or jsonl (default: jsonl when OUTPUT ends in .jsonl or is -, else txt).")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).")] = 1,
    include_comments: Annotated[bool, typer.Option("--comments", help="Keep readers' comments in the output.")] = False,
    labels: Annotated[bool, typer.Option("--labels", help="Add every paragraph and its label (json, jsonl).")] = False,
    settle: Annotated[bool, typer.Option(
        "--settle", help="Text pages: clean the article again until it stays the same (idempotent, slower).")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Redo pages whose output exists.")] = False,
    checkpoint: Annotated[int, typer.Option(
        "--checkpoint", help="jsonl: store finished records every N records (what a resumed run keeps).")] = 1000,
    inside_input: Annotated[bool, typer.Option("--allow-output-inside-input",
                                               help="Allow OUTPUT inside an input folder.")] = False,
    model: ModelOption = None,
    trust_model: TrustOption = False,
) -> None:
    """Clean pages and write their article text."""
    if fmt is None:
        fmt = "jsonl" if str(output) == "-" or output.name.lower().endswith(".jsonl") else "txt"
    if fmt not in batch.FORMATS:
        _fail(f"--format must be one of {', '.join(batch.FORMATS)}")
    if jobs < 0 or checkpoint < 1:
        _fail("--jobs must be 0 or more and --checkpoint 1 or more")
    jobs = jobs or os.cpu_count() or 1
    try:
        inputs = batch.find_inputs(paths, archives=True)
        load_model(model, trust=trust_model)  # fail early, before any worker starts
    except CleanerError as error:
        _fail(str(error))
    out = output.resolve()
    if not inside_input:  # a folder is read recursively: an output inside it would be read next time
        for root in {Path(p) for p in paths if p != "-" and Path(p).is_dir()}:
            if out == root.resolve() or root.resolve() in out.parents:
                _fail(f"output {output} is inside the input folder {root}; "
                      "pass --allow-output-inside-input to allow it")
    if any(out == Path(p).resolve() for _, p in inputs if str(p) != "-"):
        _fail(f"output {output} is one of the inputs")
    options = {"model": str(model) if model else None, "trust_model": trust_model,
               "include_comments": include_comments, "labels": labels, "settle": settle}
    to_stdout = fmt == "jsonl" and str(output) == "-"
    parts: batch.JsonlParts | None = None
    if fmt == "jsonl" and not to_stdout:
        if out.exists() and not overwrite:
            err.print(f"{escape(str(output))} exists: nothing to do (--overwrite redoes it)")
            shutil.rmtree(out.parent / f".{out.name}.parts", ignore_errors=True)  # left by a kill after the rename
            raise typer.Exit(0)
        parts = batch.JsonlParts(out, batch.input_fingerprint(inputs, {**options, "format": fmt}),
                                 every=checkpoint, overwrite=overwrite)

    skipped = 0
    positions: deque[int] = deque()  # the input position of each record sent to clean, in order

    def todo() -> Iterator[batch.Record]:
        """Records still to clean: every record is read (positions must not move), done ones are not sent."""
        nonlocal skipped
        for index, record in enumerate(batch.read_files(inputs)):
            if parts is not None:
                done = parts.is_done(index)
            else:
                done = (fmt != "jsonl" and not overwrite and record.relpath is not None and record.id != "-"
                        and (out / batch.output_relpath(record.relpath, fmt)).exists())
            if done:
                skipped += 1
                continue
            positions.append(index)
            yield record

    started = time.perf_counter()
    cleaned = failed = empty = 0
    only_pages = all(str(p) == "-" or not archive_kind(p) for _, p in inputs)
    progress = Progress(TextColumn("cleaning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, disable=not err.is_terminal)
    try:
        with progress:
            task = progress.add_task("clean", total=len(inputs) if only_pages else None)
            for result in batch.run(todo(), options, jobs):
                index = positions.popleft()
                progress.update(task, completed=index + 1)
                line = ""
                if result.get("error"):
                    failed += 1
                    err.print(f"[red]failed[/red] {escape(str(result['id']))}: {escape(str(result['error']))}")
                else:
                    if result.get("reason"):
                        empty += 1
                        err.print(f"[yellow]empty[/yellow] {escape(str(result['id']))}: "
                                  f"{escape(str(result['reason']))}")
                    cleaned += 1
                    if fmt == "jsonl":
                        line = batch.render(result, "jsonl")
                    else:
                        target = out / batch.output_relpath(result["relpath"] or "stdin", fmt)
                        batch.write_atomic(target, batch.render(result, fmt))
                if to_stdout:
                    sys.stdout.write(line)
                elif parts is not None:
                    parts.add(index, line)
    except KeyboardInterrupt:
        if parts is not None:
            parts.flush()  # keep what is finished: the rerun starts from here
        err.print("interrupted: run the same command again to finish")
        raise typer.Exit(130) from None
    if parts is not None:
        parts.finish()
    seconds = time.perf_counter() - started
    pages = cleaned + failed
    err.print(f"pages {pages}, cleaned {cleaned} ({empty} with no body), failed {failed}, "
              f"skipped (done before) {skipped}, {seconds:.1f} s, {pages / seconds if seconds else 0:.1f} pages/s")
    raise typer.Exit(1 if failed else 0)


@app.command("spark")
def spark_command(
    paths: Annotated[list[str], typer.Argument(help="WARC, JSONL, Parquet, page files, folders or globs.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Parquet folder to write (replaced).")],
    master: Annotated[str, typer.Option("--master", help="Spark master.")] = "local[*]",
    labels: Annotated[bool, typer.Option("--labels", help="Add every paragraph and its label.")] = False,
    include_comments: Annotated[bool, typer.Option("--comments", help="Add readers' comments.")] = False,
    partitions: Annotated[int | None, typer.Option("--partitions", help="Slices of the input files.")] = None,
    settle: Annotated[bool, typer.Option(
        "--settle", help="Text pages: clean the article again until it stays the same (idempotent, slower).")] = False,
    model: ModelOption = None,
    trust_model: TrustOption = False,
) -> None:
    """Clean pages on Spark (the `spark` extra) and write Parquet; on a cluster use spark-submit (README)."""
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        _fail(f"{error}: pip install 'cleaner[spark]'")
    from cleaner import spark

    try:
        load_model(model, trust=trust_model)
        spark.clean_paths(spark.session(master), paths, output, labels=labels, comments=include_comments,
                          model=str(model) if model else None, trust_model=trust_model, partitions=partitions,
                          settle=settle)
    except (CleanerError, ValueError) as error:
        _fail(str(error))
    err.print(f"wrote {escape(str(output))}")


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="A page (HTML or text, .gz too), or - for stdin.")],
    model: ModelOption = None,
    trust_model: TrustOption = False,
) -> None:
    """Show every paragraph with its label and score, and why spam is spam."""
    try:
        content = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as error:
        _fail(f"cannot read {path}: {error}")
    try:
        cleaner = Cleaner(model, trust_model=trust_model)
        result = cleaner.clean(content)
    except CleanerError as error:
        _fail(str(error))
    lifts = cleaner.model.text_ if cleaner.model.needs_texts else None
    out = Console()
    # every text of the page goes through escape(): rich reads "[/quote]" or "[edit]" as markup
    out.print(f"[bold]{escape(result.title or '(no title)')}[/bold]  kind={result.kind} encoding={result.encoding}")
    if result.reason:
        out.print(f"[yellow]{escape(result.reason)}[/yellow]")
    for p in result.paragraphs:
        colour = COLOURS[p.label]
        others = " ".join(f"{k}={v:.2f}" for k, v in p.probabilities.items() if k != p.label and v >= 0.05)
        why = ""
        if p.label == SPAM:
            signals = spam_signals(p.text)
            named = ", ".join(f"{k}×{v}" for k, v in signals.items())
            if lifts is not None and (grams := lifts.top_ngrams(p.text, SPAM, 4)):
                named += ("; " if named else "") + "n-grams " + ", ".join(f"{g!r} {v:+.1f}" for g, v in grams)
            why = f"  [red]signals: {escape(named) or 'layout and context only'}[/red]"
        if p.rule:
            why += f"  [magenta]rule: {p.rule}[/magenta]"
        out.print(f"[{colour}]{p.index:>4} {p.label:<7} {p.score:.2f}[/{colour}] "
                  f"[dim]{others}[/dim]{why}\n      {escape(p.text[:300])}", highlight=False, markup=True)


@app.command("compile-trees")
def compile_trees(model: ModelOption = None, trust_model: TrustOption = False) -> None:
    """Compile the model's trees now and cache them (the `fast` extra), so that later runs of this
    user on this CPU score ~4x faster from their first pages, e.g. when building an image."""
    from cleaner import fasttrees

    started = time.perf_counter()
    try:
        loaded = Cleaner(model, trust_model=trust_model).model
        directory = fasttrees.warm(loaded.boosters)
    except CleanerError as error:
        _fail(str(error))
    except ImportError as error:
        _fail(f"compiled trees need the `fast` extra (pip install 'cleaner[fast]'): {error}")
    except Exception as error:  # lleaves or LLVM failing: LightGBM still scores, say why this did not work
        _fail(f"could not compile the trees: {type(error).__name__}: {error}")
    where = f"cached in {directory}" if directory else "not cached (no private cache directory)"
    typer.echo(f"compiled trees ready in {time.perf_counter() - started:.1f} s, {where}")


@app.command()
def train(
    data: Annotated[list[Path], typer.Argument(help="Labelled pages: JSONL files or folders of them.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model file to write (its card goes beside it).")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Train a model on labelled pages (the format of training/ and `cleaner label`)."""
    from cleaner.train import fit

    pages = list(read_pages(data))
    model = fit(pages, seed=seed)
    card = save_model(model, output, {"training_data": [str(d) for d in data], "training_pages": len(pages),
                                      "seed": seed})
    err.print(f"trained on {len(pages)} pages: {escape(str(output))} (sha256 {card['sha256'][:12]}…)")


@app.command()
def evaluate(
    data: Annotated[list[Path], typer.Argument(help="Labelled pages: JSONL files or folders of them.")],
    model: ModelOption = None,
    trust_model: TrustOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Per-class precision, recall, F1 and the confusion matrix on labelled pages."""
    import json

    from cleaner.train import evaluate as run_evaluation
    from cleaner.train import format_report

    try:
        report = run_evaluation(load_model(model, trust=trust_model), read_pages(data))
    except CleanerError as error:
        _fail(str(error))
    print(json.dumps(report.to_dict(), indent=1) if as_json else format_report(report))


@app.command()
def label(
    paths: Annotated[list[str], typer.Argument(help="Pages to pre-label: files, folders, globs.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL file of labelled pages to correct.")],
    model: ModelOption = None,
    trust_model: TrustOption = False,
) -> None:
    """Pre-label pages with the current model, for a person to correct and `train` on."""
    cleaner = Cleaner(model, trust_model=trust_model)
    pages = []
    for _root, path in batch.find_inputs(paths):
        try:
            result = cleaner.clean(path.read_bytes())
        except OSError as error:
            err.print(f"[red]skipped[/red] {escape(str(path))}: {escape(str(error))}")
            continue
        source = str(path.resolve())
        pages.append(LabelledPage(id=path.name, kind=result.kind, source=source,
                                  paragraphs=[(p.text, p.label) for p in result.paragraphs]))
    count = write_pages(pages, output)
    err.print(f"pre-labelled {count} pages into {escape(str(output))}: correct the labels, then `cleaner train`")


def main() -> None:
    app()


if __name__ == "__main__":
    main()


__all__ = ["app", "main"]
