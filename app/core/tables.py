"""Tables that become cards on narrow screens.

On a phone a table of eight columns either scrolls sideways or squeezes each column to a
few letters. The stylesheet shows the rows of a ``table--cards`` table as cards instead,
each cell under its column's name, which it reads from the cell's ``data-label``
(``td::before { content: attr(data-label) }``). `label_cells` writes those attributes
from the table's own header row, so no template repeats its column names and a new
column is labelled as soon as it has a header.

It reads the app's own template output (well-formed, escaped by Jinja), not arbitrary
HTML: a header row in ``<thead>``, rows in ``<tr>…</tr>``, no nested tables.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

_THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_HEADER_CELL = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S | re.I)
_CELL_START = re.compile(r"<(?:td|th)\b([^>]*)>", re.I)
_TAG = re.compile(r"<[^>]*>")
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.I)
_SPACES = re.compile(r"\s+")


def _span(attributes: str) -> int:
    found = _COLSPAN.search(attributes)
    return max(1, min(int(found.group(1)), 100)) if found else 1


def header_labels(table_html: str) -> list[str]:
    """The text of each column's header (the last row of <thead>), one per column."""
    head = _THEAD.search(table_html)
    if head is None:
        return []
    rows = _ROW.findall(head.group(1))
    if not rows:
        return []
    labels: list[str] = []
    for attributes, content in _HEADER_CELL.findall(rows[-1]):
        text = _SPACES.sub(" ", html.unescape(_TAG.sub(" ", content))).strip()
        labels.extend([text] * _span(attributes))
    return labels


def label_cells(table_html: str) -> Markup:
    """The inside of a table (caption, head, body) with a ``data-label`` on each body
    cell: the header text of its column. Cells that have one keep it; cells of columns
    without a header text get none."""
    source = str(table_html)
    labels = header_labels(source)
    head = _THEAD.search(source)
    head_span = head.span() if head else (0, 0)
    pieces: list[str] = []
    done = 0
    for row in _ROW.finditer(source):
        if head_span[0] <= row.start() < head_span[1]:
            continue
        column = 0
        for cell in _CELL_START.finditer(source, row.start(), row.end()):
            attributes = cell.group(1)
            label = labels[column] if column < len(labels) else ""
            column += _span(attributes)
            if not label or "data-label" in attributes:
                continue
            at = cell.start() + 3  # after "<td" or "<th"
            pieces += [source[done:at], f' data-label="{escape(label)}"']
            done = at
    pieces.append(source[done:])
    return Markup("".join(pieces))  # noqa: S704 - escaped template output, labels escaped
