"""`cases.accepted_at`: when the helpdesk first let a case into the workflow.

The public projection used to test `state != 'submitted'`, so a request withdrawn or
closed as a duplicate before triage became public. A case is now public only when it
was accepted (triaged, or reopened into review) at some point and its requester
consented. The backfill reads the audit log: the first `case.triage` or `case.reopen`
of each case; an open case past `submitted` with no such event (rows written by hand)
counts as accepted when its state last changed. The public-order index ends with the
new column instead of `state`, so the public count stays an index-only scan.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CLOSED_STATES = ("closed", "declined", "withdrawn")
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _public_order_index(last_column: str) -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_public_order",
            ["public_listing", sa.text("is_open DESC"), sa.text("updated_at DESC"),
             "reference", last_column],
            unique=False,
        )


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", TIMESTAMP, nullable=True))
        batch_op.drop_index("ix_cases_public_order")

    cases = sa.table("cases", sa.column("id", sa.Integer()), sa.column("state", sa.String()),
                     sa.column("state_changed_at", sa.DateTime()),
                     sa.column("accepted_at", sa.DateTime()))
    events = sa.table("audit_events", sa.column("created_at", sa.DateTime()),
                      sa.column("action", sa.String()), sa.column("object_type", sa.String()),
                      sa.column("object_id", sa.String()))
    first_acceptance = (
        sa.select(sa.func.min(events.c.created_at))
        .where(events.c.object_type == "case",
               sa.cast(events.c.object_id, sa.Integer()) == cases.c.id,
               events.c.action.in_(("case.triage", "case.reopen")))
        .scalar_subquery()
    )
    op.execute(cases.update().values(accepted_at=first_acceptance))
    op.execute(cases.update()
               .where(cases.c.accepted_at.is_(None),
                      cases.c.state.not_in(("submitted", *CLOSED_STATES)))
               .values(accepted_at=cases.c.state_changed_at))
    _public_order_index("accepted_at")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_public_order")
    _public_order_index("state")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
