"""``kg serve`` under load: keep-alive clients run the saved queries while pathological queries are stopped.

    python benchmarks/serve_load.py [--graph PATH] [--duration 60] [--clients 32] [--workers N]
                                    [--timeout 2] [--max-rows 10000] [--every 3] [--no-keep-alive]

Without --graph, builds a store from data/samples in a temporary folder (``python
-m kg build data/samples --store DIR --quiet``). Starts ``python -m kg serve GRAPH
--port 0`` on 127.0.0.1 and reads the address from its startup line.

The work: every saved query (ontology/queries/*.rq), asked as it is and, for those
that list names, with the name column bound to values found in the graph (as
``kg query --param`` binds them; sent as a trailing VALUES block, since the
protocol has no parameters). --clients threads loop over them for --duration
seconds, each on one keep-alive ``http.client`` connection, taking turns at GET,
POST and form POST and at the four results formats (--no-keep-alive: a new
connection each time). Every answer must be a 200 with the row count that ``kg
query`` gives on the same graph (cut at --max-rows, and saying so). All the while one
more client sends a pathological query every --every seconds; each must get the
time-limit answer (503, "query exceeded the time limit of ...") while the others
keep being answered.

The pathological queries have no end on any graph: a path over every edge, or
every triple crossed with every triple, joined with itself until even the sample
(about a thousand triples, where one such path takes milliseconds) cannot finish
in minutes. Their answers are small (a count; the graph's few predicates, as the
CONSTRUCT's triples come out without duplicates), so the row limit cannot end
them early either: only the time limit can.

Prints requests served, requests/s, p50/p95/p99/max latency per saved query and
overall, failures by kind, each pathological query's status and time, the
server's workers and time limit, and its memory (RSS) after warming up and at the
end. Exits 1 if a normal request failed or a pathological query was not stopped
by the time limit. tests/test_serve_load.py runs the same harness for a few
seconds and checks the answers only: speed figures belong here, these machines
are noisy.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import itertools
import json
import re
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from click.testing import CliRunner

from kg.cli import main as kg_main

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "ontology" / "queries"
SAMPLES = ROOT / "data" / "samples"

# The column of a saved query that is bound to values from the graph (``kg query --param NAME=VALUE``).
PARAMETERS = {"positions.rq": "person", "provenance.rq": "person", "party-bodies.rq": "organisation",
              "guidance.rq": "guide", "partnerships.rq": "a"}
VALUES_PER_PARAMETER = 2

PATHOLOGICAL = {
    "path (p|!p)* x3": "SELECT (COUNT(*) AS ?n) WHERE { ?a (rdf:type|!rdf:type)* ?b . "
                       "?c (rdf:type|!rdf:type)* ?d . ?e (rdf:type|!rdf:type)* ?f }",
    "path (!rdf:type)+ x3": "SELECT (COUNT(*) AS ?n) WHERE { ?s (!rdf:type)+ ?o . ?t (!rdf:type)+ ?u . "
                            "?v (!rdf:type)+ ?w }",
    "CONSTRUCT triples x triples x triples": "CONSTRUCT { ?b a rdf:Property } WHERE { ?a ?b ?c . ?d ?e ?f . "
                                             "?g ?h ?i }",
}
TIME_LIMIT_ANSWER = "query exceeded the time limit of"

WAYS = ("GET", "POST", "FORM")
FORMATS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
CLIENT_TIMEOUT = 120.0  # seconds a client waits for an answer before counting a failure


@dataclass(frozen=True, slots=True)
class Job:
    """One request the clients send, and the row count ``kg query`` gives for it."""

    name: str  # "positions.rq" or "positions.rq person=..."
    query: str  # the saved query's file name, for figures by saved query
    text: str
    rows: int


@dataclass(frozen=True, slots=True)
class Answer:
    """One normal request: how long it took, when it ended, and why it failed (None if it did not)."""

    query: str
    seconds: float
    ended: float  # time.monotonic()
    failure: str | None


@dataclass(frozen=True, slots=True)
class Probe:
    """One pathological query and what the server said."""

    name: str
    status: int | None
    message: str
    started: float
    ended: float

    @property
    def stopped(self) -> bool:
        """Did it get the time-limit answer?"""
        return self.status == 503 and self.message.startswith(TIME_LIMIT_ANSWER)


@dataclass(frozen=True, slots=True)
class Memory:
    """Resident memory (KB) of the server and of its workers at one moment; None where unreadable."""

    at: float  # time.monotonic()
    server: int | None
    workers: int | None


@dataclass
class Run:
    """Everything one load run saw."""

    answers: list[Answer]
    probes: list[Probe]
    seconds: float
    clients: int
    keep_alive: bool
    workers_before: list[int] = field(default_factory=list)
    workers_after: list[int] = field(default_factory=list)
    memory: list[Memory] = field(default_factory=list)  # after warming up, and at the end

    @property
    def failures(self) -> list[Answer]:
        return [a for a in self.answers if a.failure]

    def answered_between(self, start: float, end: float) -> int:
        """Normal requests answered correctly between two moments (time.monotonic())."""
        return sum(1 for a in self.answers if a.failure is None and start <= a.ended <= end)

    def answered_during(self, probe: Probe) -> int:
        """Normal requests answered correctly while a pathological query was running."""
        return self.answered_between(probe.started, probe.ended)


# -- the graph and the jobs ------------------------------------------------------------

def build_sample_store(folder: Path) -> Path:
    """The sample articles as a store, built by the command a user runs."""
    store = folder / "samples.store"
    subprocess.run([sys.executable, "-m", "kg", "build", str(SAMPLES), "--store", str(store), "--quiet"],
                   check=True, cwd=ROOT)
    return store


def kg_query(graph: Path, query: Path, params: tuple[str, ...] = ()) -> ox.QuerySolutions:
    """What ``kg query GRAPH QUERY --format tsv --param ...`` prints, read back as solutions."""
    args = ["query", str(graph), str(query), "--format", "tsv", *(f"--param={p}" for p in params)]
    result = CliRunner().invoke(kg_main, args, catch_exceptions=False)
    if result.exit_code:
        raise RuntimeError(f"kg {' '.join(args)} failed: {result.output.strip()}")
    return ox.parse_query_results(result.output.encode("utf-8"), format=ox.QueryResultsFormat.TSV)


def saved_jobs(graph: Path) -> list[Job]:
    """Every saved query, plain and with its name column bound to values present in the graph."""
    jobs = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        solutions = list(kg_query(graph, path))
        jobs.append(Job(path.name, path.name, text, len(solutions)))
        name = PARAMETERS.get(path.name)
        if name is None or not re.search(rf"[?$]{name}\b", text):
            continue
        for term in _picks(solutions, name):
            param = f"{name}={term.value}" if isinstance(term, ox.Literal) else f"{name}=<{term.value}>"
            rows = len(list(kg_query(graph, path, (param,))))
            jobs.append(Job(f"{path.name} {param}", path.name, f"{text}\nVALUES ?{name} {{ {term} }}", rows))
    return jobs


def _picks(solutions: list[ox.QuerySolution], name: str) -> list[ox.NamedNode | ox.Literal]:
    """A few values of one column: the first and last in order, so the choice is the same every run."""
    values = sorted({s[name] for s in solutions if isinstance(s[name], ox.NamedNode | ox.Literal)}, key=str)
    if len(values) <= VALUES_PER_PARAMETER:
        return values
    step = (len(values) - 1) / (VALUES_PER_PARAMETER - 1)
    return [values[round(i * step)] for i in range(VALUES_PER_PARAMETER)]


# -- the server ------------------------------------------------------------------------

@dataclass
class Server:
    """A ``kg serve`` subprocess: its address, process and what it wrote to stderr after starting."""

    url: str
    process: subprocess.Popen
    size: int  # query workers, as the startup line says
    timeout: float
    max_rows: int
    log: list[str] = field(default_factory=list)

    @property
    def workers(self) -> list[int]:
        """The worker processes' ids: the server's children (Linux: from /proc; empty elsewhere)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()  # after the command name, which may hold spaces
            except OSError:  # gone meanwhile
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)


@contextmanager
def serving(graph: Path, *, workers: int | None = None, timeout: float = 2.0,
            max_rows: int = 10_000) -> Iterator[Server]:
    """``kg serve GRAPH --port 0`` on loopback, stopped with Ctrl-C (SIGINT) afterwards."""
    command = [sys.executable, "-m", "kg", "serve", str(graph), "--host", "127.0.0.1", "--port", "0",
               "--timeout", f"{timeout:g}", "--max-rows", str(max_rows), "--quiet",
               *(("--workers", str(workers)) if workers else ())]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT)
    try:
        if not select.select([process.stderr], [], [], 120)[0]:
            raise RuntimeError("kg serve wrote no startup line in 120 s")
        line = process.stderr.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/sparql) .*?(\d+) query workers", line)
        if not found:
            raise RuntimeError(f"kg serve did not start: {line.strip() or process.stderr.read().strip()}")
        server = Server(found[1], process, int(found[2]), timeout, max_rows)
        drain = threading.Thread(target=lambda: server.log.extend(process.stderr), daemon=True)
        drain.start()  # a full pipe would block the server; keep what it says (worker crashes)
        yield server
        process.send_signal(2)  # SIGINT, as Ctrl-C
        process.wait(timeout=60)
        drain.join(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def memory(server: Server) -> Memory:
    """The server's and its workers' resident memory now."""
    workers = [rss_kb(pid) for pid in server.workers]
    return Memory(time.monotonic(), rss_kb(server.process.pid), sum(workers) if all(workers) and workers else None)


def rss_kb(pid: int) -> int | None:
    """A process's resident memory in KB (Linux), None when it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) if found else None


# -- the clients -----------------------------------------------------------------------

def send(conn: http.client.HTTPConnection, path: str, text: str, way: str, accept: str,
         keep_alive: bool = True) -> tuple[int, str, bytes]:
    """One query, sent the way asked: (status, X-Kg-Truncated, body). Without ``keep_alive`` the
    server closes the connection after answering and the next request opens another."""
    headers = {"Accept": accept, **({} if keep_alive else {"Connection": "close"})}
    if way == "GET":
        conn.request("GET", f"{path}?{urlencode({'query': text})}", headers=headers)
    elif way == "POST":
        headers["Content-Type"] = "application/sparql-query; charset=utf-8"
        conn.request("POST", path, body=text.encode("utf-8"), headers=headers)
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST", path, body=urlencode({"query": text}).encode("ascii"), headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, response.getheader("X-Kg-Truncated", ""), body


def count_rows(media: str, body: bytes) -> int:
    """Rows in a SELECT answer in any of the four results formats."""
    if media == "application/sparql-results+json":
        return len(json.loads(body)["results"]["bindings"])
    if media == "application/sparql-results+xml":
        return len(ET.fromstring(body).findall("{http://www.w3.org/2005/sparql-results#}results/*"))
    if media == "text/csv":
        return len(list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))) - 1
    return body.decode("utf-8").count("\n") - 1  # TSV: one line a row, newlines in values escaped


def check(job: Job, max_rows: int, media: str, status: int, truncated: str, body: bytes) -> str | None:
    """Why an answer is wrong (a failure kind, then a colon and details), or None if it is right:
    the rows ``kg query`` gives, cut at the server's row limit if need be, and saying so."""
    if status != 200:
        return f"status {status}: {body.decode('utf-8', 'replace').strip()[:200]}"
    if truncated != ("true" if job.rows > max_rows else "false"):
        return f"truncation: X-Kg-Truncated is '{truncated}' for {job.rows} rows and a limit of {max_rows}"
    rows = count_rows(media, body)
    if rows != min(job.rows, max_rows):
        return f"wrong answer: {job.name} as {media} has {rows} rows; kg query gives {job.rows}"
    return None


def client(server: Server, jobs: list[Job], stop: threading.Event, first: int,
           keep_alive: bool = True) -> list[Answer]:
    """Loop over the jobs on one keep-alive connection (or a new one each time) until told to stop;
    every answer is checked."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=CLIENT_TIMEOUT)
    answers = []
    for turn in itertools.count(first):
        if stop.is_set():
            break
        job, way = jobs[turn % len(jobs)], WAYS[turn % len(WAYS)]
        media = FORMATS[turn // len(WAYS) % len(FORMATS)]
        started = time.perf_counter()
        try:
            failure = check(job, server.max_rows, media, *send(conn, parts.path, job.text, way, media, keep_alive))
        except (OSError, http.client.HTTPException, ValueError) as err:  # ValueError: unreadable body
            failure = f"exception {type(err).__name__}: {err}"
            conn.close()  # the next request opens a new connection
        answers.append(Answer(job.query, time.perf_counter() - started, time.monotonic(), failure))
    conn.close()
    return answers


def pathological(url: str, until: float, every: float) -> list[Probe]:
    """Send the pathological queries in turn, one every ``every`` seconds, until ``until``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=CLIENT_TIMEOUT)
    probes = []
    for name, text in itertools.cycle(PATHOLOGICAL.items()):
        started = time.monotonic()
        if started >= until:
            break
        try:
            status, _, body = send(conn, parts.path, text, "POST", "*/*")
            message = " ".join(body.decode("utf-8", "replace").split())
        except (OSError, http.client.HTTPException) as err:
            status, message = None, f"exception {type(err).__name__}: {err}"
            conn.close()
        probes.append(Probe(name, status, message[:200], started, time.monotonic()))
        time.sleep(max(0.0, min(started + every, until) - time.monotonic()))
    conn.close()
    return probes


def run_load(server: Server, jobs: list[Job], *, clients: int = 32, duration: float = 60.0,
             every: float = 3.0, keep_alive: bool = True) -> Run:
    """``clients`` threads on the saved queries and one on the pathological ones, for ``duration`` seconds.

    The normal clients stop only once the last pathological query is answered, so
    every pathological query runs while the others are being served."""
    stop = threading.Event()
    results: list[list[Answer]] = [[] for _ in range(clients)]
    probes: list[Probe] = []
    workers_before = server.workers
    begun = time.monotonic()
    until = begun + duration

    def normal(index: int) -> None:
        results[index] = client(server, jobs, stop, index * 7, keep_alive)

    threads = [threading.Thread(target=normal, args=(i,), name=f"client-{i}") for i in range(clients)]
    prober = threading.Thread(target=lambda: probes.extend(pathological(server.url, until, every)))
    for thread in [*threads, prober]:
        thread.start()
    time.sleep(min(5.0, duration / 4))
    warm = memory(server)
    prober.join()
    end, workers_after = memory(server), server.workers
    stop.set()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - begun
    return Run([a for part in results for a in part], probes, seconds, clients, keep_alive, workers_before,
               workers_after, [warm, end])


# -- the report ------------------------------------------------------------------------

def percentiles(seconds: list[float]) -> tuple[float, float, float, float]:
    """p50, p95, p99 and max, in milliseconds."""
    if len(seconds) < 2:
        return (seconds[0] * 1000 if seconds else float("nan"),) * 4
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000, max(seconds) * 1000


def report(run: Run, server: Server, jobs: list[Job], graph: Path) -> str:
    """The figures as text."""
    served = [a for a in run.answers if a.failure is None]
    lines = [f"graph: {graph}", f"server: {server.url}, {server.size} query workers, "
             f"time limit {server.timeout:g} s; {len(jobs)} jobs from {len({j.query for j in jobs})} saved queries",
             f"clients: {run.clients} normal and 1 pathological, "
             f"{'keep-alive' if run.keep_alive else 'a new connection per request'}",
             f"requests served: {len(served)} in {run.seconds:.1f} s = {len(served) / run.seconds:.0f}/s; "
             f"failed: {len(run.failures)}", "",
             f"{'latency ms':<22}{'requests':>9}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"]
    by_query = defaultdict(list)
    for answer in run.answers:
        by_query[answer.query].append(answer.seconds)
    for name, seconds in [*sorted(by_query.items()), ("overall", [a.seconds for a in run.answers])]:
        lines.append(f"{name:<22}{len(seconds):>9}" + "".join(f"{v:>9.1f}" for v in percentiles(seconds)))
    kinds = Counter(a.failure.split(":")[0] for a in run.failures)
    lines += ["", "failures by kind: " + (", ".join(f"{k} x{n}" for k, n in kinds.most_common()) or "none")]
    for kind in kinds:
        lines.append(f"  first {kind}: {next(a.failure for a in run.failures if a.failure.startswith(kind))}")
    stopped = [p.ended - p.started for p in run.probes if p.stopped]
    lines += ["", f"pathological queries: {len(run.probes)} sent, {len(stopped)} stopped by the time limit"
                  + (f", answered in {min(stopped):.2f}-{max(stopped):.2f} s" if stopped else ""),
              "  (status, seconds, normal answers meanwhile, message)"]
    for probe in run.probes:
        lines.append(f"  {'stopped' if probe.stopped else 'NOT STOPPED':<12}{probe.name:<40}{probe.status or '-':>5}"
                     f"{probe.ended - probe.started:>7.2f} s{run.answered_during(probe):>7}  {probe.message[:70]}")
    replaced = len(set(run.workers_before) - set(run.workers_after))
    lines += ["", f"workers: {run.workers_before} at start, {run.workers_after} at end ({replaced} replaced)"]
    if len(run.memory) == 2:
        warm, end = run.memory
        lines.append(f"memory (RSS) over the {run.answered_between(warm.at, end.at)} requests after warming up: "
                     f"server {_mb(warm.server)} -> {_mb(end.server)}, workers {_mb(warm.workers)} -> "
                     f"{_mb(end.workers)} (replaced workers start afresh)")
    if server.log:
        lines.append(f"server stderr: {len(server.log)} lines, first: {server.log[0].strip()[:200]}")
    return "\n".join(lines)


def _mb(kb: int | None) -> str:
    return "?" if kb is None else f"{kb / 1024:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, help="a graph file or store [default: build one from data/samples]")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load [60]")
    parser.add_argument("--clients", type=int, default=32, help="concurrent normal clients [32]")
    parser.add_argument("--workers", type=int, default=None, help="kg serve --workers [its default]")
    parser.add_argument("--timeout", type=float, default=2.0, help="kg serve --timeout, seconds [2]")
    parser.add_argument("--max-rows", type=int, default=10_000, help="kg serve --max-rows [10000]")
    parser.add_argument("--every", type=float, default=3.0, help="seconds between pathological queries [3]")
    parser.add_argument("--no-keep-alive", dest="keep_alive", action="store_false",
                        help="a new connection for every request, as urllib and SPARQLWrapper make")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-serve-load-") as folder:
        graph = args.graph or build_sample_store(Path(folder))
        jobs = saved_jobs(graph)
        with serving(graph, workers=args.workers, timeout=args.timeout, max_rows=args.max_rows) as server:
            run = run_load(server, jobs, clients=args.clients, duration=args.duration, every=args.every,
                           keep_alive=args.keep_alive)
        print(report(run, server, jobs, graph))
    bad = run.failures or not run.probes or not all(p.stopped for p in run.probes)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
