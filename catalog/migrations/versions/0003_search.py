"""search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
import uuid

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    token_type = sa.Text() if sqlite else postgresql.TSVECTOR()
    op.create_table('search_documents',
    sa.Column('id', sa.Integer() if sqlite else sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('body', token_type, nullable=False),
    sa.Column('tags', token_type, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents'))
    )
    op.create_index(op.f('ix_search_documents_segment_id'), 'search_documents', ['segment_id'], unique=False)
    op.create_index(op.f('ix_search_documents_testimony_id'), 'search_documents', ['testimony_id'], unique=False)
    op.create_index('ix_search_documents_lookup', 'search_documents', ['id', 'testimony_id', 'segment_id', 'source_id'], unique=False)
    op.create_table('search_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_state'))
    )
    op.execute(
        sa.text("INSERT INTO search_state (id, token, updated_dt) VALUES (1, :token, CURRENT_TIMESTAMP)").bindparams(
            token=uuid.uuid4().hex
        )
    )
    if sqlite:
        # FTS5 over the folded tokens; search_documents is its external content. Tokens are
        # already folded in Python (identically for PostgreSQL), so the tokenizer only splits.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(body, tags, content='search_documents', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
        )
    else:
        op.execute("CREATE INDEX ix_search_documents_body_gin ON search_documents USING gin (body)")
        op.execute("CREATE INDEX ix_search_documents_tags_gin ON search_documents USING gin (tags)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tags_gin")
        op.execute("DROP INDEX IF EXISTS ix_search_documents_body_gin")
    op.drop_table('search_state')
    op.drop_index('ix_search_documents_lookup', table_name='search_documents')
    op.drop_index(op.f('ix_search_documents_testimony_id'), table_name='search_documents')
    op.drop_index(op.f('ix_search_documents_segment_id'), table_name='search_documents')
    op.drop_table('search_documents')
