"""N-Quads for triple stores' bulk loaders (Virtuoso, Oxigraph server, QLever): one named graph per
document, so that ``DROP GRAPH <document>`` retracts what one article said.

A document's graph is named by the document's own IRI and holds

* the triples about the document and about each of its sentences;
* every ``?x kg:evidence ?sentence`` link to one of its sentences;
* for each node with evidence in the document (entity, ``kg:Assertion``, ``kg:Position``, event), the
  node's structural triples: its ``rdf:type``; an Assertion's ``rdf:subject/predicate/object``,
  ``kg:role`` and the direct relation triple it reifies; a Position's ``kg:holder``,
  ``kg:organization``, ``kg:title``; an event's ``kg:participant``, ``kg:trigger``, ``kg:date`` and
  ``rdfs:label``.

A triple evidenced by several documents is in each of their graphs, so retracting one document leaves
the others' support in place. What kg concluded from all documents together (entity labels and
aliases, every ``kg:confidence``, event quantities) and any triple no document graph holds go to one
graph, ``<BASE>graph/summary``. The union of all graphs is exactly the input graph.

Memory and disk: the export streams. It holds one sort chunk (``CHUNK_BYTES`` of lines, about twice
that in Python objects) and the set of evidenced nodes of one document; the store is read by index
look-ups (``quads_for_pattern``) and one N-Triples dump, never copied into Python. The input triples
and the document quads are sorted together in chunks spilled to temporary files beside OUT and then
merged, which needs free disk of about twice the uncompressed output.
"""

from __future__ import annotations

import gzip
import heapq
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..rdf import DEFAULT_BASE, KG
from .model import EVENT_KINDS

CHUNK_BYTES = 32 * 1024 * 1024  # lines sorted in memory at once before a run is spilled to disk
MAX_OPEN_RUNS = 128  # run files merged at once (each an open file)
SUMMARY = "graph/summary"  # the summary graph's IRI, after the base

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DEFAULT = ox.DefaultGraph()
TYPE = ox.NamedNode(_RDF + "type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DOCUMENT = ox.NamedNode(KG + "Document")
IN_DOCUMENT = ox.NamedNode(KG + "inDocument")
EVIDENCE = ox.NamedNode(KG + "evidence")
SUBJECT, PREDICATE, OBJECT = (ox.NamedNode(_RDF + name) for name in ("subject", "predicate", "object"))
# What a node is, as one document says it, by the node's class (beyond its rdf:type). rdfs:label only for
# events: an entity's label is kg's choice among all the names the documents gave it (summary graph).
ASSERTION = ox.NamedNode(KG + "Assertion")
POSITION = ox.NamedNode(KG + "Position")
ROLE, HOLDER, ORGANIZATION, TITLE, PARTICIPANT, TRIGGER, DATE = (
    ox.NamedNode(KG + name) for name in ("role", "holder", "organization", "title", "participant", "trigger", "date"))
STRUCTURAL = {ASSERTION: (SUBJECT, PREDICATE, OBJECT, ROLE), POSITION: (HOLDER, ORGANIZATION, TITLE)}
EVENT_STRUCTURE = (PARTICIPANT, TRIGGER, DATE, LABEL)
EVENT_CLASSES = frozenset(ox.NamedNode(KG + kind) for kind in EVENT_KINDS)


@dataclass(frozen=True, slots=True)
class QuadCounts:
    """What an N-Quads export wrote: document graphs, and quads in them and in the summary graph."""

    documents: int
    document_quads: int
    summary_quads: int


def write_nquads(store: ox.Store, target: Path) -> QuadCounts:
    """Write the default graph of ``store`` to ``target`` as sorted N-Quads (gzip if it ends in ``.gz``).

    ``target`` should be a fresh path in a staging folder: the caller renames it into place."""
    work = Path(tempfile.mkdtemp(prefix=".nquads-sort.", dir=target.parent))
    try:
        return _write(store, target, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write(store: ox.Store, target: Path, work: Path) -> QuadCounts:
    """Sort every input triple (``t .``) together with every document quad (``t <doc> .``): a triple's
    line then comes right before its own quads, so one pass sees which triples no document holds."""
    lines = _Sorter(work, "lines")
    documents, bases = 0, set()
    for document in _documents(store):
        documents += 1
        bases.add(base_of(document))
        suffix = f" {document} .\n".encode()
        for triple in _document_triples(store, document):
            lines.add(str(triple).encode() + suffix)
    dump = work / "all.nt"  # Oxigraph writes N-Triples far faster than a Python loop could
    store.dump(str(dump), format=ox.RdfFormat.N_TRIPLES, from_graph=_DEFAULT)
    with dump.open("rb") as triples:
        for line in triples:
            lines.add(line)
    dump.unlink()
    summary = f" <{min(bases - {None}, default=DEFAULT_BASE)}{SUMMARY}> .\n".encode()
    counts = _write_lines(target, _place(iter(lines), summary), summary)
    return QuadCounts(documents, counts[0], counts[1])


def _place(lines: Iterator[bytes], summary: bytes) -> Iterator[bytes]:
    """Quads from sorted triple and quad lines: a quad line passes; a triple line followed by no quad of
    its own becomes a quad of the summary graph.

    A quad of triple ``t`` starts with ``t`` and `` <``, which no other triple line can (a triple has
    three terms), and ``t .`` sorts just before it ('.' < '<'). The summary quad ``t <summary> .`` keeps
    the order, since no N-Triples term continues with a byte below the space that follows ``t``."""
    pending, held = None, False  # the last triple line, and whether a document holds it
    for line in lines:
        if pending is not None and line.startswith(pending[:-2] + b"<"):
            held = True
            yield line
            continue
        if pending is not None and not held:
            yield pending[:-3] + summary
        pending, held = line, False
    if pending is not None and not held:
        yield pending[:-3] + summary


def base_of(document: ox.NamedNode) -> str | None:
    """The id base a kg document IRI was made with (``<BASE>doc/<hash>``), or None for another IRI."""
    head, found, _ = document.value.rpartition("doc/")
    return head if found and head else None


def _documents(store: ox.Store) -> Iterator[ox.NamedNode]:
    for quad in store.quads_for_pattern(None, TYPE, DOCUMENT, _DEFAULT):
        if isinstance(quad.subject, ox.NamedNode):
            yield quad.subject


def _document_triples(store: ox.Store, document: ox.NamedNode) -> Iterator[ox.Triple]:
    """The triples of one document's graph, some more than once (the sort drops repeats)."""
    yield from _about(store, document)
    evidenced: set[ox.NamedNode | ox.BlankNode] = set()
    for link in store.quads_for_pattern(None, IN_DOCUMENT, document, _DEFAULT):
        sentence = link.subject
        yield from _about(store, sentence)
        for evidence in store.quads_for_pattern(None, EVIDENCE, sentence, _DEFAULT):
            yield evidence.triple
            evidenced.add(evidence.subject)
    for node in evidenced:
        yield from _structure(store, node)


def _about(store: ox.Store, subject) -> Iterator[ox.Triple]:
    return (quad.triple for quad in store.quads_for_pattern(subject, None, None, _DEFAULT))


def _structure(store: ox.Store, node) -> Iterator[ox.Triple]:
    """A node's structural triples, looked up predicate by predicate for its class only: a hub entity
    has thousands of evidence links, and reading them all for each of its documents would cost their
    product, while an entity (the commonest node) needs just its type."""
    types = [q.triple for q in store.quads_for_pattern(node, TYPE, None, _DEFAULT)]
    yield from types
    predicates: list[ox.NamedNode] = []
    for t in types:
        predicates += STRUCTURAL.get(t.object, EVENT_STRUCTURE if t.object in EVENT_CLASSES else ())
    found = {p: [q.object for q in store.quads_for_pattern(node, p, None, _DEFAULT)] for p in dict.fromkeys(predicates)}
    for predicate, objects in found.items():
        yield from (ox.Triple(node, predicate, o) for o in objects)
    for s in found.get(SUBJECT, ()):  # an Assertion: the direct triple it reifies, if the graph has it
        for p in found.get(PREDICATE, ()):
            for o in found.get(OBJECT, ()):
                if isinstance(p, ox.NamedNode):
                    yield from (q.triple for q in store.quads_for_pattern(s, p, o, _DEFAULT))


def _write_lines(target: Path, lines: Iterable[bytes], summary: bytes) -> tuple[int, int]:
    """Write the lines (gzip for ``.gz``, with no name or time in the header, so the bytes repeat) and
    fsync; returns how many went to document graphs and to the summary graph."""
    in_documents = in_summary = 0
    with target.open("wb") as raw:
        packed = target.name.endswith(".gz")
        out = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) if packed else raw
        try:
            for line in lines:
                out.write(line)
                if line.endswith(summary):
                    in_summary += 1
                else:
                    in_documents += 1
        finally:
            if out is not raw:
                out.close()
        raw.flush()
        os.fsync(raw.fileno())
    return in_documents, in_summary


class _Sorter:
    """Sorted, de-duplicated byte lines of any number: chunks of ``CHUNK_BYTES`` are sorted in memory
    and spilled to files in ``work``, then merged. Bytes sort as UTF-8, i.e. by code point."""

    def __init__(self, work: Path, name: str):
        self.work, self.name = work, name
        self.chunk: list[bytes] = []
        self.size = 0
        self.runs: list[Path] = []
        self.written = 0  # run files written so far, for their names

    def add(self, line: bytes) -> None:
        self.chunk.append(line)
        self.size += len(line)
        if self.size >= CHUNK_BYTES:
            self._spill()

    def _spill(self) -> None:
        self._write_run(_unique(sorted(self.chunk)))
        self.chunk, self.size = [], 0

    def _write_run(self, lines: Iterable[bytes]) -> None:
        run = self.work / f"{self.name}.{self.written:06d}"
        self.written += 1
        with run.open("wb") as handle:
            handle.writelines(lines)
        self.runs.append(run)

    def __iter__(self) -> Iterator[bytes]:
        if not self.runs:
            lines, self.chunk, self.size = sorted(self.chunk), [], 0
            yield from _unique(lines)
            return
        if self.chunk:
            self._spill()
        while len(self.runs) > MAX_OPEN_RUNS:  # merge in rounds, to stay below the open-file limit
            first, self.runs = self.runs[:MAX_OPEN_RUNS], self.runs[MAX_OPEN_RUNS:]
            self._write_run(_merged(first))
        yield from _merged(self.runs)


def _merged(runs: list[Path]) -> Iterator[bytes]:
    """The sorted, de-duplicated lines of sorted run files, each deleted once read."""
    handles = [run.open("rb") for run in runs]
    try:
        yield from _unique(heapq.merge(*handles))
    finally:
        for handle in handles:
            handle.close()
    for run in runs:
        run.unlink()


def _unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    previous = None
    for line in lines:
        if line != previous:
            yield line
            previous = line
