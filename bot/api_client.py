"""The HTTP client of the app's public JSON API (v1). Counts and logs its requests.

Reads `GET /api/v1/cases?page=N&per_page=1000` (one request per 1,000 cases),
`GET /api/v1/working-groups` and `GET /api/v1/asks` (the rosters), and
`GET /api/v1/meetings` with `GET /api/v1/meetings/<id>` for each meeting held (the
public minutes). Anything but a 200 answer with the documented JSON
raises `AppError`: `AppUnavailable` (cannot connect, timeout, HTTP error) or
`AppGarbage` (not JSON, wrong shape).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import requests

from .minutes import PublicMeeting, parse_meeting, parse_meeting_list
from .model import (
    GarbageError,
    GroupAsk,
    PublicCase,
    WorkingGroup,
    check_case_list,
    parse_asks,
    parse_cases_page,
    parse_groups,
)

log = logging.getLogger(__name__)

MAX_PAGES = 1000  # a safety stop: a million cases is not a helpdesk


class AppError(RuntimeError):
    """The app's API could not be read; nothing may be written."""


class AppUnavailable(AppError):
    """The app did not answer (connection refused, timeout, HTTP error status)."""


class AppGarbage(AppError):
    """The app answered with something that is not the documented API."""


@dataclass
class Snapshot:
    """Everything read from the app in one run."""

    cases: list[PublicCase] = field(default_factory=list)
    groups: list[WorkingGroup] = field(default_factory=list)
    asks: list[GroupAsk] = field(default_factory=list)
    meetings: list[PublicMeeting] = field(default_factory=list)  # held ones with minutes
    cases_read: bool = False
    groups_read: bool = False  # the groups and their asks
    meetings_read: bool = False


class HelpdeskApi:
    """A small client of `{base_url}/api/v1`; `reads` counts its HTTP requests."""

    def __init__(
        self,
        base_url: str,
        user_agent: str,
        *,
        timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        """Read from the app at `base_url` (e.g. https://cp-helpdesk.toolforge.org)."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        self.reads = 0
        self.requested: list[str] = []

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}/api/v1/{path}"
        self.reads += 1
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise AppUnavailable(f"the Helpdesk API at {url} did not answer: {error}") from error
        self.reads += len(response.history)  # redirects are requests too
        self.requested.append(response.url)
        log.info("app read %d: GET %s -> %s", self.reads, response.url, response.status_code)
        if response.status_code != 200:
            raise AppUnavailable(
                f"the Helpdesk API answered HTTP {response.status_code} for {response.url}"
            )
        mimetype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if mimetype != "application/json":
            raise AppGarbage(
                f"the Helpdesk API answered {mimetype or 'no content type'} instead of JSON "
                f"for {response.url}"
            )
        try:
            return response.json()
        except ValueError as error:
            raise AppGarbage(f"the Helpdesk API sent invalid JSON for {response.url}") from error

    def fetch_cases(self, per_page: int = 1000) -> list[PublicCase]:
        """Every case of the public projection, in the API's order (open first)."""
        cases: list[PublicCase] = []
        page_number = 1
        while True:
            body = self._get("cases", {"page": page_number, "per_page": per_page})
            try:
                page = parse_cases_page(body)
            except GarbageError as error:
                raise AppGarbage(f"the Helpdesk API sent garbage: {error}") from error
            if page.page != page_number:
                raise AppGarbage(f"asked for page {page_number} of the cases, got {page.page}")
            cases.extend(page.cases)
            if page.next is None or page_number >= page.pages:
                break
            if not page.cases:
                raise AppGarbage(f"page {page_number} of the cases is empty but not the last")
            page_number += 1
            if page_number > MAX_PAGES:
                raise AppGarbage("the cases list does not end")
        try:
            check_case_list(cases, page.total)
        except GarbageError as error:
            raise AppGarbage(f"the Helpdesk API sent garbage: {error}") from error
        return cases

    def fetch_groups(self) -> list[WorkingGroup]:
        """Every working group, with listed members and open referrals."""
        body = self._get("working-groups")
        try:
            return parse_groups(body)
        except GarbageError as error:
            raise AppGarbage(f"the Helpdesk API sent garbage: {error}") from error

    def fetch_asks(self) -> list[GroupAsk]:
        """Every ask of a working group that is not done yet."""
        body = self._get("asks")
        try:
            return parse_asks(body)
        except GarbageError as error:
            raise AppGarbage(f"the Helpdesk API sent garbage: {error}") from error

    def fetch_meetings(self) -> list[PublicMeeting]:
        """Every meeting held, with its public minutes (the list, then one read each)."""
        try:
            listed = parse_meeting_list(self._get("meetings"))
        except GarbageError as error:
            raise AppGarbage(f"the Helpdesk API sent garbage: {error}") from error
        meetings = []
        for summary in listed:
            if not summary.held:
                continue
            try:
                meeting = parse_meeting(self._get(f"meetings/{summary.id}"))
            except GarbageError as error:
                raise AppGarbage(f"the Helpdesk API sent garbage: {error}") from error
            if meeting.id != summary.id:
                raise AppGarbage(f"asked for meeting {summary.id}, got {meeting.id}")
            if meeting.held:
                meetings.append(meeting)
        return meetings

    def snapshot(self, *, cases: bool = True, groups: bool = True, meetings: bool = True,
                 per_page: int = 1000) -> Snapshot:
        """Read what a sync needs (all of it before anything is written)."""
        result = Snapshot()
        if cases:
            result.cases = self.fetch_cases(per_page)
            result.cases_read = True
        if groups:
            result.groups = self.fetch_groups()
            result.asks = self.fetch_asks()
            result.groups_read = True
        if meetings:
            result.meetings = self.fetch_meetings()
            result.meetings_read = True
        return result

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()
