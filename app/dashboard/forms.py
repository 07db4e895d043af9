"""The queue's GET filters: read, checked against the vocabularies, turned back into links.

A value that is not one we know is ignored and reported in a notice, so a
mistyped or stale link still shows a page instead of an error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _

from app.cases.labels import PRIORITIES, THEMES
from app.cases.transitions import CLOSED_STATES, OPEN_STATES, STATES
from app.core.regions import REGIONS

# State filter values besides the single states (no state has these names;
# "closed" is a state of its own, closed as resolved).
OPEN, ALL, CLOSED, COMMITTEE = "open", "all", "all_closed", "committee"
# The open cases the committee works on: reviewing them, or waiting for the answers it
# asked the requester or working groups for. New requests (the helpdesk triages them),
# approved cases and cases in support (the helpdesk's work) are not among them.
COMMITTEE_STATES = frozenset({"in_initial_review", "needs_information", "with_working_groups",
                              "awaiting_final_go"})
STATE_GROUPS: dict[str, frozenset[str]] = {
    OPEN: OPEN_STATES,
    COMMITTEE: COMMITTEE_STATES,
    ALL: frozenset(STATES),
    CLOSED: CLOSED_STATES,
}
UNASSIGNED = "unassigned"
MAX_SEARCH = 200

# Each sort and its natural direction (the one a first click on the column gives).
SORTS: dict[str, str] = {"age": "asc", "priority": "asc", "updated": "desc", "reference": "asc"}
DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows and in which order."""

    state: str = OPEN  # a state code, or one of STATE_GROUPS
    theme: str = ""
    region: str = ""
    priority: str = ""
    assignee: str = ""  # a helpdesk user's id, UNASSIGNED, or "" for anyone
    waiting: bool = False  # waiting for the signed-in member's review
    q: str = ""
    sort: str = "age"
    direction: str = "asc"
    # The state shown when the address names none: the committee's own cases for its
    # members, every open case for the helpdesk. Links leave it out.
    default_state: str = field(default=OPEN, compare=False)
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def states(self) -> frozenset[str]:
        """The states the queue is limited to."""
        return STATE_GROUPS.get(self.state, frozenset({self.state}))

    @property
    def by_state_only(self) -> bool:
        """No filter but the state: the queue's count is a sum of the counts per state."""
        return not (self.theme or self.region or self.priority or self.assignee
                    or self.waiting or self.q)

    def to_args(self, **changes: Any) -> dict[str, str]:
        """Query-string arguments for a link to the queue with `changes` applied
        (only the values that differ from the defaults, so links stay short)."""
        values = replace(self, **changes) if changes else self
        args = {
            "state": values.state if values.state != values.default_state else "",
            "theme": values.theme,
            "region": values.region,
            "priority": values.priority,
            "assignee": values.assignee,
            "waiting": "1" if values.waiting else "",
            "q": values.q,
            "sort": values.sort if values.sort != "age" else "",
            "dir": values.direction if values.direction != SORTS[values.sort] else "",
        }
        return {key: value for key, value in args.items() if value}

    def sort_link_args(self, sort: str) -> dict[str, str]:
        """Arguments of a column header link: flip the direction on the sorted column,
        else sort by that column in its natural direction (back to page 1)."""
        if sort == self.sort:
            direction = "desc" if self.direction == "asc" else "asc"
        else:
            direction = SORTS[sort]
        return self.to_args(sort=sort, direction=direction)

    def aria_sort(self, sort: str) -> str | None:
        """The `aria-sort` value of a column header, or None when not sorted by it."""
        if sort != self.sort:
            return None
        return "ascending" if self.direction == "asc" else "descending"


def _choice(args: Mapping[str, str], name: str, allowed: Collection[str],
            default: str = "") -> tuple[str, str | None]:
    """The argument if it is allowed, else the default and the rejected value."""
    value = (args.get(name) or "").strip()
    if not value:
        return default, None
    if value in allowed:
        return value, None
    return default, value[:40]


def parse_filters(args: Mapping[str, str], helpdesk_ids: Collection[int],
                  may_review: bool) -> QueueFilters:
    """Read the queue's filters from GET arguments; unknown values become notices.

    `helpdesk_ids` are the users a case can be assigned to; `may_review` says
    whether the signed-in user is a committee member (the only ones who review; their
    queue shows the committee's open cases unless they choose other states).
    """
    notices: list[str] = []
    default_state = COMMITTEE if may_review else OPEN
    state, bad = _choice(args, "state", set(STATE_GROUPS) | set(STATES), default=default_state)
    if bad and may_review:
        # Translators: a notice on the committee dashboard; %(value)s is the filter value from the
        # address that is not a stage of the workflow.
        notices.append(_("There is no state “%(value)s”; the committee's open cases are shown.",
                         value=bad))
    elif bad:
        # Translators: a notice on the committee dashboard; %(value)s is the filter value from the
        # address that is not a stage of the workflow.
        notices.append(_("There is no state “%(value)s”; all open cases are shown.", value=bad))
    theme, bad = _choice(args, "theme", THEMES)
    if bad:
        # Translators: a notice on the dashboard; %(value)s is an unknown theme code from the
        # address.
        notices.append(_("There is no theme “%(value)s”; the theme filter was ignored.",
                         value=bad))
    region, bad = _choice(args, "region", REGIONS)
    if bad:
        # Translators: a notice on the dashboard; %(value)s is an unknown region code from the
        # address.
        notices.append(_("There is no region “%(value)s”; the region filter was ignored.",
                         value=bad))
    priority, bad = _choice(args, "priority", PRIORITIES)
    if bad:
        # Translators: a notice on the dashboard; %(value)s is an unknown priority from the address.
        notices.append(_("There is no priority “%(value)s”; the priority filter was ignored.",
                         value=bad))
    assignees = {str(user_id) for user_id in helpdesk_ids} | {UNASSIGNED}
    assignee, bad = _choice(args, "assignee", assignees)
    if bad:
        # Translators: a notice on the dashboard; %(value)s is the assignee filter value from the
        # address.
        notices.append(_("“%(value)s” is not a member of the helpdesk staff; the assignee "
                         "filter was ignored.", value=bad))
    sort, bad = _choice(args, "sort", SORTS, default="age")
    if bad:
        # Translators: a notice on the dashboard; %(value)s is an unknown sort column from the
        # address.
        notices.append(_("Cases cannot be sorted by “%(value)s”; they are sorted by age.",
                         value=bad))
    direction, bad = _choice(args, "dir", DIRECTIONS, default=SORTS[sort])
    if bad:
        # Translators: a notice on the dashboard; %(value)s is the unknown direction from the
        # address.
        notices.append(_("“%(value)s” is not a sort direction; the usual one is used.",
                         value=bad))
    waiting_value = (args.get("waiting") or "").strip()
    waiting = waiting_value == "1"
    if waiting and not may_review:
        # Translators: a notice on the dashboard; “waiting for my review” names a filter of the
        # dashboard.
        notices.append(_("Only Expert Committee members review cases; the filter "
                         "“waiting for my review” was ignored."))
        waiting = False
    elif waiting_value and not waiting:
        # Translators: a notice on the dashboard; %(value)s is the value from the address.
        notices.append(_("“%(value)s” is not a value of the review filter; it was ignored.",
                         value=waiting_value[:40]))
    q = " ".join((args.get("q") or "").replace("\x00", "").split())
    if len(q) > MAX_SEARCH:
        # Translators: a notice; %(limit)s is a number.
        notices.append(_("The search was shortened to %(limit)s characters.", limit=MAX_SEARCH))
        q = q[:MAX_SEARCH]
    return QueueFilters(state=state, theme=theme, region=region, priority=priority,
                        assignee=assignee, waiting=waiting, q=q, sort=sort,
                        direction=direction, default_state=default_state,
                        notices=tuple(notices))
