"""calibration (issue 21 item 10, ISO/IEC 17025 §7.8.2.1 c, g, n, p): the order's place of
calibration (code and detail), the item's condition on receipt, deviations from or exclusions
of the method; a result's external provider and the decimals each value was given with
(printed with those digits); docs/decisions.md «Issue 21 · 10».

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calibration_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('place_detail', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('condition_on_receipt', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('deviations', sa.Text(), nullable=True))
    with op.batch_alter_table('calibration_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_provider', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('digits', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('calibration_result', schema=None) as batch_op:
        batch_op.drop_column('digits')
        batch_op.drop_column('external_provider')
    with op.batch_alter_table('calibration_order', schema=None) as batch_op:
        batch_op.drop_column('deviations')
        batch_op.drop_column('condition_on_receipt')
        batch_op.drop_column('place_detail')
        batch_op.drop_column('place')
