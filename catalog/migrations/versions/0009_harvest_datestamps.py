"""harvest datestamps: each testimony's OAI-PMH datestamp (when what harvesters get of it last
changed) and whether they were last given it whole, with the (datestamp, id) index lists page by

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('harvest_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('harvest_public', sa.Boolean(), nullable=False, server_default=sa.false()))
    # What can be known of the past: the last save, and whether the public may read it now.
    testimonies = sa.table(
        'testimonies', sa.column('harvest_dt'), sa.column('harvest_public'), sa.column('updated_dt'),
        sa.column('first_public_dt'), sa.column('publication_state'), sa.column('access_level'),
        sa.column('is_deleted'),
    )
    readable = sa.and_(
        testimonies.c.first_public_dt.isnot(None),
        testimonies.c.publication_state == 'published',
        testimonies.c.access_level == 'public',
        testimonies.c.is_deleted == sa.false(),
    )
    op.execute(testimonies.update().values(
        harvest_dt=testimonies.c.updated_dt,
        harvest_public=sa.case((readable, sa.true()), else_=sa.false()),
    ))
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.alter_column('harvest_dt', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('harvest_public', existing_type=sa.Boolean(), server_default=None)
        batch_op.create_index('ix_testimonies_harvest_dt_id', ['harvest_dt', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index('ix_testimonies_harvest_dt_id')
        batch_op.drop_column('harvest_public')
        batch_op.drop_column('harvest_dt')
