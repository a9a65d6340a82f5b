"""tombstones and collections: when a testimony was withdrawn, what readers are told of a deleted
one, when the public could first read it; and collections of testimonies that archivists define

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_public_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('first_public_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_testimonies_first_public_dt'), ['first_public_dt'], unique=False)
    # What can be known of the past: a public testimony that was published was readable from then.
    op.execute("UPDATE testimonies SET first_public_dt = published_dt "
               "WHERE published_dt IS NOT NULL AND access_level = 'public'")
    op.execute("UPDATE testimonies SET withdrawn_dt = updated_dt WHERE publication_state = 'withdrawn'")

    op.create_table('collections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collections')),
    sa.UniqueConstraint('key', name=op.f('uq_collections_key')),
    )
    op.create_table('testimony_collections',
    sa.Column('testimony_id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'],
                            name=op.f('fk_testimony_collections_collection_id_collections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'],
                            name=op.f('fk_testimony_collections_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('testimony_id', 'collection_id', name=op.f('pk_testimony_collections')),
    )
    with op.batch_alter_table('testimony_collections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testimony_collections_collection_id'), ['collection_id'], unique=False)


def downgrade() -> None:
    op.drop_table('testimony_collections')
    op.drop_table('collections')
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testimonies_first_public_dt'))
        batch_op.drop_column('first_public_dt')
        batch_op.drop_column('deleted_public_reason')
        batch_op.drop_column('withdrawn_dt')
