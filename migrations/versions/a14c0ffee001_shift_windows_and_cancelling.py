"""shift time windows (per group and per shift) and cancelled shifts

Revision ID: a14c0ffee001
Revises: a12c0f5e7d31
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14c0ffee001'
down_revision = "a12c0f5e7d31"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot_windows', sa.JSON(), nullable=True))
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('ends_at', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('starts_at')
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.drop_column('slot_windows')
