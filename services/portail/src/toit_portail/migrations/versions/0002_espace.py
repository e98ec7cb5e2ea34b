"""Read model of the espace personnel: demandes and cotations from events (issue 15).

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "demandes",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("compte_demandeur", sa.String(length=64), nullable=True),
        sa.Column("numero_unique", sa.String(length=32), nullable=True),
        sa.Column("date_depot_initial", sa.Date(), nullable=True),
        sa.Column("date_enregistrement", sa.Date(), nullable=True),
        sa.Column("date_dernier_renouvellement", sa.Date(), nullable=True),
        sa.Column("date_expiration", sa.Date(), nullable=True),
        sa.Column("date_radiation", sa.Date(), nullable=True),
        sa.Column("motif_radiation", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("demande_id"),
    )
    op.create_index("ix_demandes_compte_demandeur", "demandes", ["compte_demandeur"])
    op.create_table(
        "cotations",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(10, 2), nullable=False),
        sa.Column("criteres", sa.JSON(), nullable=False),
        sa.Column("grille_version", sa.Integer(), nullable=False),
        sa.Column("calculee_le", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("demande_id", "epci"),
    )


def downgrade() -> None:
    op.drop_table("cotations")
    op.drop_index("ix_demandes_compte_demandeur", table_name="demandes")
    op.drop_table("demandes")
