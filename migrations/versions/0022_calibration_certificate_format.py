"""calibration (issue 21 item 11): the company's certificate format, ISO/IEC 17025 (default)
or NOM-059-SSA1, which adds the items of a pharmaceutical calibration record to the PDF;
docs/decisions.md «Issue 21 · 11».

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calibration_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.String(length=20), nullable=False,
                                      server_default='ISO17025'))


def downgrade():
    with op.batch_alter_table('calibration_settings', schema=None) as batch_op:
        batch_op.drop_column('format')
