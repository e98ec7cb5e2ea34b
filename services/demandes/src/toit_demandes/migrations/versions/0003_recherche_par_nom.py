"""Search by name from the indexes alone.

The normalised names (only A-Z, 0-9 and spaces) get the "C" collation: byte order, so one
plain btree index serves both `LIKE 'PREFIX%'` and `ORDER BY nom_naissance, prenom, id`
(text_pattern_ops served the prefix only). The name indexes carry what a search filters and
sorts on and leave out merged demandes, so a search reads them alone until it fetches the
rows of its page. SQLite compares bytes already: only its indexes change.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

INCLUS = ["departement", "statut", "date_depot_initial", "numero_unique"]
NOMS = ("nom_naissance", "nom_usage")


def upgrade() -> None:
    op.drop_index("ix_demandes_nom_naissance", table_name="demandes")
    op.drop_index("ix_demandes_nom_usage", table_name="demandes")
    if op.get_bind().dialect.name == "postgresql":
        for colonne in NOMS:
            # Same type, another collation: no table rewrite.
            op.execute(f'ALTER TABLE demandes ALTER COLUMN {colonne} TYPE varchar(100) COLLATE "C"')
    op.create_index(
        "ix_demandes_nom_naissance",
        "demandes",
        ["nom_naissance", "prenom", "id"],
        postgresql_include=INCLUS,
        postgresql_where=sa.text("fusionnee_dans IS NULL"),
    )
    op.create_index(
        "ix_demandes_nom_usage",
        "demandes",
        ["nom_usage"],
        postgresql_include=["id", "nom_naissance", "prenom", *INCLUS],
        postgresql_where=sa.text("fusionnee_dans IS NULL AND nom_usage IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_demandes_nom_usage", table_name="demandes")
    op.drop_index("ix_demandes_nom_naissance", table_name="demandes")
    if op.get_bind().dialect.name == "postgresql":
        for colonne in NOMS:
            op.execute(
                f'ALTER TABLE demandes ALTER COLUMN {colonne} TYPE varchar(100) COLLATE "default"'
            )
    op.create_index(
        "ix_demandes_nom_naissance",
        "demandes",
        ["nom_naissance"],
        postgresql_ops={"nom_naissance": "text_pattern_ops"},
    )
    op.create_index(
        "ix_demandes_nom_usage",
        "demandes",
        ["nom_usage"],
        postgresql_ops={"nom_usage": "text_pattern_ops"},
    )
