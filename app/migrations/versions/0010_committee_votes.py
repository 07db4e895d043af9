"""Members' own votes with criterion scores; criteria; substitute reviewers; quorum on decisions.

`reviews` become votes: who recorded a vote given aloud at a meeting (`recorded_by_id`,
`meeting_id`) and the decision that used it (`decision_id`); `review_scores` holds a
score 1–5 and a note per criterion; `committee_criteria` the criteria, seeded with the
Hub's (their names are message ids, shown translated). A decision keeps its votes, the
quorum applied and why it differs from the majority; a case its substitute reviewers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}

# The Hub's criteria (English names: message ids in app/committee/labels.py).
CRITERIA = (
    ("Technical", "Can the content be prepared, described and uploaded well?"),
    ("Legal and ethical", "Licences, rights, personal data and cultural sensitivity."),
    ("Risk", "What could go wrong for the partner, the projects or the people shown."),
    ("Sustainability", "Will the partnership and its content be looked after?"),
    ("Impact", "How much the content adds to the Wikimedia projects."),
    ("Reaching underserved communities",
     "Does it bring in knowledge, languages or people the projects lack?"),
)


def upgrade() -> None:
    op.create_table(
        "committee_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_criteria")),
        **TABLE_OPTIONS,
    )
    criteria = sa.table("committee_criteria", sa.column("name", sa.String),
                        sa.column("description", sa.Text), sa.column("position", sa.Integer),
                        sa.column("active", sa.Boolean))
    op.bulk_insert(criteria, [
        {"name": name, "description": description, "position": (index + 1) * 10,
         "active": True}
        for index, (name, description) in enumerate(CRITERIA)
    ])
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_reviews_recorded_by_id_users"), "users",
                                    ["recorded_by_id"], ["id"])
        batch_op.create_foreign_key(op.f("fk_reviews_decision_id_decisions"), "decisions",
                                    ["decision_id"], ["id"])
    op.create_table(
        "review_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], ondelete="CASCADE",
                                name=op.f("fk_review_scores_review_id_reviews")),
        sa.ForeignKeyConstraint(["criterion_id"], ["committee_criteria.id"],
                                name=op.f("fk_review_scores_criterion_id_committee_criteria")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_scores")),
        sa.UniqueConstraint("review_id", "criterion_id",
                            name="uq_review_scores_review_criterion"),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("review_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_scores_review_id"), ["review_id"])
        batch_op.create_index(batch_op.f("ix_review_scores_criterion_id"), ["criterion_id"])
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("votes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("quorum", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dissent_reason", sa.Text(), nullable=True))
    op.execute("UPDATE decisions SET dissent_reason = ''")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.alter_column("dissent_reason", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("substitute_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("substitute_ids")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("dissent_reason")
        batch_op.drop_column("quorum")
        batch_op.drop_column("votes")
    op.drop_table("review_scores")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_reviews_decision_id_decisions"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_reviews_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("decision_id")
        batch_op.drop_column("meeting_id")
        batch_op.drop_column("recorded_by_id")
    op.drop_table("committee_criteria")
