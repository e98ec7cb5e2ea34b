"""Read models fed by matching's events: wider bailleur (an organisation id), one
proposition per CALEOL candidate (decision, rank, typologie), vacancy financement.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("rm_attribution") as batch:
        batch.alter_column("bailleur", type_=sa.String(64), existing_nullable=True)
    with op.batch_alter_table("rm_proposition") as batch:
        batch.alter_column("proposition_id", type_=sa.String(80), existing_nullable=False)
        batch.alter_column("bailleur", type_=sa.String(64), existing_nullable=True)
        batch.add_column(sa.Column("decision_caleol", sa.String(32), nullable=True))
        batch.add_column(sa.Column("rang", sa.Integer, nullable=True))
        batch.add_column(sa.Column("typologie", sa.String(8), nullable=True))
    with op.batch_alter_table("rm_logement_vacant") as batch:
        batch.alter_column("bailleur", type_=sa.String(64), existing_nullable=True)
        batch.add_column(sa.Column("financement", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rm_logement_vacant") as batch:
        batch.drop_column("financement")
        batch.alter_column("bailleur", type_=sa.String(14), existing_nullable=True)
    with op.batch_alter_table("rm_proposition") as batch:
        batch.drop_column("typologie")
        batch.drop_column("rang")
        batch.drop_column("decision_caleol")
        batch.alter_column("bailleur", type_=sa.String(14), existing_nullable=True)
        batch.alter_column("proposition_id", type_=sa.String(64), existing_nullable=False)
    with op.batch_alter_table("rm_attribution") as batch:
        batch.alter_column("bailleur", type_=sa.String(14), existing_nullable=True)
