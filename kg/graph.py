"""The in-memory graph: a ``networkx.MultiDiGraph`` of entities and events.

Nodes are keyed by their stable id (``company/川南智造``, ``event/partnership/...``);
edges are relations keyed by predicate, each with its evidence. Documents and
sentences (the provenance) sit in ``G.graph``.
"""

from __future__ import annotations

import networkx as nx

from .model import Evidence, Resolved


def _evidence(ev: tuple[Evidence, ...]) -> list[tuple[str, int]]:
    return [(e.doc_id, e.sentence) for e in ev]


def build_graph(resolved: Resolved) -> nx.MultiDiGraph:
    """Turn resolved entities, relations and events into a MultiDiGraph."""
    G = nx.MultiDiGraph()
    G.graph["documents"] = {d.id: d for d in resolved.documents}
    G.graph["sentences"] = {(s.doc_id, s.index): s for s in resolved.sentences}
    for e in resolved.entities:
        G.add_node(e.id, kind="entity", type=e.type, label=e.name, aliases=list(e.aliases),
                   confidence=e.confidence, evidence=_evidence(e.evidence))
    for r in resolved.relations:
        G.add_edge(r.subject, r.object, key=f"{r.predicate}|{r.role or ''}", predicate=r.predicate,
                   role=r.role, confidence=r.confidence, evidence=_evidence(r.evidence))
    for ev in resolved.events:
        G.add_node(ev.id, kind="event", type=ev.type, label=f"{ev.type} {ev.date or ''}".strip(), date=ev.date,
                   trigger=ev.trigger, quantities=list(ev.quantities), confidence=ev.confidence,
                   evidence=_evidence(ev.evidence))
        for p in ev.participants:
            G.add_edge(ev.id, p, key="participant", predicate="participant", role=None,
                       confidence=ev.confidence, evidence=_evidence(ev.evidence))
    return G


def entities(G: nx.MultiDiGraph, type: str | None = None) -> list[str]:
    """Entity node ids, sorted, optionally of one type."""
    return sorted(n for n, d in G.nodes(data=True) if d["kind"] == "entity" and (type is None or d["type"] == type))


def relations(G: nx.MultiDiGraph, predicate: str | None = None) -> list[tuple[str, str, str, dict]]:
    """(subject, predicate, object, attributes) of relation edges, sorted."""
    out = [(u, d["predicate"], v, d) for u, v, d in G.edges(data=True)
           if d["predicate"] != "participant" and (predicate is None or d["predicate"] == predicate)]
    return sorted(out, key=lambda t: (t[0], t[1], t[2], t[3].get("role") or ""))
