"""Single-file and spreadsheet exports: GraphML, GEXF, CSV tables, JSON-LD, N-Triples.

GraphML and GEXF (for Gephi, Cytoscape, yEd) hold scalar attributes only, so a
list (aliases, quantities, evidence IRIs) is one string joined with ``|``; an
attribute with no value is left out rather than written empty. The CSV pair
(``nodes.csv``, ``edges.csv``) is UTF-8 with a byte-order mark so that Excel
shows the Chinese text; ``pandas.read_csv`` and ``csv`` with
``encoding="utf-8-sig"`` read it as is. JSON-LD and N-Triples are the whole RDF
graph (provenance included), serialised by Oxigraph in sorted order.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .model import EDGE_COLUMNS, LIST_COLUMNS, NODE_COLUMNS, Edge, Node, PropertyGraph, join, values


def to_networkx(graph: PropertyGraph) -> nx.MultiDiGraph:
    """A MultiDiGraph keyed by IRI; edge keys are ``e0``, ``e1``... in sorted order (the IRI is an attribute)."""
    G = nx.MultiDiGraph()
    for n in graph.nodes:
        G.add_node(n.iri, **_scalars(n, NODE_COLUMNS[1:]))
    for i, e in enumerate(graph.edges):
        G.add_edge(e.source, e.target, key=f"e{i}", **_scalars(e, EDGE_COLUMNS[2:]))
    return G


def _scalars(item, columns: tuple[str, ...]) -> dict[str, str | float]:
    out = {}
    for column, value in zip(columns, values(item, columns)):
        if column in LIST_COLUMNS:
            value = join(value) or None
        if value is not None:
            out[column] = value
    return out


def to_graphml(graph: PropertyGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml_xml(to_networkx(graph), buffer, encoding="utf-8")
    return buffer.getvalue()


def to_gexf(graph: PropertyGraph) -> bytes:
    """GEXF 1.2 without the writer's "last modified" date, so the same graph gives the same bytes."""
    from networkx.readwrite.gexf import GEXFWriter

    G = to_networkx(graph)
    for _, _, key, data in G.edges(keys=True, data=True):
        data["id"] = key  # GEXF edge ids, else the writer numbers them itself
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(G)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_csv(graph: PropertyGraph, folder: Path) -> None:
    """``nodes.csv`` and ``edges.csv`` (with each end's label beside its IRI) in a new folder."""
    folder.mkdir()
    labels = {n.iri: n.label or "" for n in graph.nodes}
    _table(folder / "nodes.csv", NODE_COLUMNS, (_cells(n, NODE_COLUMNS) for n in graph.nodes))
    rest = EDGE_COLUMNS[2:]
    _table(folder / "edges.csv", ("source", "source_label", "target", "target_label") + rest,
           ([e.source, labels[e.source], e.target, labels[e.target]] + _cells(e, rest) for e in graph.edges))


def _cells(item: Node | Edge, columns: tuple[str, ...]) -> list[str]:
    return [join(v) if c in LIST_COLUMNS else "" if v is None else str(v)
            for c, v in zip(columns, values(item, columns))]


def _table(path: Path, header: tuple[str, ...], rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def _triples(store: ox.Store) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def to_ntriples(store: ox.Store) -> bytes:
    """Every triple of the graph, one a line, lines sorted."""
    text = ox.serialize(_triples(store), format=ox.RdfFormat.N_TRIPLES)
    return b"".join(sorted(text.splitlines(keepends=True)))


def to_jsonld(store: ox.Store) -> bytes:
    """Expanded JSON-LD, one object per subject, subjects and properties in sorted order."""
    triples = sorted(_triples(store), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
