"""scheduling: monthly reports, unit managers, report settings, notifications, scheduler runs and heartbeats

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 17:40:00
"""
from alembic import op
import sqlalchemy as sa
from models.db import UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('due_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('remind_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('remark', sa.Text(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('reminded_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('year_end_summary', sa.Text(), nullable=True),
    sa.Column('year_end_submitted_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'period', 'kind', name='uq_monthly_reports_unit_period')
    )
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_reports_instance', ['instance_id'], unique=False)
        batch_op.create_index('ix_monthly_reports_period', ['period', 'kind', 'status'], unique=False)

    op.create_table('unit_managers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('daily_digest', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unit_managers', schema=None) as batch_op:
        batch_op.create_index('ix_unit_managers_org', ['org_id'], unique=False)

    op.create_table('report_settings',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('inbox_email', sa.String(length=200), nullable=True),
    sa.Column('upstream_email', sa.String(length=200), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('org_id')
    )

    op.create_table('notification_contacts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('daily_digest', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=250), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('recipient_manager_id', sa.Integer(), nullable=True),
    sa.Column('recipient_email', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('email_status', sa.String(length=12), nullable=False),
    sa.Column('email_attempts', sa.Integer(), nullable=False),
    sa.Column('emailed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('email_error', sa.Text(), nullable=True),
    sa.Column('attachment_name', sa.String(length=200), nullable=True),
    sa.Column('attachment', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['recipient_manager_id'], ['unit_managers.id'], ),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_inbox', ['recipient_user_id', 'read_at', 'id'], unique=False)
        batch_op.create_index('ix_notifications_outbox', ['email_status', 'id'], unique=False)

    op.create_table('scheduler_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('ran_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job', 'period', name='uq_scheduler_runs_job_period')
    )

    op.create_table('scheduler_heartbeats',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_tick_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_now', UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_duration_ms', sa.Integer(), nullable=True),
    sa.Column('last_fired', sa.Integer(), nullable=True),
    sa.Column('last_lag_seconds', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('ticks', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('scheduler_heartbeats')
    op.drop_table('scheduler_runs')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_outbox')
        batch_op.drop_index('ix_notifications_inbox')
    op.drop_table('notifications')
    op.drop_table('notification_contacts')
    op.drop_table('report_settings')
    with op.batch_alter_table('unit_managers', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_managers_org')
    op.drop_table('unit_managers')
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_reports_period')
        batch_op.drop_index('ix_monthly_reports_instance')
    op.drop_table('monthly_reports')
