"""kg serve: a real endpoint on the sample graph, asked by SPARQLWrapper and by plain HTTP."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import RDFS, Graph, Literal
from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, RDFXML, TURTLE, URLENCODED, XML, SPARQLWrapper

from conftest import ROOT
from kg.cli import main
from kg.errors import KgError
from kg.serve import is_update, make_server, negotiate, uses_service
from kg.store import write_store

QUERIES = ROOT / "ontology" / "queries"
SAVED = sorted(p.name for p in QUERIES.glob("*.rq"))
POSITIONS = (QUERIES / "positions.rq").read_text(encoding="utf-8")
HUAWEI = 'CONSTRUCT WHERE { ?c rdfs:label "华为" ; ?p ?o }'
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
# Four copies of every triple joined with each other: far beyond any time limit here.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON_TYPE = "application/sparql-results+json"

EXPECTED = {
    "positions.rq": [("李新宇", "董事长", "拓维信息"), ("杨峥嵘", "专职副书记", "长沙高新区企业党委")],
    "party-bodies.rq": [("拓维信息", "拓维信息党支部")],
    "guidance.rq": [("郑武芳", "Person", "永雄集团")],
    "partnerships.rq": [("华为", "拓维信息", "2019-07")],
    "timeline.rq": [("2019-07", "Partnership", "合作伙伴", "拓维信息、华为")],
    "provenance.rq": [("李新宇", "董事长", "拓维信息")],
}


@contextmanager
def running(graph, **options):
    """The real server on a free port, in a background thread; closed (workers reaped) afterwards."""
    server = make_server(graph, "127.0.0.1", 0, quiet=True, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def file_server(sample_ttl):
    with running(sample_ttl) as server:
        yield server


@pytest.fixture(scope="module")
def store_server(sample_store_dir):
    with running(sample_store_dir) as server:
        yield server


@pytest.fixture(scope="module")
def memory_server(sample_store_dir):
    with running(sample_store_dir, memory=True) as server:
        yield server


@pytest.fixture(scope="module", params=["file", "store", "memory"])
def endpoint(request):
    """The /sparql URL of the sample graph served from its Turtle file, its store directory, and that
    store copied into memory (--memory)."""
    return request.getfixturevalue(f"{request.param}_server").url


def fetch(url, *, data=None, headers=None, method=None):
    """(status, headers, body text) of one request; a 4xx or 5xx is an answer too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read().decode("utf-8")


def get(url, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return fetch(f"{url}?{urlencode({'query': query, **params})}", headers=headers)


def post_form(url, fields, accept=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded", **({"Accept": accept} if accept else {})}
    return fetch(url, data=urlencode(fields).encode("ascii"), headers=headers)


def post_query(url, query, accept=None, content_type="application/sparql-query"):
    headers = {"Content-Type": content_type, **({"Accept": accept} if accept else {})}
    return fetch(url, data=query.encode("utf-8"), headers=headers)


def json_rows(text):
    results = json.loads(text)
    names = results["head"]["vars"]
    return [tuple(b.get(v, {}).get("value", "") for v in names) for b in results["results"]["bindings"]]


def has_row(rows, row):
    def same(cell, want):  # a list of participants may come in any order
        return cell == want or "、" in want and set(cell.split("、")) == set(want.split("、"))

    return any(all(same(c, w) for c, w in zip(r, row)) or set(row) <= set(r) for r in rows)


# -- a real client ------------------------------------------------------------------

@pytest.mark.parametrize("name", SAVED)
def test_saved_queries_answer_sparqlwrapper(endpoint, name):
    client = SPARQLWrapper(endpoint)
    client.setQuery((QUERIES / name).read_text(encoding="utf-8"))
    client.setReturnFormat(JSON)
    results = client.query().convert()
    names = results["head"]["vars"]
    rows = [tuple(b.get(v, {}).get("value", "") for v in names) for b in results["results"]["bindings"]]
    assert rows, name
    for row in EXPECTED.get(name, []):
        assert has_row(rows, row), (row, rows)


@pytest.mark.parametrize("method, encoding", [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)])
def test_sparqlwrapper_sends_queries_every_way(file_server, method, encoding):
    client = SPARQLWrapper(file_server.url)
    client.setMethod(method)
    client.setRequestMethod(encoding)
    client.setQuery(POSITIONS)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert any(b["person"]["value"] == "李新宇" and b["title"]["value"] == "董事长" for b in bindings)


def test_sparqlwrapper_reads_xml_csv_and_graphs(file_server):
    client = SPARQLWrapper(file_server.url)
    client.setQuery(POSITIONS)
    client.setReturnFormat(XML)
    literals = [node.firstChild.data for node in client.query().convert().getElementsByTagName("literal")]
    assert "李新宇" in literals and "董事长" in literals
    client.setReturnFormat(CSV)
    assert "李新宇,董事长,拓维信息" in client.query().convert().decode("utf-8")
    client.setQuery(HUAWEI)
    client.setReturnFormat(TURTLE)  # SPARQLWrapper hands Turtle over as bytes
    assert (None, RDFS.label, Literal("华为")) in Graph().parse(data=client.query().convert(), format="turtle")
    client.setReturnFormat(RDFXML)  # and parses RDF/XML into a graph
    graph = client.query().convert()
    assert isinstance(graph, Graph) and (None, RDFS.label, Literal("华为")) in graph


# -- the protocol ---------------------------------------------------------------------

def test_get_and_both_posts_give_the_same_answer(file_server):
    url = file_server.url
    answers = [get(url, POSITIONS), post_form(url, {"query": POSITIONS}), post_query(url, POSITIONS)]
    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert answers[0][2] == answers[1][2] == answers[2][2]
    assert has_row(json_rows(answers[0][2]), ("李新宇", "董事长", "拓维信息"))


def _xml(text):
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}

    def value(binding):
        return binding.findtext("r:literal", "", ns) or binding.findtext("r:uri", "", ns)

    return [tuple(value(b) for b in result.findall("r:binding", ns))
            for result in ET.fromstring(text).iter("{http://www.w3.org/2005/sparql-results#}result")]


def _csv(text):
    header, *rows = csv.reader(io.StringIO(text))
    assert header == ["person", "title", "organisation", "confidence"]
    return [tuple(r) for r in rows]


def _tsv(text):
    header, *rows = text.splitlines()
    assert header == "?person\t?title\t?organisation\t?confidence"
    return [tuple(cell.split('"')[1] if cell.startswith('"') else cell for cell in r.split("\t")) for r in rows]


@pytest.mark.parametrize("accept, parse", [
    ("application/sparql-results+json", json_rows), ("application/sparql-results+xml", _xml),
    ("text/csv", _csv), ("text/tab-separated-values", _tsv)])
def test_results_in_each_format(endpoint, accept, parse):
    status, headers, text = get(endpoint, POSITIONS, accept)
    assert status == 200, text
    assert headers["Content-Type"] == f"{accept}; charset=utf-8"
    assert has_row(parse(text), ("李新宇", "董事长", "拓维信息"))


@pytest.mark.parametrize("accept, media, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"), ("application/n-triples", "application/n-triples", "nt"),
    (None, "text/turtle", "turtle"), ("*/*", "text/turtle", "turtle")])
def test_graphs_in_turtle_and_ntriples(endpoint, accept, media, rdflib_format):
    status, headers, text = get(endpoint, HUAWEI, accept)
    assert status == 200, text
    assert headers["Content-Type"] == f"{media}; charset=utf-8"
    graph = Graph().parse(data=text, format=rdflib_format)
    assert (None, RDFS.label, Literal("华为")) in graph and len(graph) > 3


@pytest.mark.parametrize("accept, graph, expected", [
    (None, False, JSON_TYPE),
    ("*/*", False, JSON_TYPE),
    ("*/*", True, "text/turtle"),
    ("text/csv;q=0.5, application/sparql-results+xml", False, "application/sparql-results+xml"),
    ("text/*", False, "text/csv"),
    ("text/tab-separated-values, text/csv;q=0.9", False, "text/tab-separated-values"),
    ("text/csv;q=0, */*;q=0.1", False, JSON_TYPE),
    ("application/json", False, "application/json"),
    ("application/n-triples, text/turtle;q=0.8", True, "application/n-triples"),
    ("text/turtle", False, None),
    ("application/sparql-results+json", True, None),
    ("image/png", False, None),
])
def test_accept_header_negotiation(accept, graph, expected):
    chosen = negotiate(accept, graph)
    assert (chosen[0] if chosen else None) == expected


def test_ask_answers_true_or_false(file_server):
    yes = get(file_server.url, 'ASK { ?c rdfs:label "华为" }')
    no = get(file_server.url, 'ASK { ?c rdfs:label "不存在的公司" }')
    assert (yes[0], json.loads(yes[2])["boolean"]) == (200, True)
    assert (no[0], json.loads(no[2])["boolean"]) == (200, False)


def test_unacceptable_format_is_406(file_server):
    status, headers, text = get(file_server.url, POSITIONS, "text/turtle")
    assert status == 406 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.startswith("a SELECT answer cannot be sent as 'text/turtle'; accept one of: application/sparql")
    assert get(file_server.url, HUAWEI, JSON_TYPE)[0] == 406
    assert get(file_server.url, POSITIONS, "image/png")[0] == 406


def test_keep_alive_unless_the_client_asks_to_close(file_server):
    conn = http.client.HTTPConnection(*file_server.server_address)
    path = "/sparql?" + urlencode({"query": POSITIONS})

    def ask(**headers):
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        assert response.status == 200 and response.read()
        return response.getheader("Connection")

    assert ask() is None
    first = conn.sock
    assert ask() is None and conn.sock is first  # one connection, two answers
    assert ask(Connection="close") == "close"
    assert conn.sock is None  # the client took the server at its word and closed
    conn.close()


# -- refusals -----------------------------------------------------------------------

def test_update_is_refused_every_way(file_server):
    url, update = file_server.url, "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"
    answers = [post_query(url, update, content_type="application/sparql-update"),
               post_form(url, {"update": update}), get(url, update), post_query(url, "PREFIX e: <http://e/> " + update)]
    assert {status for status, _, _ in answers} == {403}
    assert all(text.startswith("SPARQL UPDATE is refused: this endpoint is read-only") for _, _, text in answers)
    assert get(url, "ASK { <http://e/a> ?p ?o }")[2] == '{"head":{},"boolean":false}'


def test_service_is_refused_unless_allowed(file_server, sample_ttl):
    service = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    status, _, text = get(file_server.url, service)
    assert status == 403 and "--allow-service" in text
    harmless = 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> {}" AS ?x) } # SERVICE'
    assert get(file_server.url, harmless)[0] == 200
    with running(sample_ttl, allow_service=True) as server:
        status, _, text = get(server.url, service)  # port 9 is refused by Oxigraph itself: no network
        assert status == 200, text


@pytest.mark.parametrize("query, calls", [
    ("SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
    ("select * where { service silent <http://x/sparql> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?a ?b ?c .SERVICE<http://x/sparql>{?s ?p ?o} }", True),
    ("SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2)SERVICE#>\n<http://x/sparql>{?s ?p ?o} }", True),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", True),
    ('SELECT * WHERE { BIND("SERVICE <http://x/> {}" AS ?x) }', False),
    ("SELECT * WHERE { BIND('''it's\nSERVICE''' AS ?x) }", False),
    ("SELECT * WHERE { # SERVICE <http://x/sparql>\n ?s ?p ?o }", False),
    ("SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }", False),
    ("PREFIX service: <http://e/> SELECT ?service WHERE { ?s service:x ?service ; service:SERVICE ?o }", False),
])
def test_service_keyword_is_found_only_outside_strings_iris_and_comments(query, calls):
    assert uses_service(query) is calls


@pytest.mark.parametrize("query, update", [
    ("INSERT DATA { <a> <b> <c> }", True), ("PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }", True),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True), ("load <http://x>", True),
    ("# INSERT\nSELECT * WHERE {}", False), ("PREFIX insert: <http://e/> ASK { ?s insert:x ?o }", False)])
def test_update_is_told_from_a_query(query, update):
    assert is_update(query) is update


def test_over_long_query_is_refused(sample_ttl):
    long = POSITIONS + "#" * 200
    with running(sample_ttl, max_query_length=len(POSITIONS) + 100) as server:
        assert get(server.url, POSITIONS)[0] == 200
        for (status, _, text), expected in [(get(server.url, long), 414), (post_query(server.url, long), 413),
                                            (post_form(server.url, {"query": long}), 413)]:
            assert status == expected
            assert text.startswith(f"query is {len(long)} characters, over the limit of {len(POSITIONS) + 100}")


def test_malformed_query_is_400_with_the_parser_message(file_server):
    broken = "SELECT ?x WHERE {\n  ?x a kg:Company \n  FILTER(\n}"
    with pytest.raises(SyntaxError) as err:
        ox.Store().query(broken, prefixes={"kg": "https://w3id.org/kg/ontology#"})
    status, headers, text = get(file_server.url, broken)
    assert (status, headers["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert text == f"malformed query: {err.value}\n"


def test_missing_query_unknown_path_and_other_methods(file_server):
    url = file_server.url
    status, _, text = fetch(url)
    assert status == 400 and text.startswith("missing query")
    assert fetch(url.replace("/sparql", "/nothing-here"))[0] == 404
    for method in ("PUT", "DELETE", "PATCH"):
        status, headers, text = fetch(url, data=b"", method=method)
        assert (status, headers["Allow"]) == (405, "GET, POST"), text
    status, _, text = post_query(url, POSITIONS, content_type="text/plain")
    assert status == 415 and "application/sparql-query" in text


def test_dataset_parameters_are_applied(file_server):
    status, _, text = get(file_server.url, POSITIONS, **{"default-graph-uri": "http://example.org/empty"})
    assert (status, json_rows(text)) == (200, [])
    status, _, text = get(file_server.url, POSITIONS, **{"named-graph-uri": "not an IRI"})
    assert status == 400 and "named-graph-uri" in text


def test_requests_for_other_host_names_are_refused(file_server):
    status, _, text = fetch(file_server.url + "?" + urlencode({"query": POSITIONS}), headers={"Host": "evil.example"})
    assert status == 403 and "localhost only" in text


# -- limits ---------------------------------------------------------------------------

def test_row_limit_cuts_and_says_so(sample_ttl):
    with running(sample_ttl, max_rows=3) as server:
        status, headers, text = get(server.url, EVERYTHING)
        assert (status, len(json_rows(text)), headers["X-Kg-Truncated"]) == (200, 3, "true")
        assert headers["X-Kg-Row-Limit"] == "3"
        status, headers, text = get(server.url, EVERYTHING, "text/csv")
        assert (len(text.splitlines()), headers["X-Kg-Truncated"]) == (4, "true")
        status, headers, text = get(server.url, EVERYTHING + " LIMIT 3")
        assert (len(json_rows(text)), headers["X-Kg-Truncated"]) == (3, "false")
        status, headers, text = get(server.url, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
        assert (len(Graph().parse(data=text, format="nt")), headers["X-Kg-Truncated"]) == (3, "true")


def test_time_limit_stops_a_query_and_the_server_carries_on(sample_ttl):
    with running(sample_ttl, timeout=0.5, workers=1) as server:
        [busy] = server.pool.pids
        status, headers, text = get(server.url, EXPENSIVE)
        assert status == 503 and text.startswith("query exceeded the time limit of 0.5 s")
        with pytest.raises(ProcessLookupError):  # killed and reaped: no zombie left
            os.kill(busy, 0)
        assert server.pool.pids != [busy]
        status, _, text = get(server.url, POSITIONS)
        assert status == 200 and has_row(json_rows(text), ("李新宇", "董事长", "拓维信息"))


def eventually(condition, what):
    """Wait until ``condition()`` holds; the limit only keeps a broken server from hanging the test."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def in_background(function, *args):
    """Start ``function(*args)`` on a thread; joining the thread returns a list holding its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function(*args)), daemon=True)
    thread.start()
    return thread, result


def test_queries_queued_behind_a_slow_one_are_answered_not_refused(sample_ttl):
    with running(sample_ttl, timeout=1, workers=1) as server:
        slow, slow_answer = in_background(get, server.url, EXPENSIVE)
        eventually(lambda: server.pool.idle == 0, "the worker takes the slow query")
        queued = [in_background(get, server.url, POSITIONS) for _ in range(3)]
        eventually(lambda: server.pool.waiting == 3, "three queries wait in line")
        slow.join()
        assert slow_answer[0][0] == 503 and slow_answer[0][2].startswith("query exceeded the time limit of 1 s")
        for thread, answer in queued:  # each waited the whole time limit of the slow one, and more
            thread.join()
            status, _, text = answer[0]
            assert status == 200 and has_row(json_rows(text), ("李新宇", "董事长", "拓维信息"))


def test_a_full_line_is_refused_at_once_with_retry_after(sample_ttl):
    with running(sample_ttl, timeout=1, workers=1, max_waiting=1) as server:
        slow, _ = in_background(get, server.url, EXPENSIVE)
        eventually(lambda: server.pool.idle == 0, "the worker takes the slow query")
        queued, queued_answer = in_background(get, server.url, POSITIONS)
        eventually(lambda: server.pool.waiting == 1, "a query waits in line")
        status, headers, text = get(server.url, POSITIONS)
        assert (status, headers["Retry-After"]) == (503, "1")
        assert text.startswith("the server is busy: 1 queries are already waiting for its 1 query workers; retry")
        slow.join()
        queued.join()
        assert queued_answer[0][0] == 200


def test_a_query_whose_client_hung_up_while_waiting_is_not_run(sample_ttl):
    with running(sample_ttl, timeout=1, workers=1) as server:
        slow, _ = in_background(get, server.url, EXPENSIVE)
        eventually(lambda: server.pool.idle == 0, "the worker takes the slow query")
        gone = http.client.HTTPConnection(*server.server_address)
        gone.request("POST", "/sparql", body=EXPENSIVE, headers={"Content-Type": "application/sparql-query"})
        eventually(lambda: server.pool.waiting == 1, "the second slow query waits in line")
        gone.close()  # before any worker is free
        after, after_answer = in_background(get, server.url, POSITIONS)
        eventually(lambda: server.pool.waiting == 2, "a third query waits behind it")
        slow.join()
        replacement = server.pool.pids  # the overrunning worker was replaced before its client was told
        after.join()
        assert after_answer[0][0] == 200
        assert server.pool.pids == replacement  # had the abandoned query run, this worker would be killed too


def test_a_killed_worker_is_replaced_and_the_client_told_why(sample_ttl):
    with running(sample_ttl, timeout=120, workers=1) as server:
        slow, slow_answer = in_background(get, server.url, EXPENSIVE)
        eventually(lambda: server.pool.idle == 0, "the worker takes the slow query")
        [worker] = server.pool.pids
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        slow.join()
        status, _, text = slow_answer[0]
        assert status == 500 and text.startswith("the query worker was killed (SIGKILL: out of memory?) while")
        assert get(server.url, POSITIONS)[0] == 200
        assert len(server.pool.pids) == 1 and server.pool.pids != [worker]


def test_connections_past_the_limit_are_refused_until_one_closes(sample_ttl):
    with running(sample_ttl, max_connections=2) as server:
        held = [http.client.HTTPConnection(*server.server_address) for _ in range(2)]
        for conn in held:  # answered, and kept open (keep-alive): each holds a thread
            conn.request("GET", "/sparql?" + urlencode({"query": POSITIONS}))
            assert conn.getresponse().status == 200 and conn.sock is not None
        status, headers, text = get(server.url, POSITIONS)
        assert (status, headers["Retry-After"], headers["Connection"]) == (503, "1", "close")
        assert text.startswith("kg serve has 2 connections open, its limit; retry later")
        held.pop().close()
        eventually(lambda: get(server.url, POSITIONS)[0] == 200, "a closed connection frees its place")
        held.pop().close()


def test_closing_the_server_leaves_no_worker_behind(sample_store_dir):
    with running(sample_store_dir, workers=3) as server:
        pids = server.pool.pids
        assert len(pids) == 3 and get(server.url, POSITIONS)[0] == 200
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_port_in_use_is_one_clear_error(sample_ttl):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(KgError) as err:
            make_server(sample_ttl, "127.0.0.1", port)
    assert str(err.value).startswith(f"port {port} is already in use on 127.0.0.1; ")


def test_a_rebuilt_store_is_served_without_a_restart(tmp_path):
    store = tmp_path / "graph.store"
    write_store(b"<http://e/a> <http://e/p> 1 .\n", ox.RdfFormat.TURTLE, store)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with running(store, workers=1) as server:
        assert json_rows(get(server.url, count)[2]) == [("1",)]
        write_store(b"<http://e/a> <http://e/p> 1, 2 .\n", ox.RdfFormat.TURTLE, store)  # as kg build --store does
        assert json_rows(get(server.url, count)[2]) == [("2",)]


def test_a_store_held_in_memory_is_a_snapshot_until_restarted(tmp_path):
    store = tmp_path / "graph.store"
    write_store(b"<http://e/a> <http://e/p> 1 .\n", ox.RdfFormat.TURTLE, store)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with running(store, workers=1, memory=True) as server:
        write_store(b"<http://e/a> <http://e/p> 1, 2 .\n", ox.RdfFormat.TURTLE, store)
        assert json_rows(get(server.url, count)[2]) == [("1",)]
    with running(store, workers=1, memory=True) as server:
        assert json_rows(get(server.url, count)[2]) == [("2",)]


# -- the page and the command ----------------------------------------------------------

def test_query_page_is_self_contained(file_server):
    status, headers, page = fetch(file_server.url.removesuffix("sparql"))
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "<textarea" in page and "sparql" in page and '<meta charset="utf-8">' in page
    assert all(name in page for name in SAVED) and "党建指导员" in page  # saved queries, Chinese intact
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|@import|url\(""", page)
    assert "connect-src 'self'" in headers["Content-Security-Policy"]


def test_cli_missing_graph_is_one_error_line(tmp_path):
    missing = tmp_path / "nope.ttl"
    result = CliRunner().invoke(main, ["serve", str(missing)])
    assert result.exit_code == 1
    assert result.output == f"kg: error: {missing}: no such graph file or store directory\n"


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
                    reason="reads worker ids from /proc")
def test_cli_serves_until_ctrl_c_and_stops_cleanly(sample_ttl):
    command = [sys.executable, "-m", "kg", "serve", str(sample_ttl), "--port", "0", "--quiet", "--workers", "2"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, encoding="utf-8") as server:
        try:
            assert select.select([server.stderr], [], [], 60)[0], "no startup line"
            line = server.stderr.readline()
            url = re.search(r"http://127\.0\.0\.1:\d+/sparql", line)[0]
            assert line.startswith(f"kg: serving {sample_ttl} at {url} (read-only, 2 query workers, 10 s and")
            assert get(url, POSITIONS)[0] == 200
            workers = [int(pid) for task in Path(f"/proc/{server.pid}/task").iterdir()
                       for pid in (task / "children").read_text().split()]
            assert len(workers) == 2
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=30) == 0
            assert server.stderr.read() == "kg: stopped\n"
        finally:
            server.kill()
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_cli_memory_flag_serves_a_store_from_ram(sample_store_dir):
    command = [sys.executable, "-m", "kg", "serve", str(sample_store_dir), "--port", "0", "--quiet", "--memory"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, encoding="utf-8") as server:
        try:
            assert select.select([server.stderr], [], [], 60)[0], "no startup line"
            line = server.stderr.readline()
            assert "(read-only, held in memory," in line
            url = re.search(r"http://127\.0\.0\.1:\d+/sparql", line)[0]
            status, _, body = get(url, POSITIONS)
            assert status == 200 and has_row(json_rows(body), ("李新宇", "董事长", "拓维信息"))
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=30) == 0
        finally:
            server.kill()
