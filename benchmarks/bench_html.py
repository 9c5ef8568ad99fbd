"""Side-by-side benchmark of cleaner and its peers on real HTML pages.

Run from the repository root::

    python -m benchmarks.bench_html [--corpus trafilatura-eval|gne-zh|all] [--split held-out|all]
        [--tools trafilatura readability ...] [--limit N] [--budget S] [--markdown] [--json PATH]

Pages are read and decoded once, before any timing. Every tool then runs on the same pages
in this one process, single-threaded, one tool after the other; only the extraction call
is timed (after one untimed warm-up call per tool and corpus), by wall clock and by process
CPU time. "pages/s" is wall-clock throughput; "cpu p/s" is CPU throughput, and "×traf"
(speed relative to trafilatura) uses CPU time, as it stays meaningful when other work
shares the machine (check the load averages printed at start and end). A page that takes
longer than ``--page-timeout`` seconds is interrupted (SIGALRM) and counted as a failure;
with ``--budget`` (default 180 s, so a full run stays near ten minutes even with a slow
tool) a tool stops after that many seconds on a corpus, is scored on the pages
it did (a prefix), and trafilatura's score on the same prefix is printed beside it.

Scores: trafilatura-eval uses trafilatura's segment metric (``metrics.count_segments``);
gne-zh uses 4-gram shingle overlap against the gold body text in
``training/gold/gne-zh/<name>.json`` (pages without gold are skipped and counted).

Memory: peak RSS is the kernel's high-water mark, reset before each tool through
``/proc/self/clear_refs`` (Linux) so that each tool gets its own peak; "+RSS" is that peak
less the RSS just before the tool started (pages, imports and the warm-up already paid,
freed heap handed back with glibc's ``malloc_trim``); memory the allocator keeps after
freeing can still hide part of a tool's growth, so "+RSS" is a lower bound.
Where the reset is not possible the process-wide ``getrusage`` high-water is shown.
``--tracemalloc N`` adds, after the timed runs, an untimed pass over N pages per tool
under tracemalloc and reports the largest per-page peak. It is off by default: it sees
only the Python heap (lxml's, lexbor's and other C allocations are invisible, so parse
trees barely register) and tracing slowed trafilatura 2.7x, GNE 3.2x, jusText 4.2x and
readability 6.2x here, too much to run inside the timed pass.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import gc
import json
import os
import platform
import resource
import shlex
import signal
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from benchmarks import peers
from benchmarks.corpora import GOLD_ZH, Page, load_gne_zh, load_trafilatura_eval
from benchmarks.metrics import SegmentScore, ShingleScore, count_segments, page_overlap

CORPUS_NAMES = ("trafilatura-eval", "gne-zh")
REFERENCE = "trafilatura"
TRAFILATURA_CLAIMED_F1 = 0.924  # trafilatura's published F1 on evaldata.json with its defaults


class PageTimeout(BaseException):
    """Raised by SIGALRM inside an extractor; a BaseException so its own handlers don't swallow it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise PageTimeout


@dataclass
class ToolRun:
    """One tool's run over one corpus."""

    tool: str
    corpus: str
    pages: int = 0
    failures: int = 0
    empty: int = 0
    timeouts: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    planned: int = 0
    peak_rss_mb: float | None = None
    delta_rss_mb: float | None = None
    traced_peak_mb: float | None = None
    segment: SegmentScore | None = None
    shingle: ShingleScore | None = None
    errors: dict[str, int] = field(default_factory=dict)
    unavailable: str | None = None

    @property
    def pages_per_s(self) -> float:
        """Throughput over the timed extraction calls, wall clock."""
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_pages_per_s(self) -> float:
        """Throughput over the timed extraction calls, process CPU time."""
        return self.pages / self.cpu_seconds if self.cpu_seconds else 0.0

    def scores(self) -> tuple[float, float, float]:
        """Precision, recall, F1 of the corpus's metric (micro-averaged)."""
        score = self.segment or self.shingle
        return (score.precision, score.recall, score.f1) if score else (0.0, 0.0, 0.0)

    def extra_score(self) -> float:
        """Segment accuracy, or mean per-page shingle F1."""
        if self.segment:
            return self.segment.accuracy
        return self.shingle.mean_f1 if self.shingle else 0.0


# --- memory ------------------------------------------------------------------------------


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    """Reset the RSS high-water mark (Linux >= 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _malloc_trim() -> None:
    """Hand freed heap back to the OS (glibc), so the next tool's growth shows in its RSS."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _maxrss_mb() -> float:
    """Process-wide RSS high-water from getrusage (kB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --- running -----------------------------------------------------------------------------


def run_tool(
    adapter: peers.Adapter, corpus: str, pages: Sequence[Page], page_timeout: float, budget: float = 0.0
) -> tuple[ToolRun, list[str]]:
    """Run one adapter over the pages (timed), then score its outputs (untimed).

    With a ``budget`` (seconds of extraction), the tool stops once past it and is scored on
    the pages it did, a prefix of ``pages``.
    """
    run = ToolRun(adapter.name, corpus, planned=len(pages))
    if pages:
        adapter(pages[0].html, pages[0].url)  # warm-up: lazy imports, caches, models
    adapter.reset()
    gc.collect()
    _malloc_trim()
    rss_before = _status_kb("VmRSS")
    hwm_ok = _reset_hwm()
    outputs: list[str] = []
    perf, cpu = time.perf_counter, time.process_time
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        for page in pages:
            if budget and run.seconds > budget:
                break
            signal.setitimer(signal.ITIMER_REAL, page_timeout)
            t0, c0 = perf(), cpu()
            try:
                out = adapter(page.html, page.url)
                run.seconds += perf() - t0
                run.cpu_seconds += cpu() - c0
            except PageTimeout:
                run.seconds += perf() - t0
                run.cpu_seconds += cpu() - c0
                run.timeouts += 1
                out = ""
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            outputs.append(out)
    finally:
        signal.signal(signal.SIGALRM, previous)
    run.pages = len(outputs)
    hwm = _status_kb("VmHWM") if hwm_ok else None
    if hwm is not None and rss_before is not None:
        run.peak_rss_mb, run.delta_rss_mb = hwm / 1024, max(0, hwm - rss_before) / 1024
    else:
        run.peak_rss_mb = _maxrss_mb()
    run.failures, run.empty, run.errors = adapter.failures + run.timeouts, adapter.empty, dict(adapter.errors)
    if run.timeouts:
        run.errors[f"timeout > {page_timeout:g}s"] = run.timeouts
    score(run, pages, outputs)
    return run, outputs


def score(run: ToolRun, pages: Sequence[Page], outputs: Sequence[str]) -> None:
    """Score outputs (one per page, in order; fewer means a prefix) with the corpus's metric."""
    if run.corpus == "trafilatura-eval":
        run.segment = SegmentScore()
        for page, out in zip(pages, outputs):
            run.segment.add(count_segments(page.segments or {"with": [], "without": []}, out))
    else:
        run.shingle = ShingleScore()
        for page, out in zip(pages, outputs):
            run.shingle.add(page_overlap(out, page.gold or ""))


def traced_peak(adapter: peers.Adapter, pages: Sequence[Page]) -> float:
    """Largest per-page Python-heap peak (MB) under tracemalloc, over the given pages."""
    peak = 0
    tracemalloc.start()
    try:
        for page in pages:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            adapter(page.html, page.url)
            peak = max(peak, tracemalloc.get_traced_memory()[1] - base)
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024)


# --- report ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, Python and OS of this machine."""
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
    }


def _fmt_mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def table(runs: Sequence[ToolRun], markdown: bool) -> str:
    """Results of one corpus as an aligned text table or a Markdown table."""
    corpus = runs[0].corpus
    extra = "acc" if corpus == "trafilatura-eval" else "F1/page"
    ref = next((r for r in runs if r.tool == REFERENCE and not r.unavailable), None)
    header = ["tool", "pages", "fail", "empty", "P", "R", "F1", extra, "pages/s", "cpu p/s", "×traf"]
    header += ["peak RSS MB", "+RSS MB"]
    if any(r.traced_peak_mb is not None for r in runs):
        header.append("py heap MB")
    rows: list[list[str]] = []
    for r in runs:
        if r.unavailable:
            rows.append([r.tool, "unavailable", *[""] * (len(header) - 2)])
            continue
        p, rec, f1 = r.scores()
        speed = f"{r.cpu_pages_per_s / ref.cpu_pages_per_s:.2f}" if ref and ref.cpu_pages_per_s else "-"
        pages = str(r.pages) if r.pages == r.planned else f"{r.pages}/{r.planned}"
        row = [r.tool, pages, str(r.failures), str(r.empty), f"{p:.3f}", f"{rec:.3f}", f"{f1:.3f}"]
        row += [f"{r.extra_score():.3f}", f"{r.pages_per_s:.1f}", f"{r.cpu_pages_per_s:.1f}", speed]
        row += [_fmt_mb(r.peak_rss_mb), _fmt_mb(r.delta_rss_mb)]
        if len(header) > len(row):
            row.append(_fmt_mb(r.traced_peak_mb))
        rows.append(row)
    if markdown:
        rule = "|" + "|".join("---" if i == 0 else "--:" for i in range(len(header))) + "|"
        lines = ["| " + " | ".join(header) + " |", rule]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    fmt = [f"{cell:<{widths[0]}}" if i == 0 else f"{cell:>{widths[i]}}" for i, cell in enumerate(header)]
    lines = ["  ".join(fmt), "  ".join("-" * w for w in widths)]
    for row in rows:
        if row[1] == "unavailable":
            lines.append(f"{row[0]:<{widths[0]}}  unavailable")
            continue
        lines.append("  ".join(f"{c:<{widths[0]}}" if i == 0 else f"{c:>{widths[i]}}" for i, c in enumerate(row)))
    return "\n".join(lines)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_html", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=[*CORPUS_NAMES, "all"], default="all")
    ap.add_argument("--split", choices=["held-out", "all"], default="held-out")
    ap.add_argument("--tools", nargs="+", default=list(peers.PEER_NAMES), metavar="TOOL")
    ap.add_argument("--limit", type=int, default=None, help="at most N pages per corpus")
    ap.add_argument("--gold-dir", type=Path, default=GOLD_ZH, help="gold JSON of gne-zh pages")
    ap.add_argument("--page-timeout", type=float, default=10.0, help="seconds before a page counts as failed")
    ap.add_argument(
        "--budget", type=float, default=180.0, help="stop a tool after this many seconds per corpus (0: never)"
    )
    ap.add_argument("--tracemalloc", type=int, default=0, metavar="N", help="traced heap peak over N pages")
    ap.add_argument("--markdown", action="store_true", help="emit Markdown for benchmarks/RESULTS.md")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    ap.add_argument("--dump", type=Path, default=None, help="write every output to DIR/<corpus>/<tool>.jsonl")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Load the corpora, run the tools, print the tables."""
    args = _parse(argv)
    started = time.perf_counter()
    cmd = "python -m benchmarks.bench_html " + shlex.join(sys.argv[1:] if argv is None else list(argv))
    info = machine()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    corpora = CORPUS_NAMES if args.corpus == "all" else (args.corpus,)

    loaded: dict[str, list[Page]] = {}
    notes: dict[str, str] = {}
    t0 = time.perf_counter()
    for corpus in corpora:
        if corpus == "trafilatura-eval":
            loaded[corpus] = load_trafilatura_eval(args.split, args.limit)
        else:
            loaded[corpus], missing = load_gne_zh(args.split, args.limit, gold_dir=args.gold_dir)
            if missing:
                notes[corpus] = f"{len(missing)} pages skipped for lack of gold in {args.gold_dir}"
    load_s = time.perf_counter() - t0
    peak_mb = _maxrss_mb()  # before any high-water reset

    out = print
    item = "- " if args.markdown else ""
    out(f"{item}`$ {cmd}`" if args.markdown else f"$ {cmd}")
    out(f"{item}date: {now}; machine: {info['cpu']}, {info['cores']} cores; {info['python']}; {info['os']}")
    out(item + "tools: " + ", ".join(f"{t} {peers.version(t)}" for t in args.tools))
    out(f"{item}split: {args.split}; pages read and decoded in {load_s:.1f}s (untimed); load average {_load()}")

    results: list[ToolRun] = []
    for corpus in corpora:
        pages = loaded[corpus]
        runs: list[ToolRun] = []
        kept: dict[str, list[str]] = {}
        for tool in args.tools if pages else ():
            try:
                adapter = peers.load(tool)
            except peers.Unavailable as exc:
                runs.append(ToolRun(tool, corpus, unavailable=str(exc)))
                continue
            run, outputs = run_tool(adapter, corpus, pages, args.page_timeout, args.budget)
            kept[tool] = outputs
            if args.tracemalloc:
                run.traced_peak_mb = traced_peak(adapter, pages[: args.tracemalloc])
            if args.dump:
                _dump(args.dump / corpus / f"{tool}.jsonl", pages, outputs)
            runs.append(run)
            print(f"  [{corpus}] {tool}: {run.pages} pages in {run.seconds:.1f}s", file=sys.stderr, flush=True)
        results += runs
        metric = "trafilatura segment metric" if corpus == "trafilatura-eval" else "4-gram shingles vs gold body"
        out("")
        out(f"## {corpus} ({len(pages)} pages, {args.split}; {metric})")
        if corpus in notes:
            out(f"note: {notes[corpus]}")
        if args.markdown:
            out("")
        if not pages:
            continue
        out(table(runs, args.markdown))
        bullet = "- " if args.markdown else "  "
        for r in runs:
            if r.unavailable:
                out(f"{bullet}{r.tool} unavailable: {r.unavailable}")
                continue
            if r.errors:
                top = "; ".join(f"{n}× {e}" for e, n in sorted(r.errors.items(), key=lambda kv: -kv[1])[:3])
                out(f"{bullet}{r.tool} failures: {top}")
            if r.pages < r.planned and REFERENCE in kept and r.tool != REFERENCE:
                ref = ToolRun(REFERENCE, corpus)
                score(ref, pages[: r.pages], kept[REFERENCE][: r.pages])
                out(
                    f"{bullet}{r.tool} stopped at the {args.budget:g}s budget after {r.pages} pages;"
                    f" on those pages {REFERENCE} has P {ref.scores()[0]:.3f} R {ref.scores()[1]:.3f}"
                    f" F1 {ref.scores()[2]:.3f}"
                )
        traf = next((r.segment for r in runs if r.tool == REFERENCE and r.segment), None)
        if traf and args.split == "all" and args.limit is None:
            out(f"{bullet}{REFERENCE} F1 {traf.f1:.3f} here vs {TRAFILATURA_CLAIMED_F1} it claims with its defaults")

    out("")
    wall = time.perf_counter() - started
    peak_mb = max([peak_mb, _maxrss_mb(), *(r.peak_rss_mb for r in results if r.peak_rss_mb is not None)])
    out(f"{item}process peak RSS {peak_mb:.0f} MB; wall time {wall:.0f}s; load average {_load()}")
    if args.json:
        _write_json(args.json, cmd, now, info, args.split, results)
    return 0


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _dump(path: Path, pages: Sequence[Page], outputs: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for page, text in zip(pages, outputs, strict=True):
            fh.write(json.dumps({"id": page.id, "text": text}, ensure_ascii=False) + "\n")


def _write_json(path: Path, cmd: str, now: str, info: dict[str, str], split: str, runs: Sequence[ToolRun]) -> None:
    rows = []
    for r in runs:
        p, rec, f1 = r.scores()
        rows.append(
            {
                "corpus": r.corpus,
                "tool": r.tool,
                "version": peers.version(r.tool),
                "unavailable": r.unavailable,
                "pages": r.pages,
                "failures": r.failures,
                "empty": r.empty,
                "timeouts": r.timeouts,
                "precision": p,
                "recall": rec,
                "f1": f1,
                "extra": r.extra_score(),
                "planned": r.planned,
                "seconds": r.seconds,
                "cpu_seconds": r.cpu_seconds,
                "pages_per_s": r.pages_per_s,
                "cpu_pages_per_s": r.cpu_pages_per_s,
                "peak_rss_mb": r.peak_rss_mb,
                "delta_rss_mb": r.delta_rss_mb,
                "traced_peak_mb": r.traced_peak_mb,
                "errors": r.errors,
            }
        )
    doc = {"command": cmd, "date": now, "machine": info, "split": split, "results": rows}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
