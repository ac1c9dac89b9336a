"""packaging (issue 21 item 2): «Aprobar OT». The OT records who approved it and when
(`approved_by_id`, `approved_by_name` as shown then, `approved_at`); an OT that never left
Sales waits for it before its first change out of Sales. Existing OTs get no approval: those
still waiting in Sales are approved by the sales chief like new ones; docs/decisions.md
«Issue 21 · 2».

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('packaging_work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_name', sa.String(length=150), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_packaging_work_order_approved_by', 'ab_user', ['approved_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('packaging_work_order', schema=None) as batch_op:
        batch_op.drop_constraint('fk_packaging_work_order_approved_by', type_='foreignkey')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_name')
        batch_op.drop_column('approved_by_id')
