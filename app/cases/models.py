"""A case: one request for help, and what hangs off it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import Base, Timestamp, utcnow
from app.partners.models import Organisation

# The states in which a case is closed. The same set as
# `app.workflow.transitions.CLOSED_STATES` (a test checks); kept here too so that the
# models do not import the workflow.
CLOSED_STATES = frozenset({"closed", "declined", "withdrawn"})


def _is_open_default(context: Any) -> bool:
    """`is_open` of a row inserted without it (Core inserts too): from its `state`."""
    params = context.get_current_parameters() if context is not None else {}
    return (params.get("state") or "submitted") not in CLOSED_STATES


class Case(Base):
    """A request for help and its progress through the workflow."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_cases_year_number"),
        Index("ix_cases_state_changed", "state", "state_changed_at"),
        # The open queue (dashboard): open cases, oldest state change first.
        Index("ix_cases_open_queue", "is_open", "state_changed_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    request_type: Mapped[str] = mapped_column(String(32))
    content_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_volume: Mapped[str] = mapped_column(String(255), default="")
    licence: Mapped[str] = mapped_column(String(32))
    licence_details: Mapped[str] = mapped_column(String(500), default="")
    licence_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    target_projects: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    support_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    support_details: Mapped[str] = mapped_column(String(500), default="")
    timeline: Mapped[str] = mapped_column(String(500), default="")
    public_listing: Mapped[bool] = mapped_column(Boolean, default=False)
    public_summary: Mapped[str] = mapped_column(Text, default="")

    # Who asked. Private: contact details are seen by staff and committee only.
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), nullable=True, index=True
    )
    contact_name: Mapped[str] = mapped_column(String(255), default="")
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    # The mail server's answer when it last refused `contact_email` for good (a 5xx);
    # cleared when mail to it is accepted again or the address changes (app/notifications/).
    contact_email_failing: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Reviewers an admin added to this case alone when conflicts left too few members
    # (app.committee.votes.add_substitute); they vote on this case only.
    substitute_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    contact_username: Mapped[str] = mapped_column(String(255), default="")
    channel: Mapped[str] = mapped_column(String(16), default="web")  # web | email

    state: Mapped[str] = mapped_column(String(32), default="submitted", index=True)
    # Stored `state not in CLOSED_STATES`, so that "open cases" and "open first" can
    # use an index. Kept in step with `state` by the attribute event below (and set by
    # `workflow.service._enter_state`); never set it by hand.
    is_open: Mapped[bool] = mapped_column(Boolean, default=_is_open_default,
                                          server_default=true())
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    priority: Mapped[str] = mapped_column(String(16), default="normal", index=True)
    # Short free labels the helpdesk puts on a case (bulk actions on the inbox, app/queue/);
    # None when it has none.
    labels: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), nullable=True, index=True
    )
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)

    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # The stage clock: when the current stage began, and time paused in it
    # while waiting on the requester (needs_information does not count).
    stage_started_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    # When the helpdesk first let the case into the workflow (triage, or a reopen into
    # review). Only accepted cases can ever be public: a request withdrawn or closed as a
    # duplicate before triage never reaches the public projection.
    accepted_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    duplicate_of: Mapped[Case | None] = relationship(remote_side=[id])
    # Read-only: the case page loads the checklist in the same statement as the case
    # (items are added with their own `case_id`, by the workflow service).
    checklist_items: Mapped[list[ChecklistItem]] = relationship(
        order_by="ChecklistItem.position", viewonly=True)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


# The public projection's order (open first, most recently updated, reference) read
# straight from an index; `accepted_at` at the end makes its count an index-only scan.
Index("ix_cases_public_order", Case.public_listing, Case.is_open.desc(),
      Case.updated_at.desc(), Case.reference, Case.accepted_at)


@event.listens_for(Case.state, "set")
def _keep_is_open(target: Case, value: str, _old: Any, _initiator: Any) -> None:
    """Whenever a case's state is set (constructor included), `is_open` follows."""
    target.is_open = value not in CLOSED_STATES


class CaseMessage(Base):
    """A message on a case: public (the requester sees it) or internal."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    author: Mapped[User | None] = relationship()


class ChecklistItem(Base):
    """One step of the support checklist, copied from the request type's template."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("case_id", "key", name="uq_checklist_items_case_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    link: Mapped[str] = mapped_column(String(500), default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)


class CaseLink(Base):
    """Two related cases (stored once, smaller id first)."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_id", name="uq_case_links_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class CannedReply(Base):
    """A reusable reply in one language, with placeholders."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
