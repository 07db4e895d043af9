"""The Atom 1.0 feed of the public projection, built with ElementTree (all escaped)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET  # nosec B405 - writes XML, parses nothing

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 does not allow at all (ElementTree would write them as they are).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedInfo:
    """What the feed says about itself."""

    feed_id: str
    title: str
    self_url: str
    html_url: str
    author: str
    language: str
    updated: str


def tag_uri(host: str, specific: str) -> str:
    """A stable tag: URI (RFC 4151) minted under this host."""
    authority = host.split(":")[0].lower() or "localhost"
    return f"tag:{authority},2026:{specific}"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: _clean(value) for key, value in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def build_feed(info: FeedInfo, entries: Iterable[dict[str, Any]]) -> bytes:
    """The feed document. Each entry: id, title, updated, published, url, summary,
    categories [(term, label)]."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": info.language})
    _add(feed, "id", info.feed_id)
    _add(feed, "title", info.title, type="text")
    _add(feed, "updated", info.updated)
    _add(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=info.html_url)
    author = _add(feed, "author")
    _add(author, "name", info.author)
    for item in entries:
        entry = _add(feed, "entry")
        _add(entry, "id", item["id"])
        _add(entry, "title", item["title"], type="text")
        _add(entry, "updated", item["updated"])
        _add(entry, "published", item["published"])
        _add(entry, "link", rel="alternate", type="text/html", href=item["url"])
        for term, label in item["categories"]:
            _add(entry, "category", term=term, label=label)
        _add(entry, "summary", item["summary"], type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
