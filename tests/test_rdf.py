"""RDF export: SHACL-valid, deterministic, traceable to sentences, safe IRIs."""

from __future__ import annotations

import random
import shutil
import string

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import ROOT, SAMPLE
from kg.graph import build_graph
from kg.pipeline import run
from kg.rdf import KG, iri_safe, serialize, to_rdf, write_rdf


def test_sample_graph_passes_the_shapes(sample_rdf):
    import pyshacl

    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    conforms, _, report = pyshacl.validate(sample_rdf, shacl_graph=shapes, inference="none")
    assert conforms, report


def test_same_input_gives_identical_bytes(tmp_path, sample_ttl):
    again = tmp_path / "again.ttl"
    write_rdf(build_graph(run([SAMPLE])), again)
    assert again.read_bytes() == sample_ttl.read_bytes()


def test_input_order_does_not_change_the_output(tmp_path):
    corpus = ROOT / "tests" / "corpus"
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".html", ".jsonl"))
    outputs = set()
    for seed in (1, 2):
        order = files[:]
        random.Random(seed).shuffle(order)
        folder = tmp_path / f"run{seed}"
        folder.mkdir()
        for i, f in enumerate(order):  # same files, different names and order on disk
            shutil.copy(f, folder / f"{i:02d}{f.suffix}")
        g = to_rdf(build_graph(run([folder / f"{i:02d}{f.suffix}" for i, f in enumerate(order)])))
        text = serialize(g, "nt").decode()
        outputs.add("\n".join(line for line in text.splitlines() if "/kg/ontology#path>" not in line))
    assert len(outputs) == 1


def test_turtle_round_trip_is_isomorphic(sample_rdf, sample_ttl):
    g = to_rdf(build_graph(run([SAMPLE])))
    assert isomorphic(g, sample_rdf)
    assert isomorphic(Graph().parse(data=serialize(g, "nt").decode(), format="nt"), g)


def test_every_sentence_offset_points_at_its_text(sample_rdf):
    raw = (SAMPLE / "seed.txt").read_text(encoding="utf-8")
    sentences = list(sample_rdf.subjects(predicate=KG.startOffset))
    assert sentences
    for s in sentences:
        start = sample_rdf.value(s, KG.startOffset).toPython()
        end = sample_rdf.value(s, KG.endOffset).toPython()
        assert raw[start:end] == str(sample_rdf.value(s, KG.text))


def test_a_position_is_queryable_with_its_title(sample_rdf):
    rows = set(sample_rdf.query("""
        SELECT ?title WHERE { ?p a kg:Position ; kg:title ?title ;
          kg:holder/rdfs:label "李新宇" ; kg:organization/rdfs:label "拓维信息" }""", initNs={"kg": KG}))
    assert rows == {(Literal("董事长"),)}


def test_base_iri_is_configurable(sample_graph):
    g = to_rdf(sample_graph, base="http://example.org/news/")
    subjects = {str(s) for s in g.subjects() if isinstance(s, URIRef)}
    assert subjects and all(s.startswith("http://example.org/news/") for s in subjects)
    assert URIRef("http://example.org/news/company/拓维信息") in set(g.subjects())


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_iri_safe_keeps_only_iri_characters(name):
    safe = iri_safe(name)
    allowed = set(string.ascii_letters + string.digits + "-._~/%")
    assert all(c in allowed or (ord(c) > 127 and c.isalnum()) for c in safe)
    assert URIRef("https://w3id.org/kg/id/x/" + safe).n3()


def test_written_files_follow_the_umask_like_any_other_file(tmp_path):
    import os

    from kg.io import atomic_write

    out = tmp_path / "g.ttl"
    old = os.umask(0o022)
    try:
        atomic_write(out, b"data")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644 and out.read_bytes() == b"data"


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_TERM = st.one_of(
    st.builds(lambda s: f"<https://w3id.org/kg/id/{iri_safe(s)}>", _TEXT),
    st.sampled_from([f"<{KG}Company>", f"<{KG}confidence>", "<http://www.w3.org/2000/01/rdf-schema#label>"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TERM, _TERM, st.one_of(_TERM, _TEXT)), max_size=25))
def test_turtle_and_ntriples_written_from_lines_are_the_same_graph(tmp_path_factory, rows):
    """The streaming writers (used for every build) escape any text and group by subject correctly."""
    import pyoxigraph as ox

    from kg.io import sorted_unique
    from kg.rdf import _lit, write_lines

    lines = [f"{s} {p} {o if o.startswith('<') else _lit(o)} ." for s, p, o in rows]
    folder = tmp_path_factory.mktemp("lines")
    graphs = []
    for suffix in ("nt", "ttl", "jsonld"):
        path = folder / f"g.{suffix}"
        assert write_lines(sorted_unique(lines, chunk=7), path) == len(set(lines))
        store = ox.Store()
        store.load(path=str(path))
        graphs.append({q.triple for q in store})
    expected = {q.triple for q in ox.parse("\n".join(lines), format=ox.RdfFormat.N_TRIPLES)}
    assert graphs == [expected] * 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=6),
                max_size=60), st.integers(1, 9))
def test_sorting_in_runs_on_disk_equals_sorting_in_memory(lines, chunk):
    from kg.io import sorted_unique

    assert list(sorted_unique(lines, chunk=chunk)) == sorted(set(lines))
