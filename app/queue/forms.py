"""The forms of the support queue page and of the inbox's bulk actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.cases.labels import PRIORITIES, choices
from app.core.db import as_id
from app.core.forms import clean, clean_line
from app.queue.service import MAX_LABEL, MAX_REASON

NOBODY = "nobody"


class QueueOrderForm(FlaskForm):
    """One form for the whole queue: the reason, the order the page showed, and the
    button pressed (`move`: "<case id>:up", "<case id>:down" or "score")."""

    reason = TextAreaField(
        # Translators: a form label on the support queue page: why the committee changes the order.
        _l("Reason for the change (required)"), filters=[clean],
        # Translators: help on the support queue page.
        description=_l("Kept in the audit log with each case that changes place."),
        render_kw={"maxlength": MAX_REASON, "rows": 2},
    )
    order = HiddenField()
    move = HiddenField()  # filled by the button pressed (its name is `move` too)

    def seen_order(self) -> list[int]:
        """The case ids in the order the page showed them."""
        return [i for i in (as_id(part) for part in (self.order.data or "").split(",")) if i]

    def pressed(self) -> tuple[str, int | None]:
        """Which button: ("score", None), ("up" or "down", case id), or ("", None)."""
        value = (self.move.data or "").strip()
        if value == "score":
            return "score", None
        case_id, _, direction = value.partition(":")
        found = as_id(case_id)
        if found is None or direction not in ("up", "down"):
            return "", None
        return direction, found


class BulkForm(FlaskForm):
    """The inbox's bulk actions: what to do to every case ticked in the lists."""

    action = RadioField(
        # Translators: a form legend in the helpdesk inbox: what to do to the selected requests.
        _l("Do this to the selected requests"),
        choices=[
            # Translators: a bulk action in the helpdesk inbox.
            SelectChoice("assign", _l("Assign to")),
            # Translators: a bulk action in the helpdesk inbox.
            SelectChoice("priority", _l("Set the priority")),
            # Translators: a bulk action in the helpdesk inbox.
            SelectChoice("label", _l("Add a label")),
            # Translators: a bulk action in the helpdesk inbox.
            SelectChoice("duplicate", _l("Close as a duplicate of")),
        ],
        # Translators: a form error in the helpdesk inbox's bulk actions.
        validators=[InputRequired(message=_l("Choose what to do."))],
    )
    # Translators: a form label in the helpdesk inbox's bulk actions: the staff member to assign to.
    assignee = SelectField(_l("Staff member"), choices=[], validate_choice=False)
    # Translators: a form label in the helpdesk inbox's bulk actions.
    priority = SelectField(_l("Priority"), choices=[], validate_choice=False)
    label = StringField(
        # Translators: a form label in the helpdesk inbox's bulk actions: a short free tag on
        # requests.
        _l("Label"), filters=[clean_line],
        validators=[Length(max=MAX_LABEL)], render_kw={"maxlength": MAX_LABEL},
    )
    duplicate_of = StringField(
        # Translators: a form label when closing requests as duplicates.
        _l("Reference of the original request"), filters=[clean_line],
        render_kw={"maxlength": 40, "placeholder": _l("e.g. CPH-2026-0001")},
    )
    message = TextAreaField(
        # Translators: a form label in the helpdesk inbox's bulk actions.
        _l("Message to the requesters (needed when closing as a duplicate)"),
        filters=[clean], render_kw={"rows": 2},
    )

    def fill_choices(self, staff: Iterable[tuple[int, str]]) -> BulkForm:
        """The staff members and priorities to choose from (in the current language)."""
        # Translators: a choice in the helpdesk inbox's bulk actions: assigned to no one.
        self.assignee.choices = [SelectChoice(NOBODY, str(_l("Nobody"))),
                                 *(SelectChoice(str(user_id), name, render_kw={"dir": "auto"})
                                   for user_id, name in staff)]  # names isolated: bidi
        self.priority.choices = [SelectChoice(code, name) for code, name in choices(PRIORITIES)]
        return self


def selected_cases(values: Sequence[str]) -> list[tuple[int, str]]:
    """The ticked cases: each checkbox sends "<case id>:<version the page showed>";
    the same case ticked in two lists counts once."""
    found: dict[int, str] = {}
    for value in values:
        case_id, _, version = str(value).partition(":")
        number = as_id(case_id)
        if number is not None and number not in found:
            found[number] = version.strip()[:12]
    return list(found.items())
