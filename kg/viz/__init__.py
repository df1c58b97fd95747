"""Drawing the graph: an interactive widget in Jupyter (``widget``), one self-contained HTML page
(``html``) and static pictures (``picture``), all styled by ``style``.

Example::

    import kg
    from kg.viz import write_drawing
    g = kg.load("out.ttl")
    write_drawing(g.neighbourhood("星河科技", hops=2), "star.html", title="星河科技")
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from ..errors import KgError

FORMATS = {".html": "page", ".htm": "page", ".png": "picture", ".svg": "picture"}

__all__ = ["FORMATS", "write_drawing"]


def write_drawing(G: nx.MultiDiGraph, out: str | Path, *, title: str = "kg") -> None:
    """Draw ``G`` (as made by ``kg.explore.to_networkx``) into ``out``; the suffix picks the kind."""
    out = Path(out)
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise KgError(f"cannot draw to '{out.suffix or out.name}'", str(out),
                      hint="name an output ending in .html, .png or .svg")
    if kind == "page":
        from .html import write_html

        write_html(G, out, title=title)
    else:
        from .picture import write_picture

        write_picture(G, out, title=title)
