"""places retire; the ward's campaign and the groups' copies; service notes, retire, switch off

Revision ID: a12c0f5e7d31
Revises: 451569714d66
Create Date: 2026-12-01 20:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a12c0f5e7d31'
down_revision = '451569714d66'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ward', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.alter_column('neighbourhood_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('ward_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_ward_id'), ['ward_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_campaign_ward_id_ward'), 'ward',
                                    ['ward_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_campaign_parent_id_campaign'), 'campaign',
                                    ['parent_id'], ['id'])
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('switched_off', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_service_parent_id_service'), 'service',
                                    ['parent_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_parent_id_service'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_service_parent_id'))
        batch_op.drop_column('parent_id')
        batch_op.drop_column('switched_off')
        batch_op.drop_column('retired_at')
        batch_op.drop_column('note')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_parent_id_campaign'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_campaign_ward_id_ward'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_campaign_parent_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_ward_id'))
        batch_op.drop_column('parent_id')
        batch_op.drop_column('ward_id')
    # A ward's own campaign has no place before this revision (the groups keep their copies).
    op.execute("DELETE FROM service WHERE campaign_id IN "
               "(SELECT id FROM campaign WHERE neighbourhood_id IS NULL)")
    op.execute("DELETE FROM campaign WHERE neighbourhood_id IS NULL")
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.alter_column('neighbourhood_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
    with op.batch_alter_table('ward', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
