"""position proposals: a volunteer's door fix the leader accepts or rejects (issue 13 item 7)

Revision ID: b13a9c0d5e21
Revises: a7c3e1d2b9f0
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b13a9c0d5e21'
down_revision = 'a7c3e1d2b9f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'position_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('accuracy_m', sa.Float(), nullable=True),
        sa.Column('distance_m', sa.Float(), nullable=True),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('position_proposal', schema=None) as batch_op:
        batch_op.create_index('ix_position_proposal_household_id', ['household_id'])
        batch_op.create_index('ix_position_proposal_state', ['state'])


def downgrade():
    with op.batch_alter_table('position_proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_position_proposal_state')
        batch_op.drop_index('ix_position_proposal_household_id')
    op.drop_table('position_proposal')
