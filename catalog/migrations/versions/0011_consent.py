"""structured consent: who gave it and when, an embargo date read by the read layer, and the
release form as a file with its own access level. Existing consent values keep their meaning
(their vocabulary only grows: researchers only, embargoed), so no row changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_LEVELS = sa.Enum('public', 'restricted', 'confidential', name='accesslevel', native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_given_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_given_by_name', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('consent_given_edtf', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('embargo_until', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_testimonies_consent_given_by_id_agents'), 'agents',
                                    ['consent_given_by_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_testimonies_embargo_until'), ['embargo_until'], unique=False)
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.alter_column('consent_given_by_name', existing_type=sa.String(length=300), server_default=None)
    op.create_table('release_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('access_level', _LEVELS, nullable=False),
    sa.Column('uploaded_by_label', sa.String(length=200), nullable=False),
    sa.Column('uploaded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'],
                            name=op.f('fk_release_forms_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_forms')),
    sa.UniqueConstraint('testimony_id', name=op.f('uq_release_forms_testimony_id')),
    )


def downgrade() -> None:
    op.drop_table('release_forms')
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testimonies_embargo_until'))
        batch_op.drop_constraint(batch_op.f('fk_testimonies_consent_given_by_id_agents'), type_='foreignkey')
        batch_op.drop_column('embargo_until')
        batch_op.drop_column('consent_given_edtf')
        batch_op.drop_column('consent_given_by_name')
        batch_op.drop_column('consent_given_by_id')
