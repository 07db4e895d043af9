"""Markdown written by people, turned into HTML that is safe to put in a page.

Python-Markdown passes raw HTML through untouched, so its output is never trusted:
it is cleaned with nh3 (the Rust sanitiser ammonia) against an explicit allow-list
of tags, attributes and URL schemes. Anything not listed is dropped; the contents
of script-like elements are dropped with them.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree  # nosec B405 - builds nodes for Markdown, parses nothing
from typing import ClassVar

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

ALLOWED_TAGS: frozenset[str] = frozenset({
    "p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
# Elements removed together with everything inside them (not just the tags).
DROPPED_WITH_CONTENT: frozenset[str] = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "noembed", "noframes",
    "template", "textarea", "title", "xmp", "svg", "math", "select", "frameset",
})
EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}  # align=, not style=


class _HeadingLevels(Treeprocessor):
    """Keep headings within h2–h4: the page's own title is its only h1."""

    CHANGES: ClassVar[dict[str, str]] = {"h1": "h2", "h5": "h4", "h6": "h4"}

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            element.tag = self.CHANGES.get(element.tag, element.tag)


class _HeadingLevelsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_HeadingLevels(md), "helpdesk_heading_levels", 5)


def render_markdown(text: str) -> Markup:
    """Markdown → sanitised HTML, ready to be put in a template as it is."""
    html = markdown.markdown(
        text or "",
        extensions=[*EXTENSIONS, _HeadingLevelsExtension()],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704  # nosec B704 - cleaned by nh3 just above
