"""Markdown from users renders, and nothing that could run script gets through."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from app.core.markdown import render_markdown

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "code", "pre",
                "blockquote", "table", "thead", "tbody", "tr", "th", "td", "hr", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "th": {"align"}, "td": {"align"}}


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_safe(html: str) -> None:
    """Only allowed tags and attributes; links only to http(s), mailto or this site."""
    for tag, attributes in elements(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> got through: {html}"
        for name, value in attributes.items():
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), f"{name}= on <{tag}>: {html}"
            if name == "href":
                scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
                assert scheme in ("", "http", "https", "mailto"), f"href {value!r}: {html}"
                assert "script" not in value.lower()


ATTACKS = [
    "<script>alert(1)</script>",
    "Before <script type='text/javascript'>alert(document.cookie)</script> after",
    "<img src=x onerror=alert(1)>",
    "![a picture](https://example.org/p.png)",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](java&#9;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="https://example.org" onclick="alert(1)">click</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[ref link][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<p style="background: url(javascript:alert(1))">styled</p>',
    '<span style="color: red">styled</span>',
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    '<div onmouseover="alert(1)">hover</div>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=x><button>go</button></form>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<!-- <script>alert(1)</script> -->",
    '<h1 id="x" class="y">Heading</h1>',
    '<table onclick="alert(1)"><tr><td style="x" align="left">c</td></tr></table>',
]


@pytest.mark.parametrize("source", ATTACKS)
def test_dangerous_markup_is_removed(source: str) -> None:
    html = str(render_markdown(source))
    assert_safe(html)
    lowered = html.lower()
    for needle in ("<script", "<img", "<iframe", "<style", "<svg", "onerror", "onclick",
                   "onload", "onmouseover", "style=", "javascript:", "data:", "alert(1)"):
        assert needle not in lowered, f"{needle!r} in {html!r}"


def test_script_and_style_contents_are_dropped_not_shown_as_text() -> None:
    html = str(render_markdown("<script>steal()</script>\n\n<style>p{}</style>\n\nSafe text"))
    assert "steal" not in html
    assert "p{}" not in html
    assert "Safe text" in html


def test_a_dangerous_link_keeps_its_text_but_not_its_address() -> None:
    html = str(render_markdown("[read this](javascript:alert(1))"))
    assert elements(html) == [("p", {}), ("a", {"rel": "nofollow noopener"})]
    assert "read this" in html


def test_headings_lists_links_emphasis_and_quotes_render() -> None:
    html = str(render_markdown(
        "## Licences\n\nSome **bold** and *italic* text.\n\n"
        "1. first\n2. second\n\n- a\n- b\n\n"
        "> quoted\n\n---\n\n"
        "See [the policy](https://meta.wikimedia.org/wiki/Policy \"Policy\") or "
        "<https://example.org> or [us](mailto:helpdesk@example.org) or "
        "[another page](/guidelines/licences)."
    ))
    assert_safe(html)
    assert "<h2>Licences</h2>" in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<ol>" in html and "<li>first</li>" in html
    assert "<ul>" in html and "<li>a</li>" in html
    assert "<blockquote>" in html and "<hr>" in html
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert links == [
        {"href": "https://meta.wikimedia.org/wiki/Policy", "title": "Policy",
         "rel": "nofollow noopener"},
        {"href": "https://example.org", "rel": "nofollow noopener"},
        {"href": "mailto:helpdesk@example.org", "rel": "nofollow noopener"},
        {"href": "/guidelines/licences", "rel": "nofollow noopener"},
    ]


def test_a_level_one_heading_becomes_level_two_below_the_page_title() -> None:
    html = str(render_markdown("# Top\n\n### Third\n\n###### Sixth"))
    assert [tag for tag, _ in elements(html)] == ["h2", "h3", "h4"]


def test_tables_keep_their_alignment_as_an_attribute() -> None:
    html = str(render_markdown("| Name | Count |\n|:-----|------:|\n| maps | 10 |"))
    assert_safe(html)
    assert ("th", {"align": "left"}) in elements(html)
    assert ("td", {"align": "right"}) in elements(html)
    assert "<td align=\"left\">maps</td>" in html


def test_code_is_shown_escaped_not_run() -> None:
    html = str(render_markdown("```html\n<script>alert(1)</script>\n```\n\nInline `<b>x</b>`"))
    assert_safe(html)
    assert "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>" in html
    assert "<code>&lt;b&gt;x&lt;/b&gt;</code>" in html


def test_sane_lists_do_not_merge_different_list_kinds() -> None:
    html = str(render_markdown("1. one\n2. two\n\n* star\n* star"))
    assert [tag for tag, _ in elements(html)] == ["ol", "li", "li", "ul", "li", "li"]


def test_the_result_is_markup_and_empty_text_gives_nothing() -> None:
    assert isinstance(render_markdown("hi"), Markup)
    assert str(render_markdown("")) == ""
