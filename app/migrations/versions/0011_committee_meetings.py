"""Committee meetings: attendees, agenda items, minutes.

`meetings` (when, title, internal place and notes, chair), `meeting_attendees`,
`meeting_items` (a case or free topic on the agenda, its internal minute and the
decision taken there), `meeting_agenda_mails` (the agenda went to a member, once),
`committee_member_settings` (how a member hears about votes; their calendar token),
`vote_notices` (a member was told a case needs their vote, or reminded; once each).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("starts_at", TIMESTAMP, nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _fk("meetings", "chair_id", "users"),
        _fk("meetings", "created_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_meetings_starts_at"), "meetings", ["starts_at"])
    op.create_table(
        "meeting_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        _fk("meeting_attendees", "meeting_id", "meetings"),
        _fk("meeting_attendees", "member_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendees")),
        sa.UniqueConstraint("meeting_id", "member_id",
                            name=op.f("uq_meeting_attendees_meeting_member")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_meeting_attendees_meeting_id"), "meeting_attendees", ["meeting_id"])
    op.create_index(op.f("ix_meeting_attendees_member_id"), "meeting_attendees", ["member_id"])
    op.create_table(
        "meeting_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("meeting_items", "meeting_id", "meetings"),
        _fk("meeting_items", "case_id", "cases"),
        _fk("meeting_items", "decision_id", "decisions"),
        _fk("meeting_items", "added_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_items")),
        sa.UniqueConstraint("meeting_id", "case_id", name=op.f("uq_meeting_items_meeting_case")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_meeting_items_meeting_id"), "meeting_items", ["meeting_id"])
    op.create_index(op.f("ix_meeting_items_case_id"), "meeting_items", ["case_id"])
    op.create_table(
        "meeting_agenda_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=False),
        _fk("meeting_agenda_mails", "meeting_id", "meetings"),
        _fk("meeting_agenda_mails", "member_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_agenda_mails")),
        sa.UniqueConstraint("meeting_id", "member_id",
                            name=op.f("uq_meeting_agenda_mails_meeting_member")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_meeting_agenda_mails_meeting_id"), "meeting_agenda_mails",
                    ["meeting_id"])
    op.create_index(op.f("ix_meeting_agenda_mails_member_id"), "meeting_agenda_mails",
                    ["member_id"])
    op.create_table(
        "committee_member_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("vote_mail", sa.String(length=16), nullable=False),
        sa.Column("calendar_token", sa.String(length=64), nullable=True),
        _fk("committee_member_settings", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_member_settings")),
        sa.UniqueConstraint("user_id", name=op.f("uq_committee_member_settings_user_id")),
        sa.UniqueConstraint("calendar_token",
                            name=op.f("uq_committee_member_settings_calendar_token")),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "vote_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stage_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        _fk("vote_notices", "case_id", "cases"),
        _fk("vote_notices", "member_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_notices")),
        sa.UniqueConstraint("case_id", "member_id", "kind", "stage_key",
                            name=op.f("uq_vote_notices_case_member_kind_stage")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_vote_notices_case_id"), "vote_notices", ["case_id"])
    op.create_index(op.f("ix_vote_notices_member_id"), "vote_notices", ["member_id"])
    op.create_index(op.f("ix_vote_notices_sent_at"), "vote_notices", ["sent_at"])


def downgrade() -> None:
    op.drop_table("vote_notices")
    op.drop_table("committee_member_settings")
    op.drop_table("meeting_agenda_mails")
    op.drop_table("meeting_items")
    op.drop_table("meeting_attendees")
    op.drop_table("meetings")
