"""The whole job: ingest -> normalise -> metadata -> extract -> resolve -> graph."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import networkx as nx

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
