"""an index covering the inbox's queue summary

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_tasks_queue_summary", "human_tasks",
                    ["candidate_org_id", "candidate_role", "process_key", "task_key", "task_name", "claimed_by_id"])


def downgrade():
    op.drop_index("ix_tasks_queue_summary", table_name="human_tasks")
