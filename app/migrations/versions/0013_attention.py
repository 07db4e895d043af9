"""Per-person last-seen marks, watchers of cases, saved dashboard views.

`case_marks`: one row per person and case they opened or chose to (un)watch: when they
last opened it (lists mark cases changed since as unread) and their watch choice
(NULL: the default, people on the case watch it). `saved_views`: a person's named
dashboard filters, with how often each was used (the five most used are tabs).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "case_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", TIMESTAMP, nullable=True),
        sa.Column("watching", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_case_marks_case_id_cases")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_case_marks_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_marks")),
        sa.UniqueConstraint("user_id", "case_id", name="uq_case_marks_user_case"),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_case_marks_case_id"), "case_marks", ["case_id"], unique=False)
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_saved_views_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),
        **TABLE_OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("saved_views")
    op.drop_table("case_marks")
