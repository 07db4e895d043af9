"""Join requests, committee profiles and guidelines, partner contacts and placements.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 19:08:46.337678
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "guidelines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guidelines")),
        sa.UniqueConstraint("slug", name=op.f("uq_guidelines_slug")),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "committee_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_committee_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_committee_profiles_user_id")),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "guideline_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guideline_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_guideline_revisions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["guideline_id"],
            ["guidelines.id"],
            name=op.f("fk_guideline_revisions_guideline_id_guidelines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_revisions")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("guideline_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guideline_revisions_guideline_id"), ["guideline_id"], unique=False
        )

    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_join_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["working_groups.id"],
            name=op.f("fk_join_requests_group_id_working_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_join_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_join_requests_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_join_requests_user_id"), ["user_id"], unique=False)

    op.create_table(
        "organisation_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=255), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_contacts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_contacts")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("organisation_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_contacts_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=255), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_placements_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_placements_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("placements")
    op.drop_table("organisation_contacts")
    op.drop_table("join_requests")
    op.drop_table("guideline_revisions")
    op.drop_table("committee_profiles")
    op.drop_table("guidelines")
