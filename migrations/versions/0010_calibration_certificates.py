"""calibration certificates (numbered PDFs with SHA-256, verification code, amendments that
name the certificate they replace) and the company's certificate settings (issue 10)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calibration_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('verification_code', sa.String(length=12), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('amendment_reason', sa.Text(), nullable=True),
    sa.Column('shared_at', sa.DateTime(), nullable=True),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['calibration_order.id'], ),
    sa.ForeignKeyConstraint(['issued_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shared_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replaces_id'], ['calibration_certificate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'number', name='uq_calibration_certificate_company_number'),
    sa.UniqueConstraint('verification_code', name='uq_calibration_certificate_verification_code'),
    sa.UniqueConstraint('replaces_id', name='uq_calibration_certificate_replaces'),
    )
    with op.batch_alter_table('calibration_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_certificate_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_certificate_order_id'), ['order_id'], unique=False)

    op.create_table('calibration_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_name', sa.String(length=200), nullable=False),
    sa.Column('lab_address', sa.String(length=300), nullable=False),
    sa.Column('accreditation_number', sa.String(length=80), nullable=False),
    sa.Column('certificate_contacts', sa.Text(), nullable=False),
    sa.Column('decision_rule', sa.Text(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', name='uq_calibration_settings_company'),
    )
    with op.batch_alter_table('calibration_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_settings_company_id'), ['company_id'], unique=False)


def downgrade():
    with op.batch_alter_table('calibration_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_settings_company_id'))
    op.drop_table('calibration_settings')
    with op.batch_alter_table('calibration_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_certificate_order_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_certificate_company_id'))
    op.drop_table('calibration_certificate')
