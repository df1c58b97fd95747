"""``kg export``: the graph for graph databases, graph tools and spreadsheets.

Every format is written from one property-graph reading of the RDF (``model.py``)
except ``nt`` and ``jsonld``, which serialise the RDF itself, and ``nquads``, which
streams the RDF into one named graph per document for triple stores' bulk loaders. Output appears all at
once or not at all: a file through ``atomic_write``, a folder or a database built
in a temporary folder beside ``out`` and renamed into place. An existing target
is replaced only with ``force=True``, and only after the new one is complete.

Example::

    from kg.export import export
    summary = export("sample.ttl", "ladybug", "sample.lbdb")
    print(summary.line())
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from ..errors import KgError
from ..io import atomic_write, replace_path
from ..store import open_graph
from .model import PropertyGraph, read_graph

# format -> (module, function, what it writes); "file" writers return bytes, "rdf" writers bytes from the
# store, "quads" writers stream the store to a path, the others write a path from the property graph.
WRITERS = {
    "neo4j": ("kg.export.neo4j", "write_neo4j", "folder"),
    "ladybug": ("kg.export.ladybug", "write_ladybug", "database"),
    "graphml": ("kg.export.files", "to_graphml", "file"),
    "gexf": ("kg.export.files", "to_gexf", "file"),
    "csv": ("kg.export.files", "write_csv", "folder"),
    "jsonld": ("kg.export.files", "to_jsonld", "rdf"),
    "nt": ("kg.export.files", "to_ntriples", "rdf"),
    "nquads": ("kg.export.nquads", "write_nquads", "quads"),
}
FORMATS = tuple(WRITERS)
# What a folder of an earlier export holds; --force replaces no other folder.
FOLDER_FILES = {"neo4j": ("nodes_*.csv", "rels_*.csv", "import.sh", "load.cypher", "README.txt"),
                "csv": ("nodes.csv", "edges.csv")}

__all__ = ["FORMATS", "ExportSummary", "PropertyGraph", "export", "read_graph"]


@dataclass(frozen=True, slots=True)
class ExportSummary:
    format: str
    out: Path | None
    bolt: str | None
    nodes: dict[str, int]
    edges: dict[str, int]
    seconds: float
    units: tuple[str, str] = ("nodes", "edges")  # what ``nodes`` and ``edges`` count (nquads: graphs, quads)

    def line(self) -> str:
        def counts(d: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in d.items())

        where = " and ".join(str(w) for w in (self.out, self.bolt) if w)
        first, second = self.units
        return (f"{sum(self.nodes.values())} {first} ({counts(self.nodes)}), {sum(self.edges.values())} {second} "
                f"({counts(self.edges)}) -> {where} in {self.seconds:.1f} s")


def export(graph_path: str | Path, fmt: str, out: str | Path | None, *, force: bool = False, bolt: str | None = None,
           user: str = "neo4j", password: str | None = None, database: str | None = None,
           driver_factory: Callable | None = None) -> ExportSummary:
    """Write the graph file or store at ``graph_path`` as ``fmt`` to ``out`` (and/or push it to ``bolt``)."""
    if fmt not in WRITERS:
        raise KgError(f"unknown export format '{fmt}'", hint="use one of " + ", ".join(FORMATS))
    if bolt and fmt != "neo4j":
        raise KgError("--bolt works only with --to neo4j")
    if bolt:
        from .neo4j import check_uri

        check_uri(bolt)
    if out is None and not bolt:
        raise KgError("no output given", hint="name an OUT path (or, for neo4j, a --bolt URI)")
    started = time.perf_counter()
    out = Path(out) if out is not None else None
    if out is not None:
        _check_target(out, fmt, force)
    store = open_graph(graph_path)
    if WRITERS[fmt][2] == "quads":
        return _export_quads(store, fmt, out, started)
    graph = read_graph(store)
    push = None
    if bolt:
        from .neo4j import push_bolt

        def push() -> None:
            push_bolt(graph, bolt, user, password, database=database, driver_factory=driver_factory)

    if out is None:
        push()
    else:
        module, function, kind = WRITERS[fmt]
        write = getattr(importlib.import_module(module), function)
        if kind == "file":
            atomic_write(out, write(graph))
        elif kind == "rdf":
            atomic_write(out, write(store))
        else:
            _write_staged(out, lambda target: write(graph, target), push)
    return ExportSummary(fmt, out, bolt, graph.node_counts(), graph.edge_counts(), time.perf_counter() - started)


def _export_quads(store, fmt: str, out: Path, started: float) -> ExportSummary:
    """Stream the store to ``out`` (no property graph is read: the export must fit big stores)."""
    module, function, _ = WRITERS[fmt]
    write = getattr(importlib.import_module(module), function)
    written = []
    _write_staged(out, lambda target: written.append(write(store, target)), None)
    counts = written[0]
    return ExportSummary(fmt, out, None, {"document": counts.documents, "summary": 1 if counts.summary_quads else 0},
                         {"in document graphs": counts.document_quads, "in the summary graph": counts.summary_quads},
                         time.perf_counter() - started, units=("graphs", "quads"))


def _check_target(out: Path, fmt: str, force: bool) -> None:
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise KgError("output folder does not exist", str(folder))
    if not (out.exists() or out.is_symlink()):
        return
    if not force:
        raise KgError("already exists; use --force to replace it", str(out))
    if fmt in FOLDER_FILES:
        if not out.is_dir() or not all(child.is_file() and any(fnmatch(child.name, p) for p in FOLDER_FILES[fmt])
                                       for child in out.iterdir()):
            raise KgError(f"refusing to replace something that is not a kg {fmt} export", str(out))
    elif out.is_dir():
        raise KgError(f"refusing to replace a folder with a {fmt} file", str(out))


def _write_staged(out: Path, write: Callable[[Path], None], before_replace: Callable[[], None] | None) -> None:
    """Run ``write`` on a path inside a temporary folder beside ``out``, then move the result into place."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder))
    except OSError as err:
        raise KgError(f"cannot write output: {err.strerror}", str(out)) from None
    try:
        target = tmp / out.name
        write(target)
        if before_replace is not None:
            before_replace()
        replace_path(target, out)
    except OSError as err:
        raise KgError(f"cannot write output: {err.strerror or err}", str(out)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
