from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples"
CORPUS = ROOT / "tests" / "corpus"
DEV = ROOT.parent / "shared" / "dev"


@pytest.fixture(scope="session")
def sample_resolved():
    from kg.pipeline import run

    return run([SAMPLE])


@pytest.fixture(scope="session")
def sample_graph(sample_resolved):
    from kg.graph import build_graph

    return build_graph(sample_resolved)


@pytest.fixture(scope="session")
def sample_ttl(tmp_path_factory, sample_graph):
    from kg.rdf import write_rdf

    out = tmp_path_factory.mktemp("sample") / "sample.ttl"
    write_rdf(sample_graph, out)
    return out


@pytest.fixture(scope="session")
def sample_rdf(sample_ttl):
    from rdflib import Graph

    return Graph().parse(sample_ttl)


@pytest.fixture(scope="session")
def sample_store_dir(tmp_path_factory, sample_ttl):
    """The sample graph in an on-disk Oxigraph store, as ``kg build --store`` writes it."""
    import pyoxigraph as ox

    from kg.store import write_store

    out = tmp_path_factory.mktemp("store") / "sample-store"
    write_store(sample_ttl.read_bytes(), ox.RdfFormat.TURTLE, out)
    return out
