"""Email, the helpdesk's front door: what the mailbox job read, attachments, bounces.

`mail_incoming` holds each message read from the helpdesk mailbox once (unique
`message_key`: its Message-ID, or a hash of one without), with what became of it and
the case it opened or answered; `mail_attachments` the files that came with it (kept
privately on disk, or only listed); `mail_bounces` the addresses delivery reports said
are failing, and the outgoing message each was about.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "mail_incoming",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("from_address", sa.String(length=255), nullable=False),
        sa.Column("from_name", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_message_id", sa.Integer(), nullable=True),
        sa.Column("headers", LONG_TEXT, nullable=False),
        sa.Column("body", LONG_TEXT, nullable=False),
        sa.Column("raw_name", sa.String(length=80), nullable=True),
        sa.Column("handled_at", TIMESTAMP, nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_mail_incoming_case_id_cases")),
        sa.ForeignKeyConstraint(["case_message_id"], ["case_messages.id"],
                                name=op.f("fk_mail_incoming_case_message_id_case_messages")),
        sa.ForeignKeyConstraint(["handled_by_id"], ["users.id"],
                                name=op.f("fk_mail_incoming_handled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_incoming")),
        sa.UniqueConstraint("message_key", name=op.f("uq_mail_incoming_message_key")),
        **TABLE_OPTIONS,
    )
    for column in ("case_id", "from_address", "message_id", "outcome", "received_at"):
        _index("mail_incoming", column)
    op.create_table(
        "mail_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.Column("refused", sa.String(length=32), nullable=False),
        sa.Column("storage_name", sa.String(length=80), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_mail_attachments_case_id_cases")),
        sa.ForeignKeyConstraint(["mail_id"], ["mail_incoming.id"],
                                name=op.f("fk_mail_attachments_mail_id_mail_incoming")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachments")),
        **TABLE_OPTIONS,
    )
    for column in ("case_id", "mail_id"):
        _index("mail_attachments", column)
    op.create_table(
        "mail_bounces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("mail_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("diagnostic", sa.String(length=500), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["mail_id"], ["mail_incoming.id"],
                                name=op.f("fk_mail_bounces_mail_id_mail_incoming")),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"],
                                name=op.f("fk_mail_bounces_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_bounces")),
        **TABLE_OPTIONS,
    )
    for column in ("address", "created_at", "mail_id", "outbox_id"):
        _index("mail_bounces", column)


def downgrade() -> None:
    # Dropping a table drops its indexes; dropping them first fails on MariaDB, where an
    # index a foreign key needs cannot go while the key is there.
    for table in ("mail_bounces", "mail_attachments", "mail_incoming"):
        op.drop_table(table)
