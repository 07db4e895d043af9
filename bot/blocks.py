"""The generated block of a page: find it, replace it, hash it, diff it (pure functions).

A page's block is everything between `<!-- BEGIN helpdesk-bot -->` and
`<!-- END helpdesk-bot -->`. `merge()` replaces only the text between the markers;
everything outside them stays byte for byte. A page without markers gets the block
appended once (after a blank line). A page with broken markers (one without the
other, END before BEGIN, two blocks) is never touched: `MarkerError`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

BEGIN = "<!-- BEGIN helpdesk-bot -->"
END = "<!-- END helpdesk-bot -->"
_BEGIN_RE = re.compile(r"<!--[ \t]*BEGIN helpdesk-bot[ \t]*-->")
_END_RE = re.compile(r"<!--[ \t]*END helpdesk-bot[ \t]*-->")


class MarkerError(ValueError):
    """The page's markers are broken; the bot will not guess where its block is."""


@dataclass(frozen=True)
class Block:
    """Where a page's block is: `inner` is text[inner_start:inner_end]."""

    inner_start: int
    inner_end: int
    inner: str


def find_block(text: str) -> Block | None:
    """The page's block, None when the page has no markers, MarkerError when broken."""
    begins = list(_BEGIN_RE.finditer(text))
    ends = list(_END_RE.finditer(text))
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1:
        raise MarkerError(
            f"the page has {len(begins)} BEGIN and {len(ends)} END helpdesk-bot markers "
            "(it needs exactly one of each)"
        )
    begin, end = begins[0], ends[0]
    if end.start() < begin.end():
        raise MarkerError("the END helpdesk-bot marker comes before the BEGIN marker")
    return Block(begin.end(), end.start(), text[begin.end():end.start()])


def inner_text(body: str) -> str:
    """What goes between the markers for a rendered `body`."""
    return f"\n{body.strip(chr(10))}\n"


def whole_block(body: str) -> str:
    """Markers and body together, as appended to a page without markers."""
    return f"{BEGIN}{inner_text(body)}{END}"


def merge(text: str, body: str) -> str:
    """The page text with its block holding `body` (appended if there is no block)."""
    block = find_block(text)
    if block is None:
        if not text:
            return whole_block(body)
        if text.endswith("\n\n"):
            separator = ""
        elif text.endswith("\n"):
            separator = "\n"
        else:
            separator = "\n\n"
        return f"{text}{separator}{whole_block(body)}"
    return text[: block.inner_start] + inner_text(body) + text[block.inner_end:]


def block_hash(inner: str) -> str:
    """The hash the state file keeps of a block's inner text."""
    return "sha256:" + hashlib.sha256(inner.encode("utf-8")).hexdigest()


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff of two texts ('' when they are equal)."""
    if old == new:
        return ""
    # Wiki text has no final newline; compare whole lines so the last one is not
    # reported as changed just because text was appended after it.
    old_lines = (old + "\n").splitlines(keepends=True) if old else []
    new_lines = (new + "\n").splitlines(keepends=True) if new else []
    return "".join(difflib.unified_diff(old_lines, new_lines, fromfile=old_name,
                                        tofile=new_name, n=2))
