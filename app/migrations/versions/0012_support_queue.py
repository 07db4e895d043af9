"""The ranked queue of approved cases waiting for support; labels on cases.

`support_queue` holds each approved case's place (app/queue/models.py keeps it in step
with the case's state); `cases.labels` the helpdesk's free labels (a JSON list).
Approved cases already there join the queue, oldest approval first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "support_queue",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_support_queue_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_support_queue")),
        mysql_charset="utf8mb4", mysql_collate="utf8mb4_unicode_ci",
    )
    op.create_index(op.f("ix_support_queue_position"), "support_queue", ["position"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("labels", sa.JSON(), nullable=True))
    bind = op.get_bind()
    approved = bind.execute(sa.text(
        "SELECT id, state_changed_at FROM cases WHERE state = 'approved' "
        "ORDER BY state_changed_at, id")).all()
    if approved:  # the timestamps go back as the database gave them
        bind.execute(sa.text("INSERT INTO support_queue (case_id, position, added_at) "
                             "VALUES (:case_id, :position, :added_at)"),
                     [{"case_id": row[0], "position": index, "added_at": row[1]}
                      for index, row in enumerate(approved, start=1)])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("labels")
    op.drop_table("support_queue")
