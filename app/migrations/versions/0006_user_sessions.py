"""`user_sessions`: a server-side record of every signed-in session.

A session cookie names its session id; the record (a SHA-256 of the id, never the id
itself) says whether the session is still live. Signing out, an administrator's "sign
out everywhere", a block learned at sign-in and a role change end the record, so every
copy of the cookie stops working at once. Sessions signed in before this migration
have no record and are signed out once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("sid_hash", name=op.f("uq_user_sessions_sid_hash")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"],
                    unique=False)


def downgrade() -> None:
    # The table's indexes go with it (MariaDB refuses to drop the user_id index on its own
    # while the foreign key needs it).
    op.drop_table("user_sessions")
