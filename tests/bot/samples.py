"""The app's API answers as the bot's unit tests use them, and hostile texts."""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path
from typing import Any

from bot.api_client import HelpdeskApi
from bot.config import BotConfig
from bot.model import PublicCase, WorkingGroup, parse_cases_page, parse_groups

TOOL = "https://cp-helpdesk.toolforge.org"

HOSTILE = [
    "[[Category:Hacked]]",
    "[[Main Page|click]] and [https://evil.example/x here]",
    "{{Template:Evil}} {{subst:Evil}} {{DISPLAYTITLE:Owned}} {{#if:1|x}} {{!}}",
    "~~~~ and ~~~ and ~~~~~",
    "__NOTOC__ __NOINDEX__ __FORCETOC__",
    "<script>alert(1)</script><b>bold</b><!-- comment --><nowiki>x</nowiki>",
    "<!-- END helpdesk-bot -->",
    "<onlyinclude>x</onlyinclude><noinclude>y</noinclude><includeonly>z</includeonly>",
    "cell | cell || cell !! header",
    "line one\nline two\r\n* item\n# item\n: indent\n; term\n= heading =\n----",
    "* starts a list",
    "# numbered",
    ": indented",
    "; defined",
    "= heading =",
    " leading space (pre)",
    "'''bold''' ''italic''",
    "https://evil.example/free mailto:x@example.org irc://x news:x",
    "ISBN 9780306406157 RFC 1234 PMID 12345",
    "\u202eevil\u202c \u2066isolate\u2069 \u200fmark",
    "-{zh-hans:x}-",
    "&#91;&#91;Entity&#93;&#93; &lt;b&gt;",
    "#REDIRECT [[Main Page]]",
    "\x00\x07\x7f control\x1b[31m",
    "a\u00a0:\u2028b\u2029c",
    "\ue000\ue001 private use",
]


def case_json(**overrides: Any) -> dict[str, Any]:
    """One case as the API sends it."""
    data: dict[str, Any] = {
        "reference": "CPH-2026-0042",
        "title": "Digitised maps of the Baltic",
        "organisation": {"name": "Museum of Examples", "kind": "glam"},
        "themes": ["heritage", "science"],
        "region": "western_europe",
        "target_projects": ["commons", "wikidata"],
        "state": "in_initial_review",
        "state_label": "In initial review",
        "open": True,
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-27T18:40:00Z",
        "state_changed_at": "2026-11-20T09:00:00Z",
        "days_in_state": 7,
        "public_summary": "",
        "url": f"{TOOL}/cases/CPH-2026-0042",
    }
    data.update(overrides)
    return data


def closed_case_json(reference: str = "CPH-2026-0007", **overrides: Any) -> dict[str, Any]:
    """A withdrawn (closed) case."""
    return case_json(**{"reference": reference, "title": "Old photos", "state": "withdrawn",
                        "state_label": "Withdrawn", "open": False,
                        "url": f"{TOOL}/cases/{reference}", **overrides})


def cases_body(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """`GET /api/v1/cases` with these cases on one page."""
    return {"cases": cases, "page": 1, "per_page": 1000, "total": len(cases), "pages": 1,
            "next": None}


def group_json(**overrides: Any) -> dict[str, Any]:
    """One working group as the API sends it."""
    data: dict[str, Any] = {
        "slug": "communication",
        "name": "Communication",
        "description": "Tells the movement about the Hub.",
        "url": f"{TOOL}/groups/communication",
        "members": [
            {"username": "Leila Lead", "lead": True, "member_since": "2026-01-03"},
            {"username": "Omar Member", "lead": False, "member_since": "2026-02-04"},
        ],
        "open_referrals": [
            {"reference": "CPH-2026-0042", "title": "Digitised maps",
             "url": f"{TOOL}/cases/CPH-2026-0042"},
        ],
    }
    data.update(overrides)
    return data


def impact_json(**overrides: Any) -> dict[str, Any]:
    """A case's latest impact snapshot as the case list carries it."""
    data: dict[str, Any] = {"day": 30, "taken_at": "2026-12-01T03:00:00Z", "files": 1234,
                            "files_capped": False, "files_in_use": 56, "wikis": 7,
                            "pages": 89, "views": 123456, "views_capped": False}
    data.update(overrides)
    return data


def ask_json(**overrides: Any) -> dict[str, Any]:
    """One ask of `GET /api/v1/asks`."""
    data: dict[str, Any] = {
        "id": 3, "title": "Translate the upload guide", "description": "About 2,000 words.",
        "group": {"slug": "communication", "name": "Communication",
                  "url": f"{TOOL}/groups/communication"},
        "languages": ["sv", "ar"], "skills": [{"code": "translation", "name": "Translation"}],
        "status": "open", "created_at": "2026-12-01T10:00:00Z",
        "case": {"reference": "CPH-2026-0042", "url": f"{TOOL}/cases/CPH-2026-0042"},
        "url": f"{TOOL}/groups/communication#ask-3",
    }
    data.update(overrides)
    return data


def meeting_json(meeting_id: int = 5, **overrides: Any) -> dict[str, Any]:
    """One meeting of `GET /api/v1/meetings/<id>` (held, one public decision)."""
    data: dict[str, Any] = {
        "id": meeting_id, "title": "December meeting", "starts_at": "2026-12-02T15:00:00Z",
        "duration_minutes": 90, "held": True, "attendees": ["Ngozi Committee", "Mei Committee"],
        "decisions": [{"case": case_json(), "stage": "initial", "outcome": "proceed",
                       "public_rationale": "A clear, open licence."}],
        "url": f"{TOOL}/meetings/{meeting_id}",
    }
    data.update(overrides)
    return data


def meeting_list_json(*meetings: dict[str, Any]) -> dict[str, Any]:
    """`GET /api/v1/meetings` listing these meetings (without their minutes)."""
    keys = ("id", "title", "starts_at", "duration_minutes", "held", "url")
    return {"meetings": [{key: meeting[key] for key in keys} for meeting in meetings]}


def app_answers(cases: list[dict[str, Any]], groups: list[dict[str, Any]],
                asks: list[dict[str, Any]] | None = None,
                meetings: list[dict[str, Any]] | None = None) -> list[FakeResponse]:
    """The app's answers to a whole sync, in the order the bot reads them."""
    meetings = meetings or []
    return [FakeResponse(cases_body(cases)), FakeResponse({"working_groups": groups}),
            FakeResponse({"asks": asks or []}), FakeResponse(meeting_list_json(*meetings)),
            *(FakeResponse(meeting) for meeting in meetings if meeting["held"])]


def parsed_cases(*items: dict[str, Any]) -> list[PublicCase]:
    """Cases as the bot sees them."""
    return list(parse_cases_page(cases_body(list(items))).cases)


def parsed_group(**overrides: Any) -> WorkingGroup:
    """A working group as the bot sees it."""
    return parse_groups({"working_groups": [group_json(**overrides)]})[0]


def config(tmp_path: Path, **extra: Any) -> BotConfig:
    settings_: dict[str, Any] = {
        "helpdesk_url": TOOL, "wiki_api": "http://wiki.invalid/w/api.php",
        "username": "HelpdeskBot@sync", "password": "p" * 32,
        "state_file": tmp_path / "state.json", "throttle": 0.0,
    }
    settings_.update(extra)
    return BotConfig(**settings_)


class FakeResponse:
    """An HTTP answer of the app, as `requests` would give it."""

    def __init__(self, body: Any, status: int = 200, mimetype: str = "application/json",
                 url: str = "http://app.invalid/x") -> None:
        self.body, self.status_code, self.url = body, status, url
        self.headers = {"Content-Type": f"{mimetype}; charset=utf-8"}
        self.history: list[Any] = []

    def json(self) -> Any:
        if isinstance(self.body, str):
            return json.loads(self.body)
        return deepcopy(self.body)


class FakeSession:
    """Answers GETs from a list of responses, recording the parameters."""

    def __init__(self, *responses: FakeResponse) -> None:
        self.responses = list(responses)
        self.calls: list[tuple[str, dict[str, Any] | None]] = []
        self.headers: dict[str, str] = {}

    def get(self, url: str, params: dict[str, Any] | None = None, **_: Any) -> FakeResponse:
        self.calls.append((url, params))
        if not self.responses:
            raise AssertionError("unexpected request")
        return self.responses.pop(0)

    def close(self) -> None:
        pass


def fake_api(*responses: FakeResponse) -> tuple[HelpdeskApi, FakeSession]:
    """The bot's API client on a session that answers `responses` in turn."""
    session = FakeSession(*responses)
    api = HelpdeskApi(TOOL, "TestAgent/1 (test)", session=session)  # type: ignore[arg-type]
    return api, session
