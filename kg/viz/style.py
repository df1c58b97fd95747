"""How the graph is drawn, in one place: the notebook widget, the HTML page and the static pictures
all take colours, shapes, sizes, edge labels and hover fields from here, so they look alike.

Colours are the Okabe-Ito palette (distinct for colour-blind readers) plus greys for events.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..export.model import EVENT_KINDS

# kind -> (colour, shape, name shown in legends and filters)
KINDS: dict[str, tuple[str, str, str]] = {
    "Person": ("#0072B2", "circle", "人物 Person"),
    "Company": ("#E69F00", "square", "企业 Company"),
    "PartyOrganization": ("#D55E00", "star", "党组织 Party organisation"),
    "GovernmentOrganization": ("#009E73", "diamond", "政府机构 Government body"),
    "Organization": ("#CC79A7", "square", "其他组织 Organisation"),
    "Place": ("#56B4E9", "triangle", "地点 Place"),
    "Founding": ("#666666", "circle", "成立 Founding"),
    "Partnership": ("#666666", "circle", "合作 Partnership"),
    "Meeting": ("#888888", "circle", "会议 Meeting"),
    "Donation": ("#888888", "circle", "捐赠 Donation"),
    "Award": ("#888888", "circle", "获奖 Award"),
    "Visit": ("#888888", "circle", "调研 Visit"),
    "Other": ("#AAAAAA", "circle", "其他事件 Other event"),
}
UNKNOWN_KIND = ("#999999", "circle", "其他 Other")
MATPLOTLIB_MARKERS = {"circle": "o", "square": "s", "star": "*", "diamond": "D", "triangle": "^"}
EDGE_COLOR = "#B0B0B0"

# predicate -> short Chinese label shown on edges; a position adds its title (任职: 董事长)
PREDICATE_LABELS = {
    "holdsPosition": "任职",
    "memberOf": "成员",
    "hasPartyOrganization": "党组织",
    "partnerOf": "合作",
    "founded": "创办",
    "guides": "指导",
    "subOrganizationOf": "隶属",
    "locatedIn": "位于",
    "participant": "参与",
}

MIN_SIZE, MAX_SIZE = 4.0, 20.0  # node radius in screen pixels, by degree


def color(kind: str) -> str:
    return KINDS.get(kind, UNKNOWN_KIND)[0]


def shape(kind: str) -> str:
    return KINDS.get(kind, UNKNOWN_KIND)[1]


def kind_name(kind: str) -> str:
    return KINDS.get(kind, UNKNOWN_KIND)[2]


def size(degree: int, max_degree: int) -> float:
    """Radius grows with the square root of the degree (area tracks degree), between MIN_SIZE and MAX_SIZE."""
    if max_degree <= 0:
        return MIN_SIZE
    return round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(degree / max_degree), 2)


def edge_label(edge: Mapping) -> str:
    """任职: 董事长 for a position with a title, else the predicate's label (the predicate itself if unknown)."""
    label = PREDICATE_LABELS.get(edge.get("predicate", ""), edge.get("predicate", ""))
    return f"{label}: {edge['title']}" if edge.get("title") else label


def node_label(iri: str, node: Mapping) -> str:
    """The name, or for an event its trigger and date (合作伙伴 2019-07), or the IRI's last part."""
    if node.get("kind") in EVENT_KINDS:
        text = " ".join(p for p in (node.get("trigger") or node.get("label"), node.get("date")) if p)
        if text:
            return text
    return node.get("label") or iri.rstrip("/").rsplit("/", 1)[-1]


def hover(node: Mapping) -> dict[str, str]:
    """The fields shown on hover or click, in order, only those with a value."""
    fields = {
        "type": kind_name(node.get("kind", "")),
        "aliases": "、".join(node.get("aliases", ())),
        "titles": "、".join(node.get("titles", ())),
        "date": node.get("date") or "",
        "confidence": f"{node['confidence']:.2f}" if node.get("confidence") is not None else "",
        "evidence": node.get("evidence_text") or "",
        "source": node.get("evidence_path") or "",
    }
    return {k: v for k, v in fields.items() if v}


def edge_hover(edge: Mapping) -> dict[str, str]:
    fields = {
        "relation": edge_label(edge),
        "date": edge.get("date") or "",
        "confidence": f"{edge['confidence']:.2f}" if edge.get("confidence") is not None else "",
        "evidence": edge.get("evidence_text") or "",
        "source": edge.get("evidence_path") or "",
    }
    return {k: v for k, v in fields.items() if v}
