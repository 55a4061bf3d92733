"""transfers, exchange/rotation, statistics facts, training credits, progress reminders, API tokens

Revision ID: 0006
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from models.db import UTCDateTime

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def _when(name, nullable=True):
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), sa.ForeignKey("teachers.id"), nullable=False),
        sa.Column("from_org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("to_org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("join_month", sa.String(7), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("returned_step", sa.String(100), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        _when("created_at", False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        _when("decided_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transfers_teacher", "transfers", ["teacher_id", "state"])
    op.create_index("ix_transfers_from", "transfers", ["from_org_id", "created_at"])
    op.create_index("ix_transfers_to", "transfers", ["to_org_id", "created_at"])

    op.create_table(
        "rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), sa.ForeignKey("teachers.id"), nullable=False),
        sa.Column("home_org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("host_org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("rotation_type", sa.String(4), nullable=False),
        sa.Column("moves_relationship", sa.Boolean(), nullable=False),
        sa.Column("start_month", sa.String(7), nullable=False),
        sa.Column("end_month", sa.String(7), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("previous_status", sa.String(4), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("returned_step", sa.String(100), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        _when("created_at", False),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        _when("decided_at"),
        _when("started_at"),
        _when("ended_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rotations_teacher", "rotations", ["teacher_id", "state"])
    op.create_index("ix_rotations_host", "rotations", ["host_org_id", "state"])
    op.create_index("ix_rotations_home", "rotations", ["home_org_id", "state"])

    op.create_table(
        "teacher_facts",
        sa.Column("teacher_id", sa.Integer(), sa.ForeignKey("teachers.id"), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.String(20 if name != "birth_date" else 10), nullable=False)
          for name in ("gender", "birth_date", "ethnicity", "political", "education", "title", "staff_type",
                       "staff_category", "personnel_status", "school_type")],
        _when("refreshed_at", False),
        sa.PrimaryKeyConstraint("teacher_id"),
    )
    op.create_index("ix_teacher_facts_org", "teacher_facts", ["org_id"])

    op.create_table(
        "unit_counts",
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("dim", sa.String(20), nullable=False),
        sa.Column("value", sa.String(20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "dim", "value"),
    )

    op.create_table(
        "stats_state",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        _when("updated_at", False),
        sa.PrimaryKeyConstraint("key"),
    )

    op.create_table(
        "credit_requirements",
        sa.Column("school_type", sa.String(4), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        _when("updated_at", False),
        sa.PrimaryKeyConstraint("school_type"),
    )

    op.create_table(
        "credit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), sa.ForeignKey("teachers.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("credits", sa.Float(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("external_id", sa.String(120), nullable=False),
        sa.Column("batch", sa.String(200), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        _when("created_at", False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("teacher_id", "source", "external_id", name="uq_credit_entries_source"),
    )
    op.create_index("ix_credit_entries_year", "credit_entries", ["year", "teacher_id"])

    op.create_table(
        "unit_urges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        _when("sent_at", False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "day", name="uq_unit_urges_day"),
    )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("masked", sa.Boolean(), nullable=False),
        sa.Column("can_push_credits", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        _when("created_at", False),
        _when("last_used_at"),
        _when("revoked_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_tokens_org", "api_tokens", ["org_id"])


def downgrade():
    op.drop_index("ix_api_tokens_org", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("unit_urges")
    op.drop_index("ix_credit_entries_year", table_name="credit_entries")
    op.drop_table("credit_entries")
    op.drop_table("credit_requirements")
    op.drop_table("stats_state")
    op.drop_table("unit_counts")
    op.drop_index("ix_teacher_facts_org", table_name="teacher_facts")
    op.drop_table("teacher_facts")
    for name in ("ix_rotations_home", "ix_rotations_host", "ix_rotations_teacher"):
        op.drop_index(name, table_name="rotations")
    op.drop_table("rotations")
    for name in ("ix_transfers_to", "ix_transfers_from", "ix_transfers_teacher"):
        op.drop_index(name, table_name="transfers")
    op.drop_table("transfers")
