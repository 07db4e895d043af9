"""Working-group asks, the people directory, skills, affiliates.

`skills` is seeded with the Hub's list (admins keep it from then on).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

SEED_SKILLS = (
    ("mass-uploads", "Mass uploads"),
    ("wikidata-modelling", "Wikidata modelling"),
    ("licensing", "Licensing and copyright"),
    ("metadata", "Metadata"),
    ("openrefine", "OpenRefine"),
    ("upload-tools", "Upload tools (Pattypan and others)"),
    ("partnership-agreements", "Partnership agreements"),
    ("outreach", "Outreach"),
    ("translation", "Translation"),
)


def upgrade() -> None:
    skills = op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("code", name=op.f("uq_skills_code")),
        **TABLE_OPTIONS,
    )
    op.bulk_insert(skills, [{"code": code, "name": name, "retired": False}
                            for code, name in SEED_SKILLS])
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("show_country", sa.Boolean(), nullable=False),
        sa.Column("show_languages", sa.Boolean(), nullable=False),
        sa.Column("show_regions", sa.Boolean(), nullable=False),
        sa.Column("show_skills", sa.Boolean(), nullable=False),
        sa.Column("show_roles", sa.Boolean(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_directory_entries_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
        sa.UniqueConstraint("user_id", name=op.f("uq_directory_entries_user_id")),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "affiliates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("contact_url", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliates")),
        sa.UniqueConstraint("name", name=op.f("uq_affiliates_name")),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "asks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("taken_at", TIMESTAMP, nullable=True),
        sa.Column("done_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_asks_case_id_cases")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_asks_created_by_id_users")),
        sa.ForeignKeyConstraint(["group_id"], ["working_groups.id"],
                                name=op.f("fk_asks_group_id_working_groups")),
        sa.ForeignKeyConstraint(["taken_by_id"], ["users.id"],
                                name=op.f("fk_asks_taken_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asks")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_asks_group_id"), "asks", ["group_id"], unique=False)
    op.create_index(op.f("ix_asks_status"), "asks", ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("asks")  # with its indexes (MariaDB keeps one a foreign key needs)
    op.drop_table("affiliates")
    op.drop_table("directory_entries")
    op.drop_table("skills")
