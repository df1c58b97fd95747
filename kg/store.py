"""The on-disk SPARQL store (Oxigraph), and opening "a graph" the way every command does.

A graph is either a file (Turtle, N-Triples, JSON-LD), parsed by Oxigraph into
memory, or a store directory written by ``kg build --store``. Querying never goes
through rdflib's SPARQL engine: rdflib builds and serialises, Oxigraph answers.

A store directory holds generations: ``current`` is a symbolic link to ``gen-N``,
which holds the Oxigraph database (``oxigraph/``) and a link, ``ledger.sqlite``, to
the ledger of what each document contributed (``ledger-K.sqlite`` beside the
generations, K the generation that created it). An update writes generation N+1
(the database copied by hard links) and changes the shared ledger in one SQLite
transaction, which records N+1 as the ledger's generation; then it swaps the link
in one rename. So a reader, or a build killed at any moment, only ever sees a
whole generation, and an update never copies the ledger, whatever its size:

- killed before the ledger's commit: SQLite rolls the ledger back, and the next
  writer throws generation N+1 away;
- killed after it, before the swap: the next writer (or ``kg check``) makes N+1
  current, as the ledger says.

``--replace`` writes a new ledger file for its generation. The previous
generation is kept for readers that still have it open; older ones, and ledgers
no generation links to, are removed.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import KgError

FILE_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD,
                ".json": ox.RdfFormat.JSON_LD}
_PARSER_POSITION = re.compile(r"^Parser error (?:at line \d+ between columns \d+ and \d+|between line \d+ column \d+ "
                              r"and line \d+ column \d+): ")
_FILE_POSITION = re.compile(r" \([^()]*, line \d+\)$")
_MARKER = "kg-store"  # written in the store folder, so a stray folder is never taken for a store
CURRENT = "current"
DATABASE = "oxigraph"
LEDGER = "ledger.sqlite"


def is_store(path: str | Path) -> bool:
    return (Path(path) / _MARKER).is_file()


def open_graph(path: str | Path) -> ox.Store:
    """A queryable store for a graph file or a store directory, with one clear error if it is neither."""
    path = Path(path)
    if path.is_dir():
        return open_store(path)
    if path.is_file():
        return load_file(path)
    raise KgError("no such graph file or store directory", str(path))


def open_store(path: str | Path) -> ox.Store:
    """Open a store directory read-only (several readers may share it)."""
    path = Path(path)
    if not path.is_dir():
        raise KgError("no such store directory", str(path))
    if not is_store(path):
        raise KgError("not a kg store (no kg-store marker in this folder)", str(path),
                      hint="create one with: kg build ARTICLES --store DIR")
    if not (path / CURRENT).exists():
        raise KgError("the store holds no graph yet (no build into it has finished)", str(path),
                      hint="build one with: kg build ARTICLES --store DIR")
    try:
        return ox.Store.read_only(str(database(path)))
    except OSError as err:
        message = _first_line(err)
        if "CURRENT" in message or "Corruption" in message:
            raise KgError("the store is damaged or incomplete", str(path),
                          hint="rebuild it with: kg build ARTICLES --store DIR") from None
        if "lock" in message.lower():
            raise KgError("the store is locked by another process", str(path)) from None
        raise KgError(f"cannot open store: {message}", str(path)) from None


def in_memory(store: ox.Store) -> ox.Store:
    """A copy of ``store`` held in RAM, for a long-running server: queries that read the whole graph run
    3-5 times faster than on disk, where every join and every sort comparison is a RocksDB read.

    Costs about 5 s and the graph's size in memory per million triples."""
    copy = ox.Store()
    copy.extend(store.quads_for_pattern(None, None, None, None))
    return copy


def load_file(path: str | Path) -> ox.Store:
    """Parse a graph file into an in-memory store; a syntax error names its line and column."""
    path = Path(path)
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KgError(f"unknown graph format '{path.suffix}'", str(path), hint="use .ttl, .nt or .jsonld, or a store")
    if path.stat().st_size == 0:
        raise KgError("empty graph file", str(path))
    store = ox.Store()
    try:
        store.load(path=str(path), format=fmt)
    except SyntaxError as err:
        line, column = _position(err)
        message = _PARSER_POSITION.sub("", _first_line(err))
        raise KgError(f"cannot parse graph: {_FILE_POSITION.sub('', message)}", str(path), line, column) from None
    except (OSError, ValueError) as err:
        raise KgError(f"cannot read graph: {_first_line(err)}", str(path)) from None
    return store


def database(path: str | Path) -> Path:
    """The Oxigraph folder of the store at ``path``'s current generation."""
    return Path(path) / CURRENT / DATABASE


def generation(path: str | Path) -> tuple[int, int]:
    """Identifies the store's current generation: changes whenever an update is committed."""
    st = os.stat(Path(path) / CURRENT)
    return st.st_dev, st.st_ino


def write_store(data: bytes, fmt: ox.RdfFormat, path: str | Path) -> int:
    """Load serialised RDF into a new store at ``path`` (replacing a kg store there), all or nothing.

    Such a store has no ledger: it answers queries but cannot be updated with new articles.
    Returns the number of triples."""
    with new_generation(path, replace=True) as gen:
        try:
            store = ox.Store(str(gen.folder / DATABASE))
            store.bulk_load(data, format=fmt)
            store.optimize()
            count = len(store)
            store.flush()
            del store
        except OSError as err:
            raise KgError(f"cannot write store: {_first_line(err)}", str(path)) from None
    return count


@dataclass
class Generation:
    """The next generation of a store, while it is being written."""

    folder: Path  # where its database is written
    number: int
    ledger: Path | None  # the ledger it uses: shared with the current one, or new; None if there is none
    commit: Callable[[int], None] | None = None  # commits the ledger as of generation ``number``
    unchanged: bool = False  # nothing to write: the generation is thrown away and the store left alone


@contextmanager
def new_generation(path: str | Path, replace: bool = False) -> Iterator[Generation]:
    """The store's next generation, made current when the block ends without error.

    Unless ``replace``, its database starts as a RocksDB checkpoint (hard links) of the current one,
    and it shares the current ledger; ``commit`` (set by the writer) commits that ledger once the
    new database is on disk. Only one writer at a time: a second gets an error."""
    path = Path(path)
    _prepare(path)
    with _locked(path):
        current_number = _recover(path)
        number = max(_numbers(path), default=0) + 1
        tmp = path / f".gen-{number:06d}.tmp"
        tmp.mkdir()
        current = path / CURRENT
        shared = None if replace else _ledger_of(current)
        if shared is None and not replace and current_number and (current / DATABASE).is_dir():
            ledger = None  # a store loaded from a graph file: no ledger
        else:
            ledger = shared or path / f"ledger-{number:06d}.sqlite"
        if ledger is not None and shared is None:
            _remove_ledger(ledger)  # left by a killed build
        gen = Generation(tmp, number, ledger)
        try:
            if not replace and current_number:
                _copy_database(current, tmp, path)
            yield gen
            if gen.unchanged:
                shutil.rmtree(tmp, ignore_errors=True)
                return
            if ledger is not None and ledger.exists():
                os.symlink(os.path.join(os.pardir, ledger.name), tmp / LEDGER)
            final = path / f"gen-{number:06d}"
            _fsync_tree(tmp)
            os.replace(tmp, final)
            _fsync_dir(path)
            if gen.commit is not None:
                gen.commit(number)
            _make_current(path, final.name)
        except OSError as err:
            shutil.rmtree(tmp, ignore_errors=True)
            raise KgError(f"cannot write store: {_first_line(err)}", str(path)) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _tidy(path)


def _recover(path: Path) -> int:
    """Make ``current`` the generation the ledger last committed, drop generations written after it;
    returns the current generation's number (0: none)."""
    import sqlite3

    for stale in path.glob(".gen-*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)
    current = _number(os.readlink(path / CURRENT)) if (path / CURRENT).is_symlink() else 0
    ledger = _ledger_of(path / CURRENT)
    if ledger is not None:
        try:
            db = sqlite3.connect(str(ledger))  # a hot journal is rolled back here
            committed = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            db.close()
        except sqlite3.Error:
            committed = None  # an older ledger, or a damaged one: opening it will say which
        if committed and int(committed[0]) > current and (path / f"gen-{int(committed[0]):06d}").is_dir():
            current = int(committed[0])
            _make_current(path, f"gen-{current:06d}")
    for later in path.glob("gen-*"):
        if _number(later.name) > current:
            shutil.rmtree(later, ignore_errors=True)
    return current


def _make_current(path: Path, name: str) -> None:
    link = path / f".{CURRENT}.tmp"
    link.unlink(missing_ok=True)
    os.symlink(name, link)
    os.replace(link, path / CURRENT)
    _fsync_dir(path)


def _tidy(path: Path) -> None:
    """Keep the current generation and the one before it (readers may still have it open), and the
    ledgers they use."""
    if not (path / CURRENT).is_symlink():
        return
    final = os.readlink(path / CURRENT)
    keep = {final, *sorted(p.name for p in path.glob("gen-*") if _number(p.name) < _number(final))[-1:]}
    for old in path.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    used = {_ledger_of(path / name) for name in keep}
    for ledger in path.glob("ledger-*.sqlite"):
        if ledger not in used:
            _remove_ledger(ledger)


def _numbers(path: Path) -> list[int]:
    return [_number(p.name) for p in path.glob("gen-*") if _number(p.name)]


def _number(name: str) -> int:
    tail = name.rsplit("/", 1)[-1]
    return int(tail[4:]) if tail.startswith("gen-") and tail[4:].isdigit() else 0


def _ledger_of(generation: Path) -> Path | None:
    """The ledger file a generation uses, if it has one."""
    link = generation / LEDGER
    if not link.exists():
        return None
    return link.resolve() if link.is_symlink() else link


def _remove_ledger(ledger: Path) -> None:
    for leftover in (ledger, ledger.with_name(ledger.name + "-journal")):
        leftover.unlink(missing_ok=True)


def _prepare(path: Path) -> None:
    """Make ``path`` a store folder, or check that it is one (never take over another folder)."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise KgError("output folder does not exist", str(parent))
    if path.exists() and not path.is_dir():
        raise KgError("refusing to replace a file with a store", str(path))
    if path.is_dir() and not is_store(path):
        if any(path.iterdir()):
            raise KgError("refusing to replace something that is not a kg store", str(path))
    try:
        path.mkdir(exist_ok=True)
        if not is_store(path):
            (path / _MARKER).write_text("kg store: Oxigraph databases by generation, and the ledger of their documents\n",
                                        encoding="utf-8")
    except OSError as err:
        raise KgError(f"cannot write store: {_first_line(err)}", str(path)) from None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    handle = open(path / ".lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KgError("another kg command is updating this store", str(path)) from None
        yield
    finally:
        handle.close()


def _copy_database(current: Path, tmp: Path, path: Path) -> None:
    if (current / DATABASE).is_dir():
        try:
            source = ox.Store(str(current / DATABASE))
        except OSError as err:
            raise KgError(f"cannot open the store to update it: {_first_line(err)}", str(path)) from None
        source.backup(str(tmp / DATABASE))
        del source


def _fsync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if os.path.islink(os.path.join(root, name)):
                continue  # the shared ledger: SQLite syncs it when it commits
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_store(path: str | Path) -> str:
    """Check a store: its ledger passes SQLite's integrity check and the database holds exactly the
    triples the ledger's documents give. Returns a one-line report; raises ``KgError`` otherwise.

    Finishes or undoes a killed writer's work first, and holds the lock, so no writer runs meanwhile.
    Both sides are compared sorted on disk: memory does not grow with the graph."""
    import sqlite3

    from .io import sorted_unique
    from .ledger import Ledger

    path = Path(path)
    open_store(path)  # one clear error if it is not a store
    with _locked(path):
        _recover(path)
        _tidy(path)
        store = open_store(path)
        ledger_file = _ledger_of(path / CURRENT)
        if ledger_file is None:
            return f"ok: {len(store)} triples (loaded from a graph file: no ledger to check against)"
        try:
            db = sqlite3.connect(f"file:{ledger_file}?mode=ro", uri=True)
            problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
            meta = dict(db.execute("SELECT key, value FROM meta"))
            db.close()
        except sqlite3.DatabaseError as err:
            raise KgError(f"the store's ledger is damaged: {err}", str(path)) from None
        if problems != ["ok"]:
            raise KgError(f"the store's ledger is damaged: {problems[0]}", str(path))
        ledger = Ledger(ledger_file, meta["base"], float(meta["min_confidence"]))
        try:
            expected = sorted_unique(_canonical(ledger.all_lines()))
            actual = sorted_unique(str(q.triple) for q in store.quads_for_pattern(None, None, None, None))
            extra, missing, count = _differences(actual, expected)
            documents = len(ledger)
        finally:
            ledger.close()
    if extra or missing:
        raise KgError(f"the store does not match its ledger: {extra} triples too many, {missing} missing",
                      str(path), hint="rebuild it with --replace")
    return f"ok: {documents} documents, {count} triples, matching the ledger"


def _canonical(lines: Iterator[str], chunk: int = 100_000) -> Iterator[str]:
    """N-Triples lines as Oxigraph writes the same triples (literals and escapes normalised)."""
    from itertools import islice

    while block := list(islice(lines, chunk)):
        for quad in ox.parse("\n".join(block), format=ox.RdfFormat.N_TRIPLES):
            yield str(quad.triple)


def _differences(actual: Iterator[str], expected: Iterator[str]) -> tuple[int, int, int]:
    """(lines only in ``actual``, lines only in ``expected``, lines in ``actual``) of two sorted streams."""
    extra = missing = count = 0
    a, e = next(actual, None), next(expected, None)
    while a is not None or e is not None:
        if e is None or (a is not None and a < e):
            extra, count, a = extra + 1, count + 1, next(actual, None)
        elif a is None or e < a:
            missing, e = missing + 1, next(expected, None)
        else:
            count, a, e = count + 1, next(actual, None), next(expected, None)
    return extra, missing, count


def _position(err: SyntaxError) -> tuple[int | None, int | None]:
    return getattr(err, "lineno", None), getattr(err, "offset", None)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
