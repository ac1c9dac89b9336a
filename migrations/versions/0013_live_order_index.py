"""installation orders: a partial index on (company_id, state) of the orders not deleted, for the
order count and the board's count by state (issue 13)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_installation_order_live_state', 'installation_order', ['company_id', 'state'],
                    postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))


def downgrade():
    op.drop_index('ix_installation_order_live_state', table_name='installation_order')
