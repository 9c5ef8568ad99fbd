"""Scale benchmark: pages/s and peak memory of `cleaner clean --jobs 1/2`, `cleaner spark` on local[2]
and trafilatura's own CLI (`--parallel 2`), over the same folder of real pages, in one run.

    python -m benchmarks.bench_scale [--limit N] [--write]

The folder holds symlinks to the pages of the corpora in $CLEANER_CORPORA (default
/work/shared/corpora: trafilatura-eval/html/*.gz and gne-zh/*.gz), read in place. Each
configuration runs as a fresh process from start to finish (its start-up, model load and
JVM included), its peak memory is the largest sum of RSS over its process tree, sampled
every 50 ms. `--write` puts the table under "## Scale" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("CLEANER_CORPORA", "/work/shared/corpora"))
BIN = Path(sys.executable).parent


@dataclass
class Measure:
    name: str
    command: str
    pages: int
    seconds: float
    peak_rss: int  # bytes, the process tree's
    cpu_seconds: float  # user + system time of the process and the descendants it waited for
    load: float  # 1-minute load average just before the run
    others: float  # cores that other processes on the machine kept busy during the run
    returncode: int

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def pages_per_cpu_s(self) -> float:
        """Pages per CPU-second: the work a page costs, whatever share of the machine the run got."""
        return self.pages / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def cores(self) -> float:
        """Cores it kept busy on average: below N for N workers when others share the machine."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0


def collect(folder: Path, limit: int | None) -> int:
    """Symlink the corpus pages into `folder`; returns how many."""
    pages = sorted((CORPORA / "trafilatura-eval" / "html").glob("*.gz")) + sorted((CORPORA / "gne-zh").glob("*.gz"))
    if limit:
        pages = pages[:limit]
    for n, page in enumerate(pages):
        (folder / f"{n:05d}.html.gz").symlink_to(page)
    return len(pages)


def measure(name: str, command: list[str], pages: int, work: Path) -> Measure:
    """Run `command`, sampling the RSS of its process tree until it exits."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = _machine_busy()
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    cpu_seen: dict[int, float] = {}  # last user+system time seen per process of the tree
    while process.poll() is None:
        rss = 0
        for member in [process, *_children(process)]:
            try:
                with member.oneshot():
                    rss += member.memory_info().rss
                    times = member.cpu_times()
                    cpu_seen[member.pid] = times.user + times.system
            except psutil.Error:
                continue
        peak = max(peak, rss)
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    busy = _machine_busy() - busy_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # reaped descendants are in the rusage; daemons (Spark's Python workers) only in the samples
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sum(cpu_seen.values()))
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode not in (0, 1):  # 1: some pages failed, the others were written
        print(f"{name} failed ({process.returncode}):\n{stderr[-2000:]}", file=sys.stderr)
    shown = " ".join(Path(c).name if c.startswith(str(BIN)) else c for c in command)
    for path, placeholder in ((str(work / "pages"), "PAGES"), (str(work), "OUT")):
        shown = shown.replace(path, placeholder)
    others = max(0.0, busy - cpu) / seconds if seconds else 0.0
    return Measure(name, shown, pages, seconds, peak, cpu, load, others, process.returncode)


def _machine_busy() -> float:
    """CPU-seconds the whole machine has spent busy since boot (all processes, all cores)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(f) for f in fields[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Python {platform.python_version()}"


def table(results: list[Measure], pages: int, folder_note: str, repeat: int) -> str:
    base = results[0].pages_per_s or 1.0
    lines = [
        "## Scale",
        "",
        f"`python -m benchmarks.bench_scale --write` on {dt.date.today().isoformat()}; machine: {machine()}.",
        f"{pages} pages: {folder_note}. Each run is a fresh process, start-up included; peak RSS is the",
        "sum over the process tree (workers, Spark's JVM and Python workers). CPU s is user + system time",
        "of the tree, cores = CPU s / seconds: how many cores it got; others = cores kept busy by other",
        f"processes on the machine during the run. Best of {repeat} run(s) per configuration.",
        "",
        "| configuration | command | pages/s | × jobs 1 | seconds | CPU s | cores | pages/CPU-s | peak RSS (MiB) "
        "| others |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.name} | `{r.command}` | {r.pages_per_s:.1f} | {r.pages_per_s / base:.2f} | "
                     f"{r.seconds:.1f} | {r.cpu_seconds:.0f} | {r.cores:.2f} | {r.pages_per_cpu_s:.1f} | "
                     f"{r.peak_rss / 2**20:.0f} | {r.others:.2f} |")
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path) -> None:
    """Replace (or add) the '## Scale' section of RESULTS.md, leaving the other sections alone."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = old.find("\n## Scale\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 1)
        new = old[: start + 1] + text + ("\n" + old[end + 1:] if end >= 0 else "")
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="use the first N pages only")
    parser.add_argument("--write", action="store_true", help="write the table into benchmarks/RESULTS.md")
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration; the fastest is kept")
    parser.add_argument("--skip", nargs="*", default=[], help="configurations to leave out, e.g. spark")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        pages_dir = work / "pages"
        pages_dir.mkdir()
        pages = collect(pages_dir, args.limit)
        py = sys.executable
        configs = [
            ("cleaner --jobs 1", [py, "-m", "cleaner", "clean", str(pages_dir), "-o", str(work / "j1.jsonl"),
                                  "--jobs", "1"]),
            ("cleaner --jobs 2", [py, "-m", "cleaner", "clean", str(pages_dir), "-o", str(work / "j2.jsonl"),
                                  "--jobs", "2"]),
            ("cleaner spark local[2]", [py, "-m", "cleaner", "spark", str(pages_dir), "-o", str(work / "spark"),
                                        "--master", "local[2]"]),
            ("trafilatura --parallel 2", [str(BIN / "trafilatura"), "--input-dir", str(pages_dir), "--output-dir",
                                          str(work / "trafilatura"), "--parallel", "2"]),
        ]
        results = []
        for name, command in configs:
            if any(skip in name for skip in args.skip):
                continue
            runs = []
            for _ in range(max(1, args.repeat)):
                for stale in (work / "j1.jsonl", work / "j2.jsonl", work / "spark", work / "trafilatura"):
                    if str(stale) in command:  # this configuration's output, from the run before
                        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
                result = measure(name, command, pages, work)
                print(f"{name}: {result.pages_per_s:.1f} pages/s, {result.seconds:.1f} s, {result.cores:.2f} cores, "
                      f"peak {result.peak_rss / 2**20:.0f} MiB, others {result.others:.2f} cores", file=sys.stderr)
                runs.append(result)
            results.append(min(runs, key=lambda r: r.seconds))
        j1, j2 = work / "j1.jsonl", work / "j2.jsonl"
        if j1.exists() and j2.exists() and j1.read_bytes() != j2.read_bytes():
            print("warning: --jobs 1 and --jobs 2 outputs differ", file=sys.stderr)
        note = ("trafilatura-eval/html/*.gz then gne-zh/*.gz from the shared corpora, as symlinks in one folder, "
                "gzip-compressed HTML")
        text = table(results, pages, note, max(1, args.repeat))
        print(text)
        if args.write:
            write_section(text, ROOT / "benchmarks" / "RESULTS.md")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
