"""The interactive drawing in Jupyter: an ipysigma widget styled like ``kg viz``.

Why ipysigma: MIT-licensed, maintained, built for NetworkX, and its JavaScript ships inside the
Python package (a Jupyter extension), so the widget draws with no network — unlike pyvis (Bootstrap
from a CDN), ipycytoscape (no release since 2022) or yfiles-jupyter-graphs (a licence that forbids
redistribution). One limit: ipysigma draws node *shapes* as Material pictograms fetched from
fonts.gstatic.com, which an offline notebook cannot reach, so here kinds differ by colour (with a
legend) and borders mark events; ``page`` embeds the self-contained ``kg viz`` page, which has the
shapes, a type filter and the timeline, when those are wanted.

Example (in a notebook)::

    g = kg.load("out.ttl")
    widget(g.neighbourhood("星河科技", hops=2))
"""

from __future__ import annotations

import html

import networkx as nx

from ..export.model import EVENT_KINDS
from . import style
from .layout import positions

__all__ = ["widget_graph", "widget", "page"]

EVENT_BORDER = "#333333"


def widget_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` holding what the widget shows: label, kind name, colour, size, and the hover
    fields (aliases, titles, date, confidence, evidence, source) as plain strings in the info panel."""
    degrees = dict(G.degree())
    top = max(degrees.values(), default=0)
    W = nx.MultiDiGraph()
    for n in sorted(G):
        d = G.nodes[n]
        kind = d.get("kind", "")
        W.add_node(n, label=style.node_label(n, d), kind=style.kind_name(kind), size=style.size(degrees[n], top),
                   border=EVENT_BORDER if kind in EVENT_KINDS else style.color(kind), **style.hover(d))
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        W.add_edge(u, v, key=k, **{("label" if f == "relation" else f): value
                                   for f, value in style.edge_hover(d).items()})
    return W


def widget(G: nx.MultiDiGraph, *, height: int = 600, **options):
    """An ipysigma ``Sigma`` widget of ``G``; ``options`` go to ``ipysigma.Sigma`` and win over ours."""
    from ipysigma import Sigma

    W = widget_graph(G)
    kinds = {W.nodes[n]["kind"] for n in W}
    palette = {style.kind_name(k): c for k, (c, _, _) in style.KINDS.items() if style.kind_name(k) in kinds}
    where = {n: {"x": x, "y": y} for n, (x, y) in positions(G).items()}
    settings = dict(
        height=height, layout=where, start_layout=False,
        node_label="label", node_color="kind", node_color_palette=palette, default_node_color=style.UNKNOWN_KIND[0],
        raw_node_size="size", raw_node_border_color="border", default_node_border_size=1,
        edge_label="label", default_edge_type="arrow", default_edge_color=style.EDGE_COLOR,
        clickable_edges=True,
    )
    settings.update(options)
    return Sigma(W, **settings)


def page(G: nx.MultiDiGraph, *, title: str = "kg", height: int = 640):
    """The ``kg viz`` page of ``G`` inside the notebook (an iframe with the page inlined: no files,
    no network), for shapes, the type filter and the timeline."""
    from IPython.display import HTML

    from .html import page as html_page

    text = html_page(G, title=title)
    return HTML(f'<iframe srcdoc="{html.escape(text, quote=True)}" style="width:100%;height:{height}px;border:0" '
                f'sandbox="allow-scripts"></iframe>')
