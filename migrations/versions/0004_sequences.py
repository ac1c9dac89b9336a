"""core sequences (gap-free numbering) and idempotency keys; installation's order counter
moves into sequence_counter (name "installation_order")

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sequence_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "name", "year", name="uq_sequence_counter_company_name_year"),
    )
    op.create_index(op.f("ix_sequence_counter_company_id"), "sequence_counter", ["company_id"], unique=False)
    op.execute(
        "INSERT INTO sequence_counter (company_id, name, year, next_value) "
        "SELECT company_id, 'installation_order', 0, last_number + 1 FROM installation_order_counter"
    )
    op.drop_index(op.f("ix_installation_order_counter_company_id"), table_name="installation_order_counter")
    op.drop_table("installation_order_counter")
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),
    )
    op.create_index(op.f("ix_idempotency_key_created_at"), "idempotency_key", ["created_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_idempotency_key_created_at"), table_name="idempotency_key")
    op.drop_table("idempotency_key")
    op.create_table(
        "installation_order_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", name="uq_installation_order_counter_company"),
    )
    op.create_index(
        op.f("ix_installation_order_counter_company_id"), "installation_order_counter", ["company_id"], unique=False
    )
    op.execute(
        "INSERT INTO installation_order_counter (company_id, last_number) "
        "SELECT company_id, next_value - 1 FROM sequence_counter WHERE name = 'installation_order' AND year = 0"
    )
    op.drop_index(op.f("ix_sequence_counter_company_id"), table_name="sequence_counter")
    op.drop_table("sequence_counter")
