"""The ``kg viz -o graph.html`` page, opened in headless Chromium: offline, drawn, searchable, filterable.

One Chromium serves the whole module (tests/browser.py); each test opens its own page.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import KgError
from kg.explore import neighbourhood
from kg.export.model import EVENT_KINDS
from kg.viz import style
from kg.viz.html import FIELD_NAMES, page, page_data, write_html

from browser import ensure_chromium, launch, open_page  # tests/browser.py (pytest puts tests/ on sys.path)

READY = "() => window.kgView && window.kgView.ready"  # a function: the page's CSP forbids eval
RESOURCES = Path(kg.__file__).parent / "resources" / "viz"
ID = "https://w3id.org/kg/id/"
HOSTILE_LABEL = "</script><script>window.pwned=1</script>"
HOSTILE_ALIAS = "<img src=x onerror=window.pwned=2>"
HOSTILE_TITLE = "</title><script>window.pwned=3</script>标题"


# -- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium_path():
    try:
        return ensure_chromium()
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)


@pytest.fixture(scope="module")
def chromium(chromium_path):
    with launch() as b:
        yield b


@pytest.fixture
def browser(chromium):
    """The module's Chromium; the pages a test opened are closed after it."""
    yield chromium
    for context in list(chromium.contexts):
        context.close()


@pytest.fixture(scope="module")
def sample(sample_ttl):
    return kg.load(sample_ttl)


@pytest.fixture(scope="module")
def sample_html(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("viz") / "sample.html"
    write_html(sample.networkx, out, title="样例 sample")
    return out


def small_graph() -> nx.MultiDiGraph:
    """Invented names only; one node carries markup in its label, alias and evidence."""
    G = nx.MultiDiGraph()
    star, sail, li = f"{ID}company/星河科技", f"{ID}company/云帆网络", f"{ID}person/李明"
    bad = f"{ID}organization/hostile"
    deal, born = f"{ID}event/partnership/2019-07-a1", f"{ID}event/founding/2015-b2"
    visit = f"{ID}event/visit/undated-c3"
    G.add_node(star, kind="Company", label="星河科技", aliases=["星河"], confidence=0.9,
               evidence_text="2019年7月星河科技与云帆网络签署合作协议。", evidence_path="news/a.txt")
    G.add_node(sail, kind="Company", label="云帆网络", confidence=0.8)
    G.add_node(li, kind="Person", label="李明", titles=["董事长"], confidence=0.85)
    G.add_node(bad, kind="Organization", label=HOSTILE_LABEL, aliases=[HOSTILE_ALIAS],
               evidence_text="<b>粗体</b> & <i>斜体</i>", confidence=0.5)
    G.add_node(deal, kind="Partnership", label="Partnership 2019-07", trigger="签署", date="2019-07", confidence=0.8)
    G.add_node(born, kind="Founding", label="Founding 2015", trigger="成立", date="2015", confidence=0.7)
    G.add_node(visit, kind="Visit", label="Visit", trigger="调研", confidence=0.6)
    G.add_edge(li, star, key="e0", predicate="holdsPosition", title="董事长", confidence=0.85,
               evidence_text="李明任星河科技董事长。", evidence_path="news/a.txt")
    G.add_edge(sail, star, key="e1", predicate="partnerOf", date="2019-07", confidence=0.7)
    G.add_edge(star, sail, key="e2", predicate="partnerOf", confidence=0.6)
    G.add_edge(bad, star, key="e3", predicate="subOrganizationOf", confidence=0.5)
    for i, (event, member) in enumerate([(deal, star), (deal, sail), (born, star), (visit, li)]):
        G.add_edge(event, member, key=f"p{i}", predicate="participant")
    return G


def open_graph(browser, G, tmp_path, *, title="测试 test", name="graph.html"):
    out = tmp_path / name
    write_html(G, out, title=title)
    page_, watch = open_page(browser, out.as_uri(), ready=READY)
    return page_, watch, out


def assert_offline_and_quiet(page_, watch, out: Path) -> None:
    assert watch.requests == [out.as_uri()], watch.requests
    assert watch.problems() == []
    assert page_.evaluate("kgView.error") is None


def graph_box(page_):
    return page_.locator("#graph").bounding_box()


# -- the sample graph in the browser -------------------------------------------------------------------
def test_sample_page_draws_every_node_offline(browser, sample, sample_html):
    G = sample.networkx
    page_, watch = open_page(browser, sample_html.as_uri(), ready=READY)
    assert G.number_of_nodes() > 50
    assert page_.evaluate("kgView.nodeCount()") == G.number_of_nodes()
    assert page_.evaluate("kgView.visibleNodeCount()") == G.number_of_nodes()
    assert page_.evaluate("kgView.drawnNodeCount()") == G.number_of_nodes()
    assert page_.evaluate("kgView.drawnEdgeCount()") == G.number_of_edges()
    assert page_.title() == "样例 sample"
    assert_offline_and_quiet(page_, watch, sample_html)


def test_chinese_labels_use_the_inlined_font(browser, sample, sample_html):
    """No CJK font need be installed: the page carries the bundled one, cut to its own characters."""
    text = sample_html.read_text(encoding="utf-8")
    assert text.count('@font-face { font-family: "kg-cjk"') == 1 and "font-src data:" in text
    page_, watch = open_page(browser, sample_html.as_uri(), ready=READY)
    labels = "".join(d.get("label", "") for _, d in sample.networkx.nodes(data=True))
    assert page_.evaluate("(t) => document.fonts.check('13px \"kg-cjk\"', t)", labels)
    assert page_.evaluate("() => [...document.fonts].some(f => f.family.includes('kg-cjk') && f.status === 'loaded')")
    assert_offline_and_quiet(page_, watch, sample_html)


def test_unchecking_a_kind_hides_exactly_its_nodes_and_edges(browser, sample, sample_html):
    G = sample.networkx
    counts = {}
    for _, d in G.nodes(data=True):
        counts[d["kind"]] = counts.get(d["kind"], 0) + 1
    kind = max(counts, key=lambda k: (counts[k], k))
    page_, watch = open_page(browser, sample_html.as_uri(), ready=READY)
    assert {k["kind"]: k["count"] for k in page_.evaluate("kgView.kinds()")} == counts
    page_.locator(f'#legend input[data-kind="{kind}"]').uncheck()
    n = G.number_of_nodes()
    assert page_.evaluate("kgView.drawnNodeCount()") == n - counts[kind]
    assert page_.evaluate("kgView.visibleNodeCount()") == n - counts[kind]
    kept_edges = sum(1 for u, v in G.edges() if kind not in (G.nodes[u]["kind"], G.nodes[v]["kind"]))
    assert kept_edges < G.number_of_edges()
    assert page_.evaluate("kgView.drawnEdgeCount()") == kept_edges
    page_.locator(f'#legend input[data-kind="{kind}"]').check()
    assert page_.evaluate("kgView.drawnNodeCount()") == n
    assert watch.problems() == []


def test_search_selects_centres_and_highlights_neighbours(browser, sample, sample_html):
    G = sample.networkx
    people = [n for n, d in G.nodes(data=True) if d["kind"] == "Person" and len(d["label"]) >= 3]
    person = max(people, key=lambda n: (G.degree(n), n))
    label = G.nodes[person]["label"]
    page_, watch = open_page(browser, sample_html.as_uri(), ready=READY)
    page_.fill("#search", label[1:])  # a substring, typed as a user would
    hits = page_.locator("#hits button")
    texts = [hits.nth(i).text_content() for i in range(hits.count())]
    assert any(t.startswith(label) for t in texts), texts
    assert label in page_.evaluate("t => kgView.search(t)", label[1:])
    hits.filter(has_text=label).first.click()
    assert page_.evaluate("kgView.selected()") == person
    expected = sorted({person, *G.successors(person), *G.predecessors(person)})
    assert page_.evaluate("kgView.focus()") == expected
    # the camera moves the node to the middle of the drawing
    page_.wait_for_function("""id => { const p = kgView.viewportPosition(id), s = kgView.viewportSize();
        return Math.abs(p.x - s.width / 2) < 3 && Math.abs(p.y - s.height / 2) < 3; }""", arg=person, timeout=5000)
    info = page_.evaluate("kgView.info()")
    assert info["title"] == label
    assert info[FIELD_NAMES["type"]] == style.kind_name("Person")
    assert page_.evaluate("t => kgView.search(t)", "不存在的名字") == []
    for n, d in G.nodes(data=True):  # every alias finds its node
        for alias in d.get("aliases", ()):
            assert style.node_label(n, d) in page_.evaluate("t => kgView.search(t)", alias), alias
    assert watch.problems() == []


def test_hovering_a_node_and_an_edge_shows_their_fields(browser, sample, sample_html):
    G = sample.networkx
    node = max(G, key=lambda n: (G.degree(n), n))
    page_, watch = open_page(browser, sample_html.as_uri(), ready=READY)
    box = graph_box(page_)
    p = page_.evaluate("id => kgView.viewportPosition(id)", node)
    page_.mouse.move(box["x"] + p["x"], box["y"] + p["y"])
    page_.wait_for_function("() => kgView.info() !== null", timeout=5000)
    info = page_.evaluate("kgView.info()")
    want = {FIELD_NAMES[k]: v for k, v in style.hover(G.nodes[node]).items()}
    assert info == {"title": style.node_label(node, G.nodes[node]), **want}

    # the longest straight edge: hover along it until sigma picks it
    page_.mouse.move(box["x"] + 2, box["y"] + 2)
    page_.wait_for_function("() => kgView.info() === null", timeout=5000)
    edges = page_.evaluate("""() => { const g = kgView.renderer().getGraph(), out = [];
        g.forEachEdge((k, a, s, t) => { if (a.type !== 'arrow') return;
          const ps = kgView.viewportPosition(s), pt = kgView.viewportPosition(t);
          out.push([Number(k), ps, pt, Math.hypot(ps.x - pt.x, ps.y - pt.y)]); });
        out.sort((a, b) => b[3] - a[3]); return out[0]; }""")
    key, ps, pt, _ = edges
    u, v, _, d = sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))[key]
    for f in (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65):
        page_.mouse.move(box["x"] + ps["x"] + f * (pt["x"] - ps["x"]), box["y"] + ps["y"] + f * (pt["y"] - ps["y"]))
        if page_.evaluate("kgView.info()"):
            break
    info = page_.evaluate("kgView.info()")
    ends = f"{style.node_label(u, G.nodes[u])} → {style.node_label(v, G.nodes[v])}"
    assert info == {"title": style.edge_label(d), FIELD_NAMES["ends"]: ends,
                    **{FIELD_NAMES[k]: value for k, value in style.edge_hover(d).items()}}
    assert watch.problems() == []


def test_timeline_lists_dated_events_in_date_order(browser, sample, sample_html):
    G = sample.networkx
    dated = [n for n, d in G.nodes(data=True) if d["kind"] in EVENT_KINDS and d.get("date")]
    assert len(dated) >= 3
    page_, watch = open_page(browser, sample_html.as_uri(), ready=READY)
    timeline = page_.evaluate("kgView.timeline()")
    assert sorted(t["id"] for t in timeline) == sorted(dated)
    dates = [t["date"] for t in timeline]
    assert dates == sorted(dates) and dates == [G.nodes[t["id"]]["date"] for t in timeline]
    undated = sum(1 for _, d in G.nodes(data=True) if d["kind"] in EVENT_KINDS and not d.get("date"))
    assert page_.locator("#undated li").count() == undated
    page_.locator("#timeline li button").first.click()
    assert page_.evaluate("kgView.selected()") == timeline[0]["id"]
    assert watch.problems() == []


def test_focus_page_from_the_cli_draws_the_neighbourhood(browser, sample, sample_ttl, tmp_path):
    G = sample.networkx
    entities = [n for n, d in G.nodes(data=True) if d["kind"] not in EVENT_KINDS]
    centre = max(entities, key=lambda n: (G.degree(n), n))
    name = G.nodes[centre]["label"]
    out = tmp_path / "focus.html"
    result = CliRunner().invoke(main, ["viz", str(sample_ttl), "--focus", name, "--hops", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    expected = neighbourhood(G, sample.resolve(name), 1)
    assert 1 < expected.number_of_nodes() < G.number_of_nodes()
    page_, watch = open_page(browser, out.as_uri(), ready=READY)
    assert page_.evaluate("kgView.nodeCount()") == expected.number_of_nodes()
    assert page_.evaluate("kgView.drawnNodeCount()") == expected.number_of_nodes()
    assert page_.evaluate("kgView.drawnEdgeCount()") == expected.number_of_edges()
    assert_offline_and_quiet(page_, watch, out)


def test_screenshot_is_not_blank_and_shows_the_kind_colours(browser, sample, sample_html):
    import numpy as np
    from PIL import Image

    page_, watch = open_page(browser, sample_html.as_uri(), ready=READY)
    page_.evaluate("kgView.drawnNodeCount()")
    shot = Image.open(io.BytesIO(page_.locator("#graph").screenshot())).convert("RGB")
    pixels = np.asarray(shot, dtype=int).reshape(-1, 3)
    inked = int((np.abs(pixels - 255).max(axis=1) > 24).sum())
    assert inked / len(pixels) > 0.025, f"only {inked} of {len(pixels)} pixels differ from the white background"
    kinds = {d["kind"] for _, d in sample.networkx.nodes(data=True)}
    checked = [k for k in kinds if k not in EVENT_KINDS]  # event greys look like text and edges
    assert len(checked) >= 4
    for kind in checked:
        want = tuple(int(style.color(kind)[i:i + 2], 16) for i in (1, 3, 5))
        near = int((np.abs(pixels - np.array(want)).max(axis=1) <= 10).sum())
        assert near >= 20, f"{kind} colour {style.color(kind)} found in only {near} pixels"
    assert watch.problems() == []


def test_node_shapes_follow_the_kind(browser, tmp_path, monkeypatch):
    """One big lone node per shape: how much of its bounding box its colour fills tells the shape."""
    import numpy as np
    from PIL import Image

    import kg.viz.html as html_module

    kinds = {"Company": "square", "Person": "circle", "GovernmentOrganization": "diamond", "Place": "triangle",
             "PartyOrganization": "star"}
    assert all(style.shape(k) == s for k, s in kinds.items())
    G = nx.MultiDiGraph()
    for kind in kinds:
        G.add_node(f"{ID}x/{kind}", kind=kind, label="")
    order = sorted(G)
    monkeypatch.setattr(html_module, "positions", lambda H: {n: (-1 + 0.5 * i, 0.0) for i, n in enumerate(order)})
    monkeypatch.setattr(style, "size", lambda degree, top: 20.0)
    page_, watch, out = open_graph(browser, G, tmp_path)
    page_.evaluate("kgView.drawnNodeCount()")
    image = np.asarray(Image.open(io.BytesIO(page_.locator("#graph").screenshot())).convert("RGB"), dtype=int)
    fill, top_narrower = {}, None
    for n in order:
        kind = G.nodes[n]["kind"]
        p = page_.evaluate("id => kgView.viewportPosition(id)", n)
        x, y = round(p["x"]), round(p["y"])
        window = image[max(0, y - 45):y + 45, max(0, x - 45):x + 45]
        want = np.array([int(style.color(kind)[i:i + 2], 16) for i in (1, 3, 5)])
        mask = np.abs(window - want).max(axis=2) <= 12
        rows, cols = np.nonzero(mask)
        assert len(rows) > 200, f"{kind}: only {len(rows)} pixels of its colour"
        box = mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        fill[kinds[kind]] = box.mean()
        if kind == "Place":
            widths = box.sum(axis=1)
            top_narrower = widths[: len(widths) // 4].mean() < widths[-len(widths) // 4:].mean()
    assert fill["square"] > 0.9, fill
    assert 0.7 < fill["circle"] < 0.86, fill
    assert 0.4 < fill["diamond"] < 0.6 and 0.4 < fill["triangle"] < 0.6, fill
    assert fill["star"] < 0.45, fill
    assert top_narrower  # the triangle points up
    assert_offline_and_quiet(page_, watch, out)


# -- a small invented graph -----------------------------------------------------------------------------
def test_hostile_names_stay_text(browser, tmp_path):
    G = small_graph()
    text = page(G, title=HOSTILE_TITLE)
    assert HOSTILE_LABEL not in text and HOSTILE_ALIAS not in text and HOSTILE_TITLE not in text
    page_, watch, out = open_graph(browser, G, tmp_path, title=HOSTILE_TITLE)
    assert page_.evaluate("typeof window.pwned") == "undefined"
    assert page_.evaluate("document.querySelectorAll('img').length") == 0
    assert page_.evaluate("document.scripts.length") == 4  # the data block, graphology, sigma, the page's own
    assert page_.title() == HOSTILE_TITLE
    assert page_.locator("#title").text_content() == HOSTILE_TITLE
    bad = f"{ID}organization/hostile"
    assert page_.evaluate("t => kgView.search(t)", "<img") == [HOSTILE_LABEL]
    page_.evaluate("id => kgView.select(id)", bad)
    info = page_.evaluate("kgView.info()")
    assert info["title"] == HOSTILE_LABEL
    assert info[FIELD_NAMES["aliases"]] == HOSTILE_ALIAS
    assert info[FIELD_NAMES["evidence"]] == "<b>粗体</b> & <i>斜体</i>"
    assert page_.locator("#legend").text_content().count("其他组织") == 1
    assert page_.evaluate("typeof window.pwned") == "undefined"
    assert_offline_and_quiet(page_, watch, out)


def test_aliases_dates_and_the_date_range(browser, tmp_path):
    G = small_graph()
    page_, watch, out = open_graph(browser, G, tmp_path)
    n = G.number_of_nodes()
    assert page_.evaluate("kgView.drawnNodeCount()") == n
    assert page_.evaluate("t => kgView.search(t)", "星河") == ["星河科技"]  # exact alias first
    assert page_.evaluate("t => kgView.search(t)", "河科") == ["星河科技"]
    timeline = page_.evaluate("kgView.timeline()")
    assert [t["date"] for t in timeline] == ["2015", "2019-07"]
    items = page_.locator("#timeline li")
    assert "星河科技" in items.nth(0).text_content() and "成立" in items.nth(0).text_content()
    assert "云帆网络、星河科技" in items.nth(1).text_content()  # participants, sorted
    assert page_.locator("#undated li").count() == 1
    assert page_.evaluate("[...document.querySelectorAll('#from option')].map(o => o.value)") == ["2015", "2019-07"]
    page_.select_option("#from", "2019-07")
    assert page_.evaluate("kgView.drawnNodeCount()") == n - 1  # the 2015 founding; the undated visit stays
    assert [t["off"] for t in page_.evaluate("kgView.timeline()")] == [True, False]
    page_.select_option("#from", "2015")
    page_.select_option("#to", "2015")
    assert page_.evaluate("kgView.drawnNodeCount()") == n - 1
    page_.evaluate("kgView.setDateRange('2015', '2019-07')")
    assert page_.evaluate("kgView.drawnNodeCount()") == n
    # the type filter lists each kind present once, with its colour and count
    kinds = page_.evaluate("kgView.kinds()")
    present = {d["kind"] for _, d in G.nodes(data=True)}
    assert [k["kind"] for k in kinds] == [k for k in style.KINDS if k in present]
    assert all(k["color"] == style.color(k["kind"]) for k in kinds)
    page_.evaluate("kgView.setKindVisible('Company', false)")
    assert page_.evaluate("kgView.drawnNodeCount()") == n - 2
    assert_offline_and_quiet(page_, watch, out)


def test_empty_graph_says_no_nodes(browser, tmp_path):
    page_, watch, out = open_graph(browser, nx.MultiDiGraph(), tmp_path)
    assert page_.locator("#message").is_visible()
    assert "no nodes" in page_.locator("#message").text_content()
    assert page_.evaluate("[kgView.nodeCount(), kgView.drawnNodeCount(), kgView.timeline().length]") == [0, 0, 0]
    assert_offline_and_quiet(page_, watch, out)


def test_thousands_of_nodes_draw_with_edge_labels_off(browser, tmp_path, monkeypatch):
    import kg.viz.html as html_module

    n = 2500
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_node(f"{ID}company/c{i:04d}", kind=("Company", "Person", "Place")[i % 3], label=f"公司{i}")
    for i in range(n):
        G.add_edge(f"{ID}company/c{i:04d}", f"{ID}company/c{(i + 1) % n:04d}", predicate="partnerOf")
        if i % 2:
            G.add_edge(f"{ID}company/c{i:04d}", f"{ID}company/c{(i * 7) % n:04d}", predicate="guides")
    # the page, not the (slow, O(n²)) layout, is under test here: a golden-angle spiral instead
    monkeypatch.setattr(html_module, "positions", lambda H: {
        v: (round(math.sqrt(j / n) * math.cos(j * 2.39996), 4), round(math.sqrt(j / n) * math.sin(j * 2.39996), 4))
        for j, v in enumerate(sorted(H))})
    page_, watch, out = open_graph(browser, G, tmp_path)
    assert page_.evaluate("kgView.drawnNodeCount()") == n
    assert page_.evaluate("kgView.drawnEdgeCount()") == G.number_of_edges()
    assert page_.evaluate("kgView.renderer().getSetting('renderEdgeLabels')") is False
    assert not page_.locator("#edge-labels").is_checked()
    page_.locator("#edge-labels").check()
    assert page_.evaluate("kgView.renderer().getSetting('renderEdgeLabels')") is True
    assert_offline_and_quiet(page_, watch, out)


# -- the file itself (no browser) ----------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_page_is_self_contained_with_a_policy_that_forbids_fetching():
    text = page(small_graph(), title="t")
    parser = _Tags()
    parser.feed(text)
    linked = [(t, a) for t, a in parser.tags if "src" in a or "href" in a]
    assert linked == []
    assert not any(t in ("link", "iframe", "object", "embed", "img") for t, _ in parser.tags)
    policy = [a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(policy) == 1 and "default-src 'none'" in policy[0] and "connect-src" not in policy[0]
    assert [a.get("type") for t, a in parser.tags if t == "script"] == ["application/json", None, None, None]
    assert "sourceMappingURL" not in text
    assert '<meta charset="utf-8">' in text and "星河科技" in text


def test_embedded_json_cannot_end_its_script_block():
    data_block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>',
                           page(small_graph(), title="t"), re.S).group(1)
    assert "<" not in data_block and ">" not in data_block and "&" not in data_block
    assert "\\u003c/script\\u003e" in data_block
    import json

    assert HOSTILE_LABEL in [n["label"] for n in json.loads(data_block)["nodes"]]


def test_same_graph_gives_the_same_bytes(sample_ttl, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    write_html(kg.load(sample_ttl).networkx, a, title="样例")
    write_html(kg.load(sample_ttl).networkx, b, title="样例")
    assert a.read_bytes() == b.read_bytes()
    data = page_data(kg.load(sample_ttl).networkx)
    assert [n["id"] for n in data["nodes"]] == sorted(n["id"] for n in data["nodes"])


def test_write_html_into_a_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(KgError, match="output folder does not exist"):
        write_html(small_graph(), tmp_path / "nowhere" / "g.html", title="t")
    assert not (tmp_path / "nowhere").exists()


def test_cli_refuses_an_unknown_suffix_and_a_missing_graph(tmp_path):
    tiny = Path(__file__).parent / "data" / "tiny.ttl"
    result = CliRunner().invoke(main, ["viz", str(tiny), "-o", str(tmp_path / "g.pdf")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("kg: error: ")
    assert not list(tmp_path.iterdir())
    result = CliRunner().invoke(main, ["viz", str(tmp_path / "missing.ttl"), "-o", str(tmp_path / "g.html")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("kg: error: ")
    assert not (tmp_path / "g.html").exists()


def test_vendored_files_match_their_readme():
    readme = (RESOURCES / "README.md").read_text(encoding="utf-8")
    for name in ("sigma.min.js", "graphology.umd.min.js", "sigma.LICENSE.txt", "graphology.LICENSE.txt"):
        data = (RESOURCES / name).read_bytes()
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}`"))
        assert hashlib.sha256(data).hexdigest() in row, name
        assert f"| {len(data)} |" in row, name
    assert "MIT" in (RESOURCES / "sigma.LICENSE.txt").read_text() or "Permission is hereby granted" in (
        RESOURCES / "sigma.LICENSE.txt").read_text()
