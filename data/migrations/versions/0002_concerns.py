"""Members' concerns and their events, and the requests already handled (retries are no-ops).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('concerns',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('member', sa.String(length=320), nullable=False),
    sa.Column('indicator_code', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concerns')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_concerns_idempotency_key'))
    )
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.create_index('ix_concerns_member', ['member'], unique=False)
        batch_op.create_index('ix_concerns_status', ['status'], unique=False)

    op.create_table('concern_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('who', sa.String(length=320), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_concern_events_concern_id_concerns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_events'))
    )
    with op.batch_alter_table('concern_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_events_concern_id'), ['concern_id'], unique=False)

    op.create_table('handled_requests',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_handled_requests'))
    )


def downgrade() -> None:
    op.drop_table('handled_requests')
    with op.batch_alter_table('concern_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_events_concern_id'))
    op.drop_table('concern_events')
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_concerns_status')
        batch_op.drop_index('ix_concerns_member')
    op.drop_table('concerns')
