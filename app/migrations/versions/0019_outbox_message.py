"""`outbox.message_id`: the case message an email carries (issue #17).

An email about a public message (to the requester, or from the requester to the
helpdesk) names its message, so that delivery attaches the message's files
(`attachments` of that message) to the email. Emails written before have none.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_outbox_message_id_case_messages"), "case_messages",
                                    ["message_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_outbox_message_id_case_messages"), type_="foreignkey")
        batch_op.drop_column("message_id")
