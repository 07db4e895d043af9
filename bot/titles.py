"""Page titles as MediaWiki makes them (pure functions).

MediaWiki changes or refuses many strings as titles (MediaWikiTitleCodec::
splitTitleString): it strips bidirectional controls, folds every kind of space
and underscore into one space, trims, normalises to NFC, upper-cases the first
letter, and refuses titles that are empty, hold `#<>[]{}|` or control
characters, URL escapes (`%41`) or character references (`&amp;`), are relative
paths (`.`, `..`, `a/./b`…), hold `~~~`, or are longer than 255 **bytes**.

`normal_title()` does the same and raises `TitleError` where MediaWiki would
refuse; `group_title()` uses a working group's name for its roster page when the
name makes a plain, valid title in every language, and its slug otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_TITLE_BYTES = 255

# What MediaWiki strips and folds (MediaWikiTitleCodec).
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e]+")
_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# Characters outside $wgLegalTitleChars, URL escapes and character references.
_ILLEGAL = re.compile(
    "[\x00-\x1f\x7f#<>\\[\\]{}|\ufffd]|%[0-9A-Fa-f]{2}|&[A-Za-z0-9\u0080-\U0010ffff]+;"
)
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")


class TitleError(ValueError):
    """MediaWiki would refuse this title; `reason` says why, in a few words."""

    def __init__(self, title: str, reason: str) -> None:
        """Keep the title and the reason."""
        super().__init__(f"{title!r}: {reason}")
        self.title = title
        self.reason = reason


def _is_relative(title: str) -> bool:
    return "." in title and (
        title in (".", "..")
        or title.startswith(("./", "../"))
        or "/./" in title
        or "/../" in title
        or title.endswith(("/.", "/.."))
    )


def normal_title(text: str) -> str:
    """`text` as MediaWiki stores it as a title (spaces, first letter upper case).

    Raises TitleError where MediaWiki would refuse the title, or would read it as
    something else (a leading colon, a `#fragment`).
    """
    title = unicodedata.normalize("NFC", text)
    title = _BIDI.sub("", title)
    title = _SPACES.sub(" ", title).strip(" ")
    if _NONCHARACTERS.search(title):
        raise TitleError(text, "it holds characters that are not text")
    if not title:
        raise TitleError(text, "it is empty")
    if title.startswith(":"):
        raise TitleError(text, "it starts with a colon")
    match = _ILLEGAL.search(title)
    if match:
        raise TitleError(text, f"MediaWiki does not allow {match.group(0)!r} in titles")
    if _is_relative(title):
        raise TitleError(text, "it is a relative path (. or ..)")
    if "~~~" in title:
        raise TitleError(text, "it holds ~~~ (a signature)")
    size = len(title.encode("utf-8"))
    if size > MAX_TITLE_BYTES:
        raise TitleError(text, f"it is {size} bytes long (at most {MAX_TITLE_BYTES})")
    first = title[0].upper()
    return (first if len(first) == 1 else title[0]) + title[1:]


def clean_name(name: str) -> str:
    """A name with the harmless changes MediaWiki would make anyway (NFC, spaces folded)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip(" ")


def is_plain_name(name: str) -> bool:
    """Whether a (cleaned) name is one level of a title that MediaWiki keeps as it is."""
    if not name or "/" in name or name.startswith(":") or _BIDI.search(name):
        return False
    try:
        normal_title(name)
    except TitleError:
        return False
    return True


def group_title(pattern: str, prefix: str, name: str, slug: str,
                suffixes: Iterable[str] = ("",)) -> str:
    """The roster page's title: the group's name if it is a plain title, else its slug.

    `pattern` is BOT_GROUP_PAGE (`{prefix}`, `{name}`, `{slug}`); every title made
    from it with one of `suffixes` appended (the language subpages, e.g. "/bn")
    must be valid, or the slug is used.
    """
    name = clean_name(name)
    if is_plain_name(name):
        try:
            title = normal_title(pattern.format(prefix=prefix, name=name, slug=slug))
            for suffix in suffixes:
                normal_title(title + suffix)
        except TitleError:
            pass
        else:
            return title
    return normal_title(pattern.format(prefix=prefix, name=slug, slug=slug))
