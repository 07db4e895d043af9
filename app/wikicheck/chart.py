"""The impact chart's geometry: a server-rendered SVG bar chart (no JavaScript)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


def _value(snapshot: Any, name: str) -> int:
    """A figure of a snapshot row or of its public projection (a dict)."""
    return int(snapshot[name] if isinstance(snapshot, Mapping) else getattr(snapshot, name))


def bars(snapshots: Sequence[Any]) -> Chart:
    """Page views per snapshot day, scaled to the tallest."""
    tallest = max((_value(snapshot, "views") for snapshot in snapshots), default=0) or 1
    usable = HEIGHT - TOP - 20
    drawn = []
    for index, snapshot in enumerate(snapshots):
        views = _value(snapshot, "views")
        height = round(usable * views / tallest)
        drawn.append(Bar(_value(snapshot, "day"), views, GAP + index * (BAR + GAP),
                         TOP + usable - height, height))
    width = max(WIDTH, GAP + len(drawn) * (BAR + GAP))
    return Chart(drawn, width, HEIGHT, TOP + usable)
