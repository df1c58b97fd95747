"""The generated benchmark corpus (benchmarks/corpus.py): the scale figures are only worth
something if its articles are the same every run, new when asked for more, and real input for kg."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import opencc
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "corpus.py"


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("benchmark_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()


def generate(out: Path, n: int, *options: str) -> bytes:
    """Run the script as a user would; return the bytes it wrote."""
    subprocess.run([sys.executable, str(SCRIPT), str(n), "-o", str(out), *options], check=True,
                   capture_output=True)
    return out.read_bytes()


def records(data: bytes) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def generator():
    return corpus.Generator(seed=0)


@pytest.fixture(scope="module")
def first_articles(generator):
    """Articles 0..149 with what each one names."""
    return [generator.article(k) for k in range(150)]


def test_same_seed_gives_the_same_bytes(tmp_path):
    first = generate(tmp_path / "a.jsonl.gz", 40, "--seed", "3")
    again = generate(tmp_path / "elsewhere.jsonl.gz", 40, "--seed", "3")
    other_seed = generate(tmp_path / "b.jsonl.gz", 40, "--seed", "4")
    assert first == again
    assert records(first) != records(other_seed)


def test_every_line_is_an_article(tmp_path):
    lines = records(generate(tmp_path / "c.jsonl.gz", 200))
    assert len(lines) == 200
    for record in lines:
        assert set(record) == {"text", "title", "date", "source", "url"}
        assert record["text"].strip() and record["title"].strip() and record["source"]
        assert len(record["date"]) == 10 and record["date"][4] == "-"
        assert 200 <= len(record["text"]) <= 1100
    assert len({r["text"] for r in lines}) == 200, "articles must not be copies of each other"


def test_some_articles_are_traditional(tmp_path):
    to_traditional = opencc.OpenCC("s2t")
    lines = records(generate(tmp_path / "t.jsonl.gz", 200))
    traditional = [r for r in lines if to_traditional.convert(r["text"]) == r["text"]]
    assert 5 <= len(traditional) <= 50  # about 10%


def test_start_continues_the_same_sequence(tmp_path):
    whole = records(generate(tmp_path / "whole.jsonl.gz", 30))
    head = records(generate(tmp_path / "head.jsonl.gz", 20))
    tail = records(generate(tmp_path / "tail.jsonl.gz", 10, "--start", "20"))
    assert head + tail == whole
    assert not {r["text"] for r in tail} & {r["text"] for r in head}


def test_later_articles_are_new_but_name_the_same_companies(generator, first_articles):
    later = [generator.article(k) for k in range(100_000, 100_150)]
    assert not {r["text"] for r, _ in later} & {r["text"] for r, _ in first_articles}
    early_companies = {c for _, used in first_articles for c in used["companies"]}
    later_companies = {c for _, used in later for c in used["companies"]}
    assert len(early_companies & later_companies) >= 10


def test_popular_companies_recur_and_most_are_rare(first_articles):
    per_company = Counter(short for _, used in first_articles for _, short in used["companies"])
    assert per_company.most_common(1)[0][1] >= 15  # a hub: in at least 10% of the articles
    assert sum(1 for n in per_company.values() if n <= 2) > len(per_company) / 2


def test_kg_ingest_reads_the_generated_files(tmp_path, generator):
    from kg.ingest import read_documents

    expected = [generator.article(k)[0] for k in range(25)]
    for name in ("plain.jsonl", "packed.jsonl.gz"):
        corpus.write(tmp_path / name, 25)
        articles = list(read_documents([tmp_path / name]))
        assert [a.raw for a in articles] == [r["text"] for r in expected]
        assert [(a.title, a.published, a.source, a.url) for a in articles] == \
               [(r["title"], r["date"], r["source"], r["url"]) for r in expected]


@pytest.fixture(scope="module")
def resolved(tmp_path_factory, first_articles):
    from kg.pipeline import run

    path = tmp_path_factory.mktemp("generated") / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r, _ in first_articles), encoding="utf-8")
    return run([path])


def _names(resolved, kind: str) -> dict[str, set[str]]:
    """Every name and alias of an entity of ``kind`` -> the ids of the entities it names."""
    ids = defaultdict(set)
    for entity in resolved.entities:
        if entity.type == kind:
            for name in (entity.name, *entity.aliases):
                ids[name].add(entity.id)
    return ids


def test_kg_finds_the_invented_companies_and_persons(resolved, first_articles):
    companies = _names(resolved, "Company")
    persons = _names(resolved, "Person")
    named = {c for _, used in first_articles for c in used["companies"]}
    found = [(full, short) for full, short in named if full in companies or short in companies]
    assert len(found) >= 0.6 * len(named)
    people = {p for _, used in first_articles for p in used["persons"]}
    assert len([p for p in people if p in persons]) >= 0.6 * len(people)


def test_kg_finds_the_partnerships(resolved, first_articles):
    companies = _names(resolved, "Company")
    full_name = {short: full for _, used in first_articles for full, short in used["companies"]}
    partners = {(r.subject, r.object) for r in resolved.relations if r.predicate == "partnerOf"}

    def ids(short: str) -> set[str]:
        return companies.get(short, set()) | companies.get(full_name[short], set())

    pairs = {pair for _, used in first_articles for pair in used["partners"]}
    linked = [(a, b) for a, b in pairs
              if any((x, y) in partners or (y, x) in partners for x in ids(a) for y in ids(b))]
    assert len(pairs) >= 50
    assert len(linked) >= 0.2 * len(pairs)
