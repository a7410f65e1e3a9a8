"""The quarterly scorecard's life: scorecards, their events and published figures, the outbox of
messages to deliver exactly once, and the leader lease for SQLite.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('scorecards',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('quarter', sa.String(length=16), nullable=False),
    sa.Column('quarter_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('prepared_by', sa.String(length=320), nullable=False),
    sa.Column('prepared_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by', sa.String(length=320), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by', sa.String(length=320), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('publish_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecards')),
    sa.UniqueConstraint('quarter', name=op.f('uq_scorecards_quarter'))
    )
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecards_quarter_end'), ['quarter_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_scorecards_status'), ['status'], unique=False)

    op.create_table('scorecard_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('who', sa.String(length=320), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_scorecard_events_scorecard_id_scorecards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_events'))
    )
    with op.batch_alter_table('scorecard_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecard_events_scorecard_id'), ['scorecard_id'], unique=False)

    op.create_table('scorecard_figures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_scorecard_figures_scorecard_id_scorecards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_figures')),
    sa.UniqueConstraint('scorecard_id', 'code', 'period_end', name=op.f('uq_scorecard_figures_scorecard_id_code_period_end'))
    )
    with op.batch_alter_table('scorecard_figures', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_figures_code_period', ['code', 'period_end'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=True),
    sa.Column('destination', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('external_id', sa.String(length=500), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_outbox_scorecard_id_scorecards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_scorecard_id'), ['scorecard_id'], unique=False)
        batch_op.create_index('ix_outbox_status_not_before', ['status', 'not_before'], unique=False)

    op.create_table('leader_leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leader_leases'))
    )


def downgrade() -> None:
    op.drop_table('leader_leases')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_not_before')
        batch_op.drop_index(batch_op.f('ix_outbox_scorecard_id'))
    op.drop_table('outbox')
    with op.batch_alter_table('scorecard_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_figures_code_period')
    op.drop_table('scorecard_figures')
    with op.batch_alter_table('scorecard_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecard_events_scorecard_id'))
    op.drop_table('scorecard_events')
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecards_status'))
        batch_op.drop_index(batch_op.f('ix_scorecards_quarter_end'))
    op.drop_table('scorecards')
