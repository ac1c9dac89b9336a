"""Packaging samples (issue 12, MUE-001..003): the catalogs of CADs, cartons and gluing types of
a company, and the sample's CAD, carton, gluing, recipient, unit time, sample carton and, per
destination, quantity and cutting date (the eight cutting-room columns exist since 0011)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('packaging_sample_cad',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'name', name='uq_packaging_sample_cad_company_name')
    )
    with op.batch_alter_table('packaging_sample_cad', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packaging_sample_cad_company_id'), ['company_id'], unique=False)

    op.create_table('packaging_sample_carton',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'name', name='uq_packaging_sample_carton_company_name')
    )
    with op.batch_alter_table('packaging_sample_carton', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packaging_sample_carton_company_id'), ['company_id'], unique=False)

    op.create_table('packaging_sample_gluing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'name', name='uq_packaging_sample_gluing_company_name')
    )
    with op.batch_alter_table('packaging_sample_gluing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packaging_sample_gluing_company_id'), ['company_id'], unique=False)

    with op.batch_alter_table('packaging_sample', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('cad_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carton_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('gluing_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sample_carton_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unit_time', sa.Numeric(precision=8, scale=2), nullable=True))
        batch_op.add_column(sa.Column('creator_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('quantity_seller', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity_designer', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity_lab', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity_1', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity_2', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity_3', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity_4', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity_designer_review', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cut_seller_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cut_designer_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cut_lab_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cut_1_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cut_2_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cut_3_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cut_4_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cut_designer_review_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_packaging_sample_creator', 'ab_user', ['creator_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_packaging_sample_gluing', 'packaging_sample_gluing', ['gluing_id'], ['id'])
        batch_op.create_foreign_key('fk_packaging_sample_carton', 'packaging_sample_carton', ['carton_id'], ['id'])
        batch_op.create_foreign_key('fk_packaging_sample_sample_carton', 'packaging_sample_carton', ['sample_carton_id'], ['id'])
        batch_op.create_foreign_key('fk_packaging_sample_cad', 'packaging_sample_cad', ['cad_id'], ['id'])



def downgrade():
    with op.batch_alter_table('packaging_sample', schema=None) as batch_op:
        batch_op.drop_constraint('fk_packaging_sample_creator', type_='foreignkey')
        batch_op.drop_constraint('fk_packaging_sample_gluing', type_='foreignkey')
        batch_op.drop_constraint('fk_packaging_sample_carton', type_='foreignkey')
        batch_op.drop_constraint('fk_packaging_sample_sample_carton', type_='foreignkey')
        batch_op.drop_constraint('fk_packaging_sample_cad', type_='foreignkey')
        batch_op.drop_column('cut_designer_review_on')
        batch_op.drop_column('cut_4_on')
        batch_op.drop_column('cut_3_on')
        batch_op.drop_column('cut_2_on')
        batch_op.drop_column('cut_1_on')
        batch_op.drop_column('cut_lab_on')
        batch_op.drop_column('cut_designer_on')
        batch_op.drop_column('cut_seller_on')
        batch_op.drop_column('quantity_designer_review')
        batch_op.drop_column('quantity_4')
        batch_op.drop_column('quantity_3')
        batch_op.drop_column('quantity_2')
        batch_op.drop_column('quantity_1')
        batch_op.drop_column('quantity_lab')
        batch_op.drop_column('quantity_designer')
        batch_op.drop_column('quantity_seller')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('created_at')
        batch_op.drop_column('creator_id')
        batch_op.drop_column('unit_time')
        batch_op.drop_column('sample_carton_id')
        batch_op.drop_column('gluing_id')
        batch_op.drop_column('carton_id')
        batch_op.drop_column('cad_id')
        batch_op.drop_column('recipient')

    with op.batch_alter_table('packaging_sample_gluing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packaging_sample_gluing_company_id'))

    op.drop_table('packaging_sample_gluing')
    with op.batch_alter_table('packaging_sample_carton', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packaging_sample_carton_company_id'))

    op.drop_table('packaging_sample_carton')
    with op.batch_alter_table('packaging_sample_cad', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packaging_sample_cad_company_id'))

    op.drop_table('packaging_sample_cad')
