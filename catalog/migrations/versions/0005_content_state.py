"""content and names state: `search_state` rows whose tokens change with every write to the
records (2) and with every change to agents' or places' names (3)

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
    for row in (2, 3):
        op.execute(
            sa.text(
                "INSERT INTO search_state (id, token, updated_dt) "
                "SELECT :id, :token, CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM search_state WHERE id = :id)"
            ).bindparams(id=row, token=uuid.uuid4().hex)
        )


def downgrade() -> None:
    op.execute("DELETE FROM search_state WHERE id IN (2, 3)")
