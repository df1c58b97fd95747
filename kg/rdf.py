"""The graph as RDF against ``ontology/kg.ttl``: stable IRIs, provenance, sorted output.

Every relation edge is written twice: directly (``<s> kg:holdsPosition <o>``) for
simple queries, and as a ``kg:Assertion`` carrying its confidence and evidence
sentences. A position is also an n-ary ``kg:Position`` node, so its title is
queryable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

import networkx as nx
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, SKOS

from .errors import KgError
from .io import atomic_file

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


def checked_base(base: str) -> str:
    """The base of entity IRIs, ending in / or #; an IRI that is not absolute, or that could not be
    written between angle brackets, is refused."""
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$", base):
        raise KgError(f"base IRI must be absolute, with no spaces or <>\"{{}}|\\^` (got '{base}')")
    return base if base.endswith(("/", "#")) else base + "/"


def _published(value: str) -> Literal | None:
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:?\d{2})?)?$", value.strip())
    if not m:
        return None
    if m.group(2):
        time = m.group(2) if len(m.group(2)) == 8 else m.group(2) + ":00"
        return Literal(f"{m.group(1)}T{time}{m.group(3) or ''}", datatype=XSD.dateTime)
    return Literal(m.group(1), datatype=XSD.date)


# -- N-Triples lines: the one place where facts become triples ----------------------------------
# Every writer (files, the store, incremental updates, ``to_rdf``) goes through these functions, so
# a graph built in one go, in parallel, or by updates is the same set of lines.

_RDF, _RDFS, _XSD = str(RDF), str(RDFS), str(XSD)
_SKOS, _DCTERMS = str(SKOS), str(DCTERMS)
_ESCAPE = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
           ord("\b"): "\\b", ord("\f"): "\\f"}
_ESCAPE.update({c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if c not in _ESCAPE})


def _lit(text: str, datatype: str | None = None) -> str:
    body = '"' + text.translate(_ESCAPE) + '"'
    return f"{body}^^<{datatype}>" if datatype else body


def _dec(value: float) -> str:
    return _lit(str(Decimal(str(round(value, 3)))), _XSD + "decimal")


def _int(value: int) -> str:
    return _lit(str(int(value)), _XSD + "integer")


def _date_lit(value: str) -> str:
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")
    return _lit(value, _XSD + kind)


def _published_lit(value: str) -> str | None:
    lit = _published(value)
    return None if lit is None else _lit(str(lit), str(lit.datatype))


class Lines:
    """Makes the N-Triples lines (without the final newline) of each kind of thing, under one base."""

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = checked_base(base)

    def node(self, node_id: str) -> str:
        return f"<{self.base}{iri_safe(node_id)}>"

    def sentence(self, doc_id: str, index: int) -> str:
        return f"<{self.base}doc/{doc_id[:16]}/s{index}>"

    def document(self, doc_id: str) -> str:
        return f"<{self.base}doc/{doc_id[:16]}>"

    def _evidence(self, s: str, evidence) -> list[str]:
        return [f"{s} <{KG}evidence> {self.sentence(d, i)} ." for d, i in evidence]

    def entity(self, node_id: str, type: str, label: str, aliases, confidence: float, evidence) -> list[str]:
        s = self.node(node_id)
        out = [f"{s} <{_RDF}type> <{KG}{type}> .", f"{s} <{KG}confidence> {_dec(confidence)} .",
               f"{s} <{_RDFS}label> {_lit(label)} ."]
        out += [f"{s} <{_SKOS}altLabel> {_lit(a)} ." for a in aliases]
        return out + self._evidence(s, evidence)

    def event(self, node_id: str, type: str, label: str, trigger: str, date: str | None, quantities,
              participants, confidence: float, evidence) -> list[str]:
        s = self.node(node_id)
        out = [f"{s} <{_RDF}type> <{KG}{type}> .", f"{s} <{KG}confidence> {_dec(confidence)} .",
               f"{s} <{_RDFS}label> {_lit(label)} .", f"{s} <{KG}trigger> {_lit(trigger)} ."]
        if date:
            out.append(f"{s} <{KG}date> {_date_lit(date)} .")
        out += [f"{s} <{KG}quantity> {_lit(q)} ." for q in quantities]
        out += [f"{s} <{KG}participant> {self.node(p)} ." for p in participants]
        return out + self._evidence(s, evidence)

    def relation(self, subject: str, predicate: str, object: str, role: str | None, confidence: float,
                 evidence) -> list[str]:
        """The direct triple, its ``kg:Assertion`` and, for a titled position, its ``kg:Position``."""
        s, o, p = self.node(subject), self.node(object), f"<{KG}{predicate}>"
        fact = f"<{self.base}fact/{_hash(subject, predicate, object, role or '')}>"
        out = [f"{s} {p} {o} .", f"{fact} <{_RDF}type> <{KG}Assertion> .", f"{fact} <{_RDF}subject> {s} .",
               f"{fact} <{_RDF}predicate> {p} .", f"{fact} <{_RDF}object> {o} .",
               f"{fact} <{KG}confidence> {_dec(confidence)} ."]
        out += self._evidence(fact, evidence)
        if role:
            out.append(f"{fact} <{KG}role> {_lit(role)} .")
            if predicate == "holdsPosition":
                pos = f"<{self.base}position/{_hash(subject, object, role)}>"
                out += [f"{pos} <{_RDF}type> <{KG}Position> .", f"{pos} <{KG}holder> {s} .",
                        f"{pos} <{KG}organization> {o} .", f"{pos} <{KG}title> {_lit(role)} .",
                        f"{pos} <{KG}confidence> {_dec(confidence)} ."]
                out += self._evidence(pos, evidence)
        return out

    def document_lines(self, doc, quotes) -> list[str]:
        """A document (anything with the ``Document`` metadata fields) and the sentences cited from it,
        given as ``(index, raw start, raw end, text)``."""
        d = self.document(doc.id)
        out = [f"{d} <{_RDF}type> <{KG}Document> .", f"{d} <{KG}path> {_lit(doc.path)} .",
               f"{d} <{KG}contentHash> {_lit(doc.id)} .", f"{d} <{KG}encoding> {_lit(doc.encoding)} .",
               f"{d} <{KG}format> {_lit(doc.format)} .", f"{d} <{KG}script> {_lit(doc.script)} ."]
        if doc.title:
            out.append(f"{d} <{_DCTERMS}title> {_lit(doc.title)} .")
        if doc.source:
            out.append(f"{d} <{KG}sourceName> {_lit(doc.source)} .")
        if doc.url:
            out.append(f"{d} <{SCHEMA}url> {_lit(doc.url, _XSD + 'anyURI')} .")
        if doc.published and (published := _published_lit(doc.published)):
            out.append(f"{d} <{KG}published> {published} .")
        for index, start, end, text in quotes:
            s = self.sentence(doc.id, index)
            out += [f"{s} <{_RDF}type> <{KG}Sentence> .", f"{s} <{KG}inDocument> {d} .",
                    f"{s} <{KG}index> {_int(index)} .", f"{s} <{KG}text> {_lit(text)} .",
                    f"{s} <{KG}startOffset> {_int(start)} .", f"{s} <{KG}endOffset> {_int(end)} ."]
        return out


def graph_lines(G: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> list[str]:
    """The N-Triples lines of a networkx graph made by ``build_graph`` (sorted, no duplicates)."""
    lines = Lines(base)
    out: list[str] = []
    used: set[tuple[str, int]] = set()
    for node, d in G.nodes(data=True):
        used.update(map(tuple, d["evidence"]))
        if d["kind"] == "entity":
            out += lines.entity(node, d["type"], d["label"], d["aliases"], d["confidence"], d["evidence"])
        else:
            parts = sorted(v for _, v, e in G.out_edges(node, data=True) if e["predicate"] == "participant")
            out += lines.event(node, d["type"], d["label"], d["trigger"], d.get("date"), d.get("quantities", []),
                               parts, d["confidence"], d["evidence"])
    for u, v, d in G.edges(data=True):
        if d["predicate"] != "participant":
            used.update(map(tuple, d["evidence"]))
            out += lines.relation(u, d["predicate"], v, d.get("role"), d["confidence"], d["evidence"])
    docs, sentences = G.graph.get("documents", {}), G.graph.get("sentences", {})
    for doc_id in sorted({d for d, _ in used}):
        doc = docs[doc_id]
        quotes = []
        for index in sorted(i for d, i in used if d == doc_id):
            sent = sentences[(doc_id, index)]
            start, end = doc.raw_span(sent.start, sent.end)
            quotes.append((index, start, end, doc.raw[start:end]))
        out += lines.document_lines(doc, quotes)
    return sorted(set(out))


def to_rdf(G: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> Graph:
    """The RDF graph of ``G`` (entities, relations, positions, events and their provenance)."""
    g = Graph()
    for prefix, ns in (("kg", KG), ("data", Namespace(checked_base(base))), ("skos", SKOS), ("dcterms", DCTERMS),
                       ("schema", SCHEMA), ("prov", PROV), ("org", ORG)):
        g.bind(prefix, ns)
    g.parse(data="\n".join(graph_lines(G, base)) + "\n", format="nt")
    return g


def serialize(g: Graph, fmt: str) -> bytes:
    """Serialise an rdflib graph deterministically: N-Triples sorted by line, Turtle and JSON-LD
    from those sorted lines (see ``write_lines``)."""
    lines = sorted({line for line in g.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
                    if line.strip()})
    return b"".join(_formatted(lines, fmt))


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise KgError(f"unknown output format '{suffix or '(none)'}'", str(path), hint="use .ttl, .nt or .jsonld")
    return FORMATS[suffix]


def write_rdf(G: nx.MultiDiGraph, path: str | Path, base: str = DEFAULT_BASE) -> int:
    """Write ``G`` as RDF to ``path`` (format from the extension), atomically. Returns the triple count."""
    return write_lines(graph_lines(G, base), path)


def write_lines(sorted_lines: Iterable[str], path: str | Path) -> int:
    """Write sorted, distinct N-Triples lines to ``path`` as N-Triples, Turtle or JSON-LD (from the
    extension), streaming and atomically. Returns the number of triples."""
    fmt = format_for(path)
    counted = _Counted(sorted_lines)
    with atomic_file(path) as handle:
        for chunk in _formatted(counted, fmt):
            handle.write(chunk)
    return counted.n


class _Counted:
    def __init__(self, lines: Iterable[str]):
        self.lines, self.n = lines, 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.n += 1
            yield line


def _formatted(lines: Iterable[str], fmt: str) -> Iterator[bytes]:
    if fmt == "nt":
        for line in lines:
            yield (line + "\n").encode("utf-8")
    elif fmt == "turtle":
        yield from (text.encode("utf-8") for text in turtle(lines))
    else:
        import pyoxigraph as ox

        data = b"".join((line + "\n").encode("utf-8") for line in lines)
        yield ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.JSON_LD)


TURTLE_PREFIXES = (("dcterms", str(DCTERMS)), ("kg", str(KG)), ("rdf", _RDF), ("rdfs", _RDFS),
                   ("schema", str(SCHEMA)), ("skos", _SKOS), ("xsd", _XSD))
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _short(term: str) -> str:
    """``<…#label>`` as ``rdfs:label`` (and a datatype likewise) where the local name allows it."""
    if term.startswith("<"):
        iri = term[1:-1]
        for prefix, ns in TURTLE_PREFIXES:
            if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        return term
    if term.endswith(">") and '"^^<' in term:
        body, _, datatype = term.rpartition("^^")
        return f"{body}^^{_short(datatype)}"
    return term


def turtle(sorted_lines: Iterable[str]) -> Iterator[str]:
    """Turtle from sorted N-Triples lines, one block per subject, streamed."""
    yield "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in TURTLE_PREFIXES) + "\n"
    subject = predicate = None
    for line in sorted_lines:
        s, p, o = line[:-2].split(" ", 2)
        p = "a" if p == f"<{_RDF}type>" else _short(p)
        o = _short(o)
        if s != subject:
            if subject is not None:
                yield " .\n\n"
            yield f"{s} {p} {o}"
            subject, predicate = s, p
        elif p != predicate:
            yield f" ;\n    {p} {o}"
            predicate = p
        else:
            yield f",\n        {o}"
    if subject is not None:
        yield " .\n"
