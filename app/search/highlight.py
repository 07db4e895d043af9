"""Marking the searched words in results, safely.

The text is never trusted: every piece of it is escaped, and the only markup added is
our own `<mark>` around a match (found in the raw text, so that a word never matches
inside an escaped entity such as `&amp;`). A word matches at the start of a word, as
the indexes do ("museu" marks the start of "Museum").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

SNIPPET = 180  # characters around the first match


def pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern that finds any of `words` at the start of a word, or None."""
    if not words:
        return None
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + ")",
                      re.IGNORECASE)


def mark(text: str, found: re.Pattern[str] | None) -> Markup:
    """`text` escaped, with each match in `<mark>`."""
    if found is None:
        return escape(text)
    pieces: list[Markup] = []
    position = 0
    for match in found.finditer(text):
        pieces.append(escape(text[position:match.start()]))
        pieces.append(Markup("<mark>%s</mark>") % match.group())
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def snippet(text: str, found: re.Pattern[str] | None) -> Markup | None:
    """A short passage of `text` around its first match, marked; None without a match."""
    if found is None:
        return None
    flat = " ".join(text.split())
    first = found.search(flat)
    if first is None:
        return None
    start = max(0, first.start() - SNIPPET // 3)
    if start:
        space = flat.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(flat), start + SNIPPET)
    if end < len(flat):
        space = flat.find(" ", end)
        end = space if 0 <= space < end + 20 else end
    before = Markup("… ") if start else Markup("")
    after = Markup(" …") if end < len(flat) else Markup("")
    return before + mark(flat[start:end], found) + after
