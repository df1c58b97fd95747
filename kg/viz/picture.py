"""Static pictures of the graph (``kg viz GRAPH -o graph.png`` or ``-o graph.svg``) for READMEs and papers.

Drawn with matplotlib's ``Figure`` and Agg directly (no pyplot, no display), in the layout and style the
HTML page and the notebook widget use: nodes coloured and shaped by kind and sized by degree, light
arrows for relations, a legend of the kinds present and the title on top. Chinese text is set in Noto
Sans CJK SC from the ``noto-cjk-sans-otc`` package (SIL OFL 1.1; its SC face has the Traditional
characters too), so Chinese labels never turn into empty boxes and nothing depends on the fonts of the
machine; SVG keeps text as paths, so it looks the same where that font is not installed.

Labels are placed greedily, highest degree first, beside their node wherever they overlap nothing
already drawn; a label with no free place is left out (the few highest-degree nodes are labelled
regardless). Edge labels (任职: 董事长) are drawn only for graphs of at most ``EDGE_LABEL_LIMIT`` edges,
and likewise only where they fit. Parallel edges bend apart; a self-loop is counted but not drawn.
An empty graph gives a small picture that says there is nothing to draw.

The bytes depend on the graph and the title only (for one matplotlib and font version): no dates, a
fixed SVG hash salt, and the same drawing order every time, so a picture can be committed and re-made
without noise in the diff.

Example::

    import kg
    from kg.viz.picture import write_picture
    g = kg.load("out.ttl")
    write_picture(g.neighbourhood("星河科技", hops=2), "star.svg", title="星河科技")
"""

from __future__ import annotations

import io
import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import networkx as nx

from ..errors import KgError
from ..io import atomic_write
from . import style
from .layout import positions

__all__ = ["FONT_FAMILY", "FONT_PACKAGE", "chinese_font", "font_path", "register_font", "render", "write_picture"]

FONT_PACKAGE = "noto-cjk-sans-otc"  # on PyPI; SIL Open Font License 1.1
FONT_MODULE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"  # a collection: JP, KR, SC, TC, HK faces (+ mono); matplotlib adds each
FONT_FAMILY = "Noto Sans CJK SC"  # the Simplified Chinese face; it also has every Traditional character
FALLBACK_FAMILY = "DejaVu Sans"  # ships with matplotlib; only for symbols the CJK font lacks

DPI = 150
EDGE_LABEL_LIMIT = 80  # edge labels only for graphs with at most this many edges
ARROW_LIMIT = 1500  # beyond this many edges, straight lines without heads (arrows would be noise and slow)
LABEL_CANDIDATES = 250  # at most this many nodes (highest degree first) are tried for a label
ALWAYS_LABELLED = 5  # the highest-degree nodes (more in big graphs) get a label even where it overlaps
MAX_LABEL_CHARS = 18

TITLE_PT, SUBTITLE_PT, LABEL_PT, EDGE_LABEL_PT, LEGEND_PT = 16.0, 9.0, 9.5, 7.0, 9.5
LABEL_COLOR, EDGE_LABEL_COLOR, SUBTITLE_COLOR = "#222222", "#6E6E6E", "#777777"
GROUND_PAD = 0.12  # the white ground under a label, in font sizes
MARKER_SCALE = 0.8  # style.size is a radius in screen pixels; marker radius in points = that x this
# matplotlib's markers of one size differ in how big they look: scale each so a kind's area reads alike
SHAPE_SCALE = {"circle": 1.0, "square": 0.88, "star": 1.4, "diamond": 0.8, "triangle": 1.15}

# figure geometry, in inches
MIN_SIDE, MAX_SIDE = 4.5, 18.0
LEGEND_WIDTH = 2.4
MARGIN = 0.25
HEAD = 0.85  # title and subtitle
PAD = 0.06  # data units around the outermost nodes (the layout fills [-1, 1])

_LOCK = threading.Lock()  # rc_context and the font manager are process-global
_registered: dict[str, str] = {}  # font file -> the family used from it


# -- the font -----------------------------------------------------------------

def font_path() -> Path:
    """Where the bundled CJK font is; ``KgError`` (with the pip command) if its package is missing."""
    hint = f"pip install {FONT_PACKAGE} (the Chinese font that kg's pictures use)"
    try:
        path = Path(str(resources.files(FONT_MODULE) / FONT_FILE))
    except ModuleNotFoundError:
        raise KgError("the CJK font for pictures is not installed", hint=hint) from None
    if not path.is_file():
        raise KgError(f"the CJK font for pictures is missing from its package: {FONT_FILE}", str(path), hint=hint)
    return path


def register_font() -> str:
    """Add the bundled font to matplotlib's font manager (once) and return the family to ask for.

    matplotlib 3.11 adds every face of the collection, so this is the SC face; an older matplotlib
    adds only the first (JP), which has the same characters in Japanese forms: that is used then.
    """
    from matplotlib import font_manager

    path = str(font_path())
    with _LOCK:
        if path not in _registered:
            font_manager.fontManager.addfont(path)
            names = [e.name for e in font_manager.fontManager.ttflist if str(e.fname) == path]
            _registered[path] = next((f for f in (FONT_FAMILY, "Noto Sans CJK TC") if f in names),
                                     names[0] if names else FONT_FAMILY)
        return _registered[path]


@contextmanager
def chinese_font() -> Iterator[str]:
    """Within this block, matplotlib (pyplot and pandas plots too) sets text in the bundled CJK font;
    the settings before it come back afterwards. Yields the family name.

    Example (in a notebook)::

        with chinese_font():
            ax = counts.plot.bar(title="党组织类型")
            plt.show()
    """
    import matplotlib

    family = register_font()
    with matplotlib.rc_context({"font.family": [family, FALLBACK_FAMILY], "axes.unicode_minus": False}):
        yield family


def _rc(family: str) -> dict:
    return {
        "font.family": [family, FALLBACK_FAMILY],
        "axes.unicode_minus": False,
        "svg.fonttype": "path",  # text as outlines: the SVG needs no font where it is shown
        "svg.hashsalt": "kg",  # stable ids inside the SVG
        "path.simplify": True,
        "text.usetex": False,
    }


# -- the drawing --------------------------------------------------------------

@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def hits(self, other: _Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


class _Space:
    """Boxes already taken on the figure (display pixels), in a grid so a look-up stays cheap."""

    CELL = 60.0

    def __init__(self, bounds: _Box):
        self.bounds = bounds
        self.cells: dict[tuple[int, int], list[tuple[_Box, object]]] = defaultdict(list)

    def _keys(self, b: _Box) -> Iterable[tuple[int, int]]:
        c = self.CELL
        for i in range(int(math.floor(b.x0 / c)), int(math.floor(b.x1 / c)) + 1):
            for j in range(int(math.floor(b.y0 / c)), int(math.floor(b.y1 / c)) + 1):
                yield i, j

    def add(self, b: _Box, owner: object = None) -> None:
        for key in self._keys(b):
            self.cells[key].append((b, owner))

    def free(self, b: _Box, ignore: object = None, *, labels_only: bool = False) -> bool:
        """Inside the bounds and overlapping nothing (with ``labels_only``: no label; nodes are str)."""
        bd = self.bounds
        if b.x0 < bd.x0 or b.y0 < bd.y0 or b.x1 > bd.x1 or b.y1 > bd.y1:
            return False
        for key in self._keys(b):
            for other, owner in self.cells.get(key, ()):
                if owner is ignore or (labels_only and isinstance(owner, str)):
                    continue
                if b.hits(other):
                    return False
        return True


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _side(n: int) -> float:
    """The longer side of the plot area, in inches: grows with the node count, within limits."""
    return max(MIN_SIDE, min(MAX_SIDE, 4.0 + 0.75 * math.sqrt(n)))


def _kinds_order(kinds: Iterable[str]) -> list[str]:
    order = list(style.KINDS)
    return sorted(set(kinds), key=lambda k: (order.index(k) if k in order else len(order), k))


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _head(fig, title: str, subtitle: str) -> None:
    w, h = fig.get_size_inches()
    fig.text(MARGIN / w, 1 - 0.22 / h, title, ha="left", va="top", fontsize=TITLE_PT, fontweight="normal",
             color="#111111", gid="title", parse_math=False)
    fig.text(MARGIN / w, 1 - 0.58 / h, subtitle, ha="left", va="top", fontsize=SUBTITLE_PT,
             color=SUBTITLE_COLOR, gid="subtitle", parse_math=False)


def _empty(title: str):
    fig = _figure(6.0, 3.0)
    _head(fig, title, "0 个节点 · 0 条边 / 0 nodes · 0 edges")
    fig.text(0.5, 0.42, "没有可画的内容 · nothing to draw", ha="center", va="center", fontsize=12,
             color=SUBTITLE_COLOR, gid="empty", parse_math=False)
    return fig


def _draw(G: nx.MultiDiGraph, title: str, pos: dict[str, tuple[float, float]]):
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    nodes = sorted(G)
    n = len(nodes)
    if n == 0:
        return _empty(title)
    degree = dict(G.degree())
    top = max(degree.values(), default=0)
    kind = {v: G.nodes[v].get("kind") or "" for v in nodes}
    radius_pt = {v: style.size(degree[v], top) * MARKER_SCALE for v in nodes}  # as the arrows see it
    marker_pt = {v: radius_pt[v] * SHAPE_SCALE.get(style.shape(kind[v]), 1.0) for v in nodes}

    # plot area: the longer side grows with n, the other follows the layout's shape
    xs = [pos[v][0] for v in nodes]
    ys = [pos[v][1] for v in nodes]
    xlo, xhi, ylo, yhi = min(xs) - PAD, max(xs) + PAD, min(ys) - PAD, max(ys) + PAD
    span_x, span_y = xhi - xlo, yhi - ylo
    side = _side(n)
    if span_x >= span_y:
        plot_w, plot_h = side, max(side * 0.45, side * span_y / span_x)
    else:
        plot_w, plot_h = max(side * 0.45, side * span_x / span_y), side
    # widen the data range of the shorter side so that one data unit is as long across as down
    if span_x / plot_w > span_y / plot_h:
        extra = span_x / plot_w * plot_h - span_y
        ylo, yhi = ylo - extra / 2, yhi + extra / 2
    else:
        extra = span_y / plot_h * plot_w - span_x
        xlo, xhi = xlo - extra / 2, xhi + extra / 2

    kinds_present = _kinds_order(kind.values())
    legend_h = 0.55 + 0.24 * len(kinds_present)
    width = MARGIN + plot_w + 0.15 + LEGEND_WIDTH
    height = max(HEAD + plot_h + MARGIN, HEAD + legend_h + MARGIN)
    fig = _figure(width, height)
    ax = fig.add_axes((MARGIN / width, MARGIN / height, plot_w / width, plot_h / height))
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(ylo, yhi)
    ax.set_axis_off()

    # edges, light, under everything; parallel edges bend apart
    edges = sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    m = len(edges)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for e in edges:
        if e[0] != e[1]:
            groups[(min(e[0], e[1]), max(e[0], e[1]))].append(e)
    bend: dict[tuple, float] = {}
    for (a, _), group in groups.items():
        k = len(group)
        for i, (u, v, key, _) in enumerate(group):
            rad = 0.0 if k == 1 else -0.22 + 0.44 * i / (k - 1)
            bend[(u, v, key)] = rad if u == a else -rad
    if m > ARROW_LIMIT:
        segments = [(pos[u], pos[v]) for u, v, _, _ in edges if u != v]
        ax.add_collection(LineCollection(segments, colors=style.EDGE_COLOR, linewidths=0.4, alpha=0.7,
                                         zorder=1, gid="edges"))
    else:
        for u, v, key, _ in edges:
            if u == v:
                continue
            ax.add_patch(FancyArrowPatch(
                pos[u], pos[v], arrowstyle="-|>", mutation_scale=7 if m <= 300 else 5,
                connectionstyle=f"arc3,rad={bend[(u, v, key)]}", color=style.EDGE_COLOR,
                linewidth=0.8 if m <= 300 else 0.5, shrinkA=radius_pt[u], shrinkB=radius_pt[v] + 1.0, zorder=1,
                clip_on=False))

    # nodes, one scatter per kind (a marker per kind)
    for k in kinds_present:
        members = [v for v in nodes if kind[v] == k]
        ax.scatter([pos[v][0] for v in members], [pos[v][1] for v in members],
                   s=[(2 * marker_pt[v]) ** 2 for v in members],
                   marker=style.MATPLOTLIB_MARKERS[style.shape(k)], c=style.color(k),
                   edgecolors="white", linewidths=0.6, zorder=3, clip_on=False, gid=f"nodes-{k or 'unknown'}")

    # what is taken: the nodes; then labels go where they overlap nothing
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    bbox = ax.get_window_extent(renderer)
    space = _Space(_Box(bbox.x0 - MARGIN * DPI * 0.8, bbox.y0 - MARGIN * DPI * 0.8,
                        bbox.x1 + 0.1 * DPI, bbox.y1 + 0.1 * DPI))
    px_per_pt = DPI / 72.0
    centre = {}
    for v in nodes:
        x, y = (float(c) for c in to_px(pos[v]))
        centre[v] = (x, y)
        r = radius_pt[v] * px_per_pt
        space.add(_Box(x - r, y - r, x + r, y + r), v)

    # a soft white ground under each label keeps it legible over edges; a box rather than a stroked halo
    # (path effects) so the SVG keeps each glyph once and refers to it (<use>) wherever it recurs
    ground = {"boxstyle": f"round,pad={GROUND_PAD},rounding_size=0.3", "facecolor": "white", "edgecolor": "none",
              "alpha": 0.8}
    inverse = ax.transData.inverted()

    def measure(text: str, size: float) -> tuple[float, float]:
        """Width and height in pixels of ``text`` with its ground."""
        t = fig.text(0, 0, text, fontsize=size, parse_math=False)
        ext = t.get_window_extent(renderer)
        t.remove()
        pad = 2 * GROUND_PAD * size * px_per_pt
        return ext.width + pad, ext.height + pad

    def put(text: str, box: _Box, size: float, color: str, gid: str) -> None:
        cx, cy = inverse.transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
        ax.text(float(cx), float(cy), text, fontsize=size, color=color, ha="center", va="center", zorder=4,
                bbox=ground, parse_math=False, gid=gid, clip_on=False)

    ranked = sorted(nodes, key=lambda v: (-degree[v], style.node_label(v, G.nodes[v]), v))
    always = max(ALWAYS_LABELLED, min(20, n // 150))
    labelled = 0
    for rank, v in enumerate(ranked[:LABEL_CANDIDATES]):
        text = _short(style.node_label(v, G.nodes[v]))
        w, h = measure(text, LABEL_PT)
        x, y = centre[v]
        gap = radius_pt[v] * px_per_pt + 2
        d = gap * 0.72
        options = [
            _Box(x + gap, y - h / 2, x + gap + w, y + h / 2),  # right
            _Box(x - w / 2, y - gap - h, x + w / 2, y - gap),  # below
            _Box(x - w / 2, y + gap, x + w / 2, y + gap + h),  # above
            _Box(x - gap - w, y - h / 2, x - gap, y + h / 2),  # left
            _Box(x + d, y - d - h, x + d + w, y - d),  # below right
            _Box(x + d, y + d, x + d + w, y + d + h),  # above right
            _Box(x - d - w, y - d - h, x - d, y - d),  # below left
            _Box(x - d - w, y + d, x - d, y + d + h),  # above left
        ]
        chosen = next((b for b in options if space.free(b, ignore=v)), None)
        if chosen is None and rank < always:  # over other nodes (its ground keeps it legible), not labels
            chosen = next((b for b in options if space.free(b, ignore=v, labels_only=True)), options[0])
        if chosen is None:
            continue
        space.add(chosen, ("label", v))
        put(text, chosen, LABEL_PT, LABEL_COLOR, f"label-{rank}")  # rank: 0 is the highest degree
        labelled += 1

    # edge labels, on small graphs only, at the middle of each (bent) edge where they fit
    edge_labels = 0
    if m <= EDGE_LABEL_LIMIT:
        for u, v, key, data in edges:
            text = style.edge_label(data)
            if u == v or not text:
                continue
            (x1, y1), (x2, y2) = centre[u], centre[v]
            rad = bend[(u, v, key)]
            mx, my = (x1 + x2) / 2 + 0.5 * rad * (y2 - y1), (y1 + y2) / 2 - 0.5 * rad * (x2 - x1)
            w, h = measure(_short(text), EDGE_LABEL_PT)
            box = _Box(mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)
            if space.free(box):
                space.add(box, ("edge", u, v, key))
                put(_short(text), box, EDGE_LABEL_PT, EDGE_LABEL_COLOR, f"edge-label-{edge_labels}")
                edge_labels += 1

    # legend of the kinds present, in the right-hand strip
    handles = [Line2D([], [], linestyle="none", marker=style.MATPLOTLIB_MARKERS[style.shape(k)],
                      markerfacecolor=style.color(k), markeredgecolor="white",
                      markersize=9 * SHAPE_SCALE.get(style.shape(k), 1.0))
               for k in kinds_present]
    legend = fig.legend(handles, [style.kind_name(k) for k in kinds_present], loc="upper left",
                        bbox_to_anchor=((width - LEGEND_WIDTH) / width, 1 - HEAD / height),
                        frameon=False, fontsize=LEGEND_PT, title="类型 Kinds", title_fontsize=LEGEND_PT + 0.5,
                        alignment="left", handletextpad=0.4, borderaxespad=0.0)
    legend.set_gid("legend")

    subtitle = f"{n} 个节点 · {m} 条边 / {n} nodes · {m} edges"
    if labelled < n:
        subtitle += (f" · 标注 {labelled} 个节点（度数最高、不重叠者）"
                     f" / {labelled} labelled, highest degree first")
    _head(fig, title, subtitle)
    return fig


def render(G: nx.MultiDiGraph, fmt: str, *, title: str) -> bytes:
    """The picture of ``G`` as PNG or SVG bytes (``fmt`` is "png" or "svg")."""
    import matplotlib

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise KgError(f"cannot draw a picture as '{fmt}'", hint="use .png or .svg")
    family = register_font()
    pos = positions(G)  # the slow part for big graphs; needs no lock
    with _LOCK, matplotlib.rc_context(_rc(family)):
        fig = _draw(G, title, pos)
        out = io.BytesIO()
        if fmt == "png":
            fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
        else:
            fig.savefig(out, format="svg", dpi=DPI,
                        metadata={"Title": title, "Date": None, "Creator": "kg (matplotlib)"})
    return out.getvalue()


def write_picture(G: nx.MultiDiGraph, path: str | Path, *, title: str) -> None:
    """Draw ``G`` into ``path`` (.png or .svg), written whole or not at all."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():  # fail before drawing (atomic_write checks again)
        raise KgError("output folder does not exist", str(folder))
    data = render(G, path.suffix, title=title)
    atomic_write(path, data)
