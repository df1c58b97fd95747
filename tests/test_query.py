"""Saved queries answer their questions on the sample graph; SPARQL errors say where."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from kg.errors import KgError
from kg.query import format_csv, format_json, format_table, run_query

QUERIES = ROOT / "ontology" / "queries"


def rows_of(g, name):
    variables, rows = run_query(g, (QUERIES / name).read_text(encoding="utf-8"), name)
    return variables, [tuple("" if t is None else str(t) for t in row) for row in rows]


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
    assert any(r[: len(row)] == row or set(row) <= set(r) for r in rows), rows


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
    assert str(err.value).startswith("bad.rq:3:3: invalid SPARQL: Expected")


def test_ask_and_output_formats(sample_rdf):
    assert run_query(sample_rdf, 'ASK { ?c rdfs:label "华为" }') is True
    variables, rows = run_query(sample_rdf, 'SELECT ?n WHERE { ?c a kg:Company ; rdfs:label ?n } ORDER BY ?n LIMIT 2')
    assert format_csv(variables, rows).splitlines()[0] == "n"
    data = json.loads(format_json(variables, rows))
    assert data["head"]["vars"] == ["n"] and len(data["results"]["bindings"]) == 2
    assert format_table(variables, rows).endswith("(2 rows)")
