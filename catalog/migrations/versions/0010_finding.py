"""finding records: the places a testimony speaks of (testimony_places), and the record index
(record_documents, with FTS5 on SQLite and GIN indexes on PostgreSQL) that matches testimonies by
their metadata; `catalog reindex` fills it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table('testimony_places',
    sa.Column('testimony_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_testimony_places_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'], name=op.f('fk_testimony_places_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('testimony_id', 'place_id', name=op.f('pk_testimony_places'))
    )
    op.create_index(op.f('ix_testimony_places_place_id'), 'testimony_places', ['place_id'], unique=False)
    token_type = sa.Text() if sqlite else postgresql.TSVECTOR()
    op.create_table('record_documents',
    sa.Column('id', sa.Integer() if sqlite else sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=False),
    sa.Column('body', token_type, nullable=False),
    sa.Column('tags', token_type, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_documents'))
    )
    op.create_index(op.f('ix_record_documents_testimony_id'), 'record_documents', ['testimony_id'], unique=False)
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE record_fts USING fts5(body, tags, content='record_documents', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
        )
    else:
        op.execute("CREATE INDEX ix_record_documents_body_gin ON record_documents USING gin (body)")
        op.execute("CREATE INDEX ix_record_documents_tags_gin ON record_documents USING gin (tags)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS record_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_record_documents_tags_gin")
        op.execute("DROP INDEX IF EXISTS ix_record_documents_body_gin")
    op.drop_index(op.f('ix_record_documents_testimony_id'), table_name='record_documents')
    op.drop_table('record_documents')
    op.drop_index(op.f('ix_testimony_places_place_id'), table_name='testimony_places')
    op.drop_table('testimony_places')
