"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a graph file or store.

Oxigraph cannot stop a query once it has started, so no query runs in the server
process. A few worker processes, forked at startup, answer one query at a time
each; a worker that overruns the time limit is killed (SIGKILL), reaped and
replaced. Forking shares a graph file's in-memory store with the workers for
free; a store directory is opened read-only by each worker, and reopened when
``kg build --store`` has replaced it. The HTTP side is the standard library's
``ThreadingHTTPServer``: a thread per connection (up to ``max_connections``), which
waits in line for a worker. The time limit counts from when a worker takes the
query, so a query never fails for having waited; only when ``max_waiting`` queries
are already in line is the next one refused (503, "busy", with Retry-After).

Example::

    kg serve out.ttl
    curl -H 'Accept: text/csv' --data-urlencode query@ontology/queries/positions.rq \\
        http://127.0.0.1:7878/sparql
"""

from __future__ import annotations

import collections
import contextlib
import errno
import gc
import html
import ipaddress
import itertools
import json
import math
import os
import pickle
import re
import select
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from . import __version__
from .errors import KgError
from .query import PREFIXES
from .store import generation, in_memory, open_graph, open_store

DEFAULT_PORT = 7878
DEFAULT_MAX_WAITING = 256  # queries that may wait for a worker before the server says it is busy
DEFAULT_MAX_CONNECTIONS = 512  # open at once, a thread each; past that a connection is answered 503 and closed
RESULTS = ox.QueryResultsFormat
GRAPHS = ox.RdfFormat

# -- what a query may do, decided before it runs --------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
             | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
             | "(?:[^"\\\r\n]|\\.)*"?
             | '(?:[^'\\\r\n]|\\.)*'?)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u203F\u2040]+)
  | (?P<pname>(?:[^\W\d_][\w.\-\u00B7]*+)?:(?:[\w\-:%\u00B7]|\\.|\.(?=[\w\-:%\u00B7\\]))*
             | _:[\w\-.\u00B7]*)
  | (?P<run>[^\W\d_][\w.\-\u00B7]*)  # one or more words joined by . or - (read as one, so scanning stays linear)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<punct>\^\^|&&|\|\||[!<>]=|.)
""", re.VERBOSE | re.DOTALL)
_WORD = re.compile(r"[^\W\d_]\w*")
_OPERATORS = {"=", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "+", "-", "*", "/", "^^", "|", "^"}
_CLAUSES = {"SELECT", "GROUP", "ORDER", "HAVING"}  # their parentheses hold expressions
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def query_words(text: str) -> list[str]:
    """The bare keywords of a query, upper-cased, in order.

    Comments, strings, IRIs, variables and prefixed names are set aside, so
    ``"SERVICE"``, ``<http://x/service>`` or ``ex:service`` is no keyword. ``<`` is
    read as "less than" where an expression has an operand before it, as
    Oxigraph's parser does, so ``FILTER(?a<1)SERVICE#>`` cannot hide a keyword."""
    words: list[str] = []
    stack: list[str] = []  # "(" expression, "c" collection or path, "{" or "["
    prev, clause, pos = "open", False, 0
    while pos < len(text):
        if text[pos] == "<" and stack and stack[-1] == "(" and prev not in ("open", "comma", "op"):
            kind, token = "punct", "<=" if text.startswith("<=", pos) else "<"
        else:
            match = _TOKEN.match(text, pos)
            kind, token = match.lastgroup or "punct", match.group()
        pos += len(token)
        if kind in ("space", "comment"):
            continue
        if kind == "run":
            kind = "word"
            for word in _WORD.findall(token.upper()):
                words.append(word)
                clause = word in _CLAUSES or (clause and word != "WHERE")
        elif token == "(":
            expression = clause or not stack or stack[-1] == "(" or prev in ("word", "pname", "iri", "op")
            stack.append("(" if expression else "c")
        elif token in ("{", "[", ")", "}", "]"):
            clause = clause and token not in "{}"
            if token in "{[":
                stack.append(token)
            elif stack:
                stack.pop()
        prev = {"(": "open", ",": "comma"}.get(token) or ("op" if token in _OPERATORS else kind)
    return words


def uses_service(text: str) -> bool:
    """Does the query call another endpoint (``SERVICE``)?"""
    return "SERVICE" in query_words(text)


def is_update(text: str) -> bool:
    """Is this SPARQL UPDATE (INSERT, DELETE, LOAD, ...) rather than a query?"""
    first = next((w for w in query_words(text) if w not in ("PREFIX", "BASE")), "")
    return first in UPDATE_WORDS


# -- content negotiation ---------------------------------------------------------

# Offered in this order when the client likes several equally; wildcards match these only.
RESULT_TYPES = {"application/sparql-results+json": RESULTS.JSON, "application/sparql-results+xml": RESULTS.XML,
                "text/csv": RESULTS.CSV, "text/tab-separated-values": RESULTS.TSV}
GRAPH_TYPES = {"text/turtle": GRAPHS.TURTLE, "application/n-triples": GRAPHS.N_TRIPLES,
               "application/rdf+xml": GRAPHS.RDF_XML, "application/ld+json": GRAPHS.JSON_LD}
# Other names clients use, honoured when asked for by name.
_ALIASES = {"application/json": RESULTS.JSON, "application/xml": RESULTS.XML, "text/xml": RESULTS.XML,
            "application/turtle": GRAPHS.TURTLE, "application/x-turtle": GRAPHS.TURTLE}


def negotiate(accept: str | None, graph: bool) -> tuple[str, ox.QueryResultsFormat | ox.RdfFormat] | None:
    """The media type and format to answer with, from an ``Accept`` header.

    ``graph`` is true for CONSTRUCT and DESCRIBE. No header (or ``*/*``) gives
    SPARQL JSON results or Turtle; None means nothing acceptable (406)."""
    offers = GRAPH_TYPES if graph else RESULT_TYPES
    ranges = _accept_ranges(accept or "*/*")
    best, best_q = None, 0.0
    for media, fmt in [*offers.items(), *((m, f) for m, f in _ALIASES.items() if f in offers.values())]:
        exact_only = media not in offers
        q = next((ranges[r] for r in (media, media.split("/")[0] + "/*", "*/*")
                  if r in ranges and (r == media or not exact_only)), 0.0)
        if q > best_q:
            best, best_q = (media, fmt), q
    return best


def _accept_ranges(accept: str) -> dict[str, float]:
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = "*/*" if media == "*" else media.lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    pass
        ranges[media] = max(q, ranges.get(media, 0.0))
    return ranges


def acceptable(accept: str | None) -> bool:
    return negotiate(accept, graph=False) is not None or negotiate(accept, graph=True) is not None


def offered(graph: bool) -> str:
    return ", ".join(GRAPH_TYPES if graph else RESULT_TYPES)


# -- answering one query (in a worker) --------------------------------------------

@dataclass(frozen=True, slots=True)
class Job:
    """A query as the worker gets it: the text, what the client accepts, and the dataset asked for."""

    query: str
    accept: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, media type, body and extra headers."""

    status: int
    media: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def text_reply(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    """A refusal or failure: one line of plain text saying what and how to fix it."""
    return Reply(status, "text/plain", (" ".join(message.split()) + "\n").encode("utf-8"), headers)


def answer(store: ox.Store, job: Job, max_rows: int) -> Reply:
    """Run one query and serialise its first ``max_rows`` rows (or triples) as negotiated."""
    try:
        result = store.query(job.query, prefixes=PREFIXES, **_dataset(job))
    except SyntaxError as err:
        return text_reply(400, f"malformed query: {err}")
    except _BadDataset as err:
        return text_reply(400, str(err))
    except (OSError, RuntimeError) as err:
        return text_reply(500, f"query failed: {err}")
    try:  # rows are computed while they are read, so evaluation errors show up here too
        if isinstance(result, ox.QueryTriples):
            return _graph_reply(result, job.accept, max_rows)
        return _results_reply(result, job.accept, max_rows)
    except (OSError, RuntimeError) as err:
        return text_reply(500, f"query failed: {err}")


class _BadDataset(ValueError):
    pass


def _dataset(job: Job) -> dict:
    """``default-graph-uri`` and ``named-graph-uri`` replace the query's dataset, as the protocol says."""
    if not job.default_graphs and not job.named_graphs:
        return {}
    try:
        return {"default_graph": [ox.NamedNode(iri) for iri in job.default_graphs],
                "named_graphs": [ox.NamedNode(iri) for iri in job.named_graphs]}
    except ValueError as err:
        raise _BadDataset(f"bad default-graph-uri or named-graph-uri: {err}; give absolute IRIs") from None


def _results_reply(result: ox.QuerySolutions | ox.QueryBoolean, accept: str | None, max_rows: int) -> Reply:
    chosen = negotiate(accept, graph=False)
    form = "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"
    if chosen is None:
        return text_reply(406, f"a {form} answer cannot be sent as '{accept}'; accept one of: {offered(False)}")
    media, fmt = chosen
    if isinstance(result, ox.QueryBoolean):
        return Reply(200, media, result.serialize(format=fmt))
    table, truncated = _first_rows(result, max_rows)
    if fmt != RESULTS.TSV:
        table = ox.parse_query_results(table, format=RESULTS.TSV).serialize(format=fmt)
    return Reply(200, media, table, _limit_headers(truncated, max_rows))


def _first_rows(result: ox.QuerySolutions, max_rows: int) -> tuple[bytes, bool]:
    """The header and first ``max_rows`` rows as TSV, and whether there were more.

    Oxigraph writes TSV one row a line, fast; the writer stops it after the row past
    the limit, so a huge answer is never computed in full. The TSV is then read back
    to write the format asked for."""
    writer = _Lines(max_rows + 2)
    try:
        result.serialize(writer, format=RESULTS.TSV)
    except Exception:
        if writer.left:  # a real failure, not the writer stopping it
            raise
    table = b"".join(writer.chunks)
    if writer.left:
        return table, False
    return table[: table.rindex(b"\n", 0, len(table) - 1) + 1], True


class _Enough(Exception):
    pass


class _Lines:
    """A binary writer that keeps the first ``count`` lines, then raises ``_Enough``."""

    def __init__(self, count: int):
        self.left, self.chunks = count, []

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if (lines := data.count(b"\n")) < self.left:
            self.left -= lines
            self.chunks.append(data)
            return len(data)
        end = -1
        for _ in range(self.left):
            end = data.index(b"\n", end + 1)
        self.chunks.append(data[: end + 1])
        self.left = 0
        raise _Enough

    def flush(self) -> None:
        pass


def _graph_reply(result: ox.QueryTriples, accept: str | None, max_rows: int) -> Reply:
    chosen = negotiate(accept, graph=True)
    if chosen is None:
        return text_reply(406, f"a CONSTRUCT or DESCRIBE answer is a graph; it cannot be sent as '{accept}'; "
                               f"accept one of: {offered(True)}")
    media, fmt = chosen
    triples = list(itertools.islice(result, max_rows + 1))
    prefixes = {k: v for k, v in PREFIXES.items() if k != "data"}
    body = ox.serialize(sorted(triples[:max_rows], key=str), format=fmt,
                        prefixes=prefixes if fmt in (GRAPHS.TURTLE, GRAPHS.RDF_XML) else None)
    return Reply(200, media, body, _limit_headers(len(triples) > max_rows, max_rows))


def _limit_headers(truncated: bool, max_rows: int) -> tuple[tuple[str, str], ...]:
    return ("X-Kg-Truncated", "true" if truncated else "false"), ("X-Kg-Row-Limit", str(max_rows))


# -- worker processes ------------------------------------------------------------

class _StoreDir:
    """A store directory opened read-only, reopened once ``kg build --store`` has replaced it."""

    def __init__(self, path: Path):
        self.path, self._store, self._id = path, None, None

    def __call__(self) -> ox.Store:
        current = generation(self.path)  # changes when a build commits a new generation
        if self._store is None or self._id != current:
            self._store = None  # let go of the old files first
            self._store, self._id = open_store(self.path), current
        return self._store


class _Overrun(Exception):
    pass


class _Undelivered(Exception):
    pass


_LENGTH = struct.Struct("!Q")


def _send_frame(fd: int, data: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _recv_frame(fd: int, deadline: float | None = None) -> bytes | None:
    """One length-prefixed frame, None at a clean end of file; ``_Overrun`` past the deadline."""
    head = _recv_exact(fd, _LENGTH.size, deadline)
    if head is None:
        return None
    body = _recv_exact(fd, _LENGTH.unpack(head)[0], deadline)
    if body is None:
        raise EOFError("worker stopped mid-reply")
    return body


def _recv_exact(fd: int, size: int, deadline: float | None) -> bytes | None:
    chunks, got = [], 0
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while got < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(math.ceil(left * 1000)):
                raise _Overrun
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            if got:
                raise EOFError("worker stopped mid-reply")
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _work(jobs: int, replies: int, lifeline: int, store: Callable[[], ox.Store], max_rows: int) -> None:
    """A worker's life: answer jobs until the server closes the pipe (or dies)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which then kills us
    gc.freeze()  # never finalise the parent's objects here: their descriptors are closed below
    keep = sorted({jobs, replies, lifeline})
    for low, high in zip([2, *keep], [*keep, os.sysconf("SC_OPEN_MAX")]):
        os.closerange(low + 1, high)
    # The server's end of the lifeline closes when it exits, even by SIGKILL: then so do we.
    threading.Thread(target=lambda: os.read(lifeline, 1) or os._exit(0), daemon=True).start()
    try:
        store()  # open a store directory now, not on the first query
    except (KgError, OSError):
        pass
    while (frame := _recv_frame(jobs)) is not None:
        job = pickle.loads(frame)
        try:
            reply = answer(store(), job, max_rows)
        except (KgError, OSError) as err:
            reply = text_reply(503, f"the store cannot be opened: {err}; check that it exists and restart kg serve")
        except Exception:  # a bug: keep its traceback (written without stderr's lock, which a fork may hold)
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
            reply = text_reply(500, "internal error in kg serve (a bug); the traceback is in the server's log")
        _send_frame(replies, pickle.dumps(reply))


class _Worker:
    """The server's side of one worker process."""

    def __init__(self, pid: int, jobs: int, replies: int):
        self.pid, self.jobs, self.replies = pid, jobs, replies
        self._lock = threading.Lock()
        self._reaped = self._closed = False
        self._status: int | None = None  # from waitpid: how the process ended

    def ask(self, job: Job, deadline: float) -> Reply:
        try:
            _send_frame(self.jobs, pickle.dumps(job))
        except OSError:
            raise _Undelivered from None
        frame = _recv_frame(self.replies, deadline)
        if frame is None:
            raise EOFError("worker stopped")
        return pickle.loads(frame)

    def kill(self) -> None:
        """Stop the process and reap it (no zombie); safe to call twice and from two threads."""
        with self._lock:
            if self._reaped:
                return
            try:
                os.kill(self.pid, signal.SIGKILL)  # a process that died already is a zombie: no harm
                self._status = os.waitpid(self.pid, 0)[1]
            except (ProcessLookupError, ChildProcessError):
                pass
            self._reaped = True

    def close(self) -> None:
        """Kill, reap and close the pipes; only the thread that holds the worker calls this."""
        self.kill()
        if not self._closed:
            self._closed = True
            os.close(self.jobs)
            os.close(self.replies)

    def death(self) -> str:
        """How a worker that stopped answering ended, in words for the client (once reaped)."""
        status = self._status
        if status is None or not os.WIFSIGNALED(status):
            return "stopped"
        number = os.WTERMSIG(status)
        if number == signal.SIGKILL:
            return "was killed (SIGKILL: out of memory?)"
        return f"crashed ({signal.Signals(number).name if number in signal.valid_signals() else number})"


class _Refused(Exception):
    """No worker will take this query: the reply says why."""

    def __init__(self, reply: Reply):
        super().__init__(reply)
        self.reply = reply


class _Turn:
    """A request waiting for a worker; ``ready`` is set once one is handed over (or the wait is over)."""

    __slots__ = ("ready", "worker", "refusal")

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.worker: _Worker | None = None
        self.refusal: Reply | None = None


_STOPPING = text_reply(503, "kg serve is stopping; start it again to ask more queries")


class WorkerPool:
    """Worker processes that answer one query at a time each; one that overruns is replaced.

    Requests wait for a free worker in arrival order and for as long as it takes:
    the time limit counts from when a worker takes the query, so no query fails
    for having waited. The server is overloaded only when ``max_waiting`` requests
    already wait; a request is then refused at once (503, with Retry-After)."""

    def __init__(self, store: Callable[[], ox.Store], size: int, max_rows: int,
                 max_waiting: int = DEFAULT_MAX_WAITING):
        self._store, self._max_rows, self.size, self.max_waiting = store, max_rows, size, max_waiting
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._waiting: collections.deque[_Turn] = collections.deque()
        self._workers: set[_Worker] = set()
        self._missing = 0  # workers that could not be replaced (a failed fork)
        self._closed = False
        self._lifeline, self._lifeline_keep = os.pipe()  # we never write: closing it tells workers to go
        try:
            for _ in range(size):
                self._idle.append(self._spawn())
        except BaseException:
            self.close()
            raise

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    @property
    def idle(self) -> int:
        """Workers free now."""
        return len(self._idle)

    @property
    def waiting(self) -> int:
        """Requests waiting in line for a worker now."""
        return len(self._waiting)

    def run(self, job: Job, timeout: float, wanted: Callable[[], bool] = lambda: True) -> Reply | None:
        """The worker's reply, or a 503 if the query overruns ``timeout`` or too many wait already.

        None when ``wanted`` says, once a worker is free, that the client has gone:
        a query nobody waits for any more is not run."""
        for attempt in range(2):
            try:
                worker = self._take(timeout, wanted)
            except _Refused as refused:
                return refused.reply
            if worker is None:
                return None
            broken = True
            try:
                reply = worker.ask(job, time.monotonic() + timeout)
                broken = False
                return reply
            except _Undelivered:  # it had died while idle: the query never ran, so run it on a fresh one
                if attempt:
                    return text_reply(500, "the query workers keep dying; see the server's log")
            except _Overrun:
                return text_reply(503, f"query exceeded the time limit of {timeout:g} s; narrow it (LIMIT, more "
                                       "specific patterns) or restart kg serve with a larger --timeout")
            except (EOFError, OSError):
                if self._closed:  # killed because the server is stopping
                    return _STOPPING
                worker.kill()
                return text_reply(500, f"the query worker {worker.death()} while answering; "
                                       "narrow the query and try again")
            finally:
                self._release(worker, broken)
        raise AssertionError("unreachable")

    def _take(self, timeout: float, wanted: Callable[[], bool]) -> _Worker | None:
        """A free worker, after waiting in line if need be; None if the client left meanwhile."""
        if self._missing:
            self._refill()
        with self._lock:
            if self._closed:
                raise _Refused(_STOPPING)
            if self._idle:  # then nobody is waiting: a freed worker goes to the first in line
                return self._idle.pop()
            if not self._workers:
                raise _Refused(text_reply(503, "no query worker could be started; see the server's log",
                                          ("Retry-After", str(max(1, math.ceil(timeout))))))
            if len(self._waiting) >= self.max_waiting:
                raise _Refused(text_reply(
                    503, f"the server is busy: {len(self._waiting)} queries are already waiting for its "
                         f"{self.size} query workers; retry later, or restart kg serve with more --workers",
                    ("Retry-After", str(max(1, math.ceil(timeout))))))
            turn = _Turn()
            self._waiting.append(turn)
        turn.ready.wait()
        if turn.worker is None:
            raise _Refused(turn.refusal or _STOPPING)
        if not wanted():
            self._release(turn.worker, broken=False)
            return None
        return turn.worker

    def _release(self, worker: _Worker, broken: bool) -> None:
        """Hand the worker to the next in line, or put it back; a broken one is replaced first."""
        if broken:
            worker.close()
            with self._lock:
                self._workers.discard(worker)
            worker = self._replace()
            if worker is None:
                return
        self._give(worker)

    def _give(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                if self._waiting:
                    turn = self._waiting.popleft()
                    turn.worker = worker
                    turn.ready.set()
                else:
                    self._idle.append(worker)
                return
        worker.close()

    def _replace(self) -> _Worker | None:
        """A new worker, or None (said on stderr) when none can be started; if no worker is left at
        all, the requests in line are told so rather than left waiting."""
        try:
            return self._spawn()
        except OSError as err:  # fork failed: carry on with one worker fewer; _take tries again later
            print(f"kg: cannot start a query worker: {err}", file=sys.stderr)
            with self._lock:
                self._missing += 1
                stranded = [] if self._workers else list(self._waiting)
                if stranded:
                    self._waiting.clear()
            for turn in stranded:
                turn.refusal = text_reply(503, f"no query worker could be started ({err}); see the server's log")
                turn.ready.set()
            return None

    def _refill(self) -> None:
        """Start a worker that could not be started before (a failed fork), now that a request needs it."""
        with self._lock:
            if not self._missing:
                return
            self._missing -= 1
        if (worker := self._replace()) is not None:
            self._give(worker)

    def _spawn(self) -> _Worker | None:
        with self._lock:
            if self._closed:
                return None
            jobs_r, jobs_w = os.pipe()
            replies_r, replies_w = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                for fd in (jobs_r, jobs_w, replies_r, replies_w):
                    os.close(fd)
                raise
            if pid == 0:  # the worker: it must never return into the server's code
                status = 1
                try:
                    _work(jobs_r, replies_w, self._lifeline, self._store, self._max_rows)
                    status = 0
                finally:
                    os._exit(status)
            os.close(jobs_r)
            os.close(replies_w)
            worker = _Worker(pid, jobs_w, replies_r)
            self._workers.add(worker)
            return worker

    def close(self) -> None:
        """Stop every worker and reap it; a busy one's thread then sees it gone and cleans up;
        requests still waiting are told the server is stopping."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle, []
            busy = self._workers.difference(idle)
            waiting, self._waiting = list(self._waiting), collections.deque()
            os.close(self._lifeline_keep)
            os.close(self._lifeline)
        for turn in waiting:
            turn.ready.set()
        for worker in idle:
            worker.close()
        for worker in busy:
            worker.kill()


# -- HTTP ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Limits:
    """What every query may take."""

    timeout: float = 10.0
    max_rows: int = 10_000
    max_query_length: int = 20_000
    allow_service: bool = False

    @property
    def max_body(self) -> int:
        """Bytes a POST body may have: a form can spend 12 bytes on one character (``%F0%9F%98%80``)."""
        return 12 * self.max_query_length + 65_536


class SparqlServer(ThreadingHTTPServer):
    """The endpoint: ``/sparql`` answers queries, ``/`` serves the query page."""

    daemon_threads = True
    request_queue_size = 1024  # connections the kernel holds until accepted (capped by net.core.somaxconn)

    def __init__(self, graph: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *,
                 limits: Limits | None = None, workers: int | None = None, quiet: bool = False,
                 memory: bool = False, max_waiting: int = DEFAULT_MAX_WAITING,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS):
        graph, limits = Path(graph), limits or Limits()
        store = open_graph(graph)  # fails here, with one clear line, on a missing or bad graph
        source: Callable[[], ox.Store]
        if graph.is_dir() and memory:
            store = in_memory(store)  # a snapshot: a later rebuild is served after a restart
            source = lambda: store  # noqa: E731 -- forked workers inherit it
        elif graph.is_dir():
            del store  # each worker opens its own read-only handle
            source = _StoreDir(graph)
        else:
            source = lambda: store  # noqa: E731 -- forked workers inherit it
        self.graph, self.limits, self.quiet = graph, limits, quiet
        self.max_connections = max_connections
        self._connections = threading.BoundedSemaphore(max_connections)
        self.loopback = _is_loopback(host)
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            super().__init__((host, port), _Handler)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise KgError(f"port {port} is already in use on {host}",
                              hint="stop the other server, or pick another with --port (0 picks a free one)") from None
            raise KgError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        try:
            self.page = _page(graph.name, _saved_queries())
            self.pool = WorkerPool(source, workers or max(2, min(4, os.cpu_count() or 1)), limits.max_rows,
                                   max_waiting)
        except BaseException:
            self.socket.close()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/sparql"

    def process_request(self, request: socket.socket, client_address: tuple) -> None:
        """A thread for the connection, or, past ``max_connections``, a 503 at once."""
        if not self._connections.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started (e.g. the system's limit): the slot stays free
            self._connections.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: tuple) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 without a thread: the request waiting in the socket is read and dropped (so
        closing sends no reset that would lose the answer), and the small answer fits the socket's buffer."""
        body = (f"kg serve has {self.max_connections} connections open, its limit; retry later, or reuse one "
                "connection for several queries (keep-alive)\n").encode("utf-8")
        head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").encode("ascii")
        try:
            request.setblocking(False)
            with contextlib.suppress(BlockingIOError, InterruptedError):
                while request.recv(65536):
                    pass
            request.send(head + body)
        except OSError:
            pass
        self.shutdown_request(request)
        if not self.quiet:
            sys.stderr.write(f"kg: refused a connection: {self.max_connections} are open, the limit\n")

    def server_close(self) -> None:
        super().server_close()
        if pool := getattr(self, "pool", None):  # absent when binding failed
            pool.close()


def make_server(graph: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, timeout: float = 10.0,
                max_rows: int = 10_000, allow_service: bool = False, max_query_length: int = 20_000,
                workers: int | None = None, quiet: bool = False, memory: bool = False,
                max_waiting: int = DEFAULT_MAX_WAITING, max_connections: int = DEFAULT_MAX_CONNECTIONS
                ) -> SparqlServer:
    """A listening endpoint over a graph file or store directory; call ``serve_forever()``.

    Port 0 picks a free port (see ``server.url``). ``server_close()`` stops the workers. ``memory``
    copies a store directory into RAM first (a graph file is always held in memory). Queries wait in
    line for one of ``workers``; past ``max_waiting`` in line, or ``max_connections`` open, the server
    answers 503 with Retry-After.

    >>> server = make_server("out.ttl", port=0, timeout=2)      # doctest: +SKIP
    >>> threading.Thread(target=server.serve_forever).start()   # doctest: +SKIP
    """
    limits = Limits(timeout, max_rows, max_query_length, allow_service)
    return SparqlServer(graph, host, port, limits=limits, workers=workers, quiet=quiet, memory=memory,
                        max_waiting=max_waiting, max_connections=max_connections)


def serve(graph: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT, **options) -> None:
    """Run the endpoint in the foreground until Ctrl-C or SIGTERM (the ``kg serve`` command)."""
    server = make_server(graph, host, port, **options)
    limits = server.limits
    mode = "read-only" + (", SERVICE allowed" if limits.allow_service else "")
    if options.get("memory") and Path(graph).is_dir():
        mode += ", held in memory"
    reach = "" if server.loopback else "; reachable from other machines"
    print(f"kg: serving {graph} at {server.url} ({mode}, {server.pool.size} query workers, {limits.timeout:g} s "
          f"and {limits.max_rows} rows a query{reach}); query page at {server.url.removesuffix('sparql')}; "
          "Ctrl-C stops", file=sys.stderr, flush=True)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("kg: stopped", file=sys.stderr)
    finally:
        server.server_close()
        if main:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"kg/{__version__}"
    timeout = 60  # seconds an idle or slow connection may hold its thread
    server: SparqlServer

    def setup(self) -> None:
        super().setup()
        # Headers and body are two writes: without this the body waits for the client's delayed ACK (40 ms)
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if not self._host_ok():
            return
        if url.path == "/":
            self._send(Reply(200, "text/html", self.server.page, (("Content-Security-Policy", _PAGE_POLICY),)))
        elif url.path == "/sparql":
            params = self._params(url.query)
            if params is not None:
                self._query(params, None, HTTPStatus.REQUEST_URI_TOO_LONG)
        else:
            self._send(text_reply(404, f"no such page {url.path}; the endpoint is /sparql, the query page /"))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if not self._host_ok():
            return
        if url.path != "/sparql":
            allow = ("Allow", "GET")  # the page only
            self._send(text_reply(405 if url.path == "/" else 404, f"POST queries to /sparql, not {url.path}", allow),
                       close=True)
            return
        kind = self.headers.get_content_type()
        if kind == "application/sparql-update":
            self._send(_UPDATE_REFUSED, close=True)
            return
        if kind not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            self._send(text_reply(415, f"cannot read a {kind} body; POST the query as application/sparql-query, "
                                       "or as a form (application/x-www-form-urlencoded) with query="), close=True)
            return
        body = self._body()
        params = self._params(url.query)
        if body is None or params is None:
            return
        text = None
        if kind == "application/sparql-query":
            try:
                text = body.decode(self.headers.get_content_charset("utf-8"))
            except (LookupError, UnicodeDecodeError):
                self._send(text_reply(400, "the query is not valid text in its charset; send UTF-8"))
                return
        else:
            try:
                form = self._params(body.decode("utf-8"))
            except UnicodeDecodeError:
                form = None
                self._send(text_reply(400, "the form is not valid UTF-8; URL-encode it as UTF-8"))
            if form is None:
                return
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
        self._query(params, text, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def _query(self, params: dict[str, list[str]], text: str | None, too_long: int) -> None:
        limits = self.server.limits
        if "update" in params:
            return self._send(_UPDATE_REFUSED)
        if text is None:
            texts = params.get("query", [])
            if len(texts) > 1:
                return self._send(text_reply(400, f"{len(texts)} queries given; send one query= parameter"))
            text = texts[0] if texts else ""
        if not text.strip():
            return self._send(text_reply(400, "missing query: send ?query=... (GET), a form with query= or an "
                                              "application/sparql-query body (POST); the query page is at /"))
        if len(text) > limits.max_query_length:
            return self._send(text_reply(too_long, f"query is {len(text)} characters, over the limit of "
                                                   f"{limits.max_query_length}; shorten it or restart kg serve "
                                                   "with a larger --max-query-length"))
        if is_update(text):
            return self._send(_UPDATE_REFUSED)
        if not limits.allow_service and uses_service(text):
            return self._send(text_reply(403, "SERVICE (federated query) is refused: this endpoint calls no other "
                                              "endpoint unless kg serve is started with --allow-service"))
        accept = self.headers.get("Accept")
        if not acceptable(accept):
            return self._send(text_reply(406, f"cannot answer as '{accept}'; accept one of: {offered(False)} "
                                              f"(SELECT, ASK) or {offered(True)} (CONSTRUCT, DESCRIBE)"))
        job = Job(text, accept, tuple(params.get("default-graph-uri", ())), tuple(params.get("named-graph-uri", ())))
        reply = self.server.pool.run(job, limits.timeout, self._still_wanted)
        if reply is None:  # the client hung up while the query waited for a worker: nobody to answer
            self.close_connection = True
            return
        self._send(reply, query=True)

    def _still_wanted(self) -> bool:
        """Is the client still there? A closed connection reads as end of file at once."""
        poller = select.poll()  # not select(): descriptors past 1024 are common with many connections
        poller.register(self.connection, select.POLLIN)
        try:
            return not poller.poll(0) or self.connection.recv(1, socket.MSG_PEEK) != b""
        except OSError:
            return False

    def _params(self, query: str) -> dict[str, list[str]] | None:
        try:
            return parse_qs(query, keep_blank_values=True, errors="strict", max_num_fields=1000)
        except (UnicodeDecodeError, ValueError):
            self._send(text_reply(400, "cannot read the parameters; URL-encode them as UTF-8"), close=True)
            return None

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or self.headers.get("Transfer-Encoding"):
            self._send(text_reply(411, "send the body with a Content-Length (chunked bodies are not read)"),
                       close=True)
            return None
        if not length.isdigit():
            self._send(text_reply(400, f"bad Content-Length '{length}'"), close=True)
            return None
        if int(length) > self.server.limits.max_body:
            self._send(text_reply(413, f"request body of {length} bytes is over the limit for queries of "
                                       f"{self.server.limits.max_query_length} characters; shorten the query or "
                                       "restart kg serve with a larger --max-query-length"), close=True)
            return None
        return self.rfile.read(int(length))

    def _host_ok(self) -> bool:
        """On loopback, answer only requests addressed to a loopback name (no DNS rebinding)."""
        host = self.headers.get("Host")
        if not self.server.loopback or host is None:
            return True
        try:
            name = urlsplit(f"//{host}").hostname or ""
        except ValueError:  # e.g. an unclosed "[::1"
            name = ""
        if name == "localhost" or _is_loopback(name):
            return True
        self._send(text_reply(403, f"this endpoint answers requests for localhost only, not '{host}'; "
                                   "start kg serve with --host to serve other names"), close=True)
        return False

    def _send(self, reply: Reply, close: bool = False, query: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", f"{reply.media}; charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if query:
            self.send_header("Vary", "Accept")
            self.send_header("Cache-Control", "no-store")
        for name, value in reply.headers:
            self.send_header(name, value)
        if close or self.close_connection:  # the client asked to close (or spoke HTTP/1.0): say we do
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own refusals, as one line of text like ours."""
        headers = ()
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code, message = HTTPStatus.METHOD_NOT_ALLOWED, f"method {self.command} is not allowed; use GET or POST"
            headers = (("Allow", "GET, POST"),)
        elif code == HTTPStatus.REQUEST_URI_TOO_LONG:
            message = "request line too long; POST long queries (Content-Type: application/sparql-query)"
        self._send(text_reply(code, message or HTTPStatus(code).phrase, *headers), close=True)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not self.server.quiet:
            path = urlsplit(getattr(self, "path", "") or "-").path
            sys.stderr.write(f"kg: {self.address_string()} {self.command} {path} {int(code)}\n")

    def log_message(self, format: str, *args) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"kg: {self.address_string()} {format % args}\n")


_UPDATE_REFUSED = text_reply(403, "SPARQL UPDATE is refused: this endpoint is read-only; change the graph with "
                                  "kg build and restart kg serve")


# -- the query page ----------------------------------------------------------------

def _saved_queries() -> dict[str, str]:
    """``ontology/queries/*.rq`` by name, offered as examples on the page (none if the folder is missing)."""
    from .lexicons import project_dir

    try:
        folder = project_dir("ontology") / "queries"
    except KgError:
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rq"))}


def _page(graph: str, queries: dict[str, str]) -> bytes:
    data = json.dumps({"queries": queries, "prefixes": PREFIXES}, ensure_ascii=False).replace("</", "<\\/")
    values = {"graph": html.escape(graph), "data": data}
    return re.sub(r"\{(graph|data)\}", lambda m: values[m[1]], _PAGE).encode("utf-8")


_PAGE_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

_PAGE = """<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kg SPARQL · {graph}</title>
<style>
body { font: 15px/1.5 system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC",
       "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
textarea { width: 100%; box-sizing: border-box; height: 15rem; font: 13px/1.45 ui-monospace, Menlo, Consolas,
           "Noto Sans Mono CJK SC", monospace; }
.bar { margin: .5rem 0; display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
#status { color: #555; } .error { color: #b00020; white-space: pre-wrap; }
table { border-collapse: collapse; margin-top: .5rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; position: sticky; top: 0; } tr:nth-child(even) td { background: #fafafa; }
pre { background: #f6f6f6; padding: .75rem; overflow: auto; }
.lang { color: #888; font-size: .85em; }
</style>
</head>
<body>
<h1>kg SPARQL · <code>{graph}</code></h1>
<div class="bar">
  <label>Saved query <select id="examples"><option value="">(write your own)</option></select></label>
  <span id="about"></span>
</div>
<textarea id="query" spellcheck="false" aria-label="SPARQL query">SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20</textarea>
<div class="bar"><button id="run">Run</button>
  <span>Ctrl+Enter runs · prefixes kg:, rdfs:, data: … are predeclared</span>
  <span id="status"></span></div>
<div id="out"></div>
<script id="data" type="application/json">{data}</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const examples = $("examples"), query = $("query"), out = $("out"), status = $("status");
for (const name of Object.keys(data.queries)) {
  const option = document.createElement("option");
  option.value = option.textContent = name;
  examples.append(option);
}
examples.onchange = () => {
  const text = data.queries[examples.value];
  if (text) { query.value = text; $("about").textContent = (text.match(/^# (.*)/) || ["", ""])[1]; }
};
if (data.queries["positions.rq"]) { examples.value = "positions.rq"; examples.onchange(); }
function short(iri) {
  for (const [prefix, ns] of Object.entries(data.prefixes)) {
    if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
  }
  return "<" + iri + ">";
}
function show(term) {
  const span = document.createElement("span");
  if (!term) return span;
  if (term.type === "uri") { span.textContent = short(term.value); span.title = term.value; }
  else if (term.type === "bnode") span.textContent = "_:" + term.value;
  else if (term.type === "triple") {
    span.append("<< ", show(term.value.subject), " ", show(term.value.predicate), " ", show(term.value.object), " >>");
  } else {
    span.textContent = term.value;
    const note = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype ? " " + short(term.datatype) : "");
    if (note) {
      const small = document.createElement("span");
      small.className = "lang";
      small.textContent = note;
      span.append(small);
    }
  }
  return span;
}
function table(results) {
  const t = document.createElement("table"), head = t.createTHead().insertRow();
  for (const v of results.head.vars) { const th = document.createElement("th"); th.textContent = v; head.append(th); }
  const body = t.createTBody();
  for (const row of results.results.bindings) {
    const tr = body.insertRow();
    for (const v of results.head.vars) tr.insertCell().append(show(row[v]));
  }
  return t;
}
async function run() {
  status.className = ""; status.textContent = "running…";
  const started = performance.now();
  let response, text;
  try {
    response = await fetch("sparql", { method: "POST", body: query.value, headers: {
      "Content-Type": "application/sparql-query; charset=utf-8",
      "Accept": "application/sparql-results+json, text/turtle;q=0.9" } });
    text = await response.text();
  } catch (err) { status.className = "error"; status.textContent = String(err); return; }
  const ms = Math.round(performance.now() - started);
  out.replaceChildren();
  if (!response.ok) { status.className = "error"; status.textContent = response.status + " " + text; return; }
  const cut = response.headers.get("X-Kg-Truncated") === "true"
    ? " (cut at the server's limit of " + response.headers.get("X-Kg-Row-Limit") + ")" : "";
  if ((response.headers.get("Content-Type") || "").startsWith("text/turtle")) {
    const pre = document.createElement("pre"); pre.textContent = text; out.append(pre);
    status.textContent = "graph in " + ms + " ms" + cut;
    return;
  }
  const results = JSON.parse(text);
  if ("boolean" in results) { status.textContent = "ASK: " + results.boolean + " in " + ms + " ms"; return; }
  out.append(table(results));
  status.textContent = results.results.bindings.length + " rows in " + ms + " ms" + cut;
}
$("run").onclick = run;
query.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
});
</script>
</body>
</html>
"""
