"""The on-disk SPARQL store (Oxigraph), and opening "a graph" the way every command does.

A graph is either a file (Turtle, N-Triples, JSON-LD), parsed by Oxigraph into
memory, or a store directory written by ``kg build --store``. Querying never goes
through rdflib's SPARQL engine: rdflib builds and serialises, Oxigraph answers.

A store directory holds generations: ``current`` is a symbolic link to ``gen-N``,
which holds the Oxigraph database (``oxigraph/``) and the ledger of what each
document contributed (``ledger.sqlite``). An update writes generation N+1 beside
it (the database copied by hard links, the ledger copied) and then swaps the link
in one rename, so a reader, or a build killed at any moment, only ever sees a
whole generation. The previous generation is kept for readers that still have it
open; older ones are removed.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
            store = ox.Store(str(gen / DATABASE))
            store.bulk_load(data, format=fmt)
            store.optimize()
            count = len(store)
            store.flush()
            del store
        except OSError as err:
            raise KgError(f"cannot write store: {_first_line(err)}", str(path)) from None
    return count


@contextmanager
def new_generation(path: str | Path, replace: bool = False) -> Iterator[Path]:
    """A folder for the store's next generation, made current when the block ends without error.

    Unless ``replace``, it starts as a copy of the current one: the database by a RocksDB checkpoint
    (hard links), the ledger by a file copy. Only one writer at a time: a second gets an error."""
    path = Path(path)
    _prepare(path)
    with _locked(path):
        for stale in path.glob(".gen-*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)
        numbers = [int(p.name[4:]) for p in path.glob("gen-*") if p.name[4:].isdigit()]
        number = max(numbers, default=0) + 1
        tmp = path / f".gen-{number:06d}.tmp"
        tmp.mkdir()
        try:
            current = path / CURRENT
            if not replace and current.exists():
                _copy_generation(current, tmp, path)
            yield tmp
            final = path / f"gen-{number:06d}"
            _fsync_tree(tmp)
            os.replace(tmp, final)
            link = path / f".{CURRENT}.tmp"
            link.unlink(missing_ok=True)
            os.symlink(final.name, link)
            os.replace(link, current)
            _fsync_dir(path)
        except OSError as err:
            shutil.rmtree(tmp, ignore_errors=True)
            raise KgError(f"cannot write store: {_first_line(err)}", str(path)) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        keep = {final.name, *sorted(p.name for p in path.glob("gen-*") if p.name < final.name)[-1:]}
        for old in path.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)


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
            (path / _MARKER).write_text("kg store: an Oxigraph database and a ledger per generation\n",
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


def _copy_generation(current: Path, tmp: Path, path: Path) -> None:
    if (current / DATABASE).is_dir():
        try:
            source = ox.Store(str(current / DATABASE))
        except OSError as err:
            raise KgError(f"cannot open the store to update it: {_first_line(err)}", str(path)) from None
        source.backup(str(tmp / DATABASE))
        del source
    if (current / LEDGER).is_file():
        shutil.copyfile(current / LEDGER, tmp / LEDGER)


def _fsync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for name in files:
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
    triples the ledger's documents give. Returns a one-line report; raises ``KgError`` otherwise."""
    import sqlite3

    from .ledger import Ledger

    store = open_store(path)
    ledger_file = Path(path) / CURRENT / LEDGER
    if not ledger_file.is_file():
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
    with tempfile.TemporaryDirectory(prefix="kg-check-") as folder:
        copy = Path(folder) / LEDGER
        shutil.copyfile(ledger_file, copy)
        ledger = Ledger(copy, meta["base"], float(meta["min_confidence"]))
        try:
            text = "\n".join(ledger.all_lines())
            documents = len(ledger)
        finally:
            ledger.close()
    expected = {q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)}
    actual = {q.triple for q in store.quads_for_pattern(None, None, None, None)}
    if actual != expected:
        raise KgError(f"the store does not match its ledger: {len(actual - expected)} triples too many, "
                      f"{len(expected - actual)} missing", str(path), hint="rebuild it with --replace")
    return f"ok: {documents} documents, {len(actual)} triples, matching the ledger"


def _position(err: SyntaxError) -> tuple[int | None, int | None]:
    return getattr(err, "lineno", None), getattr(err, "offset", None)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
