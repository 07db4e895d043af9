"""`outbox.claimed_by`, `outbox.claimed_until`, `outbox.last_attempt_at`;
`mail_failing_addresses`, `users.email_failing`, `cases.contact_email_failing`.

Several `flask --app app outbox deliver` runs may overlap (a slow run and the next
scheduled one): each claims the rows it sends for a lease before sending, so no
message goes out twice, and a crashed run's rows are taken up when the lease ends.
An address the mail server refused for good (a 5xx answer) is kept in
`mail_failing_addresses` until mail to it is accepted again, and the server's answer
on the person (`users.email_failing`) and the case (`cases.contact_email_failing`)
whose address it is: staff see it on the case page. `last_attempt_at` says when a message was last tried (the
undelivered-mail page shows it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", TIMESTAMP, nullable=True))
        batch_op.add_column(sa.Column("last_attempt_at", TIMESTAMP, nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_failing", sa.String(length=300), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_email_failing", sa.String(length=300),
                                      nullable=True))
    op.create_table(
        "mail_failing_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("failed_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], ondelete="SET NULL",
            name=op.f("fk_mail_failing_addresses_outbox_id_outbox"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_failing_addresses")),
        sa.UniqueConstraint("address", name=op.f("uq_mail_failing_addresses_address")),
        **TABLE_OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("mail_failing_addresses")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("contact_email_failing")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_failing")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
