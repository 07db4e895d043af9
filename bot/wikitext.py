"""Safe wikitext: escaping, links and tables (pure functions).

Nothing that comes from the app (a request's title, an organisation's name, a
username, a description…) can add a link, template, category, magic word,
signature, table cell, list item, heading or HTML element to a page:

- `escape()` normalises the text (NFC, one line, no control or bidi-control
  characters, no leading/trailing space, bounded length) and writes every
  character that means something in wikitext as an HTML character reference
  (`[ ] { } | < > & ' " ~ _ = * # : ; !`), and breaks the ISBN/RFC/PMID magic
  links. MediaWiki shows character references as the characters themselves, but
  never parses them as markup.
- `escape_message()` does the same for the bot's own (translated) messages, but
  keeps them readable in the page source: only what could become markup is
  escaped (brackets, braces, pipes, tags, entities, `''`, `__`, `~`, `://`, `!!`
  and a special first character), so "l'outil" and "Status:" stay as they are.
- `safe_url()` percent-encodes everything in a URL but a small safe set, so a URL
  cannot end an external link early or carry `~~~~`, `__TOC__`, quotes or spaces.
- `user_link()` links a username only when it is made of letters, marks, digits,
  spaces and `.-(),'`; anything else is shown as escaped text, not linked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from string import ascii_letters, digits
from urllib.parse import urlsplit

TITLE_LIMIT = 250
NAME_LIMIT = 200
DESCRIPTION_LIMIT = 1000
USERNAME_LIMIT = 85

# Characters that mean something somewhere in wikitext → character references.
_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "[": "&#91;", "]": "&#93;", "{": "&#123;", "}": "&#125;", "|": "&#124;",
    "~": "&#126;", "_": "&#95;", "=": "&#61;", "*": "&#42;", "#": "&#35;",
    ":": "&#58;", ";": "&#59;", "!": "&#33;",
}
_ESCAPE_TABLE = str.maketrans(_ENTITIES)
_MESSAGE_TABLE = str.maketrans({char: _ENTITIES[char] for char in "&<>[]{}|~"})
_MESSAGE_PAIRS = (("''", "&#39;&#39;"), ("__", "&#95;&#95;"), ("://", "&#58;//"),
                  ("!!", "&#33;&#33;"))
_LINE_START = frozenset("*#:;=!- ")
_ASCII_SPACE = re.compile(r"[\t\n\r\f\v ]+")
# Bidirectional controls (embeddings, overrides, isolates, marks): removed.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069\ufeff")
# Embeddings, overrides and isolates (a message may keep the marks U+200E/U+200F).
_EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MAGIC_LINK = re.compile(r"(ISBN|RFC|PMID) ")  # also "xRFC ": escaping more is safe
_URL_SAFE = frozenset(ascii_letters + digits + "-./:?&=%+,;@#")
_USERNAME_PUNCTUATION = frozenset(" .-(),'")


# -- escaping ------------------------------------------------------------------------

def clean_text(value: str, limit: int | None = None) -> str:
    """`value` as one NFC line without control or bidi characters, at most `limit` long."""
    text = unicodedata.normalize("NFC", value)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _BIDI_CONTROLS or category in ("Cs", "Co") or char == "\x7f":
            continue
        if category == "Cc":
            kept.append(" ")  # tabs, newlines and other controls become spaces
        else:
            kept.append(char)
    text = " ".join("".join(kept).split())  # also folds NBSP, U+2028/2029, …
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def escape(value: str, limit: int | None = None) -> str:
    """Inline wikitext showing `value` literally (see the module docstring)."""
    text = clean_text(value, limit).translate(_ESCAPE_TABLE)
    if text.startswith("-"):  # "----" is a horizontal rule at the start of a line
        text = "&#45;" + text[1:]
    return _MAGIC_LINK.sub(r"\1&#32;", text)


def escape_message(value: str) -> str:
    """A message of the bot (maybe translated) as inline wikitext, readable but inert.

    `%(name)s` placeholders survive, to be filled with `fill()`.
    """
    text = _ASCII_SPACE.sub(" ", value).strip(" ")
    text = "".join(char for char in text if char not in _EMBEDDINGS
                   and unicodedata.category(char) not in ("Cc", "Cs"))
    text = text.translate(_MESSAGE_TABLE)
    for pair, entity in _MESSAGE_PAIRS:
        while pair in text:
            text = text.replace(pair, entity)
    if text[:1] in _LINE_START or text[:1] == "'":
        text = f"&#{ord(text[0])};{text[1:]}"
    if text.endswith("'"):  # beside the bot's own bold or italic quotes it would be markup
        text = text[:-1] + "&#39;"
    return _MAGIC_LINK.sub(r"\1&#32;", text)


def fill(message: str, **values: str) -> str:
    """`message` escaped, its `%(name)s` placeholders replaced by wikitext `values`.

    A translation with broken placeholders shows them unfilled rather than failing.
    """
    text = escape_message(message)
    if not values:
        return text
    try:
        return text % values
    except (KeyError, ValueError, TypeError):
        return re.sub(r"%\((\w+)\)s", lambda match: values.get(match.group(1), ""), text)


def bdi(value: str, limit: int | None = None) -> str:
    """Escaped text isolated from its neighbours' direction (names in any script)."""
    text = escape(value, limit)
    return f"<bdi>{text}</bdi>" if text else ""


# -- links -----------------------------------------------------------------------------

def safe_url(url: str) -> str | None:
    """An http(s) URL with everything outside a small safe set percent-encoded."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
        return None
    out = []
    for char in url:
        if char in _URL_SAFE:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "replace"))
    return "".join(out)


def external_link(url: str, label: str) -> str:
    """`[url label]` with the URL made safe and `label` (wikitext) as its text."""
    safe = safe_url(url)
    if safe is None:
        return label
    return f"[{safe} {label}]" if label else f"[{safe}]"


def internal_link(title: str, label: str) -> str:
    """`[[title|label]]` for a title the bot made (checked by bot.titles)."""
    return f"[[{title}|{label}]]"


def is_linkable_username(name: str) -> bool:
    """Whether `name` may be put raw into a [[User:…]] link target."""
    if not name or len(name) > USERNAME_LIMIT or name != name.strip() or "  " in name:
        return False
    if "''" in name or name != unicodedata.normalize("NFC", name):
        return False
    for char in name:
        if char in _USERNAME_PUNCTUATION:
            continue
        if unicodedata.category(char)[0] not in "LMN":
            return False
    return True


def user_link(name: str, namespace: str = "User") -> str:
    """A link to the user (or user talk) page, or the escaped name when it is not plain."""
    label = bdi(name, USERNAME_LIMIT)
    if is_linkable_username(name):
        return f"[[{namespace}:{name}|{label}]]"
    return label


def tool_link(url: str, label: str) -> str:
    """A link to the tool for an edit summary: `[[toolforge:name/path|label]]` on Toolforge.

    Edit summaries show wikilinks but not external links; Wikimedia wikis have the
    `toolforge:` interwiki prefix for https://toolforge.org/<tool>/<path>, which
    redirects to the tool. Elsewhere (a local test) the label and the bare URL.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host.endswith(".toolforge.org") and host.count(".") == 2:
        target = host.split(".", 1)[0] + parts.path.rstrip("/")
        if re.fullmatch(r"[a-z0-9][a-z0-9/._-]*", target):
            return f"[[toolforge:{target}|{label}]]"
    return f"{label} ({safe_url(url) or ''})"


# -- tables ------------------------------------------------------------------------------

def sortable_cell(text: str, sort_key: str) -> str:
    """A table cell with a `data-sort-value` (e.g. an ISO date behind a written date)."""
    return f'data-sort-value="{escape(sort_key)}" | {text}'


def table(caption: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A sortable wikitable with a caption (not a heading: no section to edit)."""
    lines = ['{| class="wikitable sortable"', f"|+ {caption}", "! " + " !! ".join(columns)]
    for row in rows:
        lines.append("|-")
        lines.extend(f"| {cell}" if cell else "|" for cell in row)
    lines.append("|}")
    return lines
