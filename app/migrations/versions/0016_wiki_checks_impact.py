"""Verified checklist steps and impact snapshots from the wikis.

`case_wiki` holds a case's Commons category and Wikidata item, the result of the last
check of its steps on the wikis, and when its impact follow-up began; `impact_snapshots`
the figures taken on day 0, 30, 90 and 365 of the follow-up; `impact_mail_optouts` the
people who want no email with those figures.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "case_wiki",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("commons_category", sa.String(length=255), nullable=False),
        sa.Column("wikidata_item", sa.String(length=32), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("checked_at", TIMESTAMP, nullable=True),
        sa.Column("impact_started_at", TIMESTAMP, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_wiki_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_wiki")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_wiki_case_id")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_case_wiki_impact_started_at"), "case_wiki", ["impact_started_at"],
                    unique=False)
    op.create_table(
        "impact_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("taken_at", TIMESTAMP, nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("files_capped", sa.Boolean(), nullable=False),
        sa.Column("files_in_use", sa.Integer(), nullable=False),
        sa.Column("wikis", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("views_capped", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_impact_snapshots_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_snapshots")),
        sa.UniqueConstraint("case_id", "day", name="uq_impact_snapshots_case_day"),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_impact_snapshots_case_id"), "impact_snapshots", ["case_id"],
                    unique=False)
    op.create_table(
        "impact_mail_optouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_impact_mail_optouts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_mail_optouts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_impact_mail_optouts_user_id")),
        **TABLE_OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("impact_mail_optouts")
    op.drop_table("impact_snapshots")
    op.drop_table("case_wiki")
