"""Saved queries answer their questions on the sample graph; SPARQL errors say where."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from kg.errors import KgError
from kg.query import parse_params, render, run_query
from kg.store import open_graph

QUERIES = ROOT / "ontology" / "queries"


@pytest.fixture(scope="module", params=["file", "store"])
def sample_rdf(request, sample_ttl, sample_store_dir):
    """The sample graph as every command opens it: a Turtle file or a store directory."""
    return open_graph(sample_ttl if request.param == "file" else sample_store_dir)


def rows_of(store, name, params=()):
    text = (QUERIES / name).read_text(encoding="utf-8")
    result = run_query(store, text, name, parse_params(params, text))
    return result.variables, [tuple("" if t is None else t.value for t in row) for row in result.rows]


EXPECTED = [
    ("positions.rq", ("李新宇", "董事长", "拓维信息")),
    ("positions.rq", ("杨峥嵘", "专职副书记", "长沙高新区企业党委")),
    ("party-bodies.rq", ("映客互娱", "映客互娱党支部")),
    ("party-bodies.rq", ("拓维信息", "拓维信息党支部")),
    ("guidance.rq", ("郑武芳", "Person", "永雄集团")),
    ("partnerships.rq", ("华为", "拓维信息", "2019-07")),
    ("timeline.rq", ("2019-07", "Partnership", "合作伙伴", "拓维信息、华为")),
]


@pytest.mark.parametrize("name, row", EXPECTED)
def test_saved_query_rows(sample_rdf, name, row):
    _, rows = rows_of(sample_rdf, name)
    def same(cell, want):  # a list of participants may come in any order
        return cell == want or "、" in want and set(cell.split("、")) == set(want.split("、"))

    assert any(all(same(c, w) for c, w in zip(r, row)) or set(row) <= set(r) for r in rows), rows


def test_every_saved_query_says_what_it_answers():
    for path in sorted(QUERIES.glob("*.rq")):
        assert path.read_text(encoding="utf-8").startswith("# "), path.name


def test_provenance_leads_from_fact_to_sentence_and_document(sample_rdf):
    variables, rows = rows_of(sample_rdf, "provenance.rq")
    assert variables[:4] == ["person", "title", "organisation", "sentence"]
    hits = [r for r in rows if r[:3] == ("李新宇", "董事长", "拓维信息")]
    assert hits and "拓维信息董事长李新宇" in hits[0][3] and hits[0][6].endswith("seed.txt")


def test_broken_query_reports_line_and_column(sample_rdf):
    with pytest.raises(KgError) as err:
        run_query(sample_rdf, "SELECT ?x WHERE {\n  ?x a kg:Company \n  FILTER(\n}", "bad.rq")
    assert str(err.value).startswith("bad.rq:4:1: invalid SPARQL: expected")


def test_ask_and_output_formats(sample_rdf):
    assert run_query(sample_rdf, 'ASK { ?c rdfs:label "华为" }').boolean is True
    select = 'SELECT ?n WHERE { ?c a kg:Company ; rdfs:label ?n } ORDER BY ?n LIMIT 2'
    assert render(run_query(sample_rdf, select, fmt="csv"), "csv").splitlines()[0] == "n"
    assert render(run_query(sample_rdf, select, fmt="tsv"), "tsv").splitlines()[0] == "?n"
    data = json.loads(render(run_query(sample_rdf, select, fmt="json"), "json"))
    assert data["head"]["vars"] == ["n"] and len(data["results"]["bindings"]) == 2
    assert "<sparql" in render(run_query(sample_rdf, select, fmt="xml"), "xml")
    assert render(run_query(sample_rdf, select), "table").rstrip().endswith("(2 rows)")
    assert json.loads(render(run_query(sample_rdf, 'ASK { ?c rdfs:label "华为" }', fmt="json"), "json"))["boolean"]


def test_construct_and_describe_give_graphs(sample_rdf):
    import pyoxigraph as ox

    construct = run_query(sample_rdf, 'CONSTRUCT { ?c rdfs:label ?n } WHERE { ?c a kg:Company ; rdfs:label ?n }')
    turtle = render(construct, None)
    parsed = list(ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    assert len(parsed) == len(construct.triples) > 5 and any(t.object.value == "拓维信息" for t in parsed)
    described = run_query(sample_rdf, 'DESCRIBE ?c WHERE { ?c rdfs:label "华为" }')
    assert any(t.object.value == "华为" for t in described.triples)
    with pytest.raises(KgError, match="graph"):
        render(construct, "csv")


def test_params_bind_values_and_cannot_inject(sample_rdf):
    _, rows = rows_of(sample_rdf, "positions.rq", ["person=李新宇"])
    assert rows and {r[0] for r in rows} == {"李新宇"}
    text = 'SELECT ?t WHERE { ?p kg:holder/rdfs:label ?person ; kg:title ?t }'
    hostile = parse_params(['person=李新宇" } UNION { ?p ?x ?t } #'], text)
    assert run_query(sample_rdf, text, params=hostile).rows == []
    iri = parse_params(["c=data:company/拓维信息"], "ASK { ?c a kg:Company }")
    assert run_query(sample_rdf, "ASK { ?c a kg:Company }", params=iri).boolean is True


@pytest.mark.parametrize("pair, message", [("person", "bad --param"), ("nobody=x", r"no variable \?nobody")])
def test_bad_params_are_named(pair, message):
    with pytest.raises(KgError, match=message):
        parse_params([pair], "SELECT ?person WHERE { ?person ?p ?o }")
