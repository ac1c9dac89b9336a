"""Issue 19 point 2: the packaging cascade becomes company data. The eight option catalogs
(packaging_product_type ... packaging_carton_color) and the allowed combinations
(relacion_filtro_ingresos_principales) get `company_id`: the shared rows go to the first
company (lowest id: its OTs keep their ids), every other company gets its own copy of each
row, and its OTs are repointed to its copies. With no company at all the shared rows are
dropped (no OT can point to them): each company gets the seed's catalog when it is created.
Downgrade keeps the first company's rows, repoints the other companies' OTs to them by label
and drops the copies.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

LEVELS = (('product_type', 'packaging_product_type'), ('printing', 'packaging_printing'),
          ('fsc', 'packaging_fsc'), ('tape', 'packaging_tape'),
          ('coverage_internal', 'packaging_coverage_internal'),
          ('coverage_external', 'packaging_coverage_external'),
          ('plant', 'packaging_plant'), ('carton_color', 'packaging_carton_color'))
COMBINATIONS = 'relacion_filtro_ingresos_principales'
COLUMNS = [f'{field}_id' for field, _table in LEVELS]
TABLES = [table for _field, table in LEVELS] + [COMBINATIONS]


def _table(name, *columns):
    return sa.table(name, sa.column('id', sa.Integer), sa.column('company_id', sa.Integer), *columns)


def _options(name):
    return _table(name, sa.column('label', sa.String), sa.column('active', sa.Boolean))


def _combinations():
    return _table(COMBINATIONS, *[sa.column(c, sa.Integer) for c in COLUMNS], sa.column('active', sa.Boolean))


def _work_orders():
    return _table('packaging_work_order', *[sa.column(c, sa.Integer) for c in COLUMNS])


def _follow_sequences(conn):
    """PostgreSQL: each table's id sequence past its highest id (the seed wrote explicit ids)."""
    if conn.dialect.name != 'postgresql':
        return
    for name in TABLES:
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                             f"GREATEST((SELECT MAX(id) FROM {name}), 1))"))


def _copy_for(conn, company_id, first_id):
    """Company `company_id` gets a copy of every row the first company holds; its OTs point
    to the copies. Returns nothing; one INSERT per row (the catalogs are small)."""
    ids = {}
    for field, name in LEVELS:
        table = _options(name)
        ids[field] = {}
        for row in conn.execute(sa.select(table.c.id, table.c.label, table.c.active)
                                .where(table.c.company_id == first_id).order_by(table.c.id)):
            ids[field][row.id] = conn.execute(
                sa.insert(table).values(company_id=company_id, label=row.label, active=row.active)
                .returning(table.c.id)).scalar_one()
    combos = _combinations()
    rows = conn.execute(sa.select(*[combos.c[c] for c in COLUMNS], combos.c.active)
                        .where(combos.c.company_id == first_id).order_by(combos.c.id)).all()
    if rows:
        conn.execute(sa.insert(combos), [
            {'company_id': company_id, 'active': row.active,
             **{f'{field}_id': ids[field][getattr(row, f'{field}_id')] for field, _n in LEVELS}}
            for row in rows])
    orders = _work_orders()
    for field, _name in LEVELS:
        column = orders.c[f'{field}_id']
        for old, new in ids[field].items():
            conn.execute(sa.update(orders).where(orders.c.company_id == company_id, column == old)
                         .values({column: new}))


def _rebuild_sqlite(name, *, company: bool):
    """SQLite alters no column and adds no foreign key: the option table is made anew (with or
    without company_id) and its rows put back. Batch mode would drop the table while the OTs
    and combinations point to it, which SQLite refuses with foreign keys on; the rows are put
    back into the new table itself, so the references hold when the deferred check runs at
    commit (PRAGMA defer_foreign_keys)."""
    op.execute('PRAGMA defer_foreign_keys = ON')
    columns = 'id, label, active' + (', company_id' if company else '')
    op.execute(f'CREATE TEMP TABLE keep_{name} AS SELECT {columns} FROM {name}')
    op.execute(f'DROP TABLE {name}')
    extra = [sa.Column('company_id', sa.Integer(), nullable=False),
             sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=f'fk_{name}_company_id')] if company else []
    op.create_table(name, sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('label', sa.String(length=100), nullable=False),
                    sa.Column('active', sa.Boolean(), nullable=False), *extra, sa.PrimaryKeyConstraint('id'))
    if company:
        op.create_index(f'ix_{name}_company_id', name, ['company_id'], unique=False)
    op.execute(f'INSERT INTO {name} ({columns}) SELECT {columns} FROM keep_{name}')
    op.execute(f'DROP TABLE keep_{name}')


def _company_not_null(name):
    if op.get_bind().dialect.name == 'sqlite' and name != COMBINATIONS:
        _rebuild_sqlite(name, company=True)
        return
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.alter_column('company_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(f'fk_{name}_company_id', 'company', ['company_id'], ['id'])
        batch_op.create_index(batch_op.f(f'ix_{name}_company_id'), ['company_id'], unique=False)


def upgrade():
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
    conn = op.get_bind()
    companies = conn.execute(sa.text('SELECT id FROM company ORDER BY id')).scalars().all()
    if not companies:
        conn.execute(sa.text(f'DELETE FROM {COMBINATIONS}'))
        for _field, name in LEVELS:
            conn.execute(sa.text(f'DELETE FROM {name}'))
    else:
        first = companies[0]
        for name in TABLES:
            conn.execute(sa.text(f'UPDATE {name} SET company_id = :c'), {'c': first})
        _follow_sequences(conn)
        for company_id in companies[1:]:
            _copy_for(conn, company_id, first)
    for name in TABLES:
        _company_not_null(name)


def downgrade():
    conn = op.get_bind()
    companies = conn.execute(sa.text('SELECT DISTINCT company_id FROM packaging_product_type '
                                     'ORDER BY company_id')).scalars().all()
    if companies:
        first, orders = companies[0], _work_orders()
        for field, name in LEVELS:
            table = _options(name)
            keep = {}
            for row in conn.execute(sa.select(table.c.id, table.c.label).where(table.c.company_id == first)):
                keep.setdefault(row.label, row.id)
            column = orders.c[f'{field}_id']
            for row in conn.execute(sa.select(table.c.id, table.c.label, table.c.company_id)
                                    .where(table.c.company_id != first)).all():
                conn.execute(sa.update(orders).where(column == row.id).values({column: keep.get(row.label)}))
        conn.execute(sa.text(f'DELETE FROM {COMBINATIONS} WHERE company_id <> :c'), {'c': first})
        for _field, name in LEVELS:
            conn.execute(sa.text(f'DELETE FROM {name} WHERE company_id <> :c'), {'c': first})
    for name in TABLES:
        if conn.dialect.name == 'sqlite' and name != COMBINATIONS:
            _rebuild_sqlite(name, company=False)
            continue
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_company_id'))
            batch_op.drop_constraint(f'fk_{name}_company_id', type_='foreignkey')
            batch_op.drop_column('company_id')
