"""Scale figures of ``kg build`` on generated corpora, all measured in one run.

    python benchmarks/scale.py                                   # 1k, 10k, 100k articles (long: the 100k builds)
    python benchmarks/scale.py --sizes 1000,10000 --jobs-size 10000   # a quick version
    python benchmarks/scale.py --json scale.json                 # also write every figure

For each size it builds a store from a generated corpus (benchmarks/corpus.py,
cached in --work) with ``python -m kg build`` in a subprocess, and samples the
resident memory (VmRSS) of that process and all its descendants every 50 ms.
It reports wall time, articles/s and characters/s, the peak of the summed RSS
and of the largest process; ``--jobs 2`` against ``--jobs 1``; kg's characters/s
against raw ``jieba.posseg.lcut`` on a sample of the same text, timed here; the
time to add 1,000 new articles to the largest store against its full build; and
a verdict per target. Speed figures are ratios within one run: these machines
are noisy. Every step can be left out (see --help).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (benchmarks/corpus.py, beside this file)

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
GB = 1024 * MB
TARGET_ADD_SHARE = 0.05  # adding 1,000 articles costs < 5% of a full rebuild
TARGET_RSS_GROWTH = 2.0  # peak RSS grows < 2x from 10k to 100k articles
TARGET_RSS_BYTES = 2 * GB  # peak RSS at 100k articles < 2 GB


# -- memory of a process tree -----------------------------------------------------


def children(pid: int) -> list[int]:
    """Child pids of ``pid``, from /proc/PID/task/*/children (every thread can have children)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def tree(root: int) -> list[int]:
    """``root`` and all its descendants alive now."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children(pid))
    return pids


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Polls the RSS of a process tree until stopped; keeps the peak of the sum and of one process."""

    def __init__(self, root: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_tree = self.peak_single = self.most_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            sizes = [rss_bytes(pid) for pid in tree(self.root)]
            self.peak_tree = max(self.peak_tree, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))
            self.most_processes = max(self.most_processes, sum(1 for s in sizes if s))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# -- one measured command ---------------------------------------------------------


@dataclass
class Run:
    name: str
    command: list[str]
    articles: int = 0
    characters: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system CPU of the process and the descendants it waited for
    peak_rss_tree: int = 0  # bytes: the peak of the summed RSS of the process and its descendants
    peak_rss_largest: int = 0  # bytes: the largest single process
    processes: int = 0  # most processes alive at once
    returncode: int = 0
    triples: int | None = None
    log: str = ""

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    @property
    def chars_per_s(self) -> float:
        return self.characters / self.wall_s if self.wall_s else 0.0


def measure(name: str, command: list[str], log: Path, articles: int = 0, characters: int = 0) -> Run:
    """Run ``command``, timing it and sampling its tree's memory; output goes to ``log``."""
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        sampler = Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss (kB) also covers peaks shorter than the sampling interval, for the largest process.
    largest = max(sampler.peak_single, usage.ru_maxrss * 1024)
    return Run(name, [str(c) for c in command], articles, characters, wall, usage.ru_utime + usage.ru_stime,
               max(sampler.peak_tree, largest), largest, sampler.most_processes, proc.returncode, log=str(log))


def kg(*args: object) -> list[str]:
    return [sys.executable, "-m", "kg", *map(str, args)]


def require_ok(run: Run) -> Run:
    """Stop with the end of the log when a command failed: later figures would be meaningless."""
    if run.returncode != 0:
        tail = Path(run.log).read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        sys.exit(f"{run.name} failed (exit {run.returncode}): {' '.join(run.command)}\n" + "\n".join(tail))
    return run


def triples(store: Path) -> int:
    """The triple count of a store: the first line of ``kg stats`` is ``triples N``."""
    out = subprocess.run(kg("stats", store), capture_output=True, text=True, check=True).stdout
    first = out.splitlines()[0].split()
    if first[0] != "triples":
        raise SystemExit(f"unexpected kg stats output: {out.splitlines()[0]!r}")
    return int(first[1])


def build_options() -> set[str]:
    """The options this ``kg build`` knows, so the script still runs before --jobs/--replace exist."""
    helptext = subprocess.run(kg("build", "--help"), capture_output=True, text=True, check=True).stdout
    return {opt for opt in ("--jobs", "--replace", "--quiet") if opt in helptext}


# -- corpora ----------------------------------------------------------------------


def fingerprint() -> str:
    """Changes when the generator, its templates or the lexicons change: cached corpora are then remade."""
    digest = hashlib.sha256()
    files = [Path(corpus.__file__), *sorted(corpus.TEMPLATES.iterdir()), *sorted(corpus.LEXICONS.iterdir())]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def reads_gzip(work: Path) -> bool:
    """Whether kg's ingest reads ``.jsonl.gz`` yet (else the corpora are written as plain ``.jsonl``)."""
    from kg.errors import KgError
    from kg.ingest import read_documents

    probe = work / "probe.jsonl.gz"
    probe.write_bytes(gzip.compress('{"text": "测试"}\n'.encode(), mtime=0))
    try:
        return [a.raw for a in read_documents([probe])] == ["测试"]
    except (KgError, UnicodeDecodeError, ValueError):
        return False
    finally:
        probe.unlink()


@dataclass
class Corpus:
    path: Path
    articles: int
    characters: int


def ensure_corpus(work: Path, n: int, start: int, seed: int, suffix: str, tag: str) -> Corpus:
    """The corpus of articles start..start+n-1, generated into ``work`` the first time only."""
    path = work / f"corpus-{tag}-seed{seed}-from{start}-n{n}{suffix}"
    meta = path.with_name(path.name + ".meta.json")
    if not (path.exists() and meta.exists()):
        print(f"generating {n:,} articles from #{start:,} -> {path}", file=sys.stderr, flush=True)
        partial = path.with_name(path.name + ".partial" + suffix)
        articles, chars = corpus.write(partial, n, seed, start)
        partial.replace(path)
        meta.write_text(json.dumps({"articles": articles, "characters": chars}))
    counts = json.loads(meta.read_text())
    return Corpus(path, counts["articles"], counts["characters"])


def sample_texts(path: Path, count: int, work: Path) -> list[str]:
    """The normalised text of the first ``count`` articles of a corpus file, as kg sees it.

    Like benchmarks/throughput.py: jieba gets ``Document.text`` (full-width punctuation made
    half-width), on which it runs several times faster than on the raw text.
    """
    from kg.pipeline import documents

    opener = gzip.open if path.name.endswith(".gz") else open
    sample = work / f"jieba-sample-{count}.jsonl"
    with opener(path, "rt", encoding="utf-8") as source, open(sample, "w", encoding="utf-8") as out:
        for _, line in zip(range(count), source):
            out.write(line)
    try:
        return [doc.text for doc in documents([sample])]
    finally:
        sample.unlink()


def jieba_rate(texts: list[str]) -> dict:
    """Characters per second of raw ``jieba.posseg.lcut`` over ``texts``, in this process."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.posseg.lcut("预热")  # the dictionary loads once, outside the timing
    started, cpu_started = time.perf_counter(), time.process_time()
    for text in texts:
        jieba.posseg.lcut(text)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    chars = sum(map(len, texts))
    return {"articles": len(texts), "characters": chars, "seconds": seconds, "cpu_s": cpu,
            "chars_per_s": chars / seconds, "chars_per_cpu_s": chars / cpu}


# -- the steps -----------------------------------------------------------------------


@dataclass
class Report:
    runs: list[Run] = field(default_factory=list)
    jieba: dict | None = None
    figures: dict = field(default_factory=dict)
    verdicts: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def verdict(self, target: str, met: bool, figure: str) -> None:
        self.verdicts.append({"target": target, "met": met, "figure": figure})


def build_command(paths: list[Path], store: Path | None, options: set[str], jobs: int | None,
                  output: Path | None = None, replace: bool = True) -> list[str]:
    command = kg("build", *paths)
    if store is not None:
        command += ["--store", str(store)]
        if replace and "--replace" in options:
            command.append("--replace")
    if output is not None:
        command += ["-o", str(output)]
    if jobs is not None and "--jobs" in options:
        command += ["--jobs", str(jobs)]
    if "--quiet" in options:
        command.append("--quiet")
    return command


def size_runs(args, corpora: dict[int, Corpus], options: set[str], report: Report) -> dict[int, Run]:
    """A full build of each size with --jobs 1, then its triple count."""
    runs = {}
    for size in args.sizes:
        c = corpora[size]
        store = args.work / "stores" / f"store-{size}"
        print(f"building {size:,} articles (--jobs 1) ...", file=sys.stderr, flush=True)
        run = require_ok(measure(f"build {size:,} --jobs 1", build_command([c.path], store, options, 1),
                                 args.work / f"build-{size}.log", c.articles, c.characters))
        run.triples = triples(store)
        report.runs.append(run)
        runs[size] = run
    return runs


def jobs_runs(args, corpora: dict[int, Corpus], options: set[str], sized: dict[int, Run], report: Report) -> None:
    """--jobs N against --jobs 1 at --jobs-size (reusing the size run when there is one)."""
    size, jobs = args.jobs_size, args.jobs
    c = corpora[size]
    one = sized.get(size)
    if one is None:
        store = args.work / "stores" / f"store-{size}-j1"
        one = require_ok(measure(f"build {size:,} --jobs 1", build_command([c.path], store, options, 1),
                                 args.work / f"build-{size}-j1.log", c.articles, c.characters))
        one.triples = triples(store)
        shutil.rmtree(store, ignore_errors=True)
        report.runs.append(one)
    store = args.work / "stores" / f"store-{size}-j{jobs}"
    print(f"building {size:,} articles (--jobs {jobs}) ...", file=sys.stderr, flush=True)
    many = require_ok(measure(f"build {size:,} --jobs {jobs}", build_command([c.path], store, options, jobs),
                              args.work / f"build-{size}-j{jobs}.log", c.articles, c.characters))
    many.triples = triples(store)
    shutil.rmtree(store, ignore_errors=True)
    report.runs.append(many)
    speedup = one.wall_s / many.wall_s
    report.figures["jobs"] = {"articles": size, "jobs": jobs, "articles_per_s_jobs1": one.articles_per_s,
                              f"articles_per_s_jobs{jobs}": many.articles_per_s, "speedup": speedup,
                              "same_triple_count": one.triples == many.triples if one.triples else None}
    report.verdict(f"--jobs {jobs} faster than --jobs 1 at {size:,} articles", speedup > 1.0,
                   f"{speedup:.2f}x the articles/s ({one.articles_per_s:.1f} -> {many.articles_per_s:.1f})")


def identical_runs(args, corpora: dict[int, Corpus], options: set[str], report: Report) -> None:
    """``-o out.nt`` with --jobs 1 and --jobs N must give the same bytes."""
    size, jobs = args.identical_size, args.jobs
    c = corpora[size]
    digests = {}
    for j in (1, jobs):
        out = args.work / f"identical-{size}-j{j}.nt"
        run = require_ok(measure(f"build {size:,} --jobs {j} -o nt", build_command([c.path], None, options, j, out),
                                 args.work / f"identical-{size}-j{j}.log", c.articles, c.characters))
        report.runs.append(run)
        digests[j] = hashlib.sha256(out.read_bytes()).hexdigest()
        out.unlink()
    same = digests[1] == digests[jobs]
    report.figures["identical"] = {"articles": size, "jobs": jobs, "sha256": digests, "identical": same}
    report.verdict(f"--jobs {jobs} output byte-identical to --jobs 1 at {size:,} articles", same,
                   "same N-Triples bytes" if same else "N-Triples differ")


def add_run(args, added: Corpus, options: set[str], sized: dict[int, Run], report: Report) -> None:
    """Add new articles to the largest store; compare with its full build; check the store grew."""
    size = max(args.sizes)
    full = sized[size]
    store = args.work / "stores" / f"store-{size}"
    print(f"adding {added.articles:,} new articles to the {size:,}-article store ...", file=sys.stderr, flush=True)
    run = require_ok(measure(f"add {added.articles:,} to {size:,}",
                             build_command([added.path], store, options, 1, replace=False),
                             args.work / f"add-{size}.log", added.articles, added.characters))
    run.triples = triples(store)
    report.runs.append(run)
    share = run.wall_s / full.wall_s
    report.figures["incremental"] = {"store_articles": size, "added": added.articles, "add_s": run.wall_s,
                                     "full_build_s": full.wall_s, "share": share,
                                     "triples_before": full.triples, "triples_after": run.triples}
    report.verdict(f"adding {added.articles:,} articles to the {size:,}-article store < "
                   f"{TARGET_ADD_SHARE:.0%} of a full rebuild", share < TARGET_ADD_SHARE,
                   f"{share:.1%} ({run.wall_s:.1f} s vs {full.wall_s:.1f} s)")
    report.verdict("the add changed the store (triple count grew)", (run.triples or 0) > (full.triples or 0),
                   f"triples {full.triples:,} -> {run.triples:,}")


def memory_verdicts(args, sized: dict[int, Run], report: Report) -> None:
    """Peak RSS growth between the largest size and one tenth of it (else the next smaller), and at the largest."""
    largest = max(sized)
    smaller = largest // 10 if largest // 10 in sized else max((s for s in sized if s < largest), default=None)
    big = sized[largest]
    if smaller is not None:
        growth = big.peak_rss_tree / sized[smaller].peak_rss_tree
        report.figures["rss_growth"] = {"from": smaller, "to": largest, "ratio": growth}
        report.verdict(f"peak RSS growth {smaller:,} -> {largest:,} articles < {TARGET_RSS_GROWTH:g}x",
                       growth < TARGET_RSS_GROWTH,
                       f"{growth:.2f}x ({mb(sized[smaller].peak_rss_tree)} -> {mb(big.peak_rss_tree)})")
    report.verdict(f"peak RSS at {largest:,} articles < {TARGET_RSS_BYTES / GB:g} GB",
                   big.peak_rss_tree < TARGET_RSS_BYTES, f"{mb(big.peak_rss_tree)} (whole process tree)")
    if largest < 100_000:
        report.notes.append(f"the memory targets are meant for 100,000 articles; measured at {largest:,}")


# -- output -------------------------------------------------------------------------


def mb(n: int) -> str:
    return f"{n / MB:,.0f} MB"


def print_report(report: Report) -> None:
    header = (f"{'run':<28} {'articles':>9} {'characters':>12} {'wall s':>8} {'CPU s':>8} {'articles/s':>10} "
              f"{'chars/s':>9} {'peak RSS tree':>13} {'largest proc':>12} {'procs':>5} {'triples':>11}")
    print(header)
    print("-" * len(header))
    for r in report.runs:
        print(f"{r.name:<28} {r.articles:>9,} {r.characters:>12,} {r.wall_s:>8.1f} {r.cpu_s:>8.1f} "
              f"{r.articles_per_s:>10.1f} {r.chars_per_s:>9,.0f} {mb(r.peak_rss_tree):>13} "
              f"{mb(r.peak_rss_largest):>12} {r.processes:>5} {'-' if r.triples is None else format(r.triples, ','):>11}")
    if report.jieba:
        j = report.jieba
        print(f"{'jieba.posseg.lcut (sample)':<28} {j['articles']:>9,} {j['characters']:>12,} {j['seconds']:>8.1f} "
              f"{j['cpu_s']:>8.1f} {j['articles'] / j['seconds']:>10.1f} {j['chars_per_s']:>9,.0f}")
        for key, what in (("kg_vs_jieba", "chars/s"), ("kg_vs_jieba_cpu", "chars per CPU second")):
            ratios = report.figures.get(key, {})
            if ratios:
                print(f"kg build / jieba, {what}: "
                      + ", ".join(f"{ratio:.3f} at {int(size):,} articles" for size, ratio in ratios.items()))
    print()
    for v in report.verdicts:
        print(f"{'met    ' if v['met'] else 'NOT met'}  {v['target']}: {v['figure']}")
    for note in report.notes:
        print(f"note: {note}")


def write_json(path: Path, args, report: Report, corpora: dict[int, Corpus], added: Corpus | None) -> None:
    runs = [{**asdict(r), "articles_per_s": r.articles_per_s, "chars_per_s": r.chars_per_s} for r in report.runs]
    data = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "seed": args.seed,
            "corpora": {str(size): {"path": str(c.path), "articles": c.articles, "characters": c.characters}
                        for size, c in corpora.items()},
            "added": None if added is None else {"path": str(added.path), "articles": added.articles,
                                                 "characters": added.characters},
            "runs": runs, "jieba": report.jieba, "figures": report.figures, "verdicts": report.verdicts,
            "notes": report.notes}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# -- main -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="articles per full build, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--jobs-size", type=int, default=None,
                        help="articles for --jobs N vs --jobs 1 (default: the largest size; 0 leaves it out)")
    parser.add_argument("--jobs", type=int, default=2, help="the N of --jobs N compared with --jobs 1 (default 2)")
    parser.add_argument("--identical-size", type=int, default=None,
                        help="articles for the byte-identical -o check of --jobs N "
                             "(default: the smallest size; 0 leaves it out)")
    parser.add_argument("--add", type=int, default=1000,
                        help="new articles added to the largest store (default 1000; 0 leaves it out)")
    parser.add_argument("--jieba-sample", type=int, default=2000,
                        help="articles timed with raw jieba.posseg.lcut (default 2000; 0 leaves it out)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-scale"),
                        help="cache of corpora, logs and stores (default /tmp/kg-scale)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--keep-stores", action="store_true", help="keep the built stores in --work/stores")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs positive numbers")
    args.jobs_size = max(args.sizes) if args.jobs_size is None else args.jobs_size
    args.identical_size = min(args.sizes) if args.identical_size is None else args.identical_size
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "stores").mkdir(exist_ok=True)
    report = Report()
    options = build_options()
    for missing in sorted({"--jobs", "--replace"} - options):
        report.notes.append(f"this kg build has no {missing}: left out of the commands")
    if "--jobs" not in options:
        args.jobs_size = args.identical_size = 0
    suffix = ".jsonl.gz" if reads_gzip(args.work) else ".jsonl"
    if suffix == ".jsonl":
        report.notes.append("kg does not read .jsonl.gz yet: corpora written as plain .jsonl")
    tag = fingerprint()
    for stale in args.work.glob("corpus-*"):  # made by an older generator: never read again
        if not stale.name.startswith(f"corpus-{tag}-"):
            stale.unlink()
    wanted = set(args.sizes) | {s for s in (args.jobs_size, args.identical_size) if s}
    corpora = {n: ensure_corpus(args.work, n, 0, args.seed, suffix, tag) for n in sorted(wanted)}
    added = ensure_corpus(args.work, args.add, max(args.sizes), args.seed, suffix, tag) if args.add else None

    if args.jieba_sample:
        texts = sample_texts(corpora[max(corpora)].path, args.jieba_sample, args.work)
        report.jieba = jieba_rate(texts)
    sized = size_runs(args, corpora, options, report)
    if added is not None:
        add_run(args, added, options, sized, report)
    if args.jobs_size:
        jobs_runs(args, corpora, options, sized, report)
    if args.identical_size:
        identical_runs(args, corpora, options, report)
    if report.jieba:
        report.figures["kg_vs_jieba"] = {str(size): run.chars_per_s / report.jieba["chars_per_s"]
                                         for size, run in sized.items()}
        report.figures["kg_vs_jieba_cpu"] = {str(size): run.characters / run.cpu_s / report.jieba["chars_per_cpu_s"]
                                             for size, run in sized.items() if run.cpu_s}
    memory_verdicts(args, sized, report)
    if not args.keep_stores:
        shutil.rmtree(args.work / "stores", ignore_errors=True)
    print_report(report)
    if args.json:
        write_json(args.json, args, report, corpora, added)


if __name__ == "__main__":
    main()
