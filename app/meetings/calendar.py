"""The committee's meetings as an iCalendar feed (RFC 5545), for members' calendar apps.

It names each meeting's time, title and place and the references and titles of the
cases on its agenda (committee members may see every case); nothing else of a case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from app.cases.models import Case
from app.meetings.models import Meeting


def build_calendar(meetings: list[Meeting], stored: dict[int, list[tuple[str, str]]],
                   waiting: list[Case], base_url: str, now: datetime) -> bytes:
    """The feed: one event per meeting. A meeting still to come lists the cases waiting
    on the committee too (its automatic agenda)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Content Partnerships Helpdesk//Committee meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Expert Committee meetings")
    host = urlsplit(base_url).hostname or "helpdesk"
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", (meeting.updated_at or now).replace(tzinfo=UTC))
        start = meeting.starts_at.replace(tzinfo=UTC)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
        event.add("summary", meeting.title)
        if meeting.location:
            event.add("location", meeting.location)
        url = f"{base_url.rstrip('/')}/committee/meetings/{meeting.id}"
        event.add("url", url)
        cases = list(stored.get(meeting.id, []))
        if meeting.starts_at > now:
            known = {reference for reference, _title in cases}
            cases = [(case.reference, case.title) for case in waiting
                     if case.reference not in known] + cases
        lines = [f"{reference} {title}" for reference, title in cases]
        event.add("description", "\n".join([*lines, url]))
        calendar.add_component(event)
    return calendar.to_ical()
