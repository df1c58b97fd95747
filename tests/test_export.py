"""kg export: every format reads back with a real reader and agrees with the RDF graph it came from.

Counts of nodes per kind and edges per predicate are computed by SPARQL (Oxigraph)
on the source graph and compared with what networkx, csv, rdflib, Oxigraph and
LadybugDB read from the export. Neo4j is checked by its files (no server can run
here); the Bolt push runs against a fake driver that records the calls.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import _EXPORT_FORMATS, main
from kg.errors import KgError
from kg.export import FORMATS, export, read_graph
from kg.export.model import ENTITY_KINDS, EVENT_KINDS, RELATIONS, join
from kg.export.neo4j import rel_type
from kg.store import open_graph

PREFIXES = """PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
KINDS = ENTITY_KINDS + EVENT_KINDS
ID = "https://w3id.org/kg/id/"
LI, TUOWEI, HUAWEI = ID + "person/李新宇", ID + "company/拓维信息", ID + "company/华为"
FILE_FORMATS = ("graphml", "gexf", "jsonld", "nt")
SUFFIX = {"neo4j": ".neo4j", "ladybug": ".lbdb", "graphml": ".graphml", "gexf": ".gexf", "csv": ".csv",
          "jsonld": ".jsonld", "nt": ".nt", "nquads": ".nq"}


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(t.value for t in row) for row in store.query(PREFIXES + query)]


def rdf_counts(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per kind and edges per predicate, straight from the RDF by SPARQL."""
    store = open_graph(path)
    classes = ", ".join(f"kg:{k}" for k in KINDS)
    nodes = {c.rsplit("#", 1)[1]: int(n) for c, n in select(store, f"""
        SELECT ?c (COUNT(DISTINCT ?n) AS ?k) WHERE {{ ?n a ?c FILTER(?c IN ({classes})) }} GROUP BY ?c""")}
    edges = {p.rsplit("#", 1)[1]: int(n) for p, n in select(store, """
        SELECT ?p (COUNT(?f) AS ?k) WHERE { ?f a kg:Assertion ; rdf:predicate ?p } GROUP BY ?p""")}
    direct = {p: int(select(store, f"SELECT (COUNT(*) AS ?k) WHERE {{ ?s kg:{p} ?o }}")[0][0]) for p in RELATIONS}
    assert {p: n for p, n in direct.items() if n} == edges  # in the sample every relation triple has one Assertion
    edges["participant"] = int(select(store, "SELECT (COUNT(*) AS ?k) WHERE { ?e kg:participant ?x }")[0][0])
    return dict(sorted(nodes.items())), dict(sorted(edges.items()))


def count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return dict(sorted(out.items()))


@pytest.fixture(scope="module")
def expected(sample_ttl):
    return rdf_counts(sample_ttl)


@pytest.fixture(scope="module")
def exports(tmp_path_factory, sample_ttl):
    """Each format but ladybug exported once from the Turtle file."""
    folder = tmp_path_factory.mktemp("exports")
    for fmt in FORMATS:
        if fmt != "ladybug":
            export(sample_ttl, fmt, folder / f"sample{SUFFIX[fmt]}")
    return folder


@pytest.fixture(scope="module")
def ladybug_db(tmp_path_factory, sample_store_dir):
    """A read-only connection to the LadybugDB export, made from the store directory."""
    import ladybug

    out = tmp_path_factory.mktemp("ladybug") / "sample.lbdb"
    summary = export(sample_store_dir, "ladybug", out)
    assert summary.out == out and out.is_file()
    database = ladybug.Database(str(out), read_only=True)
    conn = ladybug.Connection(database)
    yield conn
    conn.close()
    database.close()


def test_cli_offers_every_format():
    assert _EXPORT_FORMATS == FORMATS


def test_reader_agrees_with_sparql(sample_ttl, expected):
    graph = read_graph(open_graph(sample_ttl))
    assert (graph.node_counts(), graph.edge_counts()) == expected
    assert [n.iri for n in graph.nodes] == sorted(n.iri for n in graph.nodes)


def test_edges_keep_title_date_confidence_and_evidence(sample_ttl):
    edges = {(e.source, e.predicate, e.target): e for e in read_graph(open_graph(sample_ttl)).edges}
    post = edges[(LI, "holdsPosition", TUOWEI)]
    assert (post.title, post.confidence) == ("董事长", 0.85) and post.evidence_path.endswith("samples/seed.txt")
    assert post.iri.startswith(ID + "fact/") and "拓维信息董事长李新宇" in post.evidence_text
    assert edges[(HUAWEI, "partnerOf", TUOWEI)].date == "2019-07"  # the Partnership event of exactly this pair
    assert edges[(ID + "person/郑武芳", "guides", ID + "company/永雄集团")].date is None  # no event dates it
    participant = next(e for e in edges.values() if e.predicate == "participant" and e.target == HUAWEI
                       and "partnership" in e.source)
    assert participant.date == "2019-07" and participant.iri is None


# -- ladybug ---------------------------------------------------------------------------------------------------

def ladybug_rows(conn, query: str) -> list[list]:
    result = conn.execute(query)
    return [result.get_next() for _ in iter(result.has_next, False)]


def test_ladybug_cypher_returns_the_title_of_li_xinyu(ladybug_db):
    rows = ladybug_rows(ladybug_db, "MATCH (p:Person {label: '李新宇'})-[h:holdsPosition]->(o:Company) "
                                    "WHERE o.label = '拓维信息' "
                                    "RETURN h.title, h.confidence, p.iri, o.aliases, h.evidence_path")
    assert [row[:4] for row in rows] == [["董事长", 0.85, LI, ["拓维"]]]
    assert rows[0][4].endswith("samples/seed.txt")


def test_ladybug_counts_per_table_match_the_rdf(ladybug_db, expected):
    nodes, edges = expected
    got_nodes = {k: ladybug_rows(ladybug_db, f"MATCH (n:{k}) RETURN count(n)")[0][0] for k in nodes}
    got_edges = {p: ladybug_rows(ladybug_db, f"MATCH ()-[r:{p}]->() RETURN count(r)")[0][0] for p in edges}
    assert (got_nodes, got_edges) == expected


def test_ladybug_keeps_dates_lists_and_evidence(ladybug_db):
    assert ladybug_rows(ladybug_db, "MATCH (a:Company)-[r:partnerOf]->(b:Company {label: '拓维信息'}) "
                                    "RETURN a.label, r.date, r.iri STARTS WITH 'https://w3id.org/kg/id/fact/'") \
        == [["华为", "2019-07", True]]
    [[date, quantities, evidence]] = ladybug_rows(
        ladybug_db, "MATCH (e:Award) RETURN e.date, e.quantities, e.evidence")
    assert date == "2020-04" and "在全球采购160.33万只" in quantities and evidence[0].startswith(ID + "doc/")


# -- graphml, gexf, csv -----------------------------------------------------------------------------------------

def check_networkx(G: nx.MultiDiGraph, expected) -> None:
    assert (count(d["kind"] for _, d in G.nodes(data=True)),
            count(d["predicate"] for _, _, d in G.edges(data=True))) == expected
    tuowei = G.nodes[TUOWEI]
    assert tuowei["label"] == "拓维信息" and "拓维" in tuowei["aliases"].split("|")
    assert isinstance(tuowei["confidence"], float) and tuowei["evidence_path"].endswith("samples/seed.txt")
    [post] = [d for d in G.get_edge_data(LI, TUOWEI).values() if d["predicate"] == "holdsPosition"]
    assert post["title"] == "董事长" and post["confidence"] == 0.85 and post["evidence"].startswith(ID + "doc/")
    [partner] = G.get_edge_data(HUAWEI, TUOWEI).values()
    assert partner["date"] == "2019-07" and partner["iri"].startswith(ID + "fact/")


def test_graphml_round_trip(exports, expected):
    check_networkx(nx.read_graphml(exports / "sample.graphml", force_multigraph=True), expected)


def test_gexf_round_trip(exports, expected):
    G = nx.read_gexf(exports / "sample.gexf")  # a DiGraph unless some pair has two edges
    assert G.is_directed()
    check_networkx(nx.MultiDiGraph(G), expected)


def test_csv_round_trip_and_excel_friendly(exports, expected):
    folder = exports / "sample.csv"
    assert (folder / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbfiri,kind,label,")
    with (folder / "nodes.csv").open(encoding="utf-8-sig", newline="") as f:
        nodes = list(csv.DictReader(f))
    with (folder / "edges.csv").open(encoding="utf-8-sig", newline="") as f:
        edges = list(csv.DictReader(f))
    assert (count(n["kind"] for n in nodes), count(e["predicate"] for e in edges)) == expected
    assert {n["iri"] for n in nodes} >= {e["source"] for e in edges} | {e["target"] for e in edges}
    [post] = [e for e in edges if e["source_label"] == "李新宇" and e["predicate"] == "holdsPosition"]
    assert (post["target_label"], post["title"], post["confidence"]) == ("拓维信息", "董事长", "0.85")
    assert "拓维信息董事长李新宇" in post["evidence_text"]


# -- RDF --------------------------------------------------------------------------------------------------------

def test_ntriples_is_the_same_graph_sorted(exports, sample_ttl, expected):
    data = (exports / "sample.nt").read_bytes()
    lines = data.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    assert set(store) == set(open_graph(sample_ttl))
    assert rdf_counts(exports / "sample.nt") == expected


def test_jsonld_is_the_same_graph(exports, sample_rdf, expected):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    g = Graph().parse(exports / "sample.jsonld", format="json-ld")
    assert isomorphic(g, sample_rdf)
    assert rdf_counts(exports / "sample.jsonld") == expected


# -- neo4j ------------------------------------------------------------------------------------------------------

HEADER = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*)?(?::(?:ID|LABEL|START_ID|END_ID|TYPE|IGNORE"
                    r"|(?:string|int|long|float|double|boolean|byte|short|char|date|datetime)(?:\[\])?))?$")


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_neo4j_files_are_valid_import_files(exports, expected):
    folder = exports / "sample.neo4j"
    ids, labels, node_kinds, rel_types = set(), set(), [], []
    for path in sorted(folder.glob("nodes_*.csv")):
        header, rows = read_table(path)
        assert all(HEADER.match(h) for h in header), header
        assert [h for h in header if h.endswith(":ID")] == ["iri:ID"] and ":LABEL" in header
        assert "confidence:float" in header and "evidence:string[]" in header
        for row in rows:
            group, kind = row[":LABEL"].split("|")
            assert group in ("Entity", "Event") and path.name == f"nodes_{kind}.csv"
            ids.add(row["iri:ID"])
            labels |= {group, kind}
            node_kinds.append(kind)
    for path in sorted(folder.glob("rels_*.csv")):
        header, rows = read_table(path)
        assert all(HEADER.match(h) for h in header), header
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"] and "confidence:float" in header
        for row in rows:
            assert row[":START_ID"] in ids and row[":END_ID"] in ids
            assert path.name == f"rels_{row[':TYPE']}.csv"
            rel_types.append(row[":TYPE"])
    nodes, edges = expected
    assert count(node_kinds) == nodes
    assert count(rel_types) == {rel_type(p): n for p, n in edges.items()}
    cypher = (folder / "load.cypher").read_text(encoding="utf-8")
    for label in labels:
        assert f"IF NOT EXISTS FOR (n:{label}) REQUIRE n.iri IS UNIQUE;" in cypher
    for path in folder.glob("*.csv"):
        assert f"LOAD CSV WITH HEADERS FROM 'file:///{path.name}' AS row" in cypher
    command = (folder / "import.sh").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in command and "--array-delimiter='|'" in command
    listed = re.findall(r"--(?:nodes|relationships)=(\S+)", command)
    assert sorted(listed) == sorted(p.name for p in folder.glob("*.csv"))
    assert "neo4j-admin database import full" in (folder / "README.txt").read_text(encoding="utf-8")


class FakeDriver:
    """Stands in for neo4j.GraphDatabase.driver: records each query and its rows (no Neo4j server runs here)."""

    def __init__(self, uri, auth=None, fail=None):
        self.uri, self.auth, self.fail, self.calls = uri, auth, fail, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def verify_connectivity(self):
        if self.fail:
            raise self.fail

    def execute_query(self, query, parameters=None, database_=None, **kwargs):
        self.calls.append((query, (parameters or {}).get("rows", [])))


def test_bolt_push_sends_every_node_and_relationship(sample_ttl, expected):
    drivers = []

    def factory(uri, auth=None):
        drivers.append(FakeDriver(uri, auth))
        return drivers[-1]

    summary = export(sample_ttl, "neo4j", None, bolt="bolt://db.example:7687", password="secret",
                     driver_factory=factory)
    [driver] = drivers
    assert driver.auth == ("neo4j", "secret") and summary.bolt == "bolt://db.example:7687"
    nodes, edges = expected
    merged = {}
    for query, rows in driver.calls:
        if m := re.search(r"SET n:(\w+),", query):
            merged[m.group(1)] = merged.get(m.group(1), 0) + len(rows)
        elif m := re.search(r"MERGE \(a\)-\[r:(\w+)", query):
            merged[m.group(1)] = merged.get(m.group(1), 0) + len(rows)
    assert merged == nodes | {rel_type(p): n for p, n in edges.items()}
    constraints = [q for q, _ in driver.calls if q.startswith("CREATE CONSTRAINT")]
    assert len(constraints) == len(nodes) + 2  # one per kind, plus Entity and Event
    assert driver.calls.index((constraints[-1], [])) < min(i for i, (q, _) in enumerate(driver.calls) if "UNWIND" in q)
    post = next(r for q, rows in driver.calls if "HOLDS_POSITION" in q for r in rows if r["source"] == LI)
    assert post["props"]["title"] == "董事长" and post["props"]["evidence"][0].startswith(ID + "doc/")


def test_unreachable_bolt_server_is_one_line_and_leaves_nothing(tmp_path, sample_ttl):
    out = tmp_path / "g.neo4j"
    result = kg("export", sample_ttl, "--to", "neo4j", out, "--bolt", "bolt://127.0.0.1:1")  # a closed local port
    assert result.exit_code == 1
    assert result.output.startswith("kg: error: bolt://127.0.0.1:1: cannot reach Neo4j: ")
    assert result.output.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_refused_login_names_the_fix(sample_ttl, monkeypatch):
    from neo4j.exceptions import AuthError

    monkeypatch.setattr("neo4j.GraphDatabase.driver", lambda uri, auth=None: FakeDriver(uri, auth, AuthError("bad")))
    result = kg("export", sample_ttl, "--to", "neo4j", "--bolt", "neo4j://localhost")
    assert result.exit_code == 1
    assert result.output == ("kg: error: neo4j://localhost: Neo4j refused the login: bad; "
                             "give --user and --password (or NEO4J_PASSWORD)\n")


def test_bolt_needs_neo4j_and_a_bolt_uri(sample_ttl, tmp_path):
    assert kg("export", sample_ttl, "--to", "csv", tmp_path / "x", "--bolt", "bolt://h").output == \
        "kg: error: --bolt works only with --to neo4j\n"
    assert kg("export", sample_ttl, "--to", "neo4j", "--bolt", "http://h:7474").output.startswith(
        "kg: error: http://h:7474: not a Bolt URI;")


# -- all formats: determinism, store input, safe writing ---------------------------------------------------------

def contents(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "ladybug"])
def test_same_bytes_every_time_and_from_a_store(tmp_path, exports, sample_store_dir, fmt):
    again = tmp_path / f"again{SUFFIX[fmt]}"
    export(sample_store_dir, fmt, again)
    first = contents(exports / f"sample{SUFFIX[fmt]}")
    assert list(contents(again).values()) == list(first.values()) and first


def test_cli_prints_a_one_line_summary(tmp_path, sample_ttl):
    result = kg("export", sample_ttl, "--to", "graphml", tmp_path / "g.graphml")
    assert result.exit_code == 0
    assert re.fullmatch(r"71 nodes \(Award 1, .*\), 73 edges \(founded 2, .*\) -> \S+g\.graphml in \d+\.\d s\n",
                        result.output)


@pytest.mark.parametrize("fmt", ["graphml", "csv", "neo4j"])
def test_existing_target_needs_force(tmp_path, sample_ttl, fmt):
    out = tmp_path / f"old{SUFFIX[fmt]}"
    if fmt == "graphml":
        out.write_text("old", encoding="utf-8")
    else:
        out.mkdir()
        (out / ("nodes.csv" if fmt == "csv" else "nodes_Person.csv")).write_text("old", encoding="utf-8")
    before = contents(out)
    result = kg("export", sample_ttl, "--to", fmt, out)
    assert result.exit_code == 1
    assert result.output == f"kg: error: {out}: already exists; use --force to replace it\n"
    assert contents(out) == before
    assert kg("export", sample_ttl, "--to", fmt, out, "--force").exit_code == 0
    assert contents(out) != before and sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_force_does_not_replace_a_folder_that_is_no_export(tmp_path, sample_ttl):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = kg("export", sample_ttl, "--to", "csv", tmp_path, "--force")
    assert result.exit_code == 1 and "refusing to replace something that is not a kg csv export" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_missing_graph_and_unknown_format(tmp_path):
    result = kg("export", tmp_path / "nope.ttl", "--to", "csv", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == f"kg: error: {tmp_path / 'nope.ttl'}: no such graph file or store directory\n"
    result = kg("export", tmp_path / "nope.ttl", "--to", "xml", tmp_path / "out")
    assert result.exit_code == 2 and "Invalid value for '--to'" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt, module", [("csv", "kg.export.files"), ("neo4j", "kg.export.neo4j"),
                                         ("ladybug", "kg.export.ladybug")])
def test_failure_midway_leaves_nothing_half_written(tmp_path, sample_ttl, monkeypatch, fmt, module):
    """The second table of the export fails after the first was written."""
    import importlib

    target = importlib.import_module(module)
    function = "_table" if fmt == "csv" else "_write"
    real, calls = getattr(target, function), []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, function, fail_on_second)
    out = tmp_path / f"new{SUFFIX[fmt]}"
    with pytest.raises(RuntimeError, match="disk on fire"):
        export(sample_ttl, fmt, out)
    assert list(tmp_path.iterdir()) == []
    old = tmp_path / f"old{SUFFIX[fmt]}"
    if fmt == "ladybug":
        old.write_bytes(b"old")
    else:
        old.mkdir()
    before = contents(old)
    calls.clear()
    with pytest.raises(RuntimeError):
        export(sample_ttl, fmt, old, force=True)
    assert contents(old) == before and sorted(p.name for p in tmp_path.iterdir()) == [old.name]


def test_a_list_value_holding_the_separator_is_refused():
    assert join(("拓维", "拓维信息")) == "拓维|拓维信息"
    with pytest.raises(KgError, match="contains the list separator"):
        join(("a|b",))
