"""The OpenAPI 3.1 description of the public API (served at /api/v1/openapi.json).

Kept by hand next to the views; tests check that every /api/v1 route is here
and that real answers match these schemas.
"""

from __future__ import annotations

from typing import Any

from app.cases.labels import ORGANISATION_KINDS, TARGET_PROJECTS, THEMES
from app.cases.transitions import STATES
from app.core.regions import REGIONS
from app.public.params import MAX_PAGE
from app.public.projection import PUBLIC_FIELDS

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 100

TIMESTAMP = {"type": "string", "format": "date-time",
             "description": "ISO 8601 in UTC, e.g. 2026-11-27T18:40:00Z"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = _json(_ref("Error"), "The request could not be answered; the message says why.")


SNAPSHOT_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["day", "taken_at", "files", "files_capped", "files_in_use",
                 "wikis", "pages", "views", "views_capped"],
    "properties": {
        "day": {"type": "integer", "enum": [0, 30, 90, 365]},
        "taken_at": {"type": "string", "format": "date-time"},
        "files": {"type": "integer", "description": "Files in the Commons "
                  "category (and subcategories); the cap when files_capped."},
        "files_capped": {"type": "boolean"},
        "files_in_use": {"type": "integer"},
        "wikis": {"type": "integer"},
        "pages": {"type": "integer"},
        "views": {"type": "integer", "description": "Views of those pages "
                  "in the 30 days before the snapshot."},
        "views_capped": {"type": "boolean"}},
}

IMPACT_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["reference", "impact"],
    "properties": {
        "reference": {"type": "string"},
        "impact": {"type": "array", "description": "Snapshots on day 0, 30, 90 and 365 after "
                   "the upload, oldest first.", "items": SNAPSHOT_SCHEMA},
    },
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def _schemas() -> dict[str, Any]:
    case_schema = {
        "type": "object",
        "additionalProperties": False,
        "required": list(PUBLIC_FIELDS),
        "properties": {
            "reference": {"type": "string", "examples": ["CPH-2026-0042"]},
            "title": {"type": "string"},
            "organisation": {
                "type": "object", "additionalProperties": False, "required": ["name", "kind"],
                "properties": {"name": {"type": "string"},
                               "kind": {"type": "string", "enum": list(ORGANISATION_KINDS)}},
            },
            "themes": {"type": "array", "items": {"type": "string", "enum": list(THEMES)}},
            "region": {"type": ["string", "null"], "enum": [*REGIONS, None]},
            "target_projects": {"type": "array",
                                "items": {"type": "string", "enum": list(TARGET_PROJECTS)}},
            "state": {"type": "string", "enum": list(STATES)},
            "state_label": {"type": "string",
                            "description": "The state's name in the request's language."},
            "open": {"type": "boolean"},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "state_changed_at": TIMESTAMP,
            "days_in_state": {"type": "integer", "minimum": 0,
                              "description": "Whole days in the current stage (time "
                                             "waiting on the requester is not counted)."},
            "public_summary": {"type": "string"},
            "url": {"type": "string", "format": "uri",
                    "description": "The public case page."},
            "place_in_line": {"type": ["integer", "null"], "minimum": 1,
                              "description": "An approved case's place in the queue for "
                                             "the helpdesk's support (1 = next); null in "
                                             "every other state."},
            "impact": {**SNAPSHOT_SCHEMA, "type": ["object", "null"],
                       "description": "In the list only: the case's latest impact "
                                      "snapshot (as in /cases/{reference}/impact), or null "
                                      "while it has none."},
        },
    }
    link = {"type": "object", "additionalProperties": False,
            "required": ["reference", "title", "url"],
            "properties": {"reference": {"type": "string"}, "title": {"type": "string"},
                           "url": {"type": "string", "format": "uri"}}}
    member = {"type": "object", "additionalProperties": False,
              "required": ["username", "lead", "member_since"],
              "properties": {"username": {"type": "string"}, "lead": {"type": "boolean"},
                             "member_since": {"type": "string", "format": "date"}}}
    group = {
        "type": "object", "additionalProperties": False,
        "required": ["slug", "name", "description", "url", "members", "open_referrals"],
        "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"},
            "description": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "members": {"type": "array", "items": _ref("Member"),
                        "description": "Members who chose to be listed; leads first."},
            "open_referrals": {"type": "array", "items": _ref("CaseLink"),
                               "description": "Unanswered referrals of open public cases."},
        },
    }
    return {
        "Case": case_schema,
        "CaseImpact": IMPACT_SCHEMA,
        "CaseList": {
            "type": "object", "additionalProperties": False,
            "required": ["cases", "page", "per_page", "total", "pages", "next"],
            "properties": {
                "cases": {"type": "array", "items": _ref("Case")},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {"type": "integer", "minimum": 0},
                "pages": {"type": "integer", "minimum": 1},
                "next": {"type": ["string", "null"], "format": "uri",
                         "description": "The next page, or null on the last page."},
            },
        },
        "CaseLink": link,
        "Member": member,
        "WorkingGroup": group,
        "WorkingGroupList": {
            "type": "object", "additionalProperties": False, "required": ["working_groups"],
            "properties": {"working_groups": {"type": "array", "items": _ref("WorkingGroup")}},
        },
        "Ask": _ask_schema(),
        "AskList": {
            "type": "object", "additionalProperties": False, "required": ["asks"],
            "properties": {"asks": {"type": "array", "items": _ref("Ask")}},
        },
        "Error": {
            "type": "object", "additionalProperties": False, "required": ["error"],
            "properties": {"error": {
                "type": "object", "required": ["code", "title", "message"],
                "properties": {"code": {"type": "integer"}, "title": {"type": "string"},
                               "message": {"type": "string"}},
            }},
        },
    }


def _ask_schema() -> dict[str, Any]:
    """An ask of a working group for volunteers (app.public.asks)."""
    named = {"type": "object", "additionalProperties": False,
             "required": ["code", "name"],
             "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
    return {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "description", "group", "languages", "skills", "status",
                     "created_at", "case", "url"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"},
            "description": {"type": "string"},
            "group": {"type": "object", "additionalProperties": False,
                      "required": ["slug", "name", "url"],
                      "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                                     "url": {"type": "string", "format": "uri"}}},
            "languages": {"type": "array", "items": {"type": "string"},
                          "description": "Codes of the languages wanted."},
            "skills": {"type": "array", "items": named},
            "status": {"type": "string", "enum": ["open", "taken"],
                       "description": "open: anyone signed in can take it."},
            "created_at": TIMESTAMP,
            "case": {"type": ["object", "null"], "additionalProperties": False,
                     "required": ["reference", "url"],
                     "properties": {"reference": {"type": "string"},
                                    "url": {"type": "string", "format": "uri"}},
                     "description": "The request it is about, only while that is public."},
            "url": {"type": "string", "format": "uri"},
        },
    }


def _meeting_schemas() -> dict[str, Any]:
    """A committee meeting and its public minutes (app.meetings.queries.public_meeting)."""
    summary = {
        "id": {"type": "integer"}, "title": {"type": "string"}, "starts_at": TIMESTAMP,
        "duration_minutes": {"type": "integer", "minimum": 1},
        "held": {"type": "boolean", "description": "Whether the meeting has begun."},
        "url": {"type": "string", "format": "uri", "description": "The public meeting page."},
    }
    decision = {
        "type": "object", "additionalProperties": False,
        "required": ["case", "stage", "outcome", "public_rationale"],
        "properties": {
            "case": _ref("Case"),
            "stage": {"type": "string", "enum": ["initial", "final"]},
            "outcome": {"type": "string", "description": "The workflow action decided."},
            "public_rationale": {"type": "string"},
        },
    }
    return {
        "MeetingSummary": {"type": "object", "additionalProperties": False,
                           "required": list(summary), "properties": summary},
        "MeetingList": {
            "type": "object", "additionalProperties": False, "required": ["meetings"],
            "properties": {"meetings": {"type": "array", "items": _ref("MeetingSummary")}},
        },
        "Meeting": {
            "type": "object", "additionalProperties": False,
            "required": [*summary, "attendees", "decisions"],
            "properties": {
                **summary,
                "attendees": {"type": "array", "items": {"type": "string"},
                              "description": "Usernames of the committee members present."},
                "decisions": {"type": "array", "items": decision,
                              "description": "The public minutes: decisions taken at the "
                                             "meeting on public cases, with their public "
                                             "rationale (empty before the meeting)."},
            },
        },
    }


def _filter(name: str, description: str, values: list[str]) -> dict[str, Any]:
    """A filter given as one code; an empty value (as HTML forms send) means no filter."""
    return _query(name, f"{description} An empty value means no filter.",
                  {"type": "string", "enum": [*values, ""]})


def _list_parameters() -> list[dict[str, Any]]:
    return [
        _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1,
                                                "maximum": MAX_PAGE, "default": 1}),
        _query("per_page", "Cases per page.", {"type": "integer", "minimum": 1,
                                               "maximum": MAX_PER_PAGE,
                                               "default": DEFAULT_PER_PAGE}),
        _filter("state", "Only cases in this state.", list(STATES)),
        _filter("open", "Only open (true) or closed (false) cases.", ["true", "false"]),
        _filter("theme", "Only cases with this theme.", list(THEMES)),
        _filter("region", "Only cases from this movement region.", list(REGIONS)),
        _filter("project", "Only cases targeting this project.", list(TARGET_PROJECTS)),
        _filter("organisation_kind", "Only cases from this kind of organisation.",
                list(ORGANISATION_KINDS)),
    ]


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Content Partnerships Helpdesk public API",
            "version": "1",
            "description": "The public projection of the helpdesk's cases and its working "
                           "groups. A case is listed only when its requester consented and "
                           "the helpdesk has triaged it. Read-only, no sign-in, CORS open.",
            "license": {"name": "GPL-3.0-or-later",
                        "identifier": "GPL-3.0-or-later"},
        },
        "paths": {
            "/api/v1/cases": {"get": {
                "operationId": "listCases",
                "summary": "Public cases: open ones first, then the most recently updated.",
                "parameters": _list_parameters(),
                "responses": {"200": _json(_ref("CaseList"), "One page of public cases."),
                              "400": ERROR},
            }},
            "/api/v1/cases/{reference}": {"get": {
                "operationId": "getCase",
                "summary": "One public case.",
                "parameters": [{"name": "reference", "in": "path", "required": True,
                                "description": "The case reference, e.g. CPH-2026-0042.",
                                "schema": {"type": "string"}}],
                "responses": {"200": _json(_ref("Case"), "The case."),
                              "404": _json(_ref("Error"), "No such public case.")},
            }},
            "/api/v1/cases/{reference}/impact": {"get": {
                "operationId": "getCaseImpact",
                "summary": "The impact of one public case: its Commons files and their use.",
                "parameters": [{"name": "reference", "in": "path", "required": True,
                                "description": "The case reference, e.g. CPH-2026-0042.",
                                "schema": {"type": "string"}}],
                "responses": {"200": _json(_ref("CaseImpact"), "The case's snapshots."),
                              "404": _json(_ref("Error"), "No such public case.")},
            }},
            "/api/v1/working-groups": {"get": {
                "operationId": "listWorkingGroups",
                "summary": "Working groups (not archived), by name, with listed members.",
                "responses": {"200": _json(_ref("WorkingGroupList"), "Every working group.")},
            }},
            "/api/v1/asks": {"get": {
                "operationId": "listAsks",
                "summary": "Asks of working groups for volunteers, not done yet, newest first.",
                "responses": {"200": _json(_ref("AskList"), "Every open or taken ask.")},
            }},
            "/api/v1/meetings": {"get": {
                "operationId": "listMeetings",
                "summary": "The Expert Committee's meetings, the latest first.",
                "responses": {"200": _json(_ref("MeetingList"), "Every meeting.")},
            }},
            "/api/v1/meetings/{meeting_id}": {"get": {
                "operationId": "getMeeting",
                "summary": "One meeting with its public minutes.",
                "parameters": [{"name": "meeting_id", "in": "path", "required": True,
                                "description": "The meeting's number.",
                                "schema": {"type": "integer"}, "example": 1}],
                "responses": {"200": _json(_ref("Meeting"), "The meeting."),
                              "404": _json(_ref("Error"), "No such meeting.")},
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "This document.",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }},
        },
        "components": {"schemas": {**_schemas(), **_meeting_schemas()}},
    }
