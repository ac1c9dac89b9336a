"""certification (issue 29 item 9): an inspection on a non-working day between a period's
completion and the next period's start belongs to the opening period. The inspection copies
the period's previous completion date (`period_after`, composite FK to the period) and its
CHECK admits a date after it; docs/decisions.md «Issue 29 · 9».

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

WINDOW = 'date BETWEEN period_start AND period_end'
OPENING = ('date <= period_end AND (date >= period_start'
           ' OR (period_after IS NOT NULL AND date > period_after))')


def upgrade():
    with op.batch_alter_table('cert_validation_period', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            'uq_cert_period_opening', ['id', 'assignment_id', 'previous_completed_on'])
    with op.batch_alter_table('cert_inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_after', sa.Date(), nullable=True))
    op.execute(
        'UPDATE cert_inspection SET period_after = (SELECT p.previous_completed_on FROM '
        'cert_validation_period p WHERE p.id = cert_inspection.period_id)'
    )
    with op.batch_alter_table('cert_inspection', schema=None) as batch_op:
        batch_op.drop_constraint('ck_cert_inspection_in_period', type_='check')
        batch_op.create_check_constraint('ck_cert_inspection_in_period', OPENING)
        batch_op.create_foreign_key(
            'fk_cert_inspection_period_opening', 'cert_validation_period',
            ['period_id', 'assignment_id', 'period_after'],
            ['id', 'assignment_id', 'previous_completed_on'])


def downgrade():
    with op.batch_alter_table('cert_inspection', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cert_inspection_period_opening', type_='foreignkey')
        batch_op.drop_constraint('ck_cert_inspection_in_period', type_='check')
        batch_op.create_check_constraint('ck_cert_inspection_in_period', WINDOW)
        batch_op.drop_column('period_after')
    with op.batch_alter_table('cert_validation_period', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cert_period_opening', type_='unique')
