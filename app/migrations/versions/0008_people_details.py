"""`users.country`, `users.languages`, `users.regions`: what people say about themselves.

Everyone sets them on the preferences page. The committee page shows its members' (the
languages and regions of `committee_profiles`, which only committee members could set
and which this table replaces: its rows are copied over, then it is dropped); "filling
the gaps" counts the countries of working-group members.

Going down recreates `committee_profiles` from the languages and regions people gave
(countries have no place there and are dropped).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

USERS = sa.table("users", sa.column("id", sa.Integer()), sa.column("languages", sa.JSON()),
                 sa.column("regions", sa.JSON()))
PROFILES = sa.table("committee_profiles", sa.column("user_id", sa.Integer()),
                    sa.column("languages", sa.JSON()), sa.column("regions", sa.JSON()),
                    sa.column("updated_at", sa.DateTime()))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("regions", sa.JSON(), nullable=True))
    connection = op.get_bind()
    connection.execute(USERS.update().values(languages=[], regions=[]))
    for user_id, languages, regions in connection.execute(
            sa.select(PROFILES.c.user_id, PROFILES.c.languages, PROFILES.c.regions)).all():
        connection.execute(USERS.update().where(USERS.c.id == user_id)
                           .values(languages=list(languages or []), regions=list(regions or [])))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("languages", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("regions", existing_type=sa.JSON(), nullable=False)
    op.drop_table("committee_profiles")


def downgrade() -> None:
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
    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    given = [{"user_id": user_id, "languages": list(languages or []),
              "regions": list(regions or []), "updated_at": now}
             for user_id, languages, regions in connection.execute(
                 sa.select(USERS.c.id, USERS.c.languages, USERS.c.regions)).all()
             if languages or regions]
    if given:
        connection.execute(PROFILES.insert(), given)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("regions")
        batch_op.drop_column("languages")
        batch_op.drop_column("country")
