"""Page titles as MediaWiki makes them; rosters fall back to the group's slug."""

from __future__ import annotations

import re

import pytest

from bot.titles import MAX_TITLE_BYTES, TitleError, group_title, normal_title

PATTERN = "{prefix}/Working groups/{name}"
PREFIX = "Content Partnerships Hub/Helpdesk"
LANGUAGE_SUFFIXES = ("", "/sv", "/es", "/fr", "/ar", "/bn")


def roster(name: str, slug: str = "the-slug") -> str:
    return group_title(PATTERN, PREFIX, name, slug, LANGUAGE_SUFFIXES)


def test_normal_title_does_what_mediawiki_does() -> None:
    assert normal_title("a  b_c\u00a0d") == "A b c d"
    assert normal_title(" x ") == "X"
    assert normal_title("\u202eabc\u200f") == "Abc"  # bidi controls are stripped
    assert normal_title("e\u0301") == "\u00c9"  # NFC, then the first letter upper case


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"), ("\u202e", "empty"), ("___", "empty"),
    ("a#b", "'#'"), ("a[b", "'['"), ("a|b", "'|'"), ("a{b", "'{'"), ("a<b", "'<'"),
    ("a\x07b", "'\\x07'"), ("a\ufffdb", "'\ufffd'"),
    ("%41%42", "'%41'"), ("A&amp;B", "'&amp;'"), ("A&#91;", "'#'"),
    (".", "relative"), ("..", "relative"), ("./a", "relative"), ("a/../b", "relative"),
    ("a/.", "relative"),
    ("x~~~y", "~~~"), (":Main", "colon"),
    ("ব" * 86, "bytes long"),
])
def test_normal_title_refuses_what_mediawiki_refuses(text: str, reason: str) -> None:
    with pytest.raises(TitleError, match=re.escape(reason)):
        normal_title(text)


def test_the_byte_limit_is_in_utf8_bytes() -> None:
    assert normal_title("a" * MAX_TITLE_BYTES) == "A" + "a" * (MAX_TITLE_BYTES - 1)
    assert normal_title("ব" * 85)  # 255 bytes
    with pytest.raises(TitleError, match="258 bytes"):
        normal_title("ব" * 86)


def test_a_plain_group_name_is_the_rosters_title() -> None:
    assert roster("Use of the content") == f"{PREFIX}/Working groups/Use of the content"
    assert roster("Use_of  content") == f"{PREFIX}/Working groups/Use of content"
    assert roster("café & co.") == f"{PREFIX}/Working groups/café & co."
    assert roster("ভাষা") == f"{PREFIX}/Working groups/ভাষা"


@pytest.mark.parametrize("name", [
    "\u202e",  # issue 19, defect 1: only a bidi control
    "\u202eEvil",  # the wiki would strip it: another title than the bot's
    "ব" * 120,  # issue 19, defect 3: 120 characters, but 360 bytes
    ".", "..",  # relative paths
    "%41%42",  # would become "AB"
    "A/B",  # a subpage
    "Bad [name]", "Name#fragment", "~~~~", ":Main Page", "A&amp;B",
])
def test_a_name_the_wiki_would_refuse_or_change_falls_back_to_the_slug(name: str) -> None:
    assert roster(name) == f"{PREFIX}/Working groups/the-slug"


def test_the_language_subpages_count_against_the_byte_limit() -> None:
    prefix_bytes = len(f"{PREFIX}/Working groups/".encode())
    fits_alone = "x" * (MAX_TITLE_BYTES - prefix_bytes)
    assert group_title(PATTERN, PREFIX, fits_alone, "s").endswith(fits_alone)
    assert roster(fits_alone).endswith("/the-slug")  # "/bn" would make it too long
