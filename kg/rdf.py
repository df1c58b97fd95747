"""The graph as RDF against ``ontology/kg.ttl``: stable IRIs, provenance, sorted output.

Every relation edge is written twice: directly (``<s> kg:holdsPosition <o>``) for
simple queries, and as a ``kg:Assertion`` carrying its confidence and evidence
sentences. A position is also an n-ary ``kg:Position`` node, so its title is
queryable.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import networkx as nx
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .errors import KgError
from .io import atomic_write

KG = Namespace("https://w3id.org/kg/ontology#")
DEFAULT_BASE = "https://w3id.org/kg/id/"
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}


def iri_safe(local: str) -> str:
    """Keep letters and digits of any script and ``-._~/``; percent-encode the rest (UTF-8)."""
    out = []
    for ch in local:
        if ch.isalnum() or ch in "-._~/":
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


class _Iris:
    def __init__(self, base: str):
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", base):
            raise KgError(f"base IRI must be absolute (got '{base}')")
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def node(self, node_id: str) -> URIRef:
        return URIRef(self.base + iri_safe(node_id))

    def document(self, doc_id: str) -> URIRef:
        return URIRef(f"{self.base}doc/{doc_id[:16]}")

    def sentence(self, doc_id: str, index: int) -> URIRef:
        return URIRef(f"{self.base}doc/{doc_id[:16]}/s{index}")


def _decimal(value: float) -> Literal:
    return Literal(Decimal(str(round(value, 3))), datatype=XSD.decimal)


def _date(value: str) -> Literal:
    kind = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=kind)


def _published(value: str) -> Literal | None:
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:?\d{2})?)?$", value.strip())
    if not m:
        return None
    if m.group(2):
        time = m.group(2) if len(m.group(2)) == 8 else m.group(2) + ":00"
        return Literal(f"{m.group(1)}T{time}{m.group(3) or ''}", datatype=XSD.dateTime)
    return Literal(m.group(1), datatype=XSD.date)


def to_rdf(G: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> Graph:
    """The RDF graph of ``G`` (entities, relations, positions, events and their provenance)."""
    iris = _Iris(base)
    g = Graph()
    for prefix, ns in (("kg", KG), ("data", Namespace(iris.base)), ("skos", SKOS), ("dcterms", DCTERMS),
                       ("schema", SCHEMA), ("prov", PROV), ("org", ORG)):
        g.bind(prefix, ns)
    used_sentences: set[tuple[str, int]] = set()

    def evidence(subject: URIRef, ev: list[tuple[str, int]]) -> None:
        for doc_id, index in ev:
            g.add((subject, KG.evidence, iris.sentence(doc_id, index)))
            used_sentences.add((doc_id, index))

    for node, d in G.nodes(data=True):
        s = iris.node(node)
        g.add((s, RDF.type, KG[d["type"]]))
        g.add((s, KG.confidence, _decimal(d["confidence"])))
        evidence(s, d["evidence"])
        if d["kind"] == "entity":
            g.add((s, RDFS.label, Literal(d["label"])))
            for alias in d["aliases"]:
                g.add((s, SKOS.altLabel, Literal(alias)))
        else:
            g.add((s, RDFS.label, Literal(d["label"])))
            g.add((s, KG.trigger, Literal(d["trigger"])))
            if d.get("date"):
                g.add((s, KG.date, _date(d["date"])))
            for q in d.get("quantities", []):
                g.add((s, KG.quantity, Literal(q)))

    for u, v, d in G.edges(data=True):
        s, o = iris.node(u), iris.node(v)
        if d["predicate"] == "participant":
            g.add((s, KG.participant, o))
            continue
        p = KG[d["predicate"]]
        g.add((s, p, o))
        fact = URIRef(f"{iris.base}fact/{_hash(u, d['predicate'], v, d.get('role') or '')}")
        g.add((fact, RDF.type, KG.Assertion))
        g.add((fact, RDF.subject, s))
        g.add((fact, RDF.predicate, p))
        g.add((fact, RDF.object, o))
        g.add((fact, KG.confidence, _decimal(d["confidence"])))
        evidence(fact, d["evidence"])
        if d.get("role"):
            g.add((fact, KG.role, Literal(d["role"])))
            if d["predicate"] == "holdsPosition":
                pos = URIRef(f"{iris.base}position/{_hash(u, v, d['role'])}")
                g.add((pos, RDF.type, KG.Position))
                g.add((pos, KG.holder, s))
                g.add((pos, KG.organization, o))
                g.add((pos, KG["title"], Literal(d["role"])))
                g.add((pos, KG.confidence, _decimal(d["confidence"])))
                evidence(pos, d["evidence"])

    _provenance(g, G, iris, used_sentences)
    return g


def _provenance(g: Graph, G: nx.MultiDiGraph, iris: _Iris, used: set[tuple[str, int]]) -> None:
    docs = G.graph.get("documents", {})
    sentences = G.graph.get("sentences", {})
    for doc_id in sorted({d for d, _ in used}):
        doc = docs[doc_id]
        di = iris.document(doc_id)
        g.add((di, RDF.type, KG.Document))
        g.add((di, KG.path, Literal(doc.path)))
        g.add((di, KG.contentHash, Literal(doc.id)))
        g.add((di, KG.encoding, Literal(doc.encoding)))
        g.add((di, KG["format"], Literal(doc.format)))
        g.add((di, KG.script, Literal(doc.script)))
        if doc.title:
            g.add((di, DCTERMS.title, Literal(doc.title)))
        if doc.source:
            g.add((di, KG.sourceName, Literal(doc.source)))
        if doc.url:
            g.add((di, SCHEMA.url, Literal(doc.url, datatype=XSD.anyURI)))
        if doc.published and (published := _published(doc.published)) is not None:
            g.add((di, KG.published, published))
    for doc_id, index in sorted(used):
        sent = sentences[(doc_id, index)]
        doc = docs[doc_id]
        start, end = doc.raw_span(sent.start, sent.end)
        si = iris.sentence(doc_id, index)
        g.add((si, RDF.type, KG.Sentence))
        g.add((si, KG.inDocument, iris.document(doc_id)))
        g.add((si, KG["index"], Literal(index)))
        g.add((si, KG.text, Literal(doc.raw[start:end])))
        g.add((si, KG.startOffset, Literal(start)))
        g.add((si, KG.endOffset, Literal(end)))


def serialize(g: Graph, fmt: str) -> bytes:
    """Serialise deterministically: Turtle and JSON-LD from rdflib (sorted), N-Triples sorted by line."""
    if fmt == "nt":
        lines = g.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
    return g.serialize(format=fmt, encoding="utf-8")


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise KgError(f"unknown output format '{suffix or '(none)'}'", str(path), hint="use .ttl, .nt or .jsonld")
    return FORMATS[suffix]


def write_rdf(G: nx.MultiDiGraph, path: str | Path, base: str = DEFAULT_BASE) -> int:
    """Write ``G`` as RDF to ``path`` (format from the extension), atomically. Returns the triple count."""
    fmt = format_for(path)
    g = to_rdf(G, base)
    atomic_write(path, serialize(g, fmt))
    return len(g)


def write_store_from(G: nx.MultiDiGraph, path: str | Path, base: str = DEFAULT_BASE) -> int:
    """Write ``G`` into an Oxigraph store directory, all or nothing. Returns the triple count."""
    import pyoxigraph as ox

    from .store import write_store

    return write_store(serialize(to_rdf(G, base), "nt"), ox.RdfFormat.N_TRIPLES, path)
