"""The kg command: one clear error line, a non-zero exit, and no half-written output."""

from __future__ import annotations

import json

import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT, SAMPLE
from kg.cli import main


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_build_writes_graph_and_summary(tmp_path):
    out = tmp_path / "out.ttl"
    result = kg("build", SAMPLE, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("@prefix")
    assert "1 documents" in result.output and "Person" in result.output and "relations" in result.output


@pytest.mark.parametrize("suffix, first_line", [(".nt", "<https://w3id.org/kg/id/"), (".jsonld", "[")])
def test_build_format_follows_the_extension(tmp_path, suffix, first_line):
    out = tmp_path / f"out{suffix}"
    assert kg("build", SAMPLE, "-o", out, "--quiet").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(first_line)


def bad_inputs(tmp_path):
    cases = {}
    (tmp_path / "empty.txt").write_bytes(b"")
    cases["empty"] = (tmp_path / "empty.txt", "empty file")
    (tmp_path / "binary.txt").write_bytes(b"\x7fELF\x00\x00\x01")
    cases["binary"] = (tmp_path / "binary.txt", "binary file, not text (contains NUL bytes)")
    (tmp_path / "latin.txt").write_bytes(b"ok\n" + bytes(range(0x80, 0xff)) * 2)
    cases["undecodable"] = (tmp_path / "latin.txt", "2:1: not UTF-8, GB18030 or Big5 text (byte 0x80); try --encoding")
    (tmp_path / "page.html").write_text("<html><script>1</script><nav>首页</nav>", encoding="utf-8")
    cases["html"] = (tmp_path / "page.html", "no article text found in HTML")
    cases["missing"] = (tmp_path / "nope.txt", "no such file or folder")
    return cases


@pytest.mark.parametrize("case", ["empty", "binary", "undecodable", "html", "missing"])
def test_bad_input_gives_one_line_and_no_output(tmp_path, case):
    path, message = bad_inputs(tmp_path)[case]
    out = tmp_path / "out.ttl"
    result = kg("build", SAMPLE, path, "-o", out)
    assert result.exit_code == 1
    assert result.output == f"kg: error: {path}: {message}\n" if not message[0].isdigit() else \
        result.output == f"kg: error: {path}:{message}\n"
    assert not out.exists()
    assert not list(tmp_path.glob(".out.ttl.*"))


def test_existing_output_is_untouched_when_the_build_fails(tmp_path):
    out = tmp_path / "out.ttl"
    out.write_text("previous graph", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    assert kg("build", tmp_path / "empty.txt", "-o", out).exit_code == 1
    assert out.read_text(encoding="utf-8") == "previous graph"


def test_unknown_output_format_fails_before_any_work(tmp_path):
    result = kg("build", SAMPLE, "-o", tmp_path / "out.xyz")
    assert result.exit_code == 1
    assert result.output == f"kg: error: {tmp_path / 'out.xyz'}: unknown output format '.xyz'; use .ttl, .nt or .jsonld\n"


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "g.ttl"
    assert kg("build", SAMPLE, "-o", out, "--quiet").exit_code == 0
    return out


def test_query_outputs(graph_file):
    table = kg("query", graph_file, ROOT / "ontology" / "queries" / "positions.rq")
    assert table.exit_code == 0 and "李新宇" in table.output and "董事长" in table.output
    csv = kg("query", graph_file, 'SELECT ?n WHERE { ?x rdfs:label ?n } ORDER BY ?n LIMIT 1', "-f", "csv")
    assert csv.output.splitlines()[0] == "n"
    js = kg("query", graph_file, 'ASK { ?x rdfs:label "华为" }', "-f", "json")
    assert json.loads(js.output)["boolean"] is True
    ask = kg("query", graph_file, 'ASK { ?x rdfs:label "华为" }')
    assert ask.output == "true\n"
    graph = kg("query", graph_file, 'CONSTRUCT { ?x rdfs:label ?n } WHERE { ?x a kg:Person ; rdfs:label ?n }', "-f", "nt")
    assert graph.exit_code == 0 and all(line.endswith(" .") for line in graph.output.splitlines())
    bound = kg("query", graph_file, ROOT / "ontology" / "queries" / "positions.rq", "-f", "csv", "-p", "person=李新宇")
    assert [r.split(",")[0] for r in bound.output.splitlines()[1:]] == ["李新宇"] * (len(bound.output.splitlines()) - 1)
    assert len(bound.output.splitlines()) >= 2


def test_build_writes_a_store_that_query_and_stats_read(tmp_path, graph_file):
    store = tmp_path / "g.store"
    assert kg("build", SAMPLE, "--store", store, "--quiet").exit_code == 0
    on_store = kg("query", store, ROOT / "ontology" / "queries" / "positions.rq", "-f", "csv")
    on_file = kg("query", graph_file, ROOT / "ontology" / "queries" / "positions.rq", "-f", "csv")
    assert on_store.exit_code == 0 and on_store.output == on_file.output
    assert kg("stats", store).output == kg("stats", graph_file).output
    again = kg("build", SAMPLE, "--store", store, "--quiet")  # a kg store is replaced whole
    assert again.exit_code == 0 and kg("stats", store).output == kg("stats", graph_file).output


def test_build_refuses_to_replace_a_folder_that_is_not_a_store(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", encoding="utf-8")
    result = kg("build", SAMPLE, "--store", folder, "--quiet")
    assert result.exit_code == 1 and "not a kg store" in result.output
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]  # no temporary folder left


def test_a_damaged_store_is_one_clear_line(tmp_path, sample_store_dir):
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(sample_store_dir, damaged)
    (damaged / "current" / "oxigraph" / "CURRENT").unlink()
    result = kg("stats", damaged)
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "damaged or incomplete" in result.output


def test_build_needs_an_output(tmp_path):
    result = kg("build", SAMPLE)
    assert result.exit_code == 2 and "--store" in result.output


def test_query_on_a_missing_graph_or_a_folder_that_is_not_a_store(tmp_path):
    missing = kg("query", tmp_path / "nope.ttl", "ASK {}")
    assert missing.exit_code == 1 and "no such graph file or store" in missing.output
    folder = kg("query", tmp_path, "ASK {}")
    assert folder.exit_code == 1 and "not a kg store" in folder.output


def test_invalid_query_names_line_and_column(graph_file):
    result = kg("query", graph_file, "SELECT ?x WHERE { ?x ?p }")
    assert result.exit_code == 1
    assert result.output.startswith("kg: error: <query>:1:") and "invalid SPARQL" in result.output
    assert result.output.count("\n") == 1


def test_query_on_a_file_that_is_not_a_graph(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    result = kg("query", bad, "ASK {}")
    assert result.exit_code == 1 and result.output.startswith(f"kg: error: {bad}:1:1: cannot parse graph")
    assert result.output.count("\n") == 1


def test_stats(graph_file):
    result = kg("stats", graph_file)
    assert result.exit_code == 0
    assert any(line.split()[:2] == ["class", "Company"] for line in result.output.splitlines())
    assert any(line.split()[:2] == ["relation", "holdsPosition"] for line in result.output.splitlines())


def test_eval_prints_per_type_and_per_predicate(tmp_path):
    result = kg("eval", ROOT / "tests" / "corpus")
    assert result.exit_code == 0, result.output
    assert "micro-average" in result.output and "holdsPosition" in result.output and "Person" in result.output


def test_min_confidence_drops_weak_facts(tmp_path):
    low, high = tmp_path / "low.ttl", tmp_path / "high.ttl"
    assert kg("build", SAMPLE, "-o", low, "--quiet").exit_code == 0
    assert kg("build", SAMPLE, "-o", high, "--quiet", "--min-confidence", "0.8").exit_code == 0
    assert 0 < high.stat().st_size < low.stat().st_size


def test_user_lexicon_adds_names(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("今年,星河湾与本地企业合作紧密。", encoding="utf-8")
    terms = tmp_path / "terms.txt"
    terms.write_text("# my names\n星河湾\tCompany\n", encoding="utf-8")
    out = tmp_path / "a.ttl"
    assert kg("build", article, "-o", out, "--lexicon", terms, "--quiet").exit_code == 0
    assert '"星河湾"' in out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("星河湾\tShip\n", encoding="utf-8")
    result = kg("build", article, "-o", out, "--lexicon", bad)
    assert result.exit_code == 1 and f"{bad}:1: expected 'name<TAB>type'" in result.output


def test_python_dash_m_kg_works():
    result = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "build" in result.stdout and "query" in result.stdout
