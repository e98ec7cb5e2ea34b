"""The applicant's portal account on each followed demande: a demandeur reads their own
cotation.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("demandes", sa.Column("compte_demandeur", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("demandes", "compte_demandeur")
