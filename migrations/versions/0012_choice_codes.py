"""choice codes: the doctor contacts' channel is stored as a stable ASCII code (PHONE, EMAIL,
WHATSAPP, VISIT) whose Spanish label the screens and the API show (issue 9, item 19)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

CODES = {'teléfono': 'PHONE', 'correo': 'EMAIL', 'whatsapp': 'WHATSAPP', 'visita': 'VISIT'}
contact = sa.table('installation_doctor_contact', sa.column('channel', sa.String))


def upgrade():
    for old, new in CODES.items():
        op.execute(contact.update().where(contact.c.channel == old).values(channel=new))


def downgrade():
    for old, new in CODES.items():
        op.execute(contact.update().where(contact.c.channel == new).values(channel=old))
