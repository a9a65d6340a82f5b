"""content state: a second `search_state` row whose token changes with every write to the records

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO search_state (id, token, updated_dt) "
            "SELECT 2, :token, CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM search_state WHERE id = 2)"
        ).bindparams(token=uuid.uuid4().hex)
    )


def downgrade() -> None:
    op.execute("DELETE FROM search_state WHERE id = 2")
