"""operator certifications: operators, auditors, certifications, product audit types, rules,
assignments, validation periods and inspections (with the constraints that back the spec's
guarantees; see app/certification/models.py)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cert_auditor',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=150), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_auditor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cert_auditor_company_id'), ['company_id'], unique=False)
        batch_op.create_index('uq_cert_auditor_code', ['company_id', 'code'], unique=True, postgresql_where=sa.text('code IS NOT NULL'), sqlite_where=sa.text('code IS NOT NULL'))

    op.create_table('cert_certification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'name', name='uq_cert_certification_name')
    )
    with op.batch_alter_table('cert_certification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cert_certification_company_id'), ['company_id'], unique=False)

    op.create_table('cert_operator',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=150), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_operator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cert_operator_company_id'), ['company_id'], unique=False)
        batch_op.create_index('uq_cert_operator_code', ['company_id', 'code'], unique=True, postgresql_where=sa.text('code IS NOT NULL'), sqlite_where=sa.text('code IS NOT NULL'))

    op.create_table('cert_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('required_workdays', sa.Integer(), nullable=False),
    sa.Column('required_inspections', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('required_workdays >= 1 AND required_inspections >= 1', name='ck_cert_rules_positive'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_rules', schema=None) as batch_op:
        batch_op.create_index('uq_cert_rules_active', ['active'], unique=True, postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))

    op.create_table('cert_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('certification_id', sa.Integer(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=False),
    sa.Column('observations', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('expired_on', sa.Date(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(active AND expired_on IS NULL) OR (NOT active AND expired_on IS NOT NULL)', name='ck_cert_assignment_expiry'),
    sa.ForeignKeyConstraint(['certification_id'], ['cert_certification.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['cert_operator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cert_assignment_certification_id'), ['certification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_assignment_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_assignment_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index('uq_cert_assignment_active', ['operator_id', 'certification_id'], unique=True, postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))

    op.create_table('cert_product_audit_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certification_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certification_id'], ['cert_certification.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('certification_id', 'name', name='uq_cert_audit_type_name')
    )
    with op.batch_alter_table('cert_product_audit_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cert_product_audit_type_certification_id'), ['certification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_product_audit_type_company_id'), ['company_id'], unique=False)

    op.create_table('cert_validation_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('required_workdays', sa.Integer(), nullable=False),
    sa.Column('required_inspections', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('previous_number', sa.Integer(), nullable=True),
    sa.Column('previous_completed_on', sa.Date(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'completed' AND done = required_inspections AND completed_on IS NOT NULL AND completed_on BETWEEN start_date AND end_date) OR (status <> 'completed' AND completed_on IS NULL)", name='ck_cert_period_completed'),
    sa.CheckConstraint("status IN ('open', 'completed', 'lapsed')", name='ck_cert_period_status'),
    sa.CheckConstraint('(number = 1 AND previous_number IS NULL AND previous_completed_on IS NULL) OR (number > 1 AND previous_number = number - 1 AND previous_completed_on IS NOT NULL AND start_date > previous_completed_on)', name='ck_cert_period_chain'),
    sa.CheckConstraint('done >= 0 AND done <= required_inspections', name='ck_cert_period_done'),
    sa.CheckConstraint('start_date <= end_date AND required_workdays >= 1', name='ck_cert_period_window'),
    sa.ForeignKeyConstraint(['assignment_id', 'previous_number', 'previous_completed_on'], ['cert_validation_period.assignment_id', 'cert_validation_period.number', 'cert_validation_period.completed_on'], name='fk_cert_period_previous'),
    sa.ForeignKeyConstraint(['assignment_id'], ['cert_assignment.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id', 'number', 'completed_on', name='uq_cert_period_chain'),
    sa.UniqueConstraint('assignment_id', 'number', name='uq_cert_period_number'),
    sa.UniqueConstraint('id', 'assignment_id', 'start_date', 'end_date', name='uq_cert_period_window')
    )
    with op.batch_alter_table('cert_validation_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cert_validation_period_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_validation_period_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_validation_period_end_date'), ['end_date'], unique=False)
        batch_op.create_index('uq_cert_period_open', ['assignment_id'], unique=True, postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))

    op.create_table('cert_inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('audit_type_id', sa.Integer(), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('pieces', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=5), nullable=False),
    sa.Column('observations', sa.Text(), nullable=False),
    sa.Column('annulled', sa.Boolean(), nullable=False),
    sa.Column('annul_reason', sa.Text(), nullable=True),
    sa.Column('annulled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("result IN ('OK', 'NO_OK')", name='ck_cert_inspection_result'),
    sa.CheckConstraint('(annulled AND annul_reason IS NOT NULL) OR (NOT annulled AND annul_reason IS NULL)', name='ck_cert_inspection_annulled'),
    sa.CheckConstraint('date BETWEEN period_start AND period_end', name='ck_cert_inspection_in_period'),
    sa.CheckConstraint('pieces >= 1', name='ck_cert_inspection_pieces'),
    sa.ForeignKeyConstraint(['assignment_id'], ['cert_assignment.id'], ),
    sa.ForeignKeyConstraint(['audit_type_id'], ['cert_product_audit_type.id'], ),
    sa.ForeignKeyConstraint(['auditor_id'], ['cert_auditor.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['period_id', 'assignment_id', 'period_start', 'period_end'], ['cert_validation_period.id', 'cert_validation_period.assignment_id', 'cert_validation_period.start_date', 'cert_validation_period.end_date'], name='fk_cert_inspection_period_window'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cert_inspection_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_inspection_audit_type_id'), ['audit_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_inspection_auditor_id'), ['auditor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cert_inspection_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_cert_inspection_period', ['period_id', 'date'], unique=False)


def downgrade():
    with op.batch_alter_table('cert_inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_cert_inspection_period')
        batch_op.drop_index(batch_op.f('ix_cert_inspection_company_id'))
        batch_op.drop_index(batch_op.f('ix_cert_inspection_auditor_id'))
        batch_op.drop_index(batch_op.f('ix_cert_inspection_audit_type_id'))
        batch_op.drop_index(batch_op.f('ix_cert_inspection_assignment_id'))

    op.drop_table('cert_inspection')
    with op.batch_alter_table('cert_validation_period', schema=None) as batch_op:
        batch_op.drop_index('uq_cert_period_open', postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_cert_validation_period_end_date'))
        batch_op.drop_index(batch_op.f('ix_cert_validation_period_company_id'))
        batch_op.drop_index(batch_op.f('ix_cert_validation_period_assignment_id'))

    op.drop_table('cert_validation_period')
    with op.batch_alter_table('cert_product_audit_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_product_audit_type_company_id'))
        batch_op.drop_index(batch_op.f('ix_cert_product_audit_type_certification_id'))

    op.drop_table('cert_product_audit_type')
    with op.batch_alter_table('cert_assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_cert_assignment_active', postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))
        batch_op.drop_index(batch_op.f('ix_cert_assignment_operator_id'))
        batch_op.drop_index(batch_op.f('ix_cert_assignment_company_id'))
        batch_op.drop_index(batch_op.f('ix_cert_assignment_certification_id'))

    op.drop_table('cert_assignment')
    with op.batch_alter_table('cert_rules', schema=None) as batch_op:
        batch_op.drop_index('uq_cert_rules_active', postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))

    op.drop_table('cert_rules')
    with op.batch_alter_table('cert_operator', schema=None) as batch_op:
        batch_op.drop_index('uq_cert_operator_code', postgresql_where=sa.text('code IS NOT NULL'), sqlite_where=sa.text('code IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_cert_operator_company_id'))

    op.drop_table('cert_operator')
    with op.batch_alter_table('cert_certification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_certification_company_id'))

    op.drop_table('cert_certification')
    with op.batch_alter_table('cert_auditor', schema=None) as batch_op:
        batch_op.drop_index('uq_cert_auditor_code', postgresql_where=sa.text('code IS NOT NULL'), sqlite_where=sa.text('code IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_cert_auditor_company_id'))

    op.drop_table('cert_auditor')
