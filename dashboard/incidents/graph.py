"""A small server-side SVG layout of an MLM entity: sponsors above, linked accounts around, downline below."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 460
CENTER = (360, 250)


@dataclass(frozen=True, slots=True)
class Node:
    x: int
    y: int
    label: str
    css: str  # node, node-center


@dataclass(frozen=True, slots=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str


@dataclass(frozen=True, slots=True)
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layout(entity: str, sponsors: list[str], linked: list[tuple[str, list[str]]], downline: int) -> Graph:
    """Place nodes: sponsors stacked above the entity, linked accounts on an arc, downline below."""
    cx, cy = CENTER
    nodes = [Node(cx, cy, _short(entity), "node-center")]
    edges: list[Edge] = []
    below = (cx, cy)
    for level, sponsor in enumerate(sponsors[:3], start=1):
        y = cy - 70 * level
        nodes.append(Node(cx, y, _short(sponsor), "node"))
        edges.append(Edge(cx, y, below[0], below[1], "sponsor" if level == 1 else ""))
        below = (cx, y)
    for i, (account, kinds) in enumerate(linked[:12]):
        # Spread linked accounts over the left and right sides, keeping the vertical axis free.
        side = -1 if i % 2 == 0 else 1
        angle = math.radians(-60 + (i // 2) * 24)
        x = int(cx + side * 250 * math.cos(angle))
        y = int(cy + 170 * math.sin(angle))
        nodes.append(Node(x, y, _short(account), "node"))
        edges.append(Edge(cx, cy, x, y, _short(", ".join(kinds), 24)))
    if downline:
        nodes.append(Node(cx, cy + 150, f"downline: {downline}", "node"))
        edges.append(Edge(cx, cy, cx, cy + 150, "recruits"))
    return Graph(WIDTH, HEIGHT, nodes, edges)
