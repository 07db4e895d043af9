"""`role_requests`: a Wikimedian asks for a role, an administrator answers.

Someone who would like to help as helpdesk staff or on the Expert Committee asks
with a reason; the administrators see the requests waiting (issue #17: "admin:
pending roles") and approve (the role is granted, audited as before) or decline
with an answer; the person may withdraw a request not answered yet.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "role_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_role_requests_decided_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_role_requests_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_requests")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("role_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_requests_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_requests_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    # The table with its indexes (MariaDB refuses to drop the index its foreign key uses).
    op.drop_table("role_requests")
