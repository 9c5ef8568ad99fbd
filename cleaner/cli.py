"""The command line: clean, explain, train, evaluate, label.

Exit status of `cleaner clean`: 0 when every page was cleaned, 1 when some pages failed
(each reported with its reason; the others are written), 2 for a usage error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cleaner import batch
from cleaner.classify import load_model, save_model
from cleaner.data import LabelledPage, read_pages, write_pages
from cleaner.errors import CleanerError
from cleaner.labels import BODY, CHROME, COMMENT, SPAM
from cleaner.lexicon import spam_signals
from cleaner.pipeline import Cleaner

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Strip boilerplate, comments and spam from scraped news pages.")
err = Console(stderr=True)
COLOURS = {BODY: "green", CHROME: "bright_black", COMMENT: "cyan", SPAM: "red"}

ModelOption = Annotated[Path | None, typer.Option("--model", "-m", help="Model file (default: the shipped one).")]
TrustOption = Annotated[bool, typer.Option("--trust-model", help="Load a model from outside models/ (runs its code).")]


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


@app.command()
def clean(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive), globs, or - for stdin.")],
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Output folder (txt, json) or file (jsonl, - for stdout).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="txt, json or jsonl.")] = "txt",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes.")] = 1,
    include_comments: Annotated[bool, typer.Option("--comments", help="Keep readers' comments in the output.")] = False,
    labels: Annotated[bool, typer.Option("--labels", help="Add every paragraph and its label (json, jsonl).")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Redo pages whose output exists.")] = False,
    inside_input: Annotated[bool, typer.Option("--allow-output-inside-input",
                                               help="Allow OUTPUT inside an input folder.")] = False,
    model: ModelOption = None,
    trust_model: TrustOption = False,
) -> None:
    """Clean pages and write their article text."""
    if fmt not in batch.FORMATS:
        _fail(f"--format must be one of {', '.join(batch.FORMATS)}")
    try:
        inputs = batch.find_inputs(paths)
        load_model(model, trust=trust_model)  # fail early, before any worker starts
    except CleanerError as error:
        _fail(str(error))
    out = output.resolve()
    if not inside_input:
        for root, _ in inputs:
            if root is not None and (out == root.resolve() or root.resolve() in out.parents):
                _fail(f"output {output} is inside the input folder {root}; "
                      "pass --allow-output-inside-input to allow it")
    if any(out == Path(p).resolve() for _, p in inputs if str(p) != "-"):
        _fail(f"output {output} is one of the inputs")
    todo = []
    skipped = 0
    for root, path in inputs:
        rel = path.relative_to(root).as_posix() if root is not None else "stdin"
        target = out / batch.output_relpath(rel, fmt)
        if fmt != "jsonl" and not overwrite and str(path) != "-" and target.exists():
            skipped += 1
            continue
        todo.append((root, path))
    options = {"model": str(model) if model else None, "trust_model": trust_model,
               "include_comments": include_comments, "labels": labels}
    started = time.perf_counter()
    cleaned = failed = empty = 0
    progress = Progress(TextColumn("cleaning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, disable=not err.is_terminal)
    stream = None
    if fmt == "jsonl":
        stream = sys.stdout if str(output) == "-" else None
        buffer: list[str] = []
    with progress:
        task = progress.add_task("clean", total=len(todo))
        for result in batch.run(batch.read_files(todo), options, jobs):
            progress.advance(task)
            if "error" in result:
                failed += 1
                err.print(f"[red]failed[/red] {result['id']}: {result['error']}")
                continue
            if result.get("reason"):
                empty += 1
                err.print(f"[yellow]empty[/yellow] {result['id']}: {result['reason']}")
            cleaned += 1
            if fmt == "jsonl":
                line = batch.render(result, "jsonl")
                if stream is not None:
                    stream.write(line)
                else:
                    buffer.append(line)
            else:
                target = out / batch.output_relpath(result["relpath"] or "stdin", fmt)
                batch.write_atomic(target, batch.render(result, fmt))
    if fmt == "jsonl" and stream is None:
        batch.write_atomic(out, "".join(buffer))
    seconds = time.perf_counter() - started
    pages = cleaned + failed
    err.print(f"pages {pages}, cleaned {cleaned} ({empty} with no body), failed {failed}, "
              f"skipped (done before) {skipped}, {seconds:.1f} s, {pages / seconds if seconds else 0:.1f} pages/s")
    raise typer.Exit(1 if failed else 0)


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="A page (HTML or text, .gz too), or - for stdin.")],
    model: ModelOption = None,
    trust_model: TrustOption = False,
) -> None:
    """Show every paragraph with its label and score, and why spam is spam."""
    content = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    try:
        result = Cleaner(model, trust_model=trust_model).clean(content)
    except CleanerError as error:
        _fail(str(error))
    out = Console()
    out.print(f"[bold]{result.title or '(no title)'}[/bold]  kind={result.kind} encoding={result.encoding}")
    if result.reason:
        out.print(f"[yellow]{result.reason}[/yellow]")
    for p in result.paragraphs:
        colour = COLOURS[p.label]
        others = " ".join(f"{k}={v:.2f}" for k, v in p.probabilities.items() if k != p.label and v >= 0.05)
        why = ""
        if p.label == SPAM:
            signals = spam_signals(p.text)
            named = ", ".join(f"{k}×{v}" for k, v in signals.items()) or "layout and context only"
            why = f"  [red]signals: {named}[/red]"
        if p.rule:
            why += f"  [magenta]rule: {p.rule}[/magenta]"
        out.print(f"[{colour}]{p.index:>4} {p.label:<7} {p.score:.2f}[/{colour}] "
                  f"[dim]{others}[/dim]{why}\n      {p.text[:300]}", highlight=False, markup=True)


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
    err.print(f"trained on {len(pages)} pages: {output} (sha256 {card['sha256'][:12]}…)")


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
        result = cleaner.clean(path.read_bytes())
        source = str(path.resolve())
        pages.append(LabelledPage(id=path.name, kind=result.kind, source=source,
                                  paragraphs=[(p.text, p.label) for p in result.paragraphs]))
    count = write_pages(pages, output)
    err.print(f"pre-labelled {count} pages into {output}: correct the labels, then `cleaner train`")


def main() -> None:
    app()


if __name__ == "__main__":
    main()


__all__ = ["app", "main"]
