"""process administration: diagram drafts and the editable lane → role table

Revision ID: 0004
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
from models.db import UTCDateTime

revision = "0004"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "process_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bpmn_xml", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("base_definition_id", sa.Integer(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("published_definition_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["base_definition_id"], ["process_definitions.id"]),
        sa.ForeignKeyConstraint(["published_definition_id"], ["process_definitions.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("process_drafts", schema=None) as batch_op:
        batch_op.create_index("ix_process_drafts_key", ["process_key", "updated_at"], unique=False)

    op.create_table(
        "lane_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lane"),
    )


def downgrade():
    op.drop_table("lane_mappings")
    with op.batch_alter_table("process_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_process_drafts_key")
    op.drop_table("process_drafts")
