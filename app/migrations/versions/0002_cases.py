"""Cases, organisations, committee records, working groups, outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 18:45:34.425792
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "working_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_groups")),
        sa.UniqueConstraint("slug", name=op.f("uq_working_groups_slug")),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_canned_replies_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("canned_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_canned_replies_language"), ["language"], unique=False)

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("since", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_groups.id"], name=op.f("fk_memberships_group_id_working_groups")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("group_id", "user_id", name="uq_memberships_group_user"),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("normalised_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("wikidata_item", sa.String(length=32), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_organisations_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisations_normalised_name"), ["normalised_name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_organisations_wikidata_item"), ["wikidata_item"], unique=False
        )

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("request_type", sa.String(length=32), nullable=False),
        sa.Column("content_kinds", sa.JSON(), nullable=False),
        sa.Column("content_volume", sa.String(length=255), nullable=False),
        sa.Column("licence", sa.String(length=32), nullable=False),
        sa.Column("licence_details", sa.String(length=500), nullable=False),
        sa.Column("licence_flagged", sa.Boolean(), nullable=False),
        sa.Column("target_projects", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("support_types", sa.JSON(), nullable=False),
        sa.Column("support_details", sa.String(length=500), nullable=False),
        sa.Column("timeline", sa.String(length=500), nullable=False),
        sa.Column("public_listing", sa.Boolean(), nullable=False),
        sa.Column("public_summary", sa.Text(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=255), nullable=False),
        sa.Column("contact_email", sa.String(length=255), nullable=False),
        sa.Column("contact_username", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("state_changed_at", TIMESTAMP, nullable=False),
        sa.Column("stage_started_at", TIMESTAMP, nullable=False),
        sa.Column("paused_seconds", sa.Integer(), nullable=False),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("reminded_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_cases_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["cases.id"], name=op.f("fk_cases_duplicate_of_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cases_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["users.id"], name=op.f("fk_cases_requester_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
        sa.UniqueConstraint("year", "number", name="uq_cases_year_number"),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_state"), ["state"], unique=False)
        batch_op.create_index("ix_cases_state_changed", ["state", "state_changed_at"], unique=False)

    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["other_id"], ["cases.id"], name=op.f("fk_case_links_other_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
        sa.UniqueConstraint("case_id", "other_id", name="uq_case_links_pair"),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_links_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_links_other_id"), ["other_id"], unique=False)

    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_case_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_messages_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_messages")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_messages_case_id"), ["case_id"], unique=False)

    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_checklist_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name=op.f("fk_checklist_items_done_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
        sa.UniqueConstraint("case_id", "key", name="uq_checklist_items_case_key"),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_items_case_id"), ["case_id"], unique=False)

    op.create_table(
        "conflicts_of_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_conflicts_of_interest_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_conflicts_of_interest_member_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts_of_interest")),
        sa.UniqueConstraint("case_id", "member_id", name="uq_conflicts_of_interest_case_member"),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("conflicts_of_interest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflicts_of_interest_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conflicts_of_interest_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("public_rationale", sa.Text(), nullable=False),
        sa.Column("participant_ids", sa.JSON(), nullable=False),
        sa.Column("recused_ids", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decisions_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_decisions_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_outbox_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_outbox_recipient_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("referred_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("answered_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_referrals_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_groups.id"], name=op.f("fk_referrals_group_id_working_groups")
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"], ["users.id"], name=op.f("fk_referrals_referred_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_group_id"), ["group_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("recommendation", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reviews_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_reviews_member_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("case_id", "member_id", "stage", name="uq_reviews_case_member_stage"),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=255), nullable=True))

    seed_working_groups()


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")

    op.drop_table("reviews")
    op.drop_table("referrals")
    op.drop_table("outbox")
    op.drop_table("decisions")
    op.drop_table("conflicts_of_interest")
    op.drop_table("checklist_items")
    op.drop_table("case_messages")
    op.drop_table("case_links")
    op.drop_table("cases")
    op.drop_table("organisations")
    op.drop_table("memberships")
    op.drop_table("canned_replies")
    op.drop_table("working_groups")


WORKING_GROUPS = [
    (
        "communication",
        "Communication",
        "Tells the movement and partners about the Hub's work and the partnerships it helps.",
    ),
    (
        "project-planning",
        "Project planning and feedback",
        "Helps partners plan their project and gives feedback on plans.",
    ),
    (
        "implementation",
        "Implementation",
        "Helps with uploads, data modelling and the technical side of a partnership.",
    ),
    (
        "evaluation",
        "Evaluation and research",
        "Measures the reach and impact of partnerships and studies what works.",
    ),
    (
        "use-of-content",
        "Use of the content",
        "Makes sure donated content is used in Wikipedia and other projects.",
    ),
    (
        "supporting-material",
        "Creation of supporting material",
        "Writes guides, templates and training material for partners.",
    ),
    (
        "translation",
        "Translation",
        "Translates material and helps partners work in many languages.",
    ),
    (
        "filling-the-gaps",
        "Filling the gaps",
        "Finds help for partners in regions and languages with no active community yet.",
    ),
]


def seed_working_groups() -> None:
    """The eight working groups of the Content Partnerships Hub."""
    table = sa.table(
        "working_groups",
        sa.column("slug", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("archived", sa.Boolean),
        sa.column("created_at", sa.DateTime),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        table,
        [
            {
                "slug": slug,
                "name": name,
                "description": description,
                "archived": False,
                "created_at": now,
            }
            for slug, name, description in WORKING_GROUPS
        ],
    )
