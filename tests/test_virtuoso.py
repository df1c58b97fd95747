"""A real Virtuoso (Debian's ``virtuoso-opensource``) bulk-loads ``kg export --to nquads`` and answers
every saved query with the same rows as the embedded store; ``DROP GRAPH`` retracts one document.

The package is installed with apt-get when missing; a private server runs in a temporary folder on
loopback ports of its own and is stopped at the end of the session. Nothing here is skipped: when
Virtuoso cannot be installed or started the tests fail with the reason in one line.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg.export import export
from kg.query import parse_params, run_query
from kg.store import open_graph
from test_export_nquads import CHAIRMAN, KG, SUMMARY, build_articles, read_quads
from virtuoso import Virtuoso

QUERIES = ROOT / "ontology" / "queries"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Every saved query, and the one with the parameter the other tests give it (tests/test_query.py)
CASES = [(p.name, ()) for p in sorted(QUERIES.glob("*.rq"))] + [("positions.rq", ("person=李新宇",))]


def start(tmp_path_factory, request, name: str, nquads: Path) -> tuple[Virtuoso, list[tuple[str, str]]]:
    """A private server with ``nquads`` bulk-loaded, stopped when the session ends (also on failure),
    and the loader's errors."""
    folder = tmp_path_factory.mktemp(name)
    try:
        server = Virtuoso.start(folder / "db", nquads.parent)
    except RuntimeError as err:
        pytest.fail(f"Virtuoso is needed for this test: {err}", pytrace=False)
    request.addfinalizer(server.stop)
    return server, server.bulk_load(nquads.parent)


def exported(tmp_path_factory, name: str, source: Path) -> Path:
    """The N-Quads export of ``source``, alone in a folder for the bulk loader's ``ld_dir``."""
    out = tmp_path_factory.mktemp(f"{name}-nq") / f"{name}.nq"
    export(source, "nquads", out)
    return out


@pytest.fixture(scope="session")
def sample_nquads(tmp_path_factory, sample_store_dir) -> Path:
    return exported(tmp_path_factory, "sample", sample_store_dir)


@pytest.fixture(scope="session")
def sample_virtuoso(tmp_path_factory, request, sample_nquads) -> tuple[Virtuoso, list]:
    return start(tmp_path_factory, request, "virtuoso-sample", sample_nquads)


@pytest.fixture(scope="session")
def multi(tmp_path_factory) -> Path:
    return build_articles(tmp_path_factory.mktemp("virtuoso-articles"))


@pytest.fixture(scope="session")
def multi_nquads(tmp_path_factory, multi) -> Path:
    return exported(tmp_path_factory, "multi", multi)


@pytest.fixture(scope="session")
def multi_virtuoso(tmp_path_factory, request, multi_nquads) -> tuple[Virtuoso, list]:
    return start(tmp_path_factory, request, "virtuoso-multi", multi_nquads)


def quads_per_graph(server: Virtuoso) -> dict[str, int]:
    """Quads in each of kg's graphs (Virtuoso keeps system graphs of its own beside them)."""
    answer = server.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                           'FILTER(STRSTARTS(STR(?g), "https://w3id.org/kg/id/")) } GROUP BY ?g')
    return {b["g"]["value"]: int(b["n"]["value"]) for b in answer["results"]["bindings"]}


def file_quads_per_graph(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for quad in read_quads(path):
        out[quad.graph_name.value] = out.get(quad.graph_name.value, 0) + 1
    return out


def oxigraph_cell(term) -> tuple[str, str, str] | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, "")
    if isinstance(term, ox.Literal):
        return ("literal", term.value, f"@{term.language}" if term.language else term.datatype.value)
    return ("bnode", term.value, "")


def virtuoso_cell(binding: dict | None) -> tuple[str, str, str] | None:
    """A SPARQL JSON binding as ``oxigraph_cell`` writes a term. The normalisations, each only a
    difference of notation: an unbound variable, which Oxigraph gives as None, is a missing key in
    SPARQL JSON; Virtuoso writes "typed-literal" (the name in the 2008 draft of the format) for what
    the 2013 recommendation calls a "literal" with a "datatype"; and a literal with neither datatype
    nor language is an xsd:string (RDF 1.1), which Virtuoso leaves implicit and Oxigraph names.
    Lexical values are compared as they are: numbers, dates and Chinese text came back unchanged."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ("uri", value, "")
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        return ("literal", value, f"@{lang}" if lang else binding.get("datatype", XSD_STRING))
    return ("bnode", value, "")


def embedded_rows(store: ox.Store, name: str, params: tuple[str, ...]):
    text = (QUERIES / name).read_text(encoding="utf-8")
    result = run_query(store, text, name, parse_params(params, text))
    return result.variables, [tuple(oxigraph_cell(t) for t in row) for row in result.rows]


def virtuoso_rows(server: Virtuoso, name: str, params: tuple[str, ...]):
    """The saved query over Virtuoso's default graph (the union of all graphs); a parameter is bound by
    a trailing VALUES block, its value written by Oxigraph (escaped), as ``kg query --param`` does."""
    text = (QUERIES / name).read_text(encoding="utf-8")
    for variable, term in parse_params(params, text).items():
        text += f"\nVALUES {variable} {{ {term} }}"
    answer = server.select(text)
    variables = answer["head"]["vars"]
    return variables, [tuple(virtuoso_cell(b.get(v)) for v in variables) for b in answer["results"]["bindings"]]


def test_bulk_load_of_the_sample_has_no_errors(sample_virtuoso, sample_nquads):
    server, errors = sample_virtuoso
    assert errors == []
    assert quads_per_graph(server) == file_quads_per_graph(sample_nquads)


@pytest.mark.parametrize("name, params", CASES)
def test_saved_query_gives_the_same_rows_as_the_embedded_store(sample_virtuoso, sample_store_dir, name, params):
    # Same rows in the same order: every saved query orders its rows completely, and Virtuoso sorts
    # Chinese strings by code point as Oxigraph does, so no re-sorting is needed.
    variables, rows = embedded_rows(open_graph(sample_store_dir), name, params)
    assert rows, f"{name} answers nothing on the sample, so the comparison would prove nothing"
    assert virtuoso_rows(sample_virtuoso[0], name, params) == (variables, rows)


def sentences_of(server: Virtuoso, document: str) -> int:
    answer = server.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{KG}inDocument> <{document}> }}")
    return int(answer["results"]["bindings"][0]["n"]["value"])


def document_named(server: Virtuoso, name: str) -> str:
    answer = server.select(f'SELECT DISTINCT ?d WHERE {{ ?d a <{KG}Document> ; <{KG}path> ?p '
                           f'FILTER(STRENDS(STR(?p), "/{name}")) }}')
    [binding] = answer["results"]["bindings"]
    return binding["d"]["value"]


def test_drop_graph_retracts_one_document_and_keeps_shared_facts(multi_virtuoso, multi_nquads):
    server, errors = multi_virtuoso
    assert errors == []
    before = quads_per_graph(server)
    assert before == file_quads_per_graph(multi_nquads)
    one, two = document_named(server, "one.txt"), document_named(server, "two.txt")
    assert sentences_of(server, one) > 0 and sentences_of(server, two) > 0

    def chairman_sources() -> set[str]:
        _, rows = virtuoso_rows(server, "provenance.rq", ())
        return {r[6][1].rsplit("/", 1)[-1] for r in rows if tuple(c[1] for c in r[:3]) == CHAIRMAN}

    def partners() -> set[str]:
        _, rows = virtuoso_rows(server, "partnerships.rq", ())
        return {cell[1] for row in rows for cell in row[:2]}

    assert chairman_sources() == {"one.txt", "two.txt"} and "腾讯" in partners()

    server.isql(f"SPARQL DROP SILENT GRAPH <{one}>")  # Virtuoso's DROP GRAPH wants SILENT for a loaded graph

    assert sentences_of(server, one) == 0 and sentences_of(server, two) > 0
    after = quads_per_graph(server)
    assert one not in after and {g: n for g, n in before.items() if g != one} == after
    assert chairman_sources() == {"two.txt"}  # the shared fact stays, supported by the other article
    assert "腾讯" not in partners()  # a partnership only the retracted article reported is gone
    assert after[SUMMARY] == before[SUMMARY]
