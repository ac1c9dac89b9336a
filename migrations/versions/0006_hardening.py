"""hardening: the audit keeps the actor's name and client address; per-user session version

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("actor_name", sa.String(length=150), nullable=True))
        batch.add_column(sa.Column("client_address", sa.String(length=45), nullable=True))
    op.execute(
        "UPDATE audit_entry SET actor_name = (SELECT TRIM(u.first_name || ' ' || u.last_name) "
        "FROM ab_user u WHERE u.id = audit_entry.user_id) WHERE user_id IS NOT NULL"
    )
    op.create_table(
        "session_version",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade():
    op.drop_table("session_version")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("client_address")
        batch.drop_column("actor_name")
