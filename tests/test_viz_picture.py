"""Static pictures (kg/viz/picture.py): the bundled CJK font, PNG and SVG output, stable bytes, the CLI."""

from __future__ import annotations

import functools
import io
import sys
import warnings
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
import networkx as nx
import pytest
from click.testing import CliRunner
from PIL import Image

from kg.cli import main
from kg.errors import KgError
from kg.viz import picture, style, write_drawing
from kg.viz.picture import render, write_picture

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny.ttl"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
E = "https://w3id.org/kg/id/"


def graph(nodes, edges=()) -> nx.MultiDiGraph:
    """nodes: (iri tail, kind, label); edges: (tail, tail, predicate, title)."""
    G = nx.MultiDiGraph()
    for tail, kind, label in nodes:
        G.add_node(E + tail, kind=kind, label=label)
    for u, v, predicate, title in edges:
        G.add_edge(E + u, E + v, predicate=predicate, **({"title": title} if title else {}))
    return G


# Simplified and Traditional names, an English one and an event; relations with and without a title
MIXED = graph(
    [("person/李明", "Person", "李明"), ("company/星河科技", "Company", "星河科技"),
     ("company/臺灣銀行", "Company", "臺灣銀行"),
     ("partyorganization/云帆网络党委", "PartyOrganization", "云帆网络党委"),
     ("place/臺北", "Place", "臺北"), ("org/Acme", "Organization", "Acme Lab")],
    [("person/李明", "company/星河科技", "holdsPosition", "董事长"),
     ("person/李明", "company/臺灣銀行", "holdsPosition", "獨立董事"),
     ("company/星河科技", "partyorganization/云帆网络党委", "hasPartyOrganization", None),
     ("company/臺灣銀行", "place/臺北", "locatedIn", None),
     ("company/星河科技", "company/臺灣銀行", "partnerOf", None),
     ("company/臺灣銀行", "company/星河科技", "partnerOf", None),
     ("org/Acme", "company/星河科技", "memberOf", None)],
)
MIXED.add_node(E + "event/partnership/2021-03-1", kind="Partnership", label="Partnership 2021-03",
               trigger="簽約", date="2021-03")  # drawn as 簽約 2021-03
for _who in ("company/星河科技", "company/臺灣銀行"):
    MIXED.add_edge(E + "event/partnership/2021-03-1", E + _who, predicate="participant")


@pytest.fixture(scope="module")
def mixed_png() -> bytes:
    return render(MIXED, "png", title="星河科技")


def svg_tree(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def group_ids(root: ET.Element) -> list[str]:
    return [g.get("id") for g in root.iter(SVG + "g") if g.get("id")]


def glyph_ids(root: ET.Element) -> set[str]:
    return {p.get("id") for p in root.iter(SVG + "path") if (p.get("id") or "").startswith("NotoSansCJK")}


@functools.cache
def sc_face():
    from matplotlib.ft2font import FT2Font

    return FT2Font(str(picture.font_path()), face_index=2)


def glyph(char: str) -> str:
    """The id matplotlib gives the outline of ``char`` in the SC face (by glyph index) in an SVG."""
    index = sc_face().get_char_index(ord(char))
    assert index != 0, f"{char} is not in the font"
    return f"NotoSansCJKsc-Regular-{index:x}"


def pixels(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def count(im: Image.Image, hex_colour: str) -> int:
    rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(n for n, c in im.getcolors(maxcolors=1 << 24) if c == rgb)


# -- the font -------------------------------------------------------------------

def test_the_bundled_sc_face_is_the_font_used():
    from matplotlib.font_manager import FontProperties, findfont

    family = picture.register_font()
    assert family == "Noto Sans CJK SC"
    found = findfont(FontProperties(family=family), fallback_to_default=False)
    assert Path(found) == picture.font_path()
    assert "noto_cjk_sans_otc" in Path(found).parts
    assert getattr(found, "face_index", None) == 2  # the collection's SC face, not JP (0)


def test_simplified_and_traditional_render_with_no_missing_glyph():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail here
        data = render(MIXED, "svg", title="臺灣銀行與星河科技")
    ids = glyph_ids(svg_tree(data))
    for char in "臺灣銀行與星河科技李明云帆网络党委北簽約":  # the title and node labels
        assert glyph(char) in ids, char
    assert "NotoSansCJKsc-Regular-0" not in ids  # glyph 0 is the empty box drawn for a missing character


def test_without_the_cjk_font_matplotlib_would_warn():
    """The check above can fail: the same text in matplotlib's own font lacks the glyphs."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, "臺灣銀行", family="DejaVu Sans")
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        fig.canvas.draw()


def test_missing_font_package_is_one_error_with_the_pip_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, picture.FONT_MODULE, None)  # import now fails
    out = tmp_path / "g.png"
    with pytest.raises(KgError) as err:
        write_picture(MIXED, out, title="t")
    assert "pip install noto-cjk-sans-otc" in str(err.value)
    assert "\n" not in str(err.value)
    assert not out.exists()


def test_chinese_font_block_for_notebook_plots():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties, findfont

    before = list(matplotlib.rcParams["font.family"])
    with picture.chinese_font() as family, warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = Figure()
        FigureCanvasAgg(fig)
        text = fig.text(0.5, 0.5, "臺灣銀行與星河科技")  # no family given: the block's default
        fig.canvas.draw()
        assert Path(findfont(text.get_fontproperties())) == picture.font_path()
    assert family == picture.FONT_FAMILY
    assert list(matplotlib.rcParams["font.family"]) == before
    assert Path(findfont(FontProperties())) != picture.font_path()


def test_rc_settings_do_not_leak():
    before = (list(matplotlib.rcParams["font.family"]), matplotlib.rcParams["svg.fonttype"],
              matplotlib.rcParams["svg.hashsalt"])
    render(MIXED, "svg", title="t")
    assert (list(matplotlib.rcParams["font.family"]), matplotlib.rcParams["svg.fonttype"],
            matplotlib.rcParams["svg.hashsalt"]) == before


# -- PNG ------------------------------------------------------------------------

def test_png_is_a_picture_in_the_kind_colours(mixed_png):
    im = pixels(mixed_png)
    w, h = im.size
    assert 2 * picture.DPI <= h < w <= (picture.MAX_SIDE + 3) * picture.DPI  # this layout is wide
    assert Image.open(io.BytesIO(mixed_png)).info["dpi"][0] == pytest.approx(picture.DPI, abs=0.1)
    white = count(im, "#FFFFFF")
    assert w * h - white > 0.02 * w * h  # not blank
    for kind in ("Person", "Company", "PartyOrganization", "Place", "Organization"):
        assert count(im, style.color(kind)) > 40, kind  # node fills and legend keys
    assert count(im, style.color("GovernmentOrganization")) == 0  # a kind not in the graph is not drawn


def test_picture_grows_with_the_graph(sample_ttl, mixed_png):
    import kg

    small = pixels(mixed_png).size
    big = pixels(render(kg.load(sample_ttl).networkx, "png", title="t")).size
    assert big[0] > small[0] and big[1] > small[1]


def test_empty_graph_draws_a_picture_saying_so(tmp_path):
    out = tmp_path / "empty.png"
    write_picture(nx.MultiDiGraph(), out, title="云帆网络")
    im = pixels(out.read_bytes())
    assert im.size == (6 * picture.DPI, 3 * picture.DPI)
    assert count(im, "#FFFFFF") < im.size[0] * im.size[1]  # the title and the message
    root = svg_tree(render(nx.MultiDiGraph(), "svg", title="云帆网络"))
    assert {"title", "empty"} <= set(group_ids(root))
    assert glyph("画") in glyph_ids(root)  # 没有可画的内容


# -- SVG ------------------------------------------------------------------------

def test_svg_has_the_title_and_text_as_glyph_paths():
    root = svg_tree(render(MIXED, "svg", title="臺灣銀行與星河科技"))
    assert root.tag == SVG + "svg"
    assert root.find(SVG + "title").text == "臺灣銀行與星河科技"
    assert not list(root.iter(SVG + "text"))  # text is outlines: no font needed to show it
    groups = {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}
    title_uses = [u.get(XLINK) for u in groups["title"].iter(SVG + "use")]
    assert f"#{glyph('臺')}" in title_uses and f"#{glyph('與')}" in title_uses
    assert "legend" in groups
    assert sum(i.startswith("label-") for i in groups) == MIXED.number_of_nodes()
    assert any(i.startswith("edge-label-") for i in groups)  # small graph: relations are named
    assert {f"nodes-{k}" for k in ("Person", "Company", "Place")} <= set(groups)


def test_no_edge_labels_on_a_graph_with_many_edges():
    hub = [("company/星河科技", "Company", "星河科技")]
    spokes = [(f"person/p{i}", "Person", f"李明{i}") for i in range(picture.EDGE_LABEL_LIMIT + 1)]
    G = graph(hub + spokes, [(s[0], hub[0][0], "memberOf", None) for s in spokes])
    assert G.number_of_edges() > picture.EDGE_LABEL_LIMIT
    ids = group_ids(svg_tree(render(G, "svg", title="t")))
    assert not any(i.startswith("edge-label-") for i in ids)
    assert "label-0" in ids  # the hub is labelled


def test_big_graph_labels_only_the_highest_degree_nodes(monkeypatch):
    monkeypatch.setattr(picture, "LABEL_CANDIDATES", 6)
    hubs = [(f"company/c{i}", "Company", f"云帆网络{i}") for i in range(3)]
    leaves = [(f"person/p{i}", "Person", f"李明{i}") for i in range(30)]
    G = graph(hubs + leaves, [(leaf[0], hubs[i % 3][0], "memberOf", None) for i, leaf in enumerate(leaves)])
    root = svg_tree(render(G, "svg", title="t"))
    labels = {i for i in group_ids(root) if i.startswith("label-")}
    assert {"label-0", "label-1", "label-2"} <= labels  # the three hubs
    assert labels <= {f"label-{r}" for r in range(6)}
    assert glyph("云") in glyph_ids(root)  # hub names drawn


# -- stable bytes -----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_same_graph_same_bytes(fmt, tmp_path):
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    write_picture(MIXED, a, title="星河科技")
    write_drawing(MIXED.copy(), b, title="星河科技")
    assert a.read_bytes() == b.read_bytes()
    assert render(MIXED, fmt, title="星河科技") != render(MIXED, fmt, title="云帆网络")  # it depends on input


def test_threads_draw_the_same_picture(mixed_png):
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: render(MIXED, "png", title="星河科技"), range(3)))
    assert all(r == mixed_png for r in results)


def test_png_metadata_has_no_software_or_date(mixed_png):
    info = Image.open(io.BytesIO(mixed_png)).info
    assert not {"Software", "Creation Time", "date:create"} & set(info)


def test_unknown_picture_format():
    with pytest.raises(KgError, match="cannot draw a picture as 'gif'"):
        render(MIXED, "gif", title="t")


# -- the command line ---------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_writes_an_svg(tmp_path):
    out = tmp_path / "out.svg"
    result = run("viz", TINY, "-o", out)
    assert result.exit_code == 0, result.output
    root = svg_tree(out.read_bytes())
    assert root.find(SVG + "title").text == "tiny.ttl"
    assert glyph("星") in glyph_ids(root)
    assert "5 nodes, 7 edges" in result.stderr


def test_cli_focus_draws_the_neighbourhood(tmp_path):
    out = tmp_path / "focus.png"
    result = run("viz", TINY, "-o", out, "--focus", "云帆网络", "--hops", "0", "--title", "云帆网络")
    assert result.exit_code == 0, result.output
    assert "1 nodes, 0 edges" in result.stderr
    im = pixels(out.read_bytes())
    assert count(im, style.color("Company")) > 40
    assert count(im, style.color("Person")) == 0


def test_cli_missing_output_folder_is_one_error_line(tmp_path):
    out = tmp_path / "no-such-folder" / "out.png"
    result = run("viz", TINY, "-o", out)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and "output folder does not exist" in lines[0]
    assert not out.exists() and not out.parent.exists()


def test_cli_unknown_focus_is_one_error_line(tmp_path):
    out = tmp_path / "out.png"
    result = run("viz", TINY, "-o", out, "--focus", "不存在的公司")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and "不存在的公司" in lines[0]
    assert not out.exists()
