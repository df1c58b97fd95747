"""kg export --to nquads: one named graph per document plus a summary graph, read back by Oxigraph.

What a team relies on: the union of the graphs is the graph kg built (nothing lost, nothing added);
``DROP GRAPH <document>`` retracts one article while facts other articles support stay; the saved
queries answer the same over the union of graphs as over the embedded store; the file is sorted,
deterministic and written whole or not at all, also when it is sorted in chunks on disk.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg.errors import KgError
from kg.export import export, nquads
from kg.query import run_query, term_text
from kg.store import open_graph

QUERIES = ROOT / "ontology" / "queries"
KG = "https://w3id.org/kg/ontology#"
ID = "https://w3id.org/kg/id/"
SUMMARY = ID + "graph/summary"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
TYPE = ox.NamedNode(RDF + "type")
DEFAULT = ox.DefaultGraph()

# Invented articles (fictional companies and persons in Jiangxi): both name the same company and its
# chairman, so their shared facts must survive retracting either one.
ARTICLES = {
    "one.txt": """江西赣江云链科技有限公司党支部成立

来源:赣鄱商报 2021-03-12 09:30:00

3月11日,江西赣江云链科技有限公司党支部正式成立。赣江云链董事长钟立航出席成立大会并讲话。

据悉,赣江云链与南昌青山湖区企业党委签订共建协议。2020年5月,赣江云链与腾讯达成战略合作,成为合作伙伴。
""",
    "two.txt": """赣江云链携手洪城数控开展党建联建

来源:洪城日报 2022-06-20 15:02:11

6月18日,江西洪城数控装备有限公司与江西赣江云链科技有限公司签署战略合作协议,双方成为合作伙伴。洪城数控总经理危晓梅、赣江云链董事长钟立航出席签约仪式。

洪城数控党委书记邬长青表示,将与赣江云链党支部开展党建联建。
""",
}
SHARED_COMPANY = ID + "company/江西赣江云链科技有限公司"
CHAIRMAN = ("钟立航", "董事长", "江西赣江云链科技有限公司")


def build_articles(folder: Path) -> Path:
    """Write the invented articles into ``folder/articles`` and build a store of them, the way
    ``conftest.sample_store_dir`` builds the sample's."""
    from kg.graph import build_graph
    from kg.pipeline import run
    from kg.rdf import write_rdf
    from kg.store import write_store

    articles = folder / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    turtle, store = folder / "multi.ttl", folder / "multi.store"
    write_rdf(build_graph(run([articles])), turtle)
    write_store(turtle.read_bytes(), ox.RdfFormat.TURTLE, store)
    return store


def document_of(store: ox.Store, name: str) -> str:
    """The IRI of the document read from the article file ``name`` (in a store of named graphs)."""
    [row] = store.query(f'SELECT DISTINCT ?d WHERE {{ ?d a <{KG}Document> ; <{KG}path> ?p '
                        f'FILTER(STRENDS(?p, "/{name}")) }}', use_default_graph_as_union=True)
    return row["d"].value


def read_quads(path: Path) -> list[ox.Quad]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def triples_of(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, DEFAULT)}


def by_graph(quads: list[ox.Quad]) -> dict[str, set[ox.Triple]]:
    out: dict[str, set[ox.Triple]] = {}
    for q in quads:
        out.setdefault(q.graph_name.value, set()).add(q.triple)
    return out


def union_store(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def saved_rows(store: ox.Store, name: str, union: bool = False) -> tuple[list[str], list[tuple[str, ...]]]:
    """Variables and rows (lexical values, "" when unbound) of a saved query, over the default graph or
    over the union of all named graphs (what Virtuoso and QLever query by default, and Oxigraph server
    with --union-default-graph)."""
    text = (QUERIES / name).read_text(encoding="utf-8")
    if union:
        answer = store.query(text, use_default_graph_as_union=True)
        variables = [v.value for v in answer.variables]
        return variables, [tuple(term_text(s[v]) for v in variables) for s in answer]
    result = run_query(store, text, name)
    return result.variables, [tuple(term_text(t) for t in row) for row in result.rows]


@pytest.fixture(scope="module")
def multi_store(tmp_path_factory) -> Path:
    return build_articles(tmp_path_factory.mktemp("multi"))


@pytest.fixture(scope="module", params=["sample", "multi"])
def exported(request, tmp_path_factory, sample_store_dir, multi_store):
    """(store directory, its N-Quads export) for the sample graph and the two invented articles."""
    source = sample_store_dir if request.param == "sample" else multi_store
    out = tmp_path_factory.mktemp("nq") / f"{request.param}.nq"
    summary = export(source, "nquads", out)
    return source, out, summary


def test_union_of_graphs_is_the_input_graph(exported):
    source, out, _ = exported
    quads = read_quads(out)
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)  # no quad left in the default graph
    union = set().union(*by_graph(quads).values())
    assert union == triples_of(open_graph(source))


def test_one_graph_per_document_and_one_summary(exported):
    source, out, summary = exported
    store = open_graph(source)
    documents = {r["d"].value for r in store.query(f"SELECT ?d WHERE {{ ?d a <{KG}Document> }}")}
    graphs = by_graph(read_quads(out))
    assert set(graphs) == documents | {SUMMARY}
    for document in documents:
        assert ox.Triple(ox.NamedNode(document), TYPE, ox.NamedNode(KG + "Document")) in graphs[document]
    # the summary line counts what the file holds
    assert summary.nodes == {"document": len(documents), "summary": 1}
    assert summary.edges == {"in document graphs": sum(len(g) for d, g in graphs.items() if d != SUMMARY),
                             "in the summary graph": len(graphs[SUMMARY])}
    assert summary.line().startswith(f"{len(documents) + 1} graphs (document {len(documents)}, summary 1), ")


def test_what_goes_where(exported):
    """Sentences and evidence links sit in their document's graph; what kg concluded from all documents
    together (labels of entities, aliases, confidences) sits in the summary graph only."""
    _, out, _ = exported
    graphs = by_graph(read_quads(out))
    store = union_store(out)
    sentence_doc = {r["s"].value: r["d"].value
                    for r in store.query(f"SELECT DISTINCT ?s ?d WHERE {{ ?s <{KG}inDocument> ?d }}",
                                         use_default_graph_as_union=True)}
    assert sentence_doc
    for graph, triples in graphs.items():
        for t in triples:
            if t.subject.value in sentence_doc:
                assert graph == sentence_doc[t.subject.value], t
            if t.predicate.value == KG + "evidence":
                assert graph == sentence_doc[t.object.value], t
            if t.predicate.value in (KG + "confidence", "http://www.w3.org/2004/02/skos/core#altLabel"):
                assert graph == SUMMARY, t
    entity_labels = store.query(f"""SELECT ?g WHERE {{ GRAPH ?g {{ ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l }}
        FILTER NOT EXISTS {{ GRAPH ?h {{ ?x <{KG}trigger> ?t }} }} }}""")
    assert {r["g"].value for r in entity_labels} == {SUMMARY}


def test_assertion_carries_its_structure_into_each_document_graph(exported):
    """Every document that evidences an Assertion holds its rdf:subject/predicate/object, its type and
    the direct triple it reifies, so the relation can be queried from that document alone."""
    _, out, _ = exported
    graphs = by_graph(read_quads(out))
    store = union_store(out)
    rows = list(store.query(f"""SELECT DISTINCT ?f ?s ?p ?o ?doc WHERE {{
        ?f a <{KG}Assertion> ; <{RDF}subject> ?s ; <{RDF}predicate> ?p ; <{RDF}object> ?o ;
           <{KG}evidence>/<{KG}inDocument> ?doc }}""", use_default_graph_as_union=True))
    assert rows
    for r in rows:
        graph = graphs[r["doc"].value]
        for triple in [(r["f"], TYPE, ox.NamedNode(KG + "Assertion")), (r["f"], ox.NamedNode(RDF + "subject"), r["s"]),
                       (r["f"], ox.NamedNode(RDF + "predicate"), r["p"]),
                       (r["f"], ox.NamedNode(RDF + "object"), r["o"]), (r["s"], r["p"], r["o"])]:
            assert ox.Triple(*triple) in graph


@pytest.mark.parametrize("name", sorted(p.name for p in QUERIES.glob("*.rq")))
def test_saved_queries_answer_the_same_over_the_union_of_graphs(exported, name):
    source, out, _ = exported
    assert saved_rows(union_store(out), name, union=True) == saved_rows(open_graph(source), name)


def test_shared_facts_are_in_both_documents_and_survive_a_retraction(tmp_path, multi_store):
    out = tmp_path / "multi.nq"
    export(multi_store, "nquads", out)
    store = union_store(out)
    one, two = document_of(store, "one.txt"), document_of(store, "two.txt")
    company_type = ox.Triple(ox.NamedNode(SHARED_COMPANY), TYPE, ox.NamedNode(KG + "Company"))
    graphs = by_graph(read_quads(out))
    assert company_type in graphs[one] and company_type in graphs[two]
    provenance = saved_rows(store, "provenance.rq", union=True)[1]
    assert {r[6].rsplit("/", 1)[-1] for r in provenance if r[:3] == CHAIRMAN} == {"one.txt", "two.txt"}
    assert any("腾讯" in r[:2] for r in saved_rows(store, "partnerships.rq", union=True)[1])

    store.update(f"DROP GRAPH <{one}>")
    sentences = f"SELECT ?s WHERE {{ ?s <{KG}inDocument> <{one}> }}"
    assert list(store.query(sentences, use_default_graph_as_union=True)) == []
    positions = saved_rows(store, "positions.rq", union=True)[1]
    assert any(r[:3] == CHAIRMAN for r in positions)  # still said by the second article
    provenance = saved_rows(store, "provenance.rq", union=True)[1]
    assert {r[6].rsplit("/", 1)[-1] for r in provenance if r[:3] == CHAIRMAN} == {"two.txt"}
    partners = saved_rows(store, "partnerships.rq", union=True)[1]
    assert not any("腾讯" in r[:2] for r in partners)  # said only by the retracted article


def test_same_bytes_sorted_lines_and_gzip(tmp_path, sample_store_dir, sample_ttl):
    first, second, packed = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq.gz"
    export(sample_store_dir, "nquads", first)
    export(sample_ttl, "nquads", second)  # the Turtle file and the store give the same file
    export(sample_store_dir, "nquads", packed)
    data = first.read_bytes()
    assert data == second.read_bytes()
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "" and lines[:-1] == sorted(set(lines[:-1]))
    assert gzip.decompress(packed.read_bytes()) == data
    again = tmp_path / "d.nq.gz"
    export(sample_store_dir, "nquads", again)
    assert again.read_bytes() == packed.read_bytes()


def test_sorting_in_chunks_on_disk_gives_the_same_file(tmp_path, monkeypatch, multi_store):
    """Big stores are sorted in runs spilled to disk and merged; tiny chunks force that path here."""
    whole, chunked = tmp_path / "whole.nq", tmp_path / "chunked.nq"
    export(multi_store, "nquads", whole)
    monkeypatch.setattr(nquads, "CHUNK_BYTES", 2000)
    monkeypatch.setattr(nquads, "MAX_OPEN_RUNS", 4)  # and merged in several rounds
    runs = []
    spill = nquads._Sorter._spill

    def counted(sorter):
        runs.append(sorter.name)
        spill(sorter)

    monkeypatch.setattr(nquads._Sorter, "_spill", counted)
    export(multi_store, "nquads", chunked)
    assert len(runs) > 16
    assert chunked.read_bytes() == whole.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunked.nq", "whole.nq"]  # no sort runs left


def test_existing_output_needs_force_and_a_failure_leaves_nothing(tmp_path, monkeypatch, sample_store_dir):
    out = tmp_path / "sample.nq"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(KgError, match="already exists"):
        export(sample_store_dir, "nquads", out)

    def broken(store, document):
        yield from []
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nquads, "_document_triples", broken)
    with pytest.raises(KgError, match="cannot write output: No space left on device"):
        export(sample_store_dir, "nquads", out, force=True)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sample.nq"]
    monkeypatch.undo()
    export(sample_store_dir, "nquads", out, force=True)
    assert read_quads(out)


def test_cli_writes_nquads(tmp_path, sample_store_dir):
    out = tmp_path / "sample.nq.gz"
    done = subprocess.run([sys.executable, "-m", "kg", "export", str(sample_store_dir), "--to", "nquads", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert " graphs (document 1, summary 1), " in done.stderr
    assert {q.graph_name.value for q in read_quads(out)} >= {SUMMARY}
