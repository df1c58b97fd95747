"""The RDF graph read once into a small property graph that every export writes.

Nodes are entities and events (their IRI is the id, their class the ``kind``).
Edges are the relations, one per ``kg:Assertion`` (so a title or a confidence has
a place to live), plus one ``participant`` edge from each event to each of its
participants. Positions, documents and sentences are not nodes: a title sits on
its ``holdsPosition`` edge, and every node and edge points at its evidence with
the sentence IRIs, the first sentence's text and the path of its document.
Everything is sorted by IRI, so one graph always gives the same bytes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import KgError

KG = "https://w3id.org/kg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"

ENTITY_KINDS = ("Person", "Company", "PartyOrganization", "GovernmentOrganization", "Organization", "Place")
EVENT_KINDS = ("Founding", "Partnership", "Meeting", "Donation", "Award", "Visit", "Other")
RELATIONS = ("holdsPosition", "memberOf", "hasPartyOrganization", "partnerOf", "founded", "guides",
             "subOrganizationOf", "locatedIn")
PARTICIPANT = "participant"
# A relation edge takes the date of the events of this kind that name both its ends and share an evidence
# sentence with it, when they agree on one date (A partnerOf B: the 2019-07 Partnership); else none.
DATED_BY = {"partnerOf": "Partnership", "founded": "Founding"}

ENTITY_COLUMNS = ("iri", "kind", "label", "aliases", "confidence", "evidence", "evidence_text", "evidence_path")
EVENT_COLUMNS = ("iri", "kind", "label", "date", "trigger", "quantities", "confidence", "evidence", "evidence_text",
                 "evidence_path")
NODE_COLUMNS = ("iri", "kind", "label", "aliases", "date", "trigger", "quantities", "confidence", "evidence",
                "evidence_text", "evidence_path")
EDGE_COLUMNS = ("source", "target", "predicate", "iri", "title", "date", "confidence", "evidence", "evidence_text",
                "evidence_path")
LIST_COLUMNS = frozenset({"aliases", "quantities", "evidence"})
LIST_SEPARATOR = "|"  # joins list values in CSV, GraphML and GEXF cells


@dataclass(frozen=True, slots=True)
class Node:
    iri: str
    kind: str
    label: str | None
    confidence: float | None
    evidence: tuple[str, ...]
    evidence_text: str | None
    evidence_path: str | None
    aliases: tuple[str, ...] = ()
    date: str | None = None  # lexical xsd:date, xsd:gYearMonth or xsd:gYear ("2019-07")
    trigger: str | None = None
    quantities: tuple[str, ...] = ()

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS

    @property
    def columns(self) -> tuple[str, ...]:
        return EVENT_COLUMNS if self.is_event else ENTITY_COLUMNS


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    predicate: str  # a kg: local name: one of RELATIONS, or "participant"
    iri: str | None  # the kg:Assertion; participant edges have none
    title: str | None
    date: str | None
    confidence: float | None
    evidence: tuple[str, ...]
    evidence_text: str | None
    evidence_path: str | None


@dataclass(frozen=True, slots=True)
class PropertyGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(n.kind for n in self.nodes).items()))

    def edge_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(e.predicate for e in self.edges).items()))

    def kinds(self) -> dict[str, str]:
        """Node IRI -> kind, to look up the tables an edge joins."""
        return {n.iri: n.kind for n in self.nodes}


def values(item: Node | Edge, columns: tuple[str, ...]) -> list:
    return [getattr(item, c) for c in columns]


def join(items: tuple[str, ...], separator: str = LIST_SEPARATOR) -> str:
    """One cell for a list; a value holding the separator would come back split, so it is refused."""
    for item in items:
        if separator in item:
            raise KgError(f"cannot export {item!r}: it contains the list separator {separator!r}")
    return separator.join(items)


class _Triples:
    """Objects by (subject, predicate) for the few predicates the export reads."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.by: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = defaultdict(dict)

    def load(self, *predicates: str) -> None:
        for p in predicates:
            table = self.by[p]
            for q in self.store.quads_for_pattern(None, ox.NamedNode(p), None, ox.DefaultGraph()):
                table.setdefault(q.subject.value, []).append(q.object)

    def all(self, s: str, p: str) -> list[str]:
        return sorted(o.value for o in self.by[p].get(s, ()))

    def one(self, s: str, p: str) -> str | None:
        found = self.all(s, p)
        return found[0] if found else None

    def typed(self, cls: str) -> list[str]:
        return sorted({q.subject.value for q in self.store.quads_for_pattern(
            None, ox.NamedNode(RDF + "type"), ox.NamedNode(cls), ox.DefaultGraph())})


def read_graph(store: ox.Store) -> PropertyGraph:
    """The entities, events and relations of a kg graph as a property graph."""
    t = _Triples(store)
    t.load(RDFS_LABEL, SKOS_ALT, KG + "confidence", KG + "evidence", KG + "date", KG + "trigger", KG + "quantity",
           KG + "participant", RDF + "subject", RDF + "predicate", RDF + "object", KG + "role", KG + "text",
           KG + "index", KG + "inDocument", KG + "path")
    pointer = _evidence_pointer(t)
    nodes: dict[str, Node] = {}
    for kind in ENTITY_KINDS + EVENT_KINDS:
        for iri in t.typed(KG + kind):
            if iri not in nodes:  # a node typed twice keeps the first kind in the lists above
                nodes[iri] = _node(t, iri, kind, pointer)
    edges = _relations(t, nodes, pointer) + _participations(t, nodes)
    for e in edges:
        for end in (e.source, e.target):
            if end not in nodes:
                raise KgError(f"{e.predicate} edge {e.iri or e.source} points at {end}, which has no entity or "
                              "event type", hint="every relation end needs an rdf:type from ontology/kg.ttl")
    edges.sort(key=lambda e: (e.source, e.predicate, e.target, e.title or "", e.iri or ""))
    return PropertyGraph(tuple(nodes[i] for i in sorted(nodes)), tuple(edges))


def _evidence_pointer(t: _Triples):
    """A function from evidence IRIs to (IRIs in reading order, first sentence's text, its document's path)."""

    def where(s: str) -> tuple[str, int, str]:
        index = t.one(s, KG + "index")
        return t.one(s, KG + "inDocument") or "", int(index) if index and index.isdigit() else -1, s

    def pointer(sentences: list[str]) -> tuple[tuple[str, ...], str | None, str | None]:
        ordered = tuple(sorted(sentences, key=where))
        if not ordered:
            return (), None, None
        doc = t.one(ordered[0], KG + "inDocument")
        return ordered, t.one(ordered[0], KG + "text"), t.one(doc, KG + "path") if doc else None

    return pointer


def _confidence(t: _Triples, iri: str) -> float | None:
    value = t.one(iri, KG + "confidence")
    return float(value) if value is not None else None


def _node(t: _Triples, iri: str, kind: str, pointer) -> Node:
    evidence, text, path = pointer(t.all(iri, KG + "evidence"))
    return Node(iri=iri, kind=kind, label=t.one(iri, RDFS_LABEL), confidence=_confidence(t, iri), evidence=evidence,
                evidence_text=text, evidence_path=path, aliases=tuple(t.all(iri, SKOS_ALT)),
                date=t.one(iri, KG + "date"), trigger=t.one(iri, KG + "trigger"),
                quantities=tuple(t.all(iri, KG + "quantity")))


def _relations(t: _Triples, nodes: dict[str, Node], pointer) -> list[Edge]:
    events_of: dict[str, list[tuple[Node, set[str]]]] = defaultdict(list)  # participant -> (event, participants)
    for n in nodes.values():
        if n.kind in DATED_BY.values() and n.date:
            members = set(t.all(n.iri, KG + "participant"))
            for m in members:
                events_of[m].append((n, members))
    edges = []
    for fact in t.typed(KG + "Assertion"):
        s, p, o = (t.one(fact, RDF + x) for x in ("subject", "predicate", "object"))
        if s is None or p is None or o is None:
            raise KgError(f"assertion {fact} lacks rdf:subject, rdf:predicate or rdf:object")
        if not p.startswith(KG) or p[len(KG):] not in RELATIONS:
            continue  # not one of the eight relations of VOCABULARY.md
        predicate = p[len(KG):]
        evidence, text, path = pointer(t.all(fact, KG + "evidence"))
        dates = {n.date for n, members in events_of.get(s, ())
                 if n.kind == DATED_BY.get(predicate) and o in members and set(evidence) & set(n.evidence)}
        edges.append(Edge(source=s, target=o, predicate=predicate, iri=fact, title=t.one(fact, KG + "role"),
                          date=dates.pop() if len(dates) == 1 else None, confidence=_confidence(t, fact),
                          evidence=evidence, evidence_text=text, evidence_path=path))
    return edges


def _participations(t: _Triples, nodes: dict[str, Node]) -> list[Edge]:
    """Event -> participant edges; they carry the event's date, confidence and evidence."""
    return [Edge(source=n.iri, target=p, predicate=PARTICIPANT, iri=None, title=None, date=n.date,
                 confidence=n.confidence, evidence=n.evidence, evidence_text=n.evidence_text,
                 evidence_path=n.evidence_path)
            for n in nodes.values() if n.is_event for p in t.all(n.iri, KG + "participant")]
