"""Online application: drafts, the household's commands and the changeable part of the
demande (issue 15, items 3 and 5).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "candidatures",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("compte", sa.String(length=64), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("piece", sa.JSON()),
        sa.Column("piece_contenu", sa.LargeBinary()),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("commande_id", sa.Uuid()),
        sa.Column("erreurs", sa.JSON()),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("soumise_le", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_candidatures_compte", "candidatures", ["compte"])
    op.create_table(
        "commandes",
        sa.Column("commande_id", sa.Uuid(), primary_key=True),
        sa.Column("compte", sa.String(length=64), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("erreurs", sa.JSON()),
        sa.Column("envoyee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("traitee_le", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_commandes_demande_id", "commandes", ["demande_id"])
    op.create_table(
        "demandes_modifiables",
        sa.Column("demande_id", sa.Uuid(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("logement_recherche", sa.JSON(), nullable=False),
        sa.Column("enfants_a_naitre", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("demandes_modifiables")
    op.drop_index("ix_commandes_demande_id", table_name="commandes")
    op.drop_table("commandes")
    op.drop_index("ix_candidatures_compte", table_name="candidatures")
    op.drop_table("candidatures")
