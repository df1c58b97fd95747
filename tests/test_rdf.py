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
