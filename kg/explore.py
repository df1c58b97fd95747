"""Exploring a built graph from Python or a notebook: SPARQL into tables, the NetworkX view,
neighbourhoods, paths and an entity's facts with the sentences that state them.

>>> import kg
>>> g = kg.load("tests/data/tiny.ttl")
>>> g
<KnowledgeGraph tests/data/tiny.ttl: 5 nodes, 7 edges>
>>> g.find("星河科技")
['https://w3id.org/kg/id/company/星河科技']
>>> g.query("SELECT ?title WHERE { ?p kg:title ?title } ORDER BY ?title")["title"].tolist()
['书记', '董事长']
>>> g.query("positions")[["person", "title", "organisation"]].values.tolist()
[['李明', '董事长', '星河科技'], ['李明', '书记', '星河科技党支部']]
>>> g.paths("李明", "云帆网络")
[['李明', '任职: 董事长', '星河科技', '←合作', '云帆网络']]
>>> g.facts("李明")[["predicate", "title", "object"]].values.tolist()
[['holdsPosition', '董事长', '星河科技'], ['holdsPosition', '书记', '星河科技党支部']]
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .errors import KgError
from .export.model import EDGE_COLUMNS, KG, NODE_COLUMNS, PropertyGraph, read_graph
from .query import STATS, parse_params, read_query, run_query, term_text
from .store import open_graph

__all__ = ["KnowledgeGraph", "load", "neighbourhood", "to_networkx"]


def load(path: str | Path) -> KnowledgeGraph:
    """Open a graph file (.ttl, .nt, .jsonld) or a store directory (``kg build --store``)."""
    return KnowledgeGraph(open_graph(path), str(path))


def to_networkx(graph: PropertyGraph) -> nx.MultiDiGraph:
    """The property graph as a MultiDiGraph keyed by IRI, with Python values (lists stay lists).

    Nodes carry kind, label, aliases, confidence, evidence and, for events, date and trigger; a
    node that holds positions also gets ``titles``. Edges carry predicate, title, date, confidence
    and evidence; their keys are ``e0``, ``e1``... in the property graph's sorted order.
    """
    G = nx.MultiDiGraph()
    for n in graph.nodes:
        G.add_node(n.iri, **_present(n, NODE_COLUMNS[1:]))
    titles: dict[str, set[str]] = {}
    for i, e in enumerate(graph.edges):
        G.add_edge(e.source, e.target, key=f"e{i}", **_present(e, EDGE_COLUMNS[2:]))
        if e.predicate == "holdsPosition" and e.title:
            titles.setdefault(e.source, set()).add(e.title)
    for iri, held in titles.items():
        G.nodes[iri]["titles"] = sorted(held)
    return G


def _present(item, columns: tuple[str, ...]) -> dict:
    values = {c: getattr(item, c) for c in columns}
    return {c: list(v) if isinstance(v, tuple) else v for c, v in values.items() if v not in (None, ())}


def neighbourhood(G: nx.MultiDiGraph, centres: Iterable[str], hops: int = 1, *, kinds: Iterable[str] | None = None,
                  predicates: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The nodes within ``hops`` edges of ``centres`` (either direction), and the edges among them.

    ``kinds`` keeps only nodes of those kinds (the centres always stay); ``predicates`` keeps only
    edges with those predicates, and the walk follows only them.

    >>> G = nx.MultiDiGraph([("a", "b", {"predicate": "guides"}), ("b", "c", {"predicate": "partnerOf"})])
    >>> sorted(neighbourhood(G, ["a"], 2))
    ['a', 'b', 'c']
    >>> sorted(neighbourhood(G, ["a"], 2, predicates=["guides"]))
    ['a', 'b']
    """
    if hops < 0:
        raise KgError(f"hops must be 0 or more, not {hops}")
    centres = [c for c in centres if c in G]
    allowed_kinds = set(kinds) if kinds is not None else None
    allowed_predicates = set(predicates) if predicates is not None else None

    def keep_node(n: str) -> bool:
        return allowed_kinds is None or n in centres or G.nodes[n].get("kind") in allowed_kinds

    def keep_edge(data: dict) -> bool:
        return allowed_predicates is None or data.get("predicate") in allowed_predicates

    seen, frontier = set(centres), list(centres)
    for _ in range(hops):
        step = []
        for n in frontier:
            for _, m, data in (*G.out_edges(n, data=True), *((n, m, d) for m, _, d in G.in_edges(n, data=True))):
                if m not in seen and keep_edge(data) and keep_node(m):
                    seen.add(m)
                    step.append(m)
        frontier = step
    H = G.subgraph(sorted(seen))
    out = nx.MultiDiGraph(**G.graph)
    out.add_nodes_from(H.nodes(data=True))
    out.add_edges_from((u, v, k, d) for u, v, k, d in H.edges(keys=True, data=True) if keep_edge(d))
    return out


class KnowledgeGraph:
    """A built graph, opened for questions: ``query`` (SPARQL → DataFrame), ``networkx``, ``find``,
    ``neighbourhood``, ``paths``, ``facts``, and ``draw`` (an interactive widget in Jupyter)."""

    def __init__(self, store: ox.Store, source: str = "<store>"):
        self.store, self.source = store, source

    def __repr__(self) -> str:
        G = self.networkx
        return f"<KnowledgeGraph {self.source}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges>"

    @classmethod
    def from_articles(cls, paths: Iterable[str | Path], **options) -> KnowledgeGraph:
        """Build the graph of articles (files or folders, as ``kg build`` reads them) in memory."""
        from .pipeline import build
        from .rdf import graph_lines

        store = ox.Store()
        store.load("\n".join(graph_lines(build(paths, **options))), format=ox.RdfFormat.N_TRIPLES)
        return cls(store, "<articles>")

    def stats(self):
        """Counts by class (entities, events, documents, sentences) and by relation, as ``kg stats``."""
        frame = self.query(STATS)
        frame["n"] = frame["n"].astype(int)
        return frame

    @cached_property
    def property_graph(self) -> PropertyGraph:
        return read_graph(self.store)

    @cached_property
    def networkx(self) -> nx.MultiDiGraph:
        """Entities and events as nodes, relations and participation as edges (see ``to_networkx``)."""
        return to_networkx(self.property_graph)

    def query(self, query: str, **params: str):
        """Run a SPARQL query (text, a .rq path, or a saved query's name) into a pandas DataFrame.

        Keyword arguments bind variables safely, as ``kg query -p`` does: ``g.query("positions",
        person="<https://...>")``. CONSTRUCT and DESCRIBE give subject, predicate, object columns;
        ASK a one-cell frame.
        """
        import pandas as pd

        text, where = read_query(_saved(query))
        bound = parse_params([f"{k}={v}" for k, v in params.items()], text)
        result = run_query(self.store, text, where, bound)
        if result.form == "ASK":
            return pd.DataFrame({"answer": [result.boolean]})
        if result.form == "GRAPH":
            rows = [(term_text(t.subject), term_text(t.predicate), term_text(t.object)) for t in result.triples]
            return pd.DataFrame(rows, columns=["subject", "predicate", "object"])
        rows = [[term_text(t) if t is not None else None for t in row] for row in result.rows]
        return pd.DataFrame(rows, columns=result.variables)

    def find(self, name: str) -> list[str]:
        """IRIs of the nodes whose name or alias is ``name`` (exactly), sorted."""
        return sorted(n for n, d in self.networkx.nodes(data=True) if d.get("label") == name or name in d.get("aliases", ()))

    def resolve(self, name: str) -> list[str]:
        """The IRIs a name, alias or IRI stands for; one clear error if none."""
        if name in self.networkx:
            return [name]
        found = self.find(name)
        if not found:
            raise KgError(f"no entity named {name!r} in {self.source}", hint="g.find() matches names and aliases")
        return found

    def neighbourhood(self, name: str, hops: int = 1, *, kinds: Iterable[str] | None = None,
                      predicates: Iterable[str] | None = None) -> nx.MultiDiGraph:
        """The entity named ``name`` (or an IRI) and everything within ``hops`` edges, as a subgraph."""
        return neighbourhood(self.networkx, self.resolve(name), hops, kinds=kinds, predicates=predicates)

    def paths(self, source: str, target: str, cutoff: int = 4) -> list[list[str]]:
        """Shortest connections between two entities, ignoring edge direction, as lists of labels
        joined by the relation: ``['李明', '任职: 董事长', '星河科技']``. Empty if none within ``cutoff``."""
        G = self.networkx
        U = nx.Graph(G)
        found = []
        for s in self.resolve(source):
            for t in self.resolve(target):
                try:
                    nodes_on = list(nx.all_shortest_paths(U, s, t))
                except nx.NetworkXNoPath:
                    continue
                found += [self._spell(p) for p in nodes_on if len(p) - 1 <= cutoff]
        return sorted(found)

    def _spell(self, path: list[str]) -> list[str]:
        from .viz.style import edge_label, node_label

        G, words = self.networkx, [node_label(path[0], self.networkx.nodes[path[0]])]
        for a, b in zip(path, path[1:]):
            forward = G.get_edge_data(a, b)
            data = min((forward or G.get_edge_data(b, a)).values(), key=lambda d: (d.get("predicate"), d.get("title") or ""))
            words += [edge_label(data) if forward else f"←{edge_label(data)}", node_label(b, G.nodes[b])]
        return words

    def facts(self, name: str):
        """Every relation touching the entity, one row per stating sentence: subject, predicate,
        title, object, date, confidence, sentence, document — the evidence behind each fact."""
        import pandas as pd

        G, rows = self.networkx, []
        for iri in self.resolve(name):
            for u, v, data in sorted((*G.out_edges(iri, data=True), *G.in_edges(iri, data=True)),
                                     key=lambda e: (e[0], e[2].get("predicate", ""), e[1])):
                for sentence, path in self._sentences(data.get("evidence", ())) or [(None, None)]:
                    rows.append((G.nodes[u].get("label"), data.get("predicate"), data.get("title"),
                                 G.nodes[v].get("label"), data.get("date"), data.get("confidence"), sentence, path))
        return pd.DataFrame(rows, columns=["subject", "predicate", "title", "object", "date", "confidence",
                                           "sentence", "document"])

    def _sentences(self, iris: Iterable[str]) -> list[tuple[str | None, str | None]]:
        def value(subject: ox.NamedNode, predicate: str):
            return next((q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(KG + predicate), None)), None)

        out = []
        for iri in iris:
            text, doc = value(ox.NamedNode(iri), "text"), value(ox.NamedNode(iri), "inDocument")
            path = value(doc, "path") if isinstance(doc, ox.NamedNode) else None
            out.append((text.value if text else None, path.value if path else None))
        return out

    def picture(self, graph: nx.MultiDiGraph | None = None, *, title: str | None = None, fmt: str = "png"):
        """A static picture (PNG or SVG) of ``graph`` (default: the whole graph) to show in a notebook,
        drawn as ``kg viz -o graph.png`` draws it; it stays visible where widgets are not run."""
        from IPython.display import SVG, Image

        from .viz.picture import render

        data = render(graph if graph is not None else self.networkx, fmt, title=title or self.source)
        return SVG(data) if fmt == "svg" else Image(data=data, format="png")

    def page(self, graph: nx.MultiDiGraph | None = None, *, title: str | None = None, height: int = 640):
        """The self-contained ``kg viz`` page (shapes, search, type filter, timeline) inside the notebook."""
        from .viz.widget import page

        return page(graph if graph is not None else self.networkx, title=title or self.source, height=height)

    def draw(self, graph: nx.MultiDiGraph | None = None, **options):
        """An interactive ipysigma widget of ``graph`` (default: the whole graph); see kg.viz.widget."""
        from .viz.widget import widget

        return widget(graph if graph is not None else self.networkx, **options)


_QUERIES = Path(__file__).resolve().parents[1] / "ontology" / "queries"


def _saved(query: str) -> str:
    """A saved query's name (``positions``) stands for its file; anything else is passed on."""
    if "\n" not in query and " " not in query and (_QUERIES / f"{query}.rq").is_file():
        return str(_QUERIES / f"{query}.rq")
    return query
