"""SPARQL over a built graph file; results as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Literal, Node

from .errors import KgError
from .rdf import FORMATS, KG

PREFIXES = {"kg": str(KG), "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#",
            "dcterms": "http://purl.org/dc/terms/", "schema": "https://schema.org/",
            "prov": "http://www.w3.org/ns/prov#", "org": "http://www.w3.org/ns/org#"}


def load_graph(path: str | Path) -> Graph:
    """Parse a Turtle, N-Triples or JSON-LD file, with a clear error if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise KgError("no such graph file", str(path))
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KgError(f"unknown graph format '{path.suffix}'", str(path), hint="use .ttl, .nt or .jsonld")
    g = Graph()
    try:
        g.parse(path, format=fmt)
    except Exception as err:  # rdflib raises many types; all mean "not a valid graph file"
        raise KgError(f"cannot parse graph: {str(err).splitlines()[0] if str(err) else type(err).__name__}",
                      str(path)) from None
    return g


def read_query(query: str) -> tuple[str, str]:
    """The query text and where it came from (a ``.rq`` file, or the argument itself)."""
    if query.endswith((".rq", ".sparql")):
        path = Path(query)
        if not path.is_file():
            raise KgError("no such query file", query)
        return path.read_text(encoding="utf-8"), query
    return query, "<query>"


def run_query(g: Graph, text: str, where: str = "<query>") -> tuple[list[str], list[tuple[Node | None, ...]]] | bool:
    """Run SELECT (returns variables and rows) or ASK (returns a bool)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text, initNs=PREFIXES)
    except ParseException as err:
        raise KgError(f"invalid SPARQL: {err.msg}", where, err.lineno, err.col) from None
    except Exception as err:
        raise KgError(f"invalid SPARQL: {err}", where) from None
    try:
        result = g.query(prepared)
    except Exception as err:
        raise KgError(f"query failed: {err}", where) from None
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type != "SELECT":
        raise KgError(f"{result.type} queries are not supported here yet; use SELECT or ASK", where)
    variables = [str(v) for v in result.vars]
    return variables, [tuple(row) for row in result]


def term_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, Literal):
        return str(term)
    return str(term)


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


def format_csv(variables: list[str], rows: list[tuple], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([term_text(t) for t in row])
    return buffer.getvalue()


def format_json(variables: list[str], rows: list[tuple]) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = []
    for row in rows:
        binding = {}
        for var, term in zip(variables, row):
            if term is None:
                continue
            if isinstance(term, URIRef):
                binding[var] = {"type": "uri", "value": str(term)}
            elif isinstance(term, Literal):
                item = {"type": "literal", "value": str(term)}
                if term.language:
                    item["xml:lang"] = term.language
                elif term.datatype:
                    item["datatype"] = str(term.datatype)
                binding[var] = item
            else:
                binding[var] = {"type": "bnode", "value": str(term)}
        bindings.append(binding)
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1)
