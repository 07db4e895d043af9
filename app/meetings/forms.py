"""Forms of the meeting pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import clean, clean_line
from app.intake.fields import CheckboxGroupField

MAX_TITLE = 255
MAX_LOCATION = 500
MAX_TOPIC = 255
MAX_NOTES = 20_000
MAX_RATIONALE = 5_000


class MeetingForm(FlaskForm):
    """A meeting's title, time (UTC), length, place, chair and attendees."""

    title = StringField(
        _l("Title"), filters=[clean_line],
        # Translators: a form error on a committee meeting.
        validators=[DataRequired(message=_l("Give the meeting a title.")),
                    Length(max=MAX_TITLE, message=_l(
                        "A title has at most %(max)d characters."))],
        render_kw={"maxlength": MAX_TITLE},
    )
    starts_at = DateTimeLocalField(
        # Translators: a form label: when a committee meeting begins.
        _l("Begins (UTC)"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        # Translators: a form error on a committee meeting.
        validators=[InputRequired(message=_l("Give the date and time the meeting begins."))],
        # Translators: help for the time of a committee meeting.
        description=_l("In UTC (Coordinated Universal Time). Everyone sees it in their own "
                       "time zone."),
    )
    duration_minutes = IntegerField(
        # Translators: a form label: how long a committee meeting lasts, in minutes.
        _l("Length in minutes"), default=90,
        # Translators: a form error; %(min)s and %(max)s are numbers of minutes.
        validators=[InputRequired(message=_l("Give the meeting's length in minutes.")),
                    NumberRange(min=15, max=600, message=_l(
                        "Between %(min)s and %(max)s minutes."))],
    )
    location = StringField(
        # Translators: a form label: where a committee meeting takes place (a video-call link).
        _l("Where"), filters=[clean_line],
        validators=[Optional(), Length(max=MAX_LOCATION)],
        # Translators: help for where a committee meeting takes place.
        description=_l("A video-call link or a room. Only the committee and the helpdesk "
                       "see it."),
        render_kw={"maxlength": MAX_LOCATION},
    )
    chair = SelectField(
        # Translators: a form label: the committee member who chairs a meeting.
        _l("Chair"), choices=[], validate_choice=False,
    )
    attendees = CheckboxGroupField(
        # Translators: a form label: the committee members who attend a meeting.
        _l("Attendees"), choices=[],
    )

    def set_members(self, members: list[tuple[str, str]]) -> None:
        """The committee members to choose from: (id, username)."""
        # Translators: the first choice of a meeting's chair.
        self.chair.choices = [("", _l("No chair named (any member runs it)")), *members]
        self.attendees.choices = members


class AddCaseForm(FlaskForm):
    """Put a case on the agenda by its reference."""

    reference = StringField(
        # Translators: a form label: a case reference like CPH-2026-0042.
        _l("Request reference"), filters=[clean_line],
        # Translators: a form error.
        validators=[DataRequired(message=_l("Give the reference of a request.")),
                    Length(max=40)],
        # Translators: help; keep CPH-2026-0042 as it is.
        description=_l("Like CPH-2026-0042."),
        render_kw={"maxlength": 40},
    )


class AddTopicForm(FlaskForm):
    """Put a free topic on the agenda."""

    topic = StringField(
        # Translators: a form label: a subject for a committee meeting that is not a request.
        _l("Topic"), filters=[clean_line],
        # Translators: a form error.
        validators=[DataRequired(message=_l("Write the topic.")),
                    Length(max=MAX_TOPIC, message=_l(
                        "A topic has at most %(max)d characters."))],
        render_kw={"maxlength": MAX_TOPIC},
    )


class MinuteForm(FlaskForm):
    """The internal minute of one agenda item, or the meeting's general notes."""

    notes = TextAreaField(
        # Translators: a form label: the internal minutes of a committee meeting or of one item.
        _l("Minutes (internal)"), filters=[clean],
        validators=[Length(max=MAX_NOTES, message=_l(
            "The text has at most %(max)d characters."))],
        render_kw={"rows": 4},
    )


class DecisionForm(FlaskForm):
    """A decision the chair records at the meeting."""

    outcome = SelectField(
        # Translators: a form label: the committee's decision on a request.
        _l("Decision"), choices=[], validate_choice=False,
        # Translators: a form error.
        validators=[DataRequired(message=_l("Choose the decision."))],
    )
    rationale = TextAreaField(
        _l("Rationale (internal)"), filters=[clean],
        validators=[Length(max=MAX_RATIONALE)], render_kw={"rows": 3},
    )
    public_rationale = TextAreaField(
        _l("Public rationale"), filters=[clean],
        validators=[Length(max=MAX_RATIONALE)], render_kw={"rows": 3},
    )
    dissent_reason = TextAreaField(
        _l("Why not the majority's vote"), filters=[clean],
        validators=[Length(max=MAX_RATIONALE)], render_kw={"rows": 2},
        # Translators: help for a field of a decision recorded at a committee meeting.
        description=_l("Needed only when the decision differs from most of the votes."),
    )


class VoteAloudForm(FlaskForm):
    """A vote a member gave aloud, recorded by the chair."""

    member = SelectField(
        # Translators: a form label: the committee member whose vote the chair records.
        _l("Member"), choices=[], validate_choice=False,
        validators=[DataRequired(message=_l("Choose the member."))],
    )
    outcome = SelectField(
        # Translators: a form label: what a committee member voted for.
        _l("Vote"), choices=[], validate_choice=False,
        validators=[DataRequired(message=_l("Choose the vote."))],
    )
    comment = TextAreaField(
        _l("Comment"), filters=[clean], validators=[Length(max=MAX_RATIONALE)],
        render_kw={"rows": 2},
    )


class CalendarForm(FlaskForm):
    """Make a new calendar address (the old one stops working)."""

    renew = HiddenField(default="1")
