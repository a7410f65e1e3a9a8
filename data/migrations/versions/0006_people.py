"""People and their chat accounts (one identity across Slack and Teams), and the outbox's
destinations made platform-neutral: "dm:U0123" -> "person:U0123", "slack:C0123" ->
"channel:slack:C0123".

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('name_checked_at', sa.DateTime(), nullable=True),
    sa.Column('concern_notices', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email'))
    )
    op.create_table('accounts',
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.Text(), nullable=True),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_accounts_person_id_people')),
    sa.PrimaryKeyConstraint('platform', 'user_id', name=op.f('pk_accounts'))
    )
    op.create_index(op.f('ix_accounts_person_id'), 'accounts', ['person_id'], unique=False)
    outbox = sa.table('outbox', sa.column('destination', sa.String))
    op.execute(outbox.update().where(outbox.c.destination.startswith('dm:'))
               .values(destination=sa.literal('person:') + sa.func.substr(outbox.c.destination, 4)))
    op.execute(outbox.update().where(outbox.c.destination.startswith('slack:'))
               .values(destination=sa.literal('channel:slack:') + sa.func.substr(outbox.c.destination, 7)))


def downgrade() -> None:
    outbox = sa.table('outbox', sa.column('destination', sa.String))
    op.execute(outbox.update().where(outbox.c.destination.startswith('person:'))
               .values(destination=sa.literal('dm:') + sa.func.substr(outbox.c.destination, 8)))
    op.execute(outbox.update().where(outbox.c.destination.startswith('channel:slack:'))
               .values(destination=sa.literal('slack:') + sa.func.substr(outbox.c.destination, 15)))
    op.drop_index(op.f('ix_accounts_person_id'), table_name='accounts')
    op.drop_table('accounts')
    op.drop_table('people')
