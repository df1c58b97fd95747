"""kg serve under load: 32 keep-alive clients on the saved queries for a few seconds while pathological
queries run into the time limit. The harness is benchmarks/serve_load.py's; here it checks answers only."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import ROOT

CLIENTS = 32
SECONDS = 10.0
TIME_LIMIT = 2.0  # the saved queries take milliseconds on the sample; the pathological ones never end


def _harness():
    spec = importlib.util.spec_from_file_location("serve_load", ROOT / "benchmarks" / "serve_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


load = _harness()


@pytest.fixture(scope="module")
def jobs(sample_store_dir):
    return load.saved_jobs(sample_store_dir)


@pytest.fixture(scope="module")
def loaded(sample_store_dir, jobs):
    """One run of the harness: ``kg serve`` as a subprocess with 2 workers, 32 clients, pathological
    queries one after another."""
    with load.serving(sample_store_dir, workers=2, timeout=TIME_LIMIT) as server:
        run = load.run_load(server, jobs, clients=CLIENTS, duration=SECONDS, every=TIME_LIMIT)
    return server, run


def test_every_saved_query_is_asked_plain_and_with_values_from_the_graph(jobs):
    saved = sorted(p.name for p in load.QUERIES.glob("*.rq"))
    assert sorted({j.query for j in jobs}) == saved
    plain = {j.query: j.rows for j in jobs if j.name == j.query}
    assert all(rows > 0 for rows in plain.values())  # so a wrong count cannot pass as "no rows"
    bound = [j for j in jobs if j.name != j.query]
    assert {j.query for j in bound} >= {"positions.rq", "party-bodies.rq"}
    assert all(0 < j.rows <= plain[j.query] for j in bound)  # a value from the graph narrows the answer
    assert any(j.rows < plain[j.query] for j in bound)


def test_no_normal_request_fails_and_every_answer_is_right(loaded, jobs):
    server, run = loaded
    failures = [a.failure for a in run.failures]
    assert failures == [], f"{len(failures)} of {len(run.answers)} failed, e.g. {failures[:3]}; log: {server.log[-5:]}"
    assert {a.query for a in run.answers} == {j.query for j in jobs}
    assert len(run.answers) >= CLIENTS  # every client was answered, at least once


def test_each_pathological_query_gets_the_time_limit_answer_while_others_are_answered(loaded):
    _, run = loaded
    assert {p.name for p in run.probes} == set(load.PATHOLOGICAL)
    for probe in run.probes:
        assert probe.status == 503, probe
        assert probe.message.startswith(f"query exceeded the time limit of {TIME_LIMIT:g} s; narrow it"), probe
        assert run.answered_during(probe) > 0, probe


def test_killed_workers_were_replaced(loaded):
    _, run = loaded
    assert len(run.workers_after) == len(run.workers_before) == 2
    assert set(run.workers_after) != set(run.workers_before)
