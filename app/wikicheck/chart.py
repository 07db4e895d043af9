"""The impact chart's geometry: a server-rendered SVG bar chart (no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.wikicheck.models import ImpactSnapshot

WIDTH, HEIGHT, BAR, GAP, TOP = 320, 160, 48, 24, 20


@dataclass(frozen=True)
class Bar:
    """One bar: a snapshot's page views."""

    day: int
    value: int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Chart:
    """The bars and the frame they are drawn in."""

    bars: list[Bar]
    width: int
    height: int
    baseline: int


def bars(snapshots: Sequence[ImpactSnapshot]) -> Chart:
    """Page views per snapshot day, scaled to the tallest."""
    tallest = max((snapshot.views for snapshot in snapshots), default=0) or 1
    usable = HEIGHT - TOP - 20
    drawn = []
    for index, snapshot in enumerate(snapshots):
        height = round(usable * snapshot.views / tallest)
        drawn.append(Bar(snapshot.day, snapshot.views, GAP + index * (BAR + GAP),
                         TOP + usable - height, height))
    width = max(WIDTH, GAP + len(drawn) * (BAR + GAP))
    return Chart(drawn, width, HEIGHT, TOP + usable)
