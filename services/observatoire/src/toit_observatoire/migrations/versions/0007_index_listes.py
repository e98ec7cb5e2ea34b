"""Covering index for the lists grouped by commune and typologie of a département.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_index(
        "ix_rm_demande_commune_typologie",
        "rm_demande",
        ["departement", "commune", "typologie"],
        postgresql_include=["statut", "revenu_annuel_uc"],
    )


def downgrade() -> None:
    op.drop_index("ix_rm_demande_commune_typologie", table_name="rm_demande")
