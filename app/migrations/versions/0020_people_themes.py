"""Themes of affiliates and of directory entries (issue #18, "The right people").

`affiliates.themes` and `directory_entries.themes` hold codes of the cases' themes
(`app.cases.labels.THEMES`), so the case page can suggest people and affiliates by
theme. `directory_entries.show_themes` is the person's choice to show theirs; entries
saved before take the choice they made for their skills (they have no themes yet, so
nothing new is shown either way).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

AFFILIATES = sa.table("affiliates", sa.column("themes", sa.JSON()))
ENTRIES = sa.table("directory_entries", sa.column("themes", sa.JSON()),
                   sa.column("show_skills", sa.Boolean()), sa.column("show_themes", sa.Boolean()))


def upgrade() -> None:
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("themes", sa.JSON(), nullable=True))
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("show_themes", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("themes", sa.JSON(), nullable=True))
    connection = op.get_bind()
    connection.execute(AFFILIATES.update().values(themes=[]))
    connection.execute(ENTRIES.update().values(themes=[], show_themes=ENTRIES.c.show_skills))
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.alter_column("themes", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.alter_column("show_themes", existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column("themes", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    # Plain columns: no foreign key or index of theirs to drop first (also on MariaDB).
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.drop_column("themes")
        batch_op.drop_column("show_themes")
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.drop_column("themes")
