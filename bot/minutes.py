"""The public minutes of a committee meeting as a wiki page block (from the API only).

`parse_meeting()` reads `GET /api/v1/meetings/<id>` strictly (as `bot.model` reads the
cases); `render_minutes()` writes the block in one language, in the frame every page of
the bot has. The API holds only what is public: the meeting's title and time, who
attended (committee members, a public roster) and the decisions taken on public cases
with their public rationale; so does the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import labels
from .i18n import Language
from .model import (
    GarbageError,
    _boolean,
    _integer,
    _reference,
    _require,
    _string,
    _timestamp,
    _url,
)
from .render import Context, _format, _summary, bold, frame, italic
from .wikitext import (
    NAME_LIMIT,
    TITLE_LIMIT,
    bdi,
    escape,
    external_link,
    fill,
    internal_link,
    sortable_cell,
    table,
    user_link,
)

# The names of the decisions, the app's own messages (app/cases/transitions.py ACTIONS).
OUTCOMES: dict[str, labels.Msg] = {
    "ask_information": labels.Msg(None, "Ask the requester for information"),
    "refer": labels.pgettext("workflow action", "Refer to working groups"),
    "proceed": labels.Msg(None, "Proceed to final go"),
    "decline": labels.pgettext("workflow action", "Decline"),
    "approve": labels.Msg(None, "Give the final go"),
}


@dataclass(frozen=True)
class MinutesDecision:
    """A decision of the meeting on a public case."""

    reference: str
    title: str
    url: str
    outcome: str
    public_rationale: str


@dataclass(frozen=True)
class PublicMeeting:
    """A meeting and its public minutes."""

    id: int
    title: str
    starts_at: datetime
    held: bool
    attendees: tuple[str, ...]
    decisions: tuple[MinutesDecision, ...]
    url: str


def _decision(data: Any, where: str) -> MinutesDecision:
    case = _require(data, "case", where)
    return MinutesDecision(
        reference=_reference(case, "reference", f"{where}.case"),
        title=_string(case, "title", f"{where}.case"),
        url=_url(case, "url", f"{where}.case"),
        outcome=_string(data, "outcome", where, empty=False),
        public_rationale=_string(data, "public_rationale", where))


def parse_meeting(data: Any) -> PublicMeeting:
    """One meeting of the API, or GarbageError naming what is wrong."""
    where = "meeting"
    attendees = _require(data, "attendees", where)
    decisions = _require(data, "decisions", where)
    if not isinstance(attendees, list) or not all(isinstance(a, str) for a in attendees):
        raise GarbageError(f"{where}.attendees: expected a list of names")
    if not isinstance(decisions, list):
        raise GarbageError(f"{where}.decisions: expected a list")
    return PublicMeeting(
        id=_integer(data, "id", where, minimum=1), title=_string(data, "title", where),
        starts_at=_timestamp(data, "starts_at", where), held=_boolean(data, "held", where),
        attendees=tuple(attendees),
        decisions=tuple(_decision(item, f"{where}.decisions[{index}]")
                        for index, item in enumerate(decisions)),
        url=_url(data, "url", where))


def render_minutes(ctx: Context, meeting: PublicMeeting, index_title: str | None = None) -> str:
    """The block of a meeting's public minutes: title, date, attendees, decisions (and a
    link to the list of meetings, `index_title`, in the same language)."""
    lang = ctx.language
    # Translators: a link on Meta-Wiki to a committee meeting's page in the tool.
    in_tool = external_link(meeting.url, fill(lang.gettext("This meeting in the Helpdesk")))
    when = escape(lang.date(meeting.starts_at.date()))
    lines = [f"{bold(bdi(meeting.title, TITLE_LIMIT))} – {when}", ""]
    if meeting.attendees:
        # Translators: on the Meta-Wiki page of a committee meeting; %(names)s are user names.
        lines += [fill(lang.gettext("Attendees: %(names)s"),
                       names=", ".join(user_link(name) for name in meeting.attendees)), ""]
    links = [in_tool]
    if index_title:
        # Translators: a link from a committee meeting's Meta-Wiki page to the list of them.
        links.append(internal_link(index_title, fill(lang.gettext("All committee meetings"))))
    lines += [" · ".join(links), ""]
    if not meeting.held:
        # Translators: on the Meta-Wiki page of a committee meeting still to come.
        lines.append(italic(fill(lang.gettext("This meeting has not taken place yet."))))
    elif not meeting.decisions:
        lines.append(italic(fill(lang.gettext(
            "The meeting took no decision on a public request."))))
    for decision in meeting.decisions:
        outcome = escape(labels.label(lang, OUTCOMES, decision.outcome), NAME_LIMIT)
        line = (f"* {external_link(decision.url, escape(decision.reference))} "
                f"{bdi(decision.title, TITLE_LIMIT)}: {bold(outcome)}")
        if decision.public_rationale.strip():
            line += f" – {bdi(decision.public_rationale)}"
        lines.append(line)
    return frame(ctx, "\n".join(lines))


@dataclass(frozen=True)
class MeetingSummary:
    """A meeting of `GET /api/v1/meetings` (without its minutes)."""

    id: int
    title: str
    starts_at: datetime
    held: bool
    url: str


def parse_meeting_list(data: Any) -> list[MeetingSummary]:
    """The body of `GET /api/v1/meetings`, or GarbageError naming what is wrong."""
    items = _require(data, "meetings", "meetings")
    if not isinstance(items, list):
        raise GarbageError("meetings.meetings: expected a list")
    found = []
    for index, item in enumerate(items):
        where = f"meetings[{index}]"
        found.append(MeetingSummary(
            id=_integer(item, "id", where, minimum=1), title=_string(item, "title", where),
            starts_at=_timestamp(item, "starts_at", where), held=_boolean(item, "held", where),
            url=_url(item, "url", where)))
    if len({meeting.id for meeting in found}) != len(found):
        raise GarbageError("meetings: a meeting appears twice")
    return found


def meeting_day(meeting: PublicMeeting) -> str:
    """The day of a meeting (UTC), as its page's title has it: 2026-12-04."""
    return meeting.starts_at.date().isoformat()


def render_meeting_index(ctx: Context, meetings: Sequence[tuple[PublicMeeting, str]]) -> str:
    """The list of the meetings held, newest first: date, title (a link to the meeting's
    page in this language) and how many decisions on public requests it took."""
    lang = ctx.language
    ordered = sorted(meetings, key=lambda pair: (pair[0].starts_at, pair[0].id), reverse=True)
    # Translators: the caption of the list of the committee's meetings on Meta-Wiki.
    caption = fill(lang.gettext("Committee meetings"))
    if not ordered:
        # Translators: on Meta-Wiki, when the committee has not met yet.
        return frame(ctx, "\n".join([bold(caption), italic(fill(lang.gettext(
            "No committee meeting has been held yet.")))]))
    columns = [fill(text) for text in (
        # Translators: a column of the list of committee meetings on Meta-Wiki.
        lang.gettext("Date"),
        # Translators: a column of the list of committee meetings on Meta-Wiki.
        lang.gettext("Meeting"),
        # Translators: a column of the list of committee meetings on Meta-Wiki: how many
        # decisions on public requests the meeting took.
        lang.gettext("Decisions on public requests"),
    )]
    rows = ([sortable_cell(escape(lang.date(meeting.starts_at.date(), "medium")),
                           meeting.starts_at.strftime("%Y%m%d%H%M")),
             internal_link(title, bdi(meeting.title, TITLE_LIMIT)),
             sortable_cell(escape(lang.number(len(meeting.decisions))),
                           str(len(meeting.decisions)))]
            for meeting, title in ordered)
    return frame(ctx, "\n".join(table(caption, columns, rows)))


def summary_for_meetings(meetings: Sequence[PublicMeeting], tool_url: str,
                         lang: Language) -> str:
    """The edit summary of the meetings' pages (counts only)."""
    # Translators: part of an edit summary: how many committee meetings were held.
    what = lang.ngettext("%(count)s committee meeting held", "%(count)s committee meetings held",
                         len(meetings))
    return _summary(lang, tool_url, _format(what, count=lang.number(len(meetings))))
