"""The throwaway MediaWiki (tests/mediawiki.py) installs, serves and can be edited.

Needs Debian's mediawiki package: run `make system` first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.mediawiki import SITE_NAME, ThrowawayWiki, WikiError, start_wiki


@pytest.fixture(scope="session")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayWiki]:
    """A real MediaWiki on a loopback port for the whole session."""
    running = start_wiki(tmp_path_factory.mktemp("mediawiki"))
    yield running
    running.stop()


def test_siteinfo_answers_with_the_site_name(wiki: ThrowawayWiki) -> None:
    response = requests.get(
        wiki.api_url,
        params={"action": "query", "meta": "siteinfo", "format": "json"},
        timeout=30,
    )
    assert response.status_code == 200
    general = response.json()["query"]["general"]
    assert general["sitename"] == SITE_NAME == "Helpdesk Test Wiki"
    assert general["generator"].startswith("MediaWiki 1.")
    assert general["server"] == wiki.base_url
    assert wiki.api_url == f"{wiki.base_url}/api.php"
    assert wiki.index_url == f"{wiki.base_url}/index.php"


def test_bot_logs_in_with_its_botpassword_and_creates_a_page(wiki: ThrowawayWiki) -> None:
    assert wiki.bot_username == "HelpdeskBot@sync"
    session = wiki.api_session(wiki.bot_username, wiki.bot_password)

    me = session.get(
        wiki.api_url,
        params={
            "action": "query",
            "meta": "userinfo",
            "uiprop": "groups|rights",
            "format": "json",
            "formatversion": "2",
        },
        timeout=30,
    ).json()["query"]["userinfo"]
    assert me["name"] == "HelpdeskBot"
    assert "bot" in me["groups"]
    assert "edit" in me["rights"]

    token = session.get(
        wiki.api_url,
        params={"action": "query", "meta": "tokens", "type": "csrf", "format": "json"},
        timeout=30,
    ).json()["query"]["tokens"]["csrftoken"]
    assert token != "+\\"  # the anonymous token: the login did not stick

    text = "Synced by the bot: [[Foo]] ünïcödé — ok\n\n== Section ==\nLine two."
    answer = session.post(
        wiki.api_url,
        data={
            "action": "edit",
            "title": "Bot created page",
            "text": text,
            "summary": "bot test edit",
            "bot": "1",
            "createonly": "1",
            "token": token,
            "format": "json",
            "formatversion": "2",
        },
        timeout=30,
    ).json()
    assert answer["edit"]["result"] == "Success", answer
    assert answer["edit"]["new"] is True

    assert wiki.page_text("Bot created page") == text
    assert wiki.revision_count("Bot created page") == 1

    changes = wiki.api(
        {
            "action": "query",
            "list": "recentchanges",
            "rctitle": "Bot created page",
            "rcprop": "user|flags",
        }
    )["query"]["recentchanges"]
    assert [(c["user"], c["bot"]) for c in changes] == [("HelpdeskBot", True)]


def test_wrong_bot_password_is_refused(wiki: ThrowawayWiki) -> None:
    wrong = "0" * 32
    assert wrong != wiki.bot_password
    with pytest.raises(WikiError, match="login as 'HelpdeskBot@sync' failed"):
        wiki.api_session(wiki.bot_username, wrong)


def test_missing_page_has_no_text_and_no_revisions(wiki: ThrowawayWiki) -> None:
    assert wiki.page_text("No such page at all") is None
    assert wiki.revision_count("No such page at all") == 0


def test_edit_as_human_makes_a_second_revision(wiki: ThrowawayWiki) -> None:
    bot = wiki.api_session(wiki.bot_username, wiki.bot_password)
    wiki.edit(bot, "Shared page", "First version by the bot.", "bot", bot=True)
    assert wiki.revision_count("Shared page") == 1

    result = wiki.edit_as_human("Shared page", "Second version by a human.", "human fix")
    assert result["result"] == "Success"
    assert result["oldrevid"] != result["newrevid"]

    assert wiki.revision_count("Shared page") == 2
    assert wiki.page_text("Shared page") == "Second version by a human."
    latest = wiki.api(
        {
            "action": "query",
            "prop": "revisions",
            "titles": "Shared page",
            "rvprop": "user|comment",
            "rvlimit": "1",
        }
    )["query"]["pages"][0]["revisions"][0]
    assert latest == {"user": "HumanEditor", "comment": "human fix"}


def test_parse_links_reports_links_templates_and_categories(wiki: ThrowawayWiki) -> None:
    wiki.edit_as_human(
        "Linking page",
        "[[Foo]] {{Bar}} [[Category:Baz]] [https://example.org/x Example]",
        "links",
    )
    parsed = wiki.parse_links("Linking page")

    assert {"ns": 0, "title": "Foo", "exists": False} in parsed["links"]
    assert [t["title"] for t in parsed["templates"]] == ["Template:Bar"]
    assert [c["category"] for c in parsed["categories"]] == ["Baz"]
    assert parsed["externallinks"] == ["https://example.org/x"]


def test_stop_kills_the_server(tmp_path: Path) -> None:
    own = start_wiki(tmp_path / "wiki")
    try:
        assert own.running
        assert requests.get(own.api_url, params={"action": "query"}, timeout=30).ok
    finally:
        own.stop()
    assert not own.running
    with pytest.raises(requests.ConnectionError):
        requests.get(own.api_url, params={"action": "query"}, timeout=5)
    own.stop()  # a second stop is harmless
