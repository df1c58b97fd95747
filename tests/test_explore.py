"""The notebook API (kg.load, KnowledgeGraph) and the Jupyter widget's data, on invented graphs."""

from __future__ import annotations

import doctest

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg
import kg.explore
from kg.errors import KgError
from kg.explore import neighbourhood
from kg.viz import style
from kg.viz.widget import widget, widget_graph

from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny.ttl"
XINGHE = "https://w3id.org/kg/id/company/星河科技"
LIMING = "https://w3id.org/kg/id/person/李明"
ALIASED = """@prefix kg: <https://w3id.org/kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/kg/id/company/青禾农业> a kg:Company ; rdfs:label "青禾农业" ;
    skos:altLabel "青禾农业发展有限公司", "青禾" .
<https://w3id.org/kg/id/company/禾丰> a kg:Company ; rdfs:label "禾丰" ; skos:altLabel "青禾" .
"""


@pytest.fixture(scope="module")
def tiny():
    return kg.load(TINY)


def test_docstring_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    failures, tried = doctest.testmod(kg.explore, optionflags=doctest.ELLIPSIS)
    assert tried >= 8 and failures == 0


def test_a_store_and_its_file_give_the_same_graph(sample_ttl, sample_store_dir):
    from_file, from_store = kg.load(sample_ttl).networkx, kg.load(sample_store_dir).networkx
    assert sorted(from_file.nodes(data=True)) == sorted(from_store.nodes(data=True))
    assert sorted(from_file.edges(keys=True)) == sorted(from_store.edges(keys=True))


def test_query_binds_parameters_as_values_not_text(tiny):
    text = "SELECT ?title WHERE { ?p kg:holder ?h ; kg:title ?title . ?h rdfs:label ?name } ORDER BY ?title"
    assert tiny.query(text, name="李明")["title"].tolist() == ["书记", "董事长"]
    assert tiny.query(text, name='李明" } #').empty


def test_query_gives_frames_for_every_form(tiny):
    assert tiny.query("ASK { ?x kg:partnerOf ?y }")["answer"].tolist() == [True]
    triples = tiny.query(f"CONSTRUCT WHERE {{ <{XINGHE}> rdfs:label ?l }}")
    assert triples.values.tolist() == [[XINGHE, "http://www.w3.org/2000/01/rdf-schema#label", "星河科技"]]
    unbound = tiny.query("SELECT ?x ?missing WHERE { ?x a kg:Person OPTIONAL { ?x kg:nothing ?missing } }")
    assert unbound.values.tolist() == [[LIMING, None]]


def test_a_broken_query_is_one_error_with_its_position(tiny):
    with pytest.raises(KgError) as err:
        tiny.query("SELECT ?x WHERE {\n  ?x a }")
    assert err.value.line == 2


def test_find_matches_names_and_aliases(tmp_path):
    path = tmp_path / "aliased.ttl"
    path.write_text(ALIASED, encoding="utf-8")
    g = kg.load(path)
    assert g.find("青禾农业发展有限公司") == ["https://w3id.org/kg/id/company/青禾农业"]
    assert g.find("青禾") == ["https://w3id.org/kg/id/company/禾丰", "https://w3id.org/kg/id/company/青禾农业"]
    assert g.find("青禾农") == []


def test_neighbourhood_by_hops_kinds_and_predicates(tiny):
    assert set(tiny.neighbourhood("李明", hops=0)) == {LIMING}
    one = tiny.neighbourhood("李明", hops=1)
    assert {one.nodes[n]["label"] for n in one} == {"李明", "星河科技", "星河科技党支部"}
    assert sorted(d["title"] for _, _, d in one.edges(data=True) if d["predicate"] == "holdsPosition") == ["书记", "董事长"]
    people_and_firms = tiny.neighbourhood("李明", hops=3, kinds=["Company"])
    assert {people_and_firms.nodes[n]["label"] for n in people_and_firms} == {"李明", "星河科技", "云帆网络"}
    partners = tiny.neighbourhood("星河科技", hops=2, predicates=["partnerOf"])
    assert {partners.nodes[n]["label"] for n in partners} == {"星河科技", "云帆网络"}
    assert {d["predicate"] for _, _, d in partners.edges(data=True)} == {"partnerOf"}


def test_unknown_names_and_negative_hops_are_clear_errors(tiny):
    with pytest.raises(KgError, match="no entity named '王五'"):
        tiny.neighbourhood("王五")
    with pytest.raises(KgError, match="hops must be 0 or more"):
        tiny.neighbourhood("李明", hops=-1)


def test_paths_spell_relations_and_their_direction(tiny):
    assert tiny.paths("李明", "云帆网络") == [["李明", "任职: 董事长", "星河科技", "←合作", "云帆网络"]]
    assert tiny.paths("李明", "云帆网络", cutoff=1) == []


def test_facts_carry_their_sentence_and_document(tiny):
    facts = tiny.facts("星河科技")
    # 董事长 of it, its party branch, its partner, and its part in the partnership event
    assert sorted(facts.predicate) == ["hasPartyOrganization", "holdsPosition", "participant", "partnerOf"]
    sentence = (ROOT / "tests" / "data" / "tiny.txt").read_text(encoding="utf-8").strip()
    assert set(facts["sentence"]) == {sentence}
    assert set(facts["document"]) == {"tests/data/tiny.txt"}
    row = facts[facts.predicate == "holdsPosition"].iloc[0]
    assert (row.subject, row.title, row.object, row.confidence) == ("李明", "董事长", "星河科技", 0.85)


@st.composite
def small_graphs(draw):
    n = draw(st.integers(1, 12))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.sampled_from(["guides", "partnerOf"])), max_size=30))
    G = nx.MultiDiGraph()
    G.add_nodes_from((f"n{i}", {"kind": "Company"}) for i in range(n))
    G.add_edges_from((f"n{a}", f"n{b}", {"predicate": p}) for a, b, p in edges)
    return G


@settings(max_examples=60, deadline=None)
@given(small_graphs(), st.integers(0, 4))
def test_neighbourhood_is_everything_within_k_undirected_hops(G, hops):
    reach = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), "n0", cutoff=hops)
    H = neighbourhood(G, ["n0"], hops)
    assert set(H) == set(reach)
    assert H.number_of_edges() == G.subgraph(reach).number_of_edges()
    only = neighbourhood(G, ["n0"], hops, predicates=["guides"])
    guides = nx.MultiDiGraph([(u, v) for u, v, d in G.edges(data=True) if d["predicate"] == "guides"])
    guides.add_node("n0")
    assert set(only) == set(nx.single_source_shortest_path_length(guides.to_undirected(), "n0", cutoff=hops))


def test_widget_graph_holds_what_hover_shows(tiny):
    W = widget_graph(tiny.networkx)
    person = W.nodes[LIMING]
    assert person["label"] == "李明" and person["kind"] == style.kind_name("Person")
    assert person["titles"] == "书记、董事长" and person["evidence"].startswith("星河科技党支部书记")
    assert person["confidence"] == "0.85" and person["source"] == "tests/data/tiny.txt"
    firm = W.nodes[XINGHE]
    assert firm["size"] == style.MAX_SIZE  # the most connected node
    labels = sorted(d["label"] for _, _, d in W.edges(data=True))
    assert labels == ["任职: 书记", "任职: 董事长", "党组织", "参与", "参与", "参与", "合作"]


def test_widget_colours_kinds_and_places_every_node(tiny):
    w = widget(tiny.networkx)
    assert sorted(n["key"] for n in w.data["nodes"]) == sorted(tiny.networkx)
    palette = dict(w.visual_variables["nodeColor"]["palette"])
    assert palette[style.kind_name("Company")] == style.color("Company")
    assert palette[style.kind_name("Person")] == style.color("Person")
    assert set(w.layout) == set(tiny.networkx) and w.start_layout is False
