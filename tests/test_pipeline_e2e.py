"""The sample article: facts a reader sees in it are in the graph."""

from __future__ import annotations


def edges(G, predicate):
    return {(G.nodes[u]["label"], G.nodes[v]["label"], d.get("role")) for u, v, d in G.edges(data=True)
            if d["predicate"] == predicate}


def events(G, kind):
    return [(d.get("date"), {G.nodes[p]["label"] for _, p in G.out_edges(n)}) for n, d in G.nodes(data=True)
            if d["kind"] == "event" and d["type"] == kind]


def test_chairman_of_the_company(sample_graph):
    assert ("李新宇", "拓维信息", "董事长") in edges(sample_graph, "holdsPosition")


def test_partnership_with_its_date(sample_graph):
    pairs = {frozenset((a, b)) for a, b, _ in edges(sample_graph, "partnerOf")}
    assert frozenset(("拓维信息", "华为")) in pairs
    assert any(date == "2019-07" and {"拓维信息", "华为"} <= who for date, who in events(sample_graph, "Partnership"))


def test_party_instructor_guides_the_group(sample_graph):
    assert ("郑武芳", "永雄集团", None) in edges(sample_graph, "guides")


def test_joint_venture_founded_in_2019_12(sample_graph):
    founded = edges(sample_graph, "founded")
    assert {("拓维信息", "湖南湘江鲲鹏公司", None), ("湘江智能", "湖南湘江鲲鹏公司", None)} <= founded
    assert any(date == "2019-12" and {"拓维信息", "湘江智能", "湖南湘江鲲鹏公司"} <= who
               for date, who in events(sample_graph, "Founding"))


def test_every_fact_has_evidence_and_a_confidence(sample_graph):
    for _, d in sample_graph.nodes(data=True):
        assert d["evidence"] and 0 < d["confidence"] <= 1
    for _, _, d in sample_graph.edges(data=True):
        assert d["evidence"] and 0 < d["confidence"] <= 1
