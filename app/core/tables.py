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
_CELL_END = re.compile(r"</td\s*>", re.I)


def _span(attributes: str) -> int:
    found = _COLSPAN.search(attributes)
    return max(1, min(int(found.group(1)), 100)) if found else 1


def _wrap_value(source: str, cell: re.Match[str], row_end: int, pieces: list[str],
                done: int) -> int:
    """Wrap a non-empty ``<td>``'s content in ``<div class="cell-value">`` (appending to
    `pieces` what comes before, from `done`); where the copying has got to."""
    if not cell.group(0).lower().startswith("<td"):
        return done
    end = _CELL_END.search(source, cell.end(), row_end)
    if end is None or not source[cell.end():end.start()].strip():
        return done
    pieces += [source[done:cell.end()], '<div class="cell-value">',
               source[cell.end():end.start()], "</div>"]
    return end.start()


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
    without a header text get none. The content of each labelled ``<td>`` is wrapped in
    one ``<div class="cell-value">``: a card lays a cell out as a grid (its name, then its
    value), where a value of text and elements ("Helpdesk, <bdi>Communication</bdi>")
    would otherwise become several grid items, each on a line of its own."""
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
            if not label and "data-label" not in attributes:
                continue
            if "data-label" not in attributes:
                at = cell.start() + 3  # after "<td" or "<th"
                pieces += [source[done:at], f' data-label="{escape(label)}"']
                done = at
            done = _wrap_value(source, cell, row.end(), pieces, done)
    pieces.append(source[done:])
    return Markup("".join(pieces))  # noqa: S704 - escaped template output, labels escaped
