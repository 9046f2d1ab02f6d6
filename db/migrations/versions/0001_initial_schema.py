"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 11:05:08.640139
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One long function on purpose: a migration is a frozen record of the schema, read top to bottom.
    op.create_table(
        "communications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "owner_type",
            sa.Enum("lead", "contact", "company", name="ownertype", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("phone", "email", "telegram", name="commkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "value_type",
            sa.Enum("work", "mobile", "home", "other", name="commvaluetype", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("raw", sa.String(length=255), nullable=False),
        sa.Column("normalized", sa.String(length=255), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.create_index("ix_communications_kind_normalized", ["kind", "normalized"], unique=False)
        batch_op.create_index("ix_communications_owner", ["owner_type", "owner_id"], unique=False)

    op.create_table(
        "junk_reasons",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_junk_reasons")),
    )
    op.create_table(
        "lead_statuses",
        sa.Column(
            "semantics",
            sa.Enum("process", "success", "failure", name="statussemantics", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_lead_statuses")),
    )
    op.create_table(
        "sources",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sources")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "supervisor", "manager", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["users.id"], name=op.f("fk_users_supervisor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_users_telegram_id")),
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("title_key", sa.String(length=255), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "client",
                "supplier",
                "partner",
                "contractor",
                "other",
                name="contacttype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_companies_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_companies_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_companies_title_key"), ["title_key"], unique=False)

    op.create_table(
        "exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("phone", "email", "telegram", name="commkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("normalized", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("last_hit_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_exclusions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusions")),
        sa.UniqueConstraint("kind", "normalized", name=op.f("uq_exclusions_kind_normalized")),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_history_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index("ix_history_entity", ["entity", "entity_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_history_user_id"), ["user_id"], unique=False)

    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "supervisor", "manager", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("used_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_invites_created_by_id_users")),
        sa.ForeignKeyConstraint(["used_by_id"], ["users.id"], name=op.f("fk_invites_used_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code", name=op.f("uq_invites_code")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("second_name", sa.String(length=128), nullable=True),
        sa.Column("last_name", sa.String(length=128), nullable=True),
        sa.Column("post", sa.String(length=128), nullable=True),
        sa.Column(
            "type",
            sa.Enum(
                "client",
                "supplier",
                "partner",
                "contractor",
                "other",
                name="contacttype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_contacts_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_contacts_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_contacts_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("amount", db.types.Money(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_deals_assignee_id_users")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_deals_company_id_companies")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_deals_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deals_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deals_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deals_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("second_name", sa.String(length=128), nullable=True),
        sa.Column("last_name", sa.String(length=128), nullable=True),
        sa.Column("company_title", sa.String(length=255), nullable=True),
        sa.Column("post", sa.String(length=128), nullable=True),
        sa.Column("status_code", sa.String(length=32), nullable=False),
        sa.Column("source_code", sa.String(length=32), nullable=False),
        sa.Column("source_description", sa.String(length=255), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("amount", db.types.Money(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("is_repeat", sa.Boolean(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("junk_reason_code", sa.String(length=32), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("taken_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_leads_assignee_id_users")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_leads_company_id_companies")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_leads_contact_id_contacts")),
        sa.ForeignKeyConstraint(["creator_id"], ["users.id"], name=op.f("fk_leads_creator_id_users")),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_leads_deal_id_deals")),
        sa.ForeignKeyConstraint(
            ["junk_reason_code"], ["junk_reasons.code"], name=op.f("fk_leads_junk_reason_code_junk_reasons")
        ),
        sa.ForeignKeyConstraint(["source_code"], ["sources.code"], name=op.f("fk_leads_source_code_sources")),
        sa.ForeignKeyConstraint(
            ["status_code"], ["lead_statuses.code"], name=op.f("fk_leads_status_code_lead_statuses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("source_code", "external_id", name=op.f("uq_leads_source_code_external_id")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index("ix_leads_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_leads_status_assignee", ["status_code", "assignee_id"], unique=False)

    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("call", "meeting", "task", "comment", name="activitykind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("due_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_activities_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_activities_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_activities_lead_id_leads")),
        sa.ForeignKeyConstraint(
            ["responsible_id"], ["users.id"], name=op.f("fk_activities_responsible_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index("ix_activities_pending", ["done", "due_at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_before", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("sent_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_outbox_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["sent_at", "not_before"], unique=False)

    op.create_table(
        "posted_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_posted_cards_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_cards")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_posted_cards_chat_id_message_id")),
    )
    with op.batch_alter_table("posted_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posted_cards_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:
    # Long on purpose, as upgrade(): the frozen record of what it undoes.
    with op.batch_alter_table("posted_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posted_cards_lead_id"))

    op.drop_table("posted_cards")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_pending")
        batch_op.drop_index(batch_op.f("ix_activities_lead_id"))
        batch_op.drop_index(batch_op.f("ix_activities_contact_id"))

    op.drop_table("activities")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_status_assignee")
        batch_op.drop_index("ix_leads_created_at")
        batch_op.drop_index(batch_op.f("ix_leads_contact_id"))
        batch_op.drop_index(batch_op.f("ix_leads_company_id"))

    op.drop_table("leads")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_lead_id"))
        batch_op.drop_index(batch_op.f("ix_deals_contact_id"))
        batch_op.drop_index(batch_op.f("ix_deals_company_id"))

    op.drop_table("deals")
    op.drop_table("contacts")
    op.drop_table("invites")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_history_user_id"))
        batch_op.drop_index("ix_history_entity")

    op.drop_table("history")
    op.drop_table("exclusions")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_title_key"))

    op.drop_table("companies")
    op.drop_table("users")
    op.drop_table("sources")
    op.drop_table("lead_statuses")
    op.drop_table("junk_reasons")
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_index("ix_communications_owner")
        batch_op.drop_index("ix_communications_kind_normalized")

    op.drop_table("communications")
