"""Builds at scale: parallel and Dask builds give the same bytes, a store updated article by
article equals one built in one go, documents can be taken out, and neither a killed build, a full
disk nor an unwritable output ever leaves a broken store or a half-written file."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, SAMPLE
from kg.errors import KgError
from kg.store import check_store, database

# Invented articles in three batches (tests/corpus: the a-, b- and c-sets, plus the demo sample).
BATCHES = {
    "one": [SAMPLE / "seed.txt", CORPUS / "a01.txt", CORPUS / "a03.txt", CORPUS / "a08.jsonl"],
    "two": [CORPUS / "b01.txt", CORPUS / "b02.txt", CORPUS / "a07.html", CORPUS / "b05.txt"],
    "three": [CORPUS / "c01.txt", CORPUS / "c04.txt", CORPUS / "b08.jsonl"],
}


def kg(*args, check=True, **options) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                          **options)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def batch(tmp_path: Path, *names: str) -> Path:
    """A folder holding the articles of the named batches (copies)."""
    folder = tmp_path / f"in-{'-'.join(names)}"
    folder.mkdir(exist_ok=True)
    for name in names:
        for path in BATCHES[name]:
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> list[Path]:
    """Folders one/, two/ and three/: a document's path is part of the graph, so builds that are
    compared read the same folders."""
    root = tmp_path_factory.mktemp("articles")
    return [batch(root, name).rename(root / name) for name in BATCHES]


def triples(store: Path) -> set[str]:
    db = ox.Store.read_only(str(database(store)))
    return {str(q.triple) for q in db.quads_for_pattern(None, None, None, None)}


@pytest.fixture(scope="module")
def one_go(batches, tmp_path_factory) -> Path:
    """The whole corpus built in one process: the reference."""
    out = tmp_path_factory.mktemp("ref") / "graph.nt"
    kg("build", *batches, "-o", out, "--quiet")
    return out


def test_two_processes_give_the_same_bytes(batches, one_go, tmp_path):
    for suffix in ("nt", "ttl"):
        one, two = tmp_path / f"one.{suffix}", tmp_path / f"two.{suffix}"
        kg("build", *batches, "-o", one, "--jobs", "1", "--quiet")
        kg("build", *batches, "-o", two, "--jobs", "2", "--quiet")
        assert one.read_bytes() == two.read_bytes()
    assert (tmp_path / "two.nt").read_bytes() == one_go.read_bytes()


def test_a_dask_cluster_gives_the_same_bytes(batches, one_go, tmp_path):
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        out = tmp_path / "dask.nt"
        done = kg("build", *batches, "-o", out, "--engine", "dask", "--scheduler", cluster.scheduler_address)
        assert out.read_bytes() == one_go.read_bytes()
        assert "documents added" in done.stderr


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    done = kg("build", SAMPLE, "-o", tmp_path / "x.nt", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
              check=False)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "Dask scheduler" in done.stderr
    assert not (tmp_path / "x.nt").exists()


def test_adding_articles_to_a_store_equals_building_them_together(batches, one_go, tmp_path):
    store = tmp_path / "graph.store"
    kg("build", batches[0], "--store", store, "--quiet")
    kg("build", batches[1], "--store", store, "--quiet")
    kg("build", batches[2], "--store", store, "-o", tmp_path / "after.nt", "--quiet")
    assert (tmp_path / "after.nt").read_bytes() == one_go.read_bytes()
    reference = tmp_path / "ref.store"
    kg("build", *batches, "--store", reference, "--quiet")
    assert triples(store) == triples(reference)
    assert check_store(store).startswith("ok: ")


def test_an_article_seen_before_changes_nothing(tmp_path):
    store = tmp_path / "graph.store"
    kg("build", batch(tmp_path, "one"), "--store", store, "--quiet")
    before, generation = triples(store), os.readlink(store / "current")
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(SAMPLE / "seed.txt", again / "renamed copy.txt")  # same content under another name
    done = kg("build", again, "--store", store)
    assert "0 documents added, 1 already there" in done.stderr
    assert triples(store) == before
    assert os.readlink(store / "current") == generation  # nothing to write: no new generation


def test_removing_a_document_takes_out_what_only_it_supported(tmp_path):
    store = tmp_path / "graph.store"
    kg("build", batch(tmp_path, "one", "two"), "--store", store, "--quiet")
    kg("remove", store, "--doc", tmp_path / "in-one-two" / "b01.txt", "--quiet")
    reference = tmp_path / "ref.store"
    kept = batch(tmp_path, "one", "two")
    (kept / "b01.txt").unlink()
    kg("build", kept, "--store", reference, "--quiet")
    assert triples(store) == triples(reference)
    assert check_store(store) == check_store(reference)


def test_a_document_shared_fact_survives_the_removal_of_one_source(tmp_path):
    folder = tmp_path / "two-sources"
    folder.mkdir()
    (folder / "a.txt").write_text("岷江云图科技有限公司董事长邓远山表示,公司将扩大生产。", encoding="utf-8")
    (folder / "b.txt").write_text("记者获悉,岷江云图科技有限公司董事长邓远山日前出席了签约仪式。", encoding="utf-8")
    store = tmp_path / "s.store"
    kg("build", folder, "--store", store, "--quiet")
    ask = ("ASK { ?p rdfs:label \"邓远山\" . ?p kg:holdsPosition ?c . ?c rdfs:label \"岷江云图科技有限公司\" }")
    count = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }"
    assert kg("query", store, ask).stdout.strip() == "true"
    documents = kg("query", store, "SELECT ?h WHERE { ?d a kg:Document ; kg:path ?p ; kg:contentHash ?h } ORDER BY ?p",
                   "-f", "csv").stdout.split()[1:]
    kg("remove", store, "--doc", documents[0][:12], "--quiet")
    assert kg("query", store, ask).stdout.strip() == "true"
    assert kg("query", store, count, "-f", "csv").stdout.split()[1] == "1"
    kg("remove", store, "--doc", documents[1], "--quiet")
    assert kg("query", store, ask).stdout.strip() == "false"


def test_removing_an_unknown_document_is_one_line(tmp_path):
    store = tmp_path / "s.store"
    kg("build", SAMPLE, "--store", store, "--quiet")
    before = triples(store)
    done = kg("remove", store, "--doc", "0123456789abcdef", check=False)
    assert done.returncode == 1 and done.stderr.startswith("kg: error: 0123456789abcdef: no such document")
    assert triples(store) == before


def test_a_store_loaded_from_a_graph_file_cannot_take_articles(sample_store_dir, tmp_path):
    store = tmp_path / "copy.store"
    shutil.copytree(sample_store_dir, store, symlinks=True)
    done = kg("build", SAMPLE, "--store", store, check=False)
    assert done.returncode == 1 and "has no ledger" in done.stderr


def test_a_second_writer_is_refused_while_the_first_works(tmp_path):
    store = tmp_path / "s.store"
    kg("build", SAMPLE, "--store", store, "--quiet")
    with open(store / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = kg("build", batch(tmp_path, "two"), "--store", store, check=False)
    assert done.returncode == 1 and "another kg command is updating this store" in done.stderr
    assert check_store(store).startswith("ok: 1 documents")


# -- faults ---------------------------------------------------------------------------------------


def test_twenty_random_kills_never_leave_a_broken_store(tmp_path):
    """SIGKILL at random moments of three updates in turn: after each kill the store passes its
    check and is exactly as before the update or after it; a rerun finishes the job."""
    rng = random.Random(20261125)
    folders = [batch(tmp_path, name) for name in ("one", "two", "three")]
    states = [set()]
    reference = tmp_path / "ref.store"
    durations = []
    for folder in folders:
        started = time.perf_counter()
        kg("build", folder, "--store", reference, "--quiet")
        durations.append(time.perf_counter() - started)
        states.append(triples(reference))
    store = tmp_path / "killed.store"
    step, kills, outcomes = 0, 0, set()
    while kills < 20:
        index = step % 3
        if index == 0 and store.exists():
            shutil.rmtree(store)  # start the three updates again from an empty store
        process = subprocess.Popen([sys.executable, "-m", "kg", "build", str(folders[index]), "--store", str(store),
                                    "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.0, durations[index] * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        now = triples(store) if (store / "current").exists() else set()
        assert now in (states[index], states[index + 1]), f"kill {kills}: the store is between two states"
        outcomes.add(now == states[index + 1])
        if now:
            assert check_store(store).startswith("ok: ")
        kg("build", folders[index], "--store", store, "--quiet")  # the rerun
        assert triples(store) == states[index + 1]
        step += 1
    assert False in outcomes, "no kill landed before the update was committed: the test proved nothing"


_DIE = """
import os, sys
import kg.ledger, kg.store
from kg.pipeline import build_into

def die(*args, **kwargs):
    os._exit(9)  # as abrupt as SIGKILL: no cleanup, no rollback

if sys.argv[1] == "before-commit":
    kg.ledger.Ledger.commit = die
else:
    kg.store._make_current = die
build_into([sys.argv[2]], store=sys.argv[3])
"""


@pytest.mark.parametrize("moment", ["before-commit", "after-commit"])
def test_a_build_killed_either_side_of_the_ledger_commit_is_undone_or_finished(tmp_path, moment):
    """The two moments a random kill rarely hits: the new generation is on disk and the ledger is
    about to commit, or has committed and the link is not yet switched."""
    one, two = batch(tmp_path, "one"), batch(tmp_path, "two")
    reference, store = tmp_path / "ref.store", tmp_path / "killed.store"
    for target in (reference, store):
        kg("build", one, "--store", target, "--quiet")
    before = triples(store)
    kg("build", two, "--store", reference, "--quiet")
    after = triples(reference)
    died = subprocess.run([sys.executable, "-c", _DIE, moment, str(two), str(store)], capture_output=True, text=True)
    assert died.returncode == 9, died.stderr
    assert triples(store) == before  # readers still see the generation that was current
    assert check_store(store).startswith("ok: ")  # finishes or undoes what the writer left
    assert triples(store) == (before if moment == "before-commit" else after)
    done = kg("build", two, "--store", store)  # the rerun
    assert triples(store) == after
    if moment == "after-commit":
        assert "0 documents added, 4 already there" in done.stderr
    assert sorted(p.name for p in store.glob("ledger-*")) == ["ledger-000001.sqlite"]


def _in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a shell script in a private mount namespace (so it may mount a small filesystem)."""
    return subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(Path.cwd())})


@pytest.mark.parametrize("target", ["-o disk/graph.nt", "--store disk/graph.store"])
def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, target):
    (tmp_path / "disk").mkdir()
    script = (f"mount -t tmpfs -o size=48k tmpfs disk || exit 99; "
              f"{sys.executable} -m kg build {SAMPLE} {target}; echo \"exit=$?\"; ls -A disk")
    done = _in_namespace(script, tmp_path)
    lines = done.stdout.split("\n")
    assert "exit=1" in lines, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("kg:")]
    assert len(errors) == 1 and ("No space left on device" in errors[0] or "disk is full" in errors[0]), done.stderr
    assert errors[0].startswith(f"kg: error: {target.split()[1]}: cannot write"), errors
    leftovers = [name for name in lines[lines.index("exit=1") + 1:] if name]
    assert leftovers in ([], ["graph.store"]), leftovers  # never a half-written file
    if leftovers:
        assert "current" not in done.stdout  # a store folder with no finished generation


def test_an_unwritable_output_is_one_line(tmp_path):
    (tmp_path / "ro").mkdir()
    script = (f"mount -t tmpfs -o ro,size=64k tmpfs ro || exit 99; "
              f"{sys.executable} -m kg build {SAMPLE} -o ro/graph.ttl; echo \"exit=$?\"")
    done = _in_namespace(script, tmp_path)
    assert "exit=1" in done.stdout, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("kg:")]
    assert errors == ["kg: error: ro/graph.ttl: cannot write output: Read-only file system"], done.stderr


# -- the ledger: any order of batches and removals gives the same graph --------------------------


@lru_cache(maxsize=1)
def _facts():
    from kg.pipeline import documents
    from kg.extract import extract
    from kg.resolve import digest

    paths = [p for name in ("one", "two", "three") for p in BATCHES[name]]
    return tuple(digest(extract(d)) for d in documents(paths))


@lru_cache(maxsize=1)
def _one_go() -> frozenset[str]:
    from kg.ledger import Ledger

    ledger = Ledger(":memory:", "https://w3id.org/kg/id/")
    for f in _facts():
        ledger.add(f)
    ledger.update()
    return frozenset(ledger.all_lines())


def test_the_ledger_gives_the_graph_the_library_api_gives():
    """``kg build`` resolves through the ledger's summed tables, ``kg.resolve`` in memory: same graph."""
    from kg.extract import extract
    from kg.graph import build_graph
    from kg.pipeline import documents
    from kg.rdf import graph_lines
    from kg.resolve import resolve

    paths = [p for name in ("one", "two", "three") for p in BATCHES[name]]
    in_memory = graph_lines(build_graph(resolve(extract(d) for d in documents(paths))))
    assert set(in_memory) == _one_go()


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_any_order_of_additions_and_removals_gives_the_same_graph(data):
    from kg.ledger import Ledger

    facts = list(_facts())
    order = data.draw(st.permutations(range(len(facts))))
    cuts = sorted(data.draw(st.sets(st.integers(1, len(facts) - 1), max_size=4)))
    removed_early = data.draw(st.sets(st.sampled_from(range(len(facts))), max_size=3))
    ledger = Ledger(":memory:", "https://w3id.org/kg/id/")
    graph: set[str] = set()

    def apply() -> None:
        nonlocal graph
        gone, new, whole = ledger.update()
        graph = set(ledger.all_lines()) if whole else (graph - gone) | new
        ledger.commit()
        assert graph == set(ledger.all_lines())
        assert ledger.counts == ledger.recount()  # the summary's figures, kept up to date

    for start, end in zip([0, *cuts], [*cuts, len(facts)]):
        for i in order[start:end]:
            ledger.add(facts[i])
        apply()
        for i in sorted(removed_early & set(order[:end])):
            ledger.remove(facts[i].id)
        if removed_early & set(order[:end]):
            apply()
            for i in sorted(removed_early & set(order[:end])):
                ledger.add(facts[i])
            apply()
    assert graph == _one_go()


def test_a_ledger_from_another_base_is_refused(tmp_path):
    from kg.ledger import Ledger

    first = Ledger(tmp_path / "l.sqlite", "https://example.org/a/")
    first.commit()
    first.close()
    with pytest.raises(KgError, match="base"):
        Ledger(tmp_path / "l.sqlite", "https://example.org/b/")
