"""claim index: indexes the claims index filters and counts by (kind, scope place, scope period)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_scope_place_id'), ['scope_place_id'], unique=False)
        batch_op.create_index('ix_claims_scope_period', ['scope_period_lower', 'scope_period_upper'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_scope_period')
        batch_op.drop_index(batch_op.f('ix_claims_scope_place_id'))
        batch_op.drop_index(batch_op.f('ix_claims_kind'))
