"""SPARQL over a graph file or store: every query form, results as a table, CSV, TSV,
SPARQL JSON or XML, graphs as Turtle or N-Triples. Oxigraph answers; rdflib is not involved."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import KgError
from .rdf import KG

PREFIXES = {"kg": str(KG), "data": "https://w3id.org/kg/id/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#",
            "dcterms": "http://purl.org/dc/terms/", "schema": "https://schema.org/",
            "prov": "http://www.w3.org/ns/prov#", "org": "http://www.w3.org/ns/org#"}

SOLUTION_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
_POSITION = re.compile(r"error at (\d+):(\d+)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class Result:
    """What a query gave: rows (SELECT), a truth value (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    form: str  # "SELECT", "ASK" or "GRAPH"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool = False
    triples: list[ox.Triple] = field(default_factory=list)
    document: str | None = None  # a SPARQL results document (JSON, XML, CSV, TSV) when one was asked for


# Entities, events and documents by class, and relations by predicate (``kg stats``, KnowledgeGraph.stats)
STATS = """SELECT ?kind ?name (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { ?x a ?c . BIND("class" AS ?kind) BIND(STRAFTER(STR(?c), "#") AS ?name) FILTER(STRSTARTS(STR(?c), STR(kg:))) }
  UNION { ?f a kg:Assertion ; rdf:predicate ?p . BIND(?f AS ?x) BIND("relation" AS ?kind)
          BIND(STRAFTER(STR(?p), "#") AS ?name) }
} GROUP BY ?kind ?name ORDER BY ?kind ?name"""


def read_query(query: str) -> tuple[str, str]:
    """The query text and where it came from (a ``.rq`` file, or the argument itself)."""
    if query.endswith((".rq", ".sparql")):
        path = Path(query)
        if not path.is_file():
            raise KgError("no such query file", query)
        return path.read_text(encoding="utf-8"), query
    return query, "<query>"


def parse_params(pairs: tuple[str, ...] | list[str], text: str) -> dict[ox.Variable, Term]:
    """``name=value`` pairs bound as values, never pasted into the query text.

    ``<iri>`` and ``prefix:local`` (a prefix kg knows) give an IRI; anything else is a
    plain string literal, so quotes or braces in a value cannot change the query."""
    out: dict[ox.Variable, Term] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not _NAME.fullmatch(name):
            raise KgError(f"bad --param '{pair}'", hint="write --param name=value, e.g. --param person=王海峰")
        if not re.search(rf"[?$]{re.escape(name)}\b", text):
            raise KgError(f"the query has no variable ?{name} to bind", "--param")
        out[ox.Variable(name)] = _term(value)
    return out


def _term(value: str) -> Term:
    if value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as err:
            raise KgError(f"bad IRI in --param: {err}", value) from None
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[^\s<>\"{}|^`\\]+", local):
        return ox.NamedNode(PREFIXES[prefix] + local)
    return ox.Literal(value)


def run_query(store: ox.Store, text: str, where: str = "<query>",
              params: dict[ox.Variable, Term] | None = None, fmt: str | None = None) -> Result:
    """Run any SPARQL query form; a syntax error names its line and column.

    With ``fmt`` one of the SPARQL results formats, Oxigraph writes the document
    while it reads the answer (``Result.document``); otherwise rows are collected."""
    try:
        answer = _ask(store, text, params)
        if fmt in SOLUTION_FORMATS and not isinstance(answer, ox.QueryTriples):
            form = "ASK" if isinstance(answer, ox.QueryBoolean) else "SELECT"
            return Result(form, document=answer.serialize(format=SOLUTION_FORMATS[fmt]).decode("utf-8"))
        if isinstance(answer, ox.QueryBoolean):
            return Result("ASK", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            return Result("SELECT", variables, [tuple(solution[v] for v in variables) for solution in answer])
        return Result("GRAPH", triples=sorted(answer, key=str))
    except SyntaxError as err:
        message = str(err)
        position = _POSITION.search(message)
        # Oxigraph counts the column one past the offending character
        line, column = (int(position[1]), max(1, int(position[2]) - 1)) if position else (None, None)
        raise KgError(f"invalid SPARQL: {_POSITION.sub('', message).strip(' :')}", where, line, column) from None
    except (OSError, RuntimeError) as err:
        raise KgError(f"query failed: {err}", where) from None


def _ask(store: ox.Store, text: str, params: dict[ox.Variable, Term] | None):
    """Oxigraph substitutes only projected variables; others are bound by a trailing
    VALUES block whose terms Oxigraph itself writes (escaped), never by pasting text."""
    try:
        return store.query(text, prefixes=PREFIXES, substitutions=params or None)
    except RuntimeError as err:
        if not params or "projection" not in str(err):
            raise
    names = " ".join(str(v) for v in params)
    values = " ".join(str(t) for t in params.values())
    return store.query(f"{text}\nVALUES ({names}) {{ ({values}) }}", prefixes=PREFIXES)


def term_text(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def render(result: Result, fmt: str | None) -> str:
    """The result in the format asked for (default: a table, or Turtle for a graph)."""
    if result.form == "GRAPH":
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise KgError(f"a CONSTRUCT or DESCRIBE result is a graph; it cannot be written as {fmt}",
                          hint="use --format turtle or nt")
        prefixes = {k: v for k, v in PREFIXES.items() if k != "data"} if fmt == "turtle" else None
        return ox.serialize(result.triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes).decode("utf-8")
    if fmt in GRAPH_FORMATS:
        raise KgError(f"a {result.form} result is not a graph; it cannot be written as {fmt}",
                      hint="use --format table, csv, tsv, json or xml")
    if result.document is not None:
        return result.document
    if result.form == "ASK":
        return "true\n" if result.boolean else "false\n"
    return format_table(result.variables, result.rows) + "\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(variables: list[str], rows: list[tuple], max_width: int = 60) -> str:
    """A plain text table that lines up Chinese (double-width) characters."""
    cells = [[_shorten(term_text(t), max_width) for t in row] for row in rows]
    widths = [max([_width(v)] + [_width(r[i]) for r in cells]) for i, v in enumerate(variables)]

    def line(values: list[str]) -> str:
        return " | ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if _width(text) <= limit else text[: max(1, limit // 2 - 1)] + "…"
