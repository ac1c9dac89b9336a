"""packaging cascade (CASC-001/002, issue 12 part 4): the option catalogs of the eight levels
of the OT form, the allowed combinations (relacion_filtro_ingresos_principales) and the OT's
eight product fields as foreign keys to them. The old free-text values are dropped (they
matched no catalog; docs/decisions.md); downgrade writes the labels back.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

LEVELS = (('product_type', 'packaging_product_type'), ('printing', 'packaging_printing'),
          ('fsc', 'packaging_fsc'), ('tape', 'packaging_tape'),
          ('coverage_internal', 'packaging_coverage_internal'),
          ('coverage_external', 'packaging_coverage_external'),
          ('plant', 'packaging_plant'), ('carton_color', 'packaging_carton_color'))


def upgrade():
    for _field, table in LEVELS:
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('label', sa.String(length=100), nullable=False),
            sa.Column('active', sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint('id'),
        )
    op.create_table(
        'relacion_filtro_ingresos_principales',
        sa.Column('id', sa.Integer(), nullable=False),
        *[sa.Column(f'{field}_id', sa.Integer(), sa.ForeignKey(f'{table}.id'), nullable=False)
          for field, table in LEVELS],
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        # cascade order: every prefix query of the form uses this index
        sa.UniqueConstraint(*[f'{field}_id' for field, _t in LEVELS], name='uq_relacion_filtro_combinacion'),
    )
    op.create_index('ix_relacion_filtro_fsc', 'relacion_filtro_ingresos_principales', ['fsc_id'])
    op.create_index('ix_relacion_filtro_plant', 'relacion_filtro_ingresos_principales', ['plant_id'])
    with op.batch_alter_table('packaging_work_order', schema=None) as batch_op:
        for field, table in LEVELS:
            batch_op.drop_column(field)
            batch_op.add_column(sa.Column(f'{field}_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f'fk_packaging_work_order_{field}', table, [f'{field}_id'], ['id'])


def downgrade():
    with op.batch_alter_table('packaging_work_order', schema=None) as batch_op:
        for field, _table in LEVELS:
            batch_op.add_column(sa.Column(field, sa.String(length=100), nullable=True))
    for field, table in LEVELS:
        op.execute(f'UPDATE packaging_work_order SET {field} = (SELECT label FROM {table} '
                   f'WHERE {table}.id = packaging_work_order.{field}_id)')
    with op.batch_alter_table('packaging_work_order', schema=None) as batch_op:
        for field, _table in LEVELS:
            batch_op.drop_constraint(f'fk_packaging_work_order_{field}', type_='foreignkey')
            batch_op.drop_column(f'{field}_id')
    op.drop_index('ix_relacion_filtro_plant', table_name='relacion_filtro_ingresos_principales')
    op.drop_index('ix_relacion_filtro_fsc', table_name='relacion_filtro_ingresos_principales')
    op.drop_table('relacion_filtro_ingresos_principales')
    for _field, table in reversed(LEVELS):
        op.drop_table(table)
