"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('person', 'organisation', name='agentkind', native_enum=False, length=32), nullable=False),
    sa.Column('preferred_name', sa.String(length=300), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('is_protected', sa.Boolean(), nullable=False),
    sa.Column('public_pseudonym', sa.String(length=300), nullable=True),
    sa.Column('identity_access', sa.Enum('public', 'restricted', 'confidential', name='accesslevel', native_enum=False, length=32), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    sa.UniqueConstraint('key', name=op.f('uq_agents_key'))
    )
    op.create_table('places',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['places.id'], name=op.f('fk_places_parent_id_places')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
    sa.UniqueConstraint('key', name=op.f('uq_places_key'))
    )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_places_parent_id'), ['parent_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.Enum('admin', 'archivist', 'researcher', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_dt', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('agent_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('transliteration', 'spelling_variant', 'pseudonym', 'abbreviation', 'pejorative', 'original_script', name='namekind', native_enum=False, length=32), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_names_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_names'))
    )
    with op.batch_alter_table('agent_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_names_agent_id'), ['agent_id'], unique=False)

    op.create_table('occasions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('conference', 'hearing', 'interview', 'un_submission', 'memoir_writing', 'press_interview', 'publication', 'correspondence', 'decree', name='occasionkind', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('date_edtf', sa.String(length=100), nullable=True),
    sa.Column('date_lower', sa.Date(), nullable=True),
    sa.Column('date_upper', sa.Date(), nullable=True),
    sa.Column('date_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_occasions_place_id_places')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occasions')),
    sa.UniqueConstraint('key', name=op.f('uq_occasions_key'))
    )
    with op.batch_alter_table('occasions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_occasions_place_id'), ['place_id'], unique=False)

    op.create_table('place_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('transliteration', 'spelling_variant', 'pseudonym', 'abbreviation', 'pejorative', 'original_script', name='namekind', native_enum=False, length=32), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_names_place_id_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_names'))
    )
    with op.batch_alter_table('place_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_names_place_id'), ['place_id'], unique=False)

    op.create_table('revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('previous_sha256', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_revisions_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions')),
    sa.UniqueConstraint('entity_type', 'entity_id', 'number', name=op.f('uq_revisions_entity_type_entity_id_number'))
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.Enum('article', 'memoir', 'report', 'press', 'recording', 'submission', 'transcript', 'document', 'statement', name='sourcekind', native_enum=False, length=32), nullable=False),
    sa.Column('publisher_id', sa.Integer(), nullable=True),
    sa.Column('date_edtf', sa.String(length=100), nullable=True),
    sa.Column('date_lower', sa.Date(), nullable=True),
    sa.Column('date_upper', sa.Date(), nullable=True),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('location', sa.String(length=2000), nullable=False),
    sa.Column('stance_note_html', sa.Text(), nullable=False),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('access_level', sa.Enum('public', 'restricted', 'confidential', name='accesslevel', native_enum=False, length=32), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['publisher_id'], ['agents.id'], name=op.f('fk_sources_publisher_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('key', name=op.f('uq_sources_key'))
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_publisher_id'), ['publisher_id'], unique=False)

    op.create_table('source_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('access_level', sa.Enum('public', 'restricted', 'confidential', name='accesslevel', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_files_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_files'))
    )
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_files_source_id'), ['source_id'], unique=False)

    op.create_table('testimonies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('occasion_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('account_kind', sa.Enum('eyewitness', 'survivor', 'relative', 'official_insider', 'expert_statement', 'organisational_statement', 'press_report', 'document', name='accountkind', native_enum=False, length=32), nullable=False),
    sa.Column('events_date_edtf', sa.String(length=100), nullable=True),
    sa.Column('events_date_lower', sa.Date(), nullable=True),
    sa.Column('events_date_upper', sa.Date(), nullable=True),
    sa.Column('publication_state', sa.Enum('draft', 'published', 'withdrawn', name='publicationstate', native_enum=False, length=32), nullable=False),
    sa.Column('withdrawn_reason', sa.Text(), nullable=False),
    sa.Column('access_level', sa.Enum('public', 'restricted', 'confidential', name='accesslevel', native_enum=False, length=32), nullable=False),
    sa.Column('consent_status', sa.Enum('given', 'given_anonymous', 'public_record', 'not_sought', 'withheld', 'withdrawn', 'unknown', name='consentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('consent_note', sa.Text(), nullable=False),
    sa.Column('corroboration_status', sa.Enum('unverified', 'partially_corroborated', 'corroborated', 'contested', 'retracted', name='corroborationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('corroboration_rationale', sa.Text(), nullable=False),
    sa.Column('summary_html', sa.Text(), nullable=False),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_reason', sa.Text(), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_testimonies_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['occasion_id'], ['occasions.id'], name=op.f('fk_testimonies_occasion_id_occasions')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_testimonies_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_testimonies')),
    sa.UniqueConstraint('public_id', name=op.f('uq_testimonies_public_id'))
    )
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testimonies_access_level'), ['access_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_is_deleted'), ['is_deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_occasion_id'), ['occasion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_publication_state'), ['publication_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_source_id'), ['source_id'], unique=False)

    op.create_table('agent_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('speaker', 'interviewer', 'mentioned', 'alleged_perpetrator', 'victim', name='rolekind', native_enum=False, length=32), nullable=False),
    sa.Column('named_by_source_id', sa.Integer(), nullable=True),
    sa.Column('relation_to_events', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("role != 'alleged_perpetrator' OR named_by_source_id IS NOT NULL", name=op.f('ck_agent_roles_alleged_perpetrator_needs_source')),
    sa.CheckConstraint('(testimony_id IS NULL) <> (source_id IS NULL)', name=op.f('ck_agent_roles_one_context')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_roles_agent_id_agents')),
    sa.ForeignKeyConstraint(['named_by_source_id'], ['sources.id'], name=op.f('fk_agent_roles_named_by_source_id_sources')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_agent_roles_source_id_sources')),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'], name=op.f('fk_agent_roles_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_roles'))
    )
    with op.batch_alter_table('agent_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_roles_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_roles_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_roles_testimony_id'), ['testimony_id'], unique=False)

    op.create_table('corroboration_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('unverified', 'partially_corroborated', 'corroborated', 'contested', 'retracted', name='corroborationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_label', sa.String(length=200), nullable=False),
    sa.Column('changed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_corroboration_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'], name=op.f('fk_corroboration_changes_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corroboration_changes'))
    )
    with op.batch_alter_table('corroboration_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corroboration_changes_testimony_id'), ['testimony_id'], unique=False)

    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('source_position', sa.Integer(), nullable=True),
    sa.Column('source_paragraph', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('first_person', 'editorial', 'question', 'reported', name='segmentkind', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('translation', sa.Text(), nullable=True),
    sa.Column('translation_language', sa.String(length=35), nullable=True),
    sa.Column('timecode_start', sa.Float(), nullable=True),
    sa.Column('timecode_end', sa.Float(), nullable=True),
    sa.Column('access_level', sa.Enum('public', 'restricted', 'confidential', name='accesslevel', native_enum=False, length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("direction IN ('ltr', 'rtl')", name=op.f('ck_segments_direction')),
    sa.CheckConstraint('source_id IS NULL OR source_position IS NOT NULL', name=op.f('ck_segments_source_segment_has_position')),
    sa.CheckConstraint('testimony_id IS NOT NULL OR source_id IS NOT NULL', name=op.f('ck_segments_has_owner')),
    sa.ForeignKeyConstraint(['author_id'], ['agents.id'], name=op.f('fk_segments_author_id_agents')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_segments_source_id_sources')),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'], name=op.f('fk_segments_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments')),
    sa.UniqueConstraint('source_id', 'source_position', name=op.f('uq_segments_source_id_source_position')),
    sa.UniqueConstraint('testimony_id', 'number', name=op.f('uq_segments_testimony_id_number')),
    sa.UniqueConstraint('testimony_id', 'position', name=op.f('uq_segments_testimony_id_position'))
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_segments_testimony_id'), ['testimony_id'], unique=False)

    op.create_table('transmission_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('testimony_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_transmission_links_agent_id_agents')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_transmission_links_source_id_sources')),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'], name=op.f('fk_transmission_links_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transmission_links')),
    sa.UniqueConstraint('testimony_id', 'position', name=op.f('uq_transmission_links_testimony_id_position'))
    )
    with op.batch_alter_table('transmission_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transmission_links_testimony_id'), ['testimony_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('speaker_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('count', 'event', 'identification', 'location', name='claimkind', native_enum=False, length=32), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('quantity_low', sa.BigInteger(), nullable=True),
    sa.Column('quantity_high', sa.BigInteger(), nullable=True),
    sa.Column('scope_place_id', sa.Integer(), nullable=True),
    sa.Column('scope_period_edtf', sa.String(length=100), nullable=True),
    sa.Column('scope_period_lower', sa.Date(), nullable=True),
    sa.Column('scope_period_upper', sa.Date(), nullable=True),
    sa.Column('scope_note', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scope_place_id'], ['places.id'], name=op.f('fk_claims_scope_place_id_places')),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_claims_segment_id_segments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['agents.id'], name=op.f('fk_claims_speaker_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('key', name=op.f('uq_claims_key'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_segment_id'), ['segment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_speaker_id'), ['speaker_id'], unique=False)

    op.create_table('redactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('access_level', sa.Enum('public', 'restricted', 'confidential', name='accesslevel', native_enum=False, length=32), nullable=False),
    sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f('ck_redactions_span')),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_redactions_segment_id_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redactions'))
    )
    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redactions_segment_id'), ['segment_id'], unique=False)

    op.create_table('corroboration_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_claim_id', sa.Integer(), nullable=False),
    sa.Column('to_claim_id', sa.Integer(), nullable=True),
    sa.Column('to_testimony_id', sa.Integer(), nullable=True),
    sa.Column('relation', sa.Enum('supports', 'partly_supports', 'contradicts', name='corroborationrelation', native_enum=False, length=32), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(to_claim_id IS NOT NULL) <> (to_testimony_id IS NOT NULL)', name=op.f('ck_corroboration_links_one_target')),
    sa.ForeignKeyConstraint(['from_claim_id'], ['claims.id'], name=op.f('fk_corroboration_links_from_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_claim_id'], ['claims.id'], name=op.f('fk_corroboration_links_to_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_testimony_id'], ['testimonies.id'], name=op.f('fk_corroboration_links_to_testimony_id_testimonies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corroboration_links'))
    )
    with op.batch_alter_table('corroboration_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corroboration_links_from_claim_id'), ['from_claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_corroboration_links_to_claim_id'), ['to_claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_corroboration_links_to_testimony_id'), ['to_testimony_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('corroboration_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corroboration_links_to_testimony_id'))
        batch_op.drop_index(batch_op.f('ix_corroboration_links_to_claim_id'))
        batch_op.drop_index(batch_op.f('ix_corroboration_links_from_claim_id'))

    op.drop_table('corroboration_links')
    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redactions_segment_id'))

    op.drop_table('redactions')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_speaker_id'))
        batch_op.drop_index(batch_op.f('ix_claims_segment_id'))

    op.drop_table('claims')
    with op.batch_alter_table('transmission_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transmission_links_testimony_id'))

    op.drop_table('transmission_links')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segments_testimony_id'))
        batch_op.drop_index(batch_op.f('ix_segments_source_id'))

    op.drop_table('segments')
    with op.batch_alter_table('corroboration_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corroboration_changes_testimony_id'))

    op.drop_table('corroboration_changes')
    with op.batch_alter_table('agent_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_roles_testimony_id'))
        batch_op.drop_index(batch_op.f('ix_agent_roles_source_id'))
        batch_op.drop_index(batch_op.f('ix_agent_roles_agent_id'))

    op.drop_table('agent_roles')
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testimonies_source_id'))
        batch_op.drop_index(batch_op.f('ix_testimonies_publication_state'))
        batch_op.drop_index(batch_op.f('ix_testimonies_occasion_id'))
        batch_op.drop_index(batch_op.f('ix_testimonies_is_deleted'))
        batch_op.drop_index(batch_op.f('ix_testimonies_access_level'))

    op.drop_table('testimonies')
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_files_source_id'))

    op.drop_table('source_files')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_publisher_id'))

    op.drop_table('sources')
    op.drop_table('revisions')
    with op.batch_alter_table('place_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_names_place_id'))

    op.drop_table('place_names')
    with op.batch_alter_table('occasions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occasions_place_id'))

    op.drop_table('occasions')
    with op.batch_alter_table('agent_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_names_agent_id'))

    op.drop_table('agent_names')
    op.drop_table('users')
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_places_parent_id'))

    op.drop_table('places')
    op.drop_table('agents')
