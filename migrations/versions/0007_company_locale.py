"""company locale: time zone (default from the country); issue 9, items 4 and 17

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import pytz
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("company") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    company = sa.table("company", sa.column("id"), sa.column("country_code"), sa.column("timezone"))
    conn = op.get_bind()
    for row in conn.execute(sa.select(company.c.id, company.c.country_code)).all():
        zones = pytz.country_timezones.get((row.country_code or "").upper()) or ["Europe/Madrid"]
        conn.execute(company.update().where(company.c.id == row.id).values(timezone=zones[0]))
    with op.batch_alter_table("company") as batch:
        batch.alter_column("timezone", existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table("company") as batch:
        batch.drop_column("timezone")
