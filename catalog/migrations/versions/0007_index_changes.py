"""index changes: the testimonies each write touched, in commit order, so every process's browse
index applies them instead of rebuilding

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table('index_changes',
    sa.Column('seq', sa.Integer() if sqlite else sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_index_changes')),
    sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table('index_changes')
