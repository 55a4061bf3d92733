"""change requests on effective records

Revision ID: 0005
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from models.db import UTCDateTime

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="change"),
        sa.Column("set_key", sa.String(length=40), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attachment_sha256", sa.String(length=64), nullable=True),
        sa.Column("attachment_name", sa.String(length=200), nullable=True),
        sa.Column("attachment_type", sa.String(length=40), nullable=True),
        sa.Column("attachment_size", sa.Integer(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"]),
        sa.ForeignKeyConstraint(["teacher_id"], ["teachers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_requests_teacher", "change_requests", ["teacher_id", "state"])


def downgrade():
    op.drop_index("ix_change_requests_teacher", table_name="change_requests")
    op.drop_table("change_requests")
