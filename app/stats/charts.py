"""Server-side SVG bar charts, built with ElementTree so every label is escaped.

No script and no style attributes (the Content Security Policy allows neither
inline): colours are presentation attributes, sizes come from the viewBox, and
the chart scales to the width of its container. Each row shows its label on a
line of its own, then one bar per series with its value after the bar, so long
labels never overlap the bars. For right-to-left languages the chart is mirrored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET  # nosec B405 - writes XML, parses nothing

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
PROGRESSIVE = "#36c"  # Codex: color-progressive
SUCCESS = "#14866d"  # Codex: color-success
TEXT = "#202122"  # Codex: color-base

WIDTH = 600
MARGIN = 8
LABEL_HEIGHT = 18  # a row's label line
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 10
VALUE_ROOM = 64  # room after the longest bar for its value
LEGEND_HEIGHT = 24


@dataclass(frozen=True)
class Series:
    """One set of bars: its name (for the legend) and colour."""

    name: str
    colour: str = PROGRESSIVE


@dataclass(frozen=True)
class Bar:
    """One row of the chart: a label and one value per series, with the value as shown."""

    label: str
    values: tuple[float, ...]
    texts: tuple[str, ...]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: object
         ) -> ET.Element:
    """A child element; `class_` is "class" and other underscores are hyphens."""
    element = ET.SubElement(parent, tag, {key.rstrip("_").replace("_", "-"): str(value)
                                          for key, value in attributes.items()})
    if text is not None:
        element.text = text
    return element


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    series: Sequence[Series] = (Series(""),),
    rtl: bool = False,
) -> Markup:
    """A horizontal bar chart as inline SVG markup.

    `chart_id` must be unique on the page; the chart is labelled by its <title>
    and <desc> (through aria-labelledby). Values are scaled to the largest one.
    """
    legend = len(series) > 1
    row_height = LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    top = MARGIN + (LEGEND_HEIGHT if legend else 0)
    height = top + row_height * len(bars) + MARGIN
    largest = max((value for bar in bars for value in bar.values), default=0) or 1
    room = WIDTH - 2 * MARGIN - VALUE_ROOM

    def x(position: float, width: float = 0) -> str:
        """A left edge, mirrored for right-to-left (`width` of the thing placed)."""
        left = MARGIN + position
        return _num(WIDTH - left - width if rtl else left)

    svg = ET.Element("svg", {
        "xmlns": SVG_NS,
        "role": "img",
        "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
        "id": chart_id,
        "viewBox": f"0 0 {WIDTH} {_num(height)}",
        "width": "100%",
        "preserveAspectRatio": "xMinYMin meet",
        "font-size": "13",
        "direction": "rtl" if rtl else "ltr",
    })
    _sub(svg, "title", title, id=f"{chart_id}-title")
    _sub(svg, "desc", description, id=f"{chart_id}-desc")

    if legend:
        offset = 0.0
        for item in series:
            _sub(svg, "rect", class_="chart__legend", fill=item.colour, x=x(offset, 12),
                 y=MARGIN + 2, width=12, height=12)
            _sub(svg, "text", item.name, x=x(offset + 18), y=MARGIN + 13, fill=TEXT)
            offset += 18 + 8 * len(item.name) + 24

    for index, bar in enumerate(bars):
        row_top = top + index * row_height
        group = _sub(svg, "g", class_="chart__row")
        _sub(group, "text", bar.label, x=x(0), y=_num(row_top + LABEL_HEIGHT - 5), fill=TEXT,
             font_weight="bold")
        for number, item in enumerate(series):
            value = bar.values[number] if number < len(bar.values) else 0
            text = bar.texts[number] if number < len(bar.texts) else ""
            width = max(value, 0) / largest * room
            bar_top = row_top + LABEL_HEIGHT + number * (BAR_HEIGHT + BAR_GAP)
            _sub(group, "rect", class_="chart__bar" if number == 0 else "chart__bar-alt",
                 fill=item.colour, x=x(0, width), y=_num(bar_top), width=_num(width),
                 height=BAR_HEIGHT)
            _sub(group, "text", text, x=x(width + 6), y=_num(bar_top + BAR_HEIGHT - 3),
                 fill=TEXT)
    return Markup(ET.tostring(svg, encoding="unicode", method="xml"))  # noqa: S704  # nosec B704 - ElementTree escapes


def _num(value: float) -> str:
    """A coordinate without needless decimals."""
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"
