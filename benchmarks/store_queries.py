"""Saved queries on the Oxigraph store against rdflib's in-memory SPARQL on the same data, in one run.

    python benchmarks/store_queries.py [--triples 1000000 | --copies N | --quick] [--repeat 5]
                                       [--rdflib-timeout 60] [PATHS ...]

Builds the graph of the sample and test articles once, then replicates it under
new IRIs (``https://w3id.org/kg/id/cK/...``; ontology IRIs and literals kept, so
the copies are disjoint and every query sees K times the data) until it holds
at least --triples triples. The N-Triples go to a temporary folder, removed at
the end. Prints the load time of a kg store (``write_store``, a bulk load) and
of an rdflib ``Graph``, then the median latency of every saved query and of one
lookup (a person's positions and the party bodies of those organisations) on
the store, opened read-only as ``kg query`` does, and on rdflib, with the ratio,
and a verdict against the targets of the issue: each saved query at least 20x
faster on the store, the lookup under 50 ms. The "memory ms" column is Oxigraph
holding the same data in memory, as ``kg serve --memory`` and any query on a graph file do; the verdict
is given for both.

rdflib gets its best case: each query is prepared once, outside the timing
(Oxigraph parses the text on every run). It runs in a forked child stopped at
the first run over --rdflib-timeout seconds, so a slow query gives a lower bound
(">") instead of hanging the benchmark. Never used by the tests: these machines
are noisy.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jieba
import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from kg.pipeline import build
from kg.rdf import DEFAULT_BASE, serialize, to_rdf
from kg.store import open_graph, open_store, write_store

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "ontology" / "queries"
SPEEDUP_TARGET = 20.0
LOOKUP_TARGET_MS = 50.0
PREFIXES = """PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
PICK_PERSON = PREFIXES + """SELECT ?person (COUNT(*) AS ?n) WHERE {
  ?position kg:holder ?person ; kg:organization ?org .
  ?org kg:hasPartyOrganization ?body .
} GROUP BY ?person ORDER BY DESC(?n) STR(?person) LIMIT 1"""
LOOKUP = PREFIXES + """SELECT ?title ?organisation ?partyBody WHERE {
  VALUES ?person { <%s> }
  ?position kg:holder ?person ; kg:title ?title ; kg:organization ?org .
  ?org rdfs:label ?organisation .
  OPTIONAL { ?org kg:hasPartyOrganization/rdfs:label ?partyBody }
}
ORDER BY ?organisation ?title ?partyBody"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--triples", type=int, default=1_000_000, help="at least this many triples (default 1000000)")
    size.add_argument("--copies", type=int, help="this many copies of the article graph instead")
    size.add_argument("--quick", action="store_true", help="a small run: --triples 50000")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query and engine; the median is reported")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0, help="seconds before one rdflib run is stopped")
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "data" / "samples"), str(ROOT / "tests" / "corpus")])
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)

    started = time.perf_counter()
    pieces = nt_template(base_triples(args.paths))
    copies = args.copies or math.ceil((50_000 if args.quick else args.triples) / len(pieces))
    print(f"article graph: {len(pieces)} triples from {', '.join(args.paths)} "
          f"(built in {time.perf_counter() - started:.1f} s)")

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        nt = Path(tmp) / "graph.nt"
        nt.write_text("".join(replicate(pieces, copies)), encoding="utf-8")
        print(f"{copies} copies: {copies * len(pieces)} triples, {nt.stat().st_size / 1e6:.0f} MB of N-Triples")
        engines = load_all(nt, Path(tmp) / "store", copies * len(pieces))
        person, expected = lookup_person(pieces, copies // 2)
        queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERIES.glob("*.rq"))}
        queries["lookup"] = LOOKUP % person
        print(f"lookup: {person} ({expected} rows in the article graph)")
        print(f"\nmedian of {args.repeat} runs; rdflib stopped after {args.rdflib_timeout:g} s, '>' a lower bound")
        print(f"{'query':<14} {'rows':>8} {'store ms':>10} {'rdflib ms':>11} {'speed-up':>10} {'memory ms':>10}",
              flush=True)
        results = {}
        for name, text in queries.items():
            results[name] = measure(engines, text, args.repeat, args.rdflib_timeout)
            print_row(name, results[name])
        del engines
    agree = print_verdict(results, expected)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nmax RSS {_rss_mb():.0f} MB (largest rdflib child {children:.0f} MB)")
    if not agree:
        sys.exit(1)


def base_triples(paths: list[str]) -> list[ox.Triple]:
    """The article graph, built by the library and parsed back term by term."""
    data = serialize(to_rdf(build(paths)), "nt")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def nt_template(triples: list[ox.Triple]) -> list[list[str]]:
    """Each triple as N-Triples text cut just after every ``<DEFAULT_BASE``: copy K joins the pieces with ``cK/``."""
    pieces = []
    for t in triples:
        cut, text = [], ""
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.BlankNode):
                raise SystemExit("blank node in the article graph: cannot replicate it under new IRIs")
            if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE):
                cut.append(text + "<" + DEFAULT_BASE)
                text = term.value[len(DEFAULT_BASE):] + "> "
            else:
                text += str(term) + " "
        cut.append(text + ".\n")
        pieces.append(cut)
    return pieces


def replicate(pieces: list[list[str]], copies: int):
    for k in range(copies):
        sep = f"c{k}/"
        for cut in pieces:
            yield sep.join(cut)


def load_all(nt: Path, store_dir: Path, expected: int) -> dict[str, ox.Store | Graph]:
    """The file in a kg store (opened read-only), in rdflib and in Oxigraph's memory, each load timed."""
    start = time.perf_counter()
    count = write_store(nt.read_bytes(), ox.RdfFormat.N_TRIPLES, store_dir)
    store_s = time.perf_counter() - start
    store_rss = _rss_mb()
    start = time.perf_counter()
    g = Graph()
    g.parse(nt, format="nt")
    rdflib_s = time.perf_counter() - start
    rdflib_rss = _rss_mb()
    start = time.perf_counter()
    memory = open_graph(nt)
    memory_s = time.perf_counter() - start
    for engine, n in (("store", count), ("rdflib", len(g)), ("memory", len(memory))):
        if n != expected:
            raise SystemExit(f"{engine} holds {n} triples, expected {expected}: copies are not disjoint")
    print(f"load {count} triples: store {store_s:.1f} s, rdflib {rdflib_s:.1f} s, "
          f"ratio rdflib / store {rdflib_s / store_s:.1f} (Oxigraph in memory {memory_s:.1f} s)")
    print(f"max RSS {store_rss:.0f} MB after the store load, {rdflib_rss:.0f} MB after rdflib's, "
          f"{_rss_mb():.0f} MB after Oxigraph's in memory")
    gc.freeze()  # forked rdflib children then share the graph instead of copying it page by page
    return {"store": open_store(store_dir), "rdflib": g, "memory": memory}


def lookup_person(pieces: list[list[str]], copy: int) -> tuple[str, int]:
    """The person holding most positions at organisations with party bodies, in copy ``copy``, and the
    number of rows the lookup gives in the article graph alone (the same in every copy)."""
    one = ox.Store()
    one.load("".join(replicate(pieces, 1)).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    found = list(one.query(PICK_PERSON))
    if not found:
        raise SystemExit("no person holds a position at an organisation with a party body: nothing to look up")
    person = found[0]["person"].value
    expected = len(list(one.query(LOOKUP % person)))
    return person.replace(f"{DEFAULT_BASE}c0/", f"{DEFAULT_BASE}c{copy}/", 1), expected


def measure(engines: dict, text: str, repeat: int, timeout: float) -> dict:
    """Median milliseconds and row counts per engine (rdflib's rows are None if its first run was stopped)."""
    ms, rows = {}, {}
    for name in ("store", "memory"):
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            rows[name] = len([tuple(solution) for solution in engines[name].query(text)])
            times.append(time.perf_counter() - start)
        ms[name] = 1000 * statistics.median(times)
    times, rows["rdflib"], stopped = rdflib_runs(engines["rdflib"], text, repeat, timeout)
    ms["rdflib"] = 1000 * statistics.median(times)
    return {"ms": ms, "rows": rows, "stopped": stopped}


def rdflib_runs(g: Graph, text: str, repeat: int, timeout: float) -> tuple[list[float], int | None, bool]:
    """Seconds per run of rdflib's SPARQL in a forked child, the row count, and whether a run was stopped.

    A stopped run counts as ``timeout`` seconds and ends the runs: the median is then a lower bound."""
    fork = multiprocessing.get_context("fork")
    recv, send = fork.Pipe(duplex=False)
    child = fork.Process(target=_rdflib_child, args=(g, text, repeat, send))
    child.start()
    send.close()
    times, rows = [], None
    try:
        for _ in range(repeat):
            if not recv.poll(timeout):
                return times + [timeout], rows, True
            message = recv.recv()
            if isinstance(message, str):
                raise SystemExit(f"rdflib failed: {message}")
            seconds, rows = message
            times.append(seconds)
        return times, rows, False
    finally:
        child.kill()
        child.join()


def _rdflib_child(g: Graph, text: str, repeat: int, send) -> None:
    try:
        prepared = prepareQuery(text)
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len([tuple(row) for row in g.query(prepared)])
            send.send((time.perf_counter() - start, rows))
    except Exception as err:  # sent to the parent, which stops the benchmark with it
        send.send(f"{type(err).__name__}: {err}")


def print_row(name: str, r: dict) -> None:
    ms, bound = r["ms"], (">" if r["stopped"] else " ")
    rows = str(r["rows"]["store"]) if not _disagree(r) else "MISMATCH"
    print(f"{name:<14} {rows:>8} {ms['store']:10.1f} {bound}{ms['rdflib']:10.1f} "
          f"{bound}{ms['rdflib'] / ms['store']:8.1f}x {ms['memory']:10.1f}", flush=True)


def _disagree(r: dict) -> bool:
    return len({n for n in r["rows"].values() if n is not None}) > 1


def print_verdict(results: dict[str, dict], lookup_rows: int) -> bool:
    """One line per target and engine, misses included; False if the engines disagree on a row count.

    The issue's target is on the store (on disk); the same targets are checked for Oxigraph in memory,
    which is what ``kg serve --memory`` and every query on a graph file use."""
    lines, missed, agree = [], {"store": 0, "memory": 0}, True
    for name, r in results.items():
        if _disagree(r):
            counts = ", ".join(f"{engine} {n}" for engine, n in r["rows"].items())
            lines.append(f"ROW COUNT MISMATCH in {name}: {counts} rows")
            agree = False
        if name == "lookup":
            continue
        for engine in ("store", "memory"):
            bound, speedup = (">" if r["stopped"] else ""), r["ms"]["rdflib"] / r["ms"][engine]
            where = f"{name} {'on the store' if engine == 'store' else 'in memory'}"
            if speedup >= SPEEDUP_TARGET:
                lines.append(f"meets   {where}: {bound}{speedup:.1f}x faster than rdflib (target {SPEEDUP_TARGET:g}x)")
            elif r["stopped"]:
                missed[engine] += 1
                lines.append(f"UNKNOWN {where}: at least {speedup:.1f}x faster, rdflib stopped too early to show "
                             f"{SPEEDUP_TARGET:g}x (raise --rdflib-timeout)")
            else:
                missed[engine] += 1
                lines.append(f"MISSES  {where}: only {speedup:.1f}x faster than rdflib (target {SPEEDUP_TARGET:g}x)")
    lookup = results["lookup"]
    if lookup["rows"]["store"] != lookup_rows:
        lines.append(f"LOOKUP ROWS: {lookup['rows']['store']} in the replicated graph, {lookup_rows} in the "
                     "article graph: the copies are not disjoint")
        agree = False
    for engine in ("store", "memory"):
        met = lookup["ms"][engine] < LOOKUP_TARGET_MS
        missed[engine] += not met
        lines.append(f"{'meets  ' if met else 'MISSES '} lookup {'on the store' if engine == 'store' else 'in memory'}: "
                     f"{lookup['ms'][engine]:.1f} ms "
                     f"(target under {LOOKUP_TARGET_MS:g} ms)")
    for name, r in results.items():
        if r["rows"]["rdflib"] is None:
            lines.append(f"note    {name}: rows not compared with rdflib (stopped before its first answer)")
    for engine, n in missed.items():
        print(f"\nverdict {'on the store' if engine == 'store' else 'in memory'}: {'every target met' if not n else f'{n} of {len(results)} targets not met'}",
              end="")
    print()
    print("\n".join(lines))
    return agree


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
