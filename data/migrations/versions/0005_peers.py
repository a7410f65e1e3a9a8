"""Other councils' figures (`peers`) for ranks, quartile bands and the statistical neighbours'
own figures; and `on_scorecard`, which indicators the members' quarterly scorecard lists.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
# The brief calls it 0004_concern_workflow: the file's name; its revision id is '0004'.
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('peers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('council', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('statistical_neighbour', sa.Boolean(), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['indicators.code'], name=op.f('fk_peers_code_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peers')),
    sa.UniqueConstraint('code', 'period_end', 'council', name=op.f('uq_peers_code_period_end_council'))
    )
    # A plain ADD COLUMN, on SQLite too: a batch copy of `indicators` would have to drop the
    # table that observations, targets and benchmarks refer to (a stored council's refuses).
    op.add_column('indicators', sa.Column('on_scorecard', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    op.drop_table('peers')
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `indicators` would have to drop the
    # table that observations, targets and benchmarks refer to.
    op.drop_column('indicators', 'on_scorecard')
