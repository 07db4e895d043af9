"""Indexes for the busiest queries, and a stored `cases.is_open` flag.

- `ix_audit_events_object (object_type, object_id, id)`: a case's timeline reads its
  audit events without scanning the whole log.
- `cases.is_open` (= state not closed, declined or withdrawn), backfilled here and
  kept in step by the model, with `ix_cases_open_queue (is_open, state_changed_at,
  id)` for the dashboard's open queue (oldest first) and its count, and
  `ix_cases_public_order (public_listing, is_open DESC, updated_at DESC, reference,
  state)` for the public projection's order (open first, most recently updated,
  reference) and its count.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CLOSED_STATES = ("closed", "declined", "withdrawn")


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_object", ["object_type", "object_id", "id"],
                              unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_open", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    cases = sa.table("cases", sa.column("state", sa.String()), sa.column("is_open", sa.Boolean()))
    op.execute(cases.update().values(
        is_open=sa.case((cases.c.state.in_(CLOSED_STATES), sa.false()), else_=sa.true())))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_open_queue", ["is_open", "state_changed_at", "id"],
                              unique=False)
        batch_op.create_index(
            "ix_cases_public_order",
            ["public_listing", sa.text("is_open DESC"), sa.text("updated_at DESC"),
             "reference", "state"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_public_order")
        batch_op.drop_index("ix_cases_open_queue")
        batch_op.drop_column("is_open")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_object")
