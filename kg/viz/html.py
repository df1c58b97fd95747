"""The ``kg viz -o graph.html`` page: one self-contained file that draws the graph with sigma.js.

Everything is inlined — graphology and sigma.js (vendored in ``kg/resources/viz``, see its README),
the page's own script and style, and the graph as JSON — and a Content-Security-Policy forbids the
page to fetch anything, so it works offline and leaks nothing. Nodes are coloured, shaped and sized
as ``style`` says, placed by ``layout.positions``; the page has pan/zoom, a hover/click panel with
``style.hover`` / ``style.edge_hover`` fields, a search box over names and aliases, a type filter that
doubles as the legend, and a timeline of dated events with a date-range filter.

The same graph always gives the same bytes: nodes and edges are sorted, coordinates rounded, and
nothing depends on the clock.

Example::

    import kg
    from kg.viz.html import write_html
    g = kg.load("out.ttl")
    write_html(g.neighbourhood("星河科技", hops=2), "star.html", title="星河科技")
"""

from __future__ import annotations

import html
import io
import json
from collections import Counter
from functools import cache
from importlib import resources
from pathlib import Path

import networkx as nx

from ..errors import KgError
from ..export.model import EVENT_KINDS
from ..io import atomic_write
from . import style
from .layout import positions

__all__ = ["page", "page_data", "write_html"]

# Vendored scripts, in load order (graphology first: sigma draws a graphology graph).
VENDORED = ("graphology.umd.min.js", "sigma.min.js")
PAGE_SCRIPT, PAGE_STYLE = "kg-page.js", "kg-page.css"

# Edge labels are drawn by default up to this many edges; above it the page starts with them off.
EDGE_LABEL_LIMIT = 1000

# Names of the hover fields in the panel (the keys come from style.hover / style.edge_hover).
FIELD_NAMES = {
    "type": "类型 type",
    "aliases": "别名 aliases",
    "titles": "职务 titles",
    "date": "日期 date",
    "confidence": "置信度 confidence",
    "evidence": "证据 evidence",
    "source": "来源 source",
    "relation": "关系 relation",
    "ends": "起止 from → to",
}

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
       "font-src data:; base-uri 'none'; form-action 'none'")
# The page's own font: the bundled Noto Sans CJK SC, cut down to the characters the page shows and
# inlined, so Chinese labels render on a machine with no CJK font (kg-page.css and .js ask for it first).
PAGE_FONT = "kg-cjk"

TEMPLATE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg viz">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<header><h1 id="title">{title}</h1><span id="counts" class="counts"></span></header>
<aside>
<h2><label for="search">搜索 Search</label></h2>
<input id="search" type="search" placeholder="名称或别名 name or alias" autocomplete="off">
<ul id="hits" class="plain"></ul>
<h2>图例与筛选 Legend &amp; types</h2>
<ul id="legend" class="plain"></ul>
<div class="options"><label><input id="edge-labels" type="checkbox" checked> 显示边标签 edge labels</label></div>
<div id="range-box">
<h2>日期范围 Date range</h2>
<div id="range"><select id="from" aria-label="from"></select> – <select id="to" aria-label="to"></select></div>
</div>
<h2>时间线 Timeline</h2>
<ul id="timeline" class="plain"></ul>
<details id="undated-box"><summary>未注明日期的事件 undated events (<span id="undated-count"></span>)</summary>
<ul id="undated" class="plain"></ul>
</details>
</aside>
<main>
<div id="graph"></div>
<div id="message" hidden></div>
<div id="info" hidden></div>
</main>
<script type="application/json" id="kg-data">{data}</script>
{scripts}
</body>
</html>
"""


def write_html(G: nx.MultiDiGraph, path: str | Path, *, title: str) -> None:
    """Write the page of ``G`` to ``path`` (atomically: a reader never sees half a page)."""
    atomic_write(path, page(G, title=title).encode("utf-8"))


def page(G: nx.MultiDiGraph, *, title: str) -> str:
    """The whole page of ``G`` as text."""
    data = page_data(G, title=title)
    scripts = "\n".join(f"<script>\n{_script(_resource(name))}\n</script>" for name in (*VENDORED, PAGE_SCRIPT))
    shown = json.dumps(data, ensure_ascii=False) + title + TEMPLATE + _resource(PAGE_SCRIPT)
    css = font_face(shown) + "\n" + _resource(PAGE_STYLE)
    return TEMPLATE.format(csp=CSP, title=html.escape(title), css=css, data=embed_json(data), scripts=scripts)


def font_face(text: str) -> str:
    """An ``@font-face`` rule holding the bundled CJK font cut down to the characters of ``text``
    (plus printable ASCII), as a data URI: about 40 KB for a small graph, 0.3 s to make."""
    import base64

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from .picture import FONT_FAMILY, font_path

    wanted = "".join(sorted(set(text) | {chr(c) for c in range(32, 127)}))
    font = TTFont(str(font_path()), fontNumber=_face_number(str(font_path()), FONT_FAMILY), lazy=True,
                  recalcTimestamp=False)
    options = subset.Options()
    options.layout_features, options.hinting, options.name_IDs = [], False, [1, 2]
    cutter = subset.Subsetter(options)
    cutter.populate(text=wanted)
    cutter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "{PAGE_FONT}"; src: url(data:font/otf;base64,{encoded}) format("opentype"); }}'


@cache
def _face_number(path: str, family: str) -> int:
    """Which face of the font collection is ``family`` (the first one if none is)."""
    from fontTools.ttLib import TTCollection

    faces = TTCollection(path, lazy=True)
    for number, face in enumerate(faces.fonts):
        if face["name"].getDebugName(1) == family:
            return number
    return 0


def embed_json(value) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left,
    so a name such as ``</script>`` cannot end the block (JSON.parse reads the escapes back)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_data(G: nx.MultiDiGraph, *, title: str = "kg") -> dict:
    """What the page draws, as plain JSON-ready values (nodes and edges sorted, so stable)."""
    ids = sorted(G)
    at = {n: i for i, n in enumerate(ids)}
    where = positions(G)
    degrees = dict(G.degree())
    top = max(degrees.values(), default=0)
    labels = {n: style.node_label(str(n), G.nodes[n]) for n in ids}

    nodes = []
    for n in ids:
        d = G.nodes[n]
        kind = d.get("kind", "")
        names = [labels[n], d.get("label") or "", d.get("trigger") or "", *d.get("aliases", ())]
        x, y = where[n]
        node = {
            "id": str(n), "label": labels[n], "kind": kind, "kindName": style.kind_name(kind),
            "color": style.color(kind), "shape": style.shape(kind), "size": style.size(degrees[n], top),
            "x": x, "y": y, "names": list(dict.fromkeys(s for s in names if s)),
            "info": [[k, v] for k, v in style.hover(d).items()],
        }
        if kind in EVENT_KINDS:
            node["event"] = 1
            if d.get("date"):
                node["date"] = str(d["date"])
        nodes.append(node)

    edge_list = sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    pairs = Counter()  # parallel edges (either direction) after the first are drawn as curves
    who: dict[str, set[str]] = {}
    edges = []
    for u, v, _, d in edge_list:
        pair = (min(u, v), max(u, v))
        rank = pairs[pair]
        pairs[pair] += 1
        info = [["ends", f"{labels[u]} → {labels[v]}"], *([k, v_] for k, v_ in style.edge_hover(d).items())]
        edge = {"s": at[u], "t": at[v], "label": style.edge_label(d), "info": info}
        if rank and u != v:
            side = 1 if rank % 2 else -1
            edge["curve"] = round(0.35 * ((rank + 1) // 2) * side * (1 if u < v else -1), 3)
        edges.append(edge)
        if d.get("predicate") == "participant":
            for event, member in ((u, v), (v, u)):
                if G.nodes[event].get("kind") in EVENT_KINDS and G.nodes[member].get("kind") not in EVENT_KINDS:
                    who.setdefault(event, set()).add(labels[member])

    events, undated = [], []
    for n in ids:
        d = G.nodes[n]
        if d.get("kind") not in EVENT_KINDS:
            continue
        entry = {"node": at[n], "date": str(d["date"]) if d.get("date") else "", "kind": style.kind_name(d["kind"]),
                 "text": d.get("trigger") or d.get("label") or labels[n], "who": sorted(who.get(n, ()))}
        (events if entry["date"] else undated).append(entry)
    events.sort(key=lambda e: (e["date"], e["text"], ids[e["node"]]))

    counts = Counter(node["kind"] for node in nodes)
    order = [k for k in style.KINDS if k in counts] + sorted(k for k in counts if k not in style.KINDS)
    kinds = [{"kind": k, "name": style.kind_name(k) if k in style.KINDS else (k or style.UNKNOWN_KIND[2]),
              "color": style.color(k), "shape": style.shape(k), "count": counts[k]} for k in order]

    return {
        "title": title, "nodes": nodes, "edges": edges, "kinds": kinds, "events": events, "undated": undated,
        "dates": sorted({e["date"] for e in events}), "fields": FIELD_NAMES, "edgeColor": style.EDGE_COLOR,
        "edgeLabelLimit": EDGE_LABEL_LIMIT,
    }


@cache
def _resource(name: str) -> str:
    try:
        return (resources.files("kg") / "resources" / "viz" / name).read_text(encoding="utf-8")
    except OSError as err:
        raise KgError(f"the viz page's file {name} is missing from the installed kg ({err.strerror})",
                      hint="reinstall kg") from None


def _script(text: str) -> str:
    """A script's text ready to inline: without its source-map comment (it would name a URL). A
    ``</script`` or ``<!--`` would end or confuse the inline block; the files have none, and a
    changed file that did would be caught here rather than break pages."""
    text = "\n".join(line for line in text.splitlines() if not line.startswith("//# sourceMappingURL="))
    if "</script" in text.lower() or "<!--" in text:
        raise RuntimeError("a vendored viz script contains '</script' or '<!--' and cannot be inlined")
    return text
