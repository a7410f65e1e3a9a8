"""Concerns' life: where each stands (service area, due date, meeting), what each step set, and
the indicator's card as the member saw it when they raised the concern.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('service_area', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('meeting_committee', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('meeting_date', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_concerns_meeting_date'), ['meeting_date'], unique=False)

    with op.batch_alter_table('concern_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.String(length=16), server_default='raise', nullable=False))
        batch_op.add_column(sa.Column('service_area', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('meeting_committee', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('meeting_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('concern_events', schema=None) as batch_op:
        batch_op.drop_column('meeting_date')
        batch_op.drop_column('meeting_committee')
        batch_op.drop_column('due_on')
        batch_op.drop_column('service_area')
        batch_op.drop_column('step')

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concerns_meeting_date'))
        batch_op.drop_column('meeting_date')
        batch_op.drop_column('meeting_committee')
        batch_op.drop_column('due_on')
        batch_op.drop_column('service_area')
        batch_op.drop_column('card')
