"""The whole job: ingest -> normalise -> metadata -> extract -> resolve -> graph."""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import networkx as nx

from .errors import KgError
from .extract import extract
from .graph import build_graph
from .ingest import expand_paths, read_file
from .metadata import enrich
from .model import Document, Extraction, Resolved
from .normalise import normalise
from .resolve import resolve


def documents(paths: Iterable[str | Path], encoding: str | None = None) -> list[Document]:
    """Read and normalise every article under ``paths`` (duplicates by content dropped)."""
    seen: dict[str, Document] = {}
    for path in expand_paths(paths):
        for article in read_file(path, encoding=encoding):
            doc = enrich(normalise(article))
            seen.setdefault(doc.id, doc)
    return list(seen.values())


def run(paths: Iterable[str | Path], encoding: str | None = None, lexicon_files: tuple[str, ...] = (),
        min_confidence: float = 0.0, progress: Callable[[Document], None] | None = None) -> Resolved:
    """Build the resolved facts for ``paths``."""
    extractions: list[Extraction] = []
    for doc in documents(paths, encoding):
        extractions.append(extract(doc, lexicon_files))
        if progress:
            progress(doc)
    resolved = resolve(extractions)
    return filter_confidence(resolved, min_confidence) if min_confidence > 0 else resolved


def filter_confidence(resolved: Resolved, threshold: float) -> Resolved:
    """Keep facts with confidence >= ``threshold`` (and relations/events whose ends survive)."""
    entities = tuple(e for e in resolved.entities if e.confidence >= threshold)
    kept = {e.id for e in entities}
    relations = tuple(r for r in resolved.relations
                      if r.confidence >= threshold and r.subject in kept and r.object in kept)
    events = tuple(ev for ev in resolved.events
                   if ev.confidence >= threshold and all(p in kept for p in ev.participants))
    return Resolved(resolved.documents, resolved.sentences, entities, relations, events)


def build(paths: Iterable[str | Path], **options) -> nx.MultiDiGraph:
    """``run`` then ``build_graph``: the graph of the articles under ``paths``."""
    return build_graph(run(paths, **options))


def run_one(path: str, lexicon_files: tuple[str, ...] = ()) -> Resolved:
    """Resolve one document: a file, or one line of a JSONL file named ``file.jsonl:N``."""
    file, _, line = path.rpartition(":") if re.search(r"\.jsonl:\d+$", path) else (path, "", "")
    docs = [d for d in documents([file]) if not line or d.path == f"{file}:{line}"]
    return resolve([extract(d, lexicon_files) for d in docs])


# -- the streaming build: articles -> workers -> ledger -> store and files ----------------------

BULK_LOAD_LINES = 200_000  # Oxigraph's bulk loader holds a whole call in memory (about 1 KB a triple)


@dataclass
class BuildSummary:
    """What a build or update did, for the one-line report."""

    read: int = 0  # articles read
    added: int = 0  # new documents
    known: int = 0  # already in the store, or repeated in the input (same content)
    skipped: int = 0  # bad inputs passed over (--skip-bad)
    removed: int = 0
    documents: int = 0  # in the graph afterwards
    triples: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    relations: int = 0
    events: int = 0
    lines_removed: int = 0
    lines_added: int = 0
    whole: bool = True  # the graph was written whole, not patched
    targets: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        by_type = ", ".join(f"{t} {n}" for t, n in sorted(self.entities.items()))
        parts = [f"{self.added} documents added"]
        if self.known:
            parts.append(f"{self.known} already there")
        if self.removed:
            parts.append(f"{self.removed} removed")
        if self.skipped:
            parts.append(f"{self.skipped} bad inputs skipped")
        change = "" if self.whole else f" (-{self.lines_removed} +{self.lines_added} triples)"
        return (f"{', '.join(parts)}; {self.documents} documents, {sum(self.entities.values())} entities "
                f"({by_type}), {self.relations} relations, {self.events} events, {self.triples} triples{change} -> {' and '.join(self.targets)} "
                f"in {self.seconds:.1f} s")


def build_into(paths: Iterable[str | Path] = (), *, output: str | Path | None = None, store: str | Path | None = None,
               replace: bool = False, remove: Iterable[str] = (), jobs: int = 1, engine: str = "local",
               scheduler: str | None = None, base: str | None = None, encoding: str | None = None,
               lexicon_files: tuple[str, ...] = (), min_confidence: float = 0.0, skip_bad: bool = False,
               on_skip: Callable[[KgError], None] | None = None, max_chars: int | None = None,
               progress: Callable[[BuildSummary], None] | None = None) -> BuildSummary:
    """Build (or update) a graph from articles, streaming: memory is set by the number of distinct
    names, not by the number of documents.

    With ``store``, an existing store gets the new articles added (an article already there, by
    content, changes nothing) and the documents in ``remove`` taken out; ``replace`` starts it
    afresh. ``output`` is a graph file (.nt, .ttl, .jsonld) of the whole resulting graph. Nothing is
    written unless the whole build succeeds."""
    from .ingest import MAX_CHARS, iter_articles
    from .parallel import extract_all
    from .rdf import DEFAULT_BASE, format_for

    started = time.perf_counter()
    if output is None and store is None:
        raise KgError("nothing to write: give an output file, a store, or both")
    if output is not None:
        format_for(output)  # a bad output name fails before any work
    if lexicon_files:
        from .lexicons import lexicons

        lexicons(tuple(lexicon_files))  # so does a bad word list
    summary = BuildSummary(targets=[str(p) for p in (output, store) if p is not None])
    remove = list(remove)

    def skipped(err: KgError) -> None:
        summary.skipped += 1
        if on_skip:
            on_skip(err)

    ledger = None
    try:
        with _workspace(store, replace) as gen, _ledger_errors(store):
            ledger = _open_ledger(gen, store, base or DEFAULT_BASE, min_confidence)
            seen: set[str] = set()

            def new_articles():
                for article in iter_articles(paths, encoding, skip_bad=skip_bad, on_skip=skipped,
                                             max_chars=max_chars or MAX_CHARS) if paths else ():
                    summary.read += 1
                    doc_id = content_id(article.raw)
                    if doc_id in seen or doc_id in ledger:
                        summary.known += 1
                        continue
                    seen.add(doc_id)
                    yield article

            for facts in extract_all(new_articles(), jobs, lexicon_files, engine, scheduler):
                summary.added += ledger.add(facts)
                if progress:
                    progress(summary)
            for ref in remove:
                ledger.remove(ledger.find(ref))
                summary.removed += 1
            if store is not None and not replace and not summary.added and not summary.removed \
                    and ledger.committed and output is None:
                gen.unchanged = True  # nothing new: the store stays as it is
            else:
                gone, new, whole = ledger.update()
                summary.whole = whole
                summary.lines_removed, summary.lines_added = len(gone), len(new)
                ledger.triples = _write(ledger, gen.folder, store, output, gone, new, whole)
            summary.documents = len(ledger)
            summary.entities = ledger.entity_counts()
            summary.relations, summary.events = ledger.fact_counts()
            summary.triples = ledger.triples

            def commit(number: int) -> None:
                with _ledger_errors(store):
                    ledger.commit(number)

            gen.commit = commit
    finally:
        if ledger is not None:
            ledger.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def content_id(raw: str) -> str:
    """A document's id: the SHA-256 of its decoded text (as ``normalise`` gives it)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@contextmanager
def _ledger_errors(store):
    """SQLite's errors (a full disk among them) as one line naming the store."""
    import sqlite3

    try:
        yield
    except sqlite3.Error as err:
        where = str(store) if store is not None else tempfile.gettempdir()
        raise KgError(f"cannot write the ledger: {_first_line(err)}", where) from None


@contextmanager
def _workspace(store: str | Path | None, replace: bool):
    """Where the ledger and database are written: the store's next generation, or a temporary
    folder when only a file is written."""
    from .store import LEDGER, Generation, new_generation

    if store is None:
        with tempfile.TemporaryDirectory(prefix="kg-build-") as folder:
            gen = Generation(Path(folder), 1, Path(folder) / LEDGER)
            yield gen
            if gen.commit is not None:
                gen.commit(gen.number)
    else:
        with new_generation(store, replace) as gen:
            yield gen


def _open_ledger(gen, store, base: str, min_confidence: float):
    from .ledger import Ledger

    if gen.ledger is None:
        raise KgError("this store was loaded from a graph file and has no ledger, so articles cannot be added",
                      str(store), hint="rebuild it from the articles with --replace")
    return Ledger(gen.ledger, base, min_confidence, durable=store is not None)


def _write(ledger, folder: Path, store, output, gone: set[str], new: set[str], whole: bool) -> int:
    """Patch or fill the store's database, then write the output file from the ledger; returns the
    number of triples in the graph."""
    from .io import sorted_unique
    from .rdf import write_lines

    if store is not None:
        import pyoxigraph as ox

        from .store import DATABASE

        db = ox.Store(str(folder / DATABASE))
        try:
            if whole:
                db.clear()
                lines = ledger.all_lines(remember=True)
                while chunk := list(islice(lines, BULK_LOAD_LINES)):
                    db.bulk_load("\n".join(chunk), format=ox.RdfFormat.N_TRIPLES)
            else:
                for quad in ox.parse("\n".join(sorted(gone)), format=ox.RdfFormat.N_TRIPLES):
                    db.remove(quad)
                db.extend(ox.parse("\n".join(sorted(new)), format=ox.RdfFormat.N_TRIPLES))
            db.flush()
            triples = len(db) if whole else ledger.triples - len(gone) + len(new)
        except OSError as err:
            raise KgError(f"cannot write store: {_first_line(err)}", str(store)) from None
        finally:
            del db
    if output is not None:
        triples = write_lines(sorted_unique(ledger.all_lines()), output)
    return triples
