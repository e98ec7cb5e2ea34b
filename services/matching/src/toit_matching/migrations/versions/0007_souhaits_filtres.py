"""The search's filters and ranking as columns of `souhaits` (besoins, étage, resources,
household composition for the UC and the APL estimate, DALO, priorities, date of filing):
on PostgreSQL a search counts and ranks in one statement. Existing rows are filled from
the stored projections (`demandes.vue`).

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY
from toit_matching.adapters.tables import demandes, souhaits
from toit_matching.domain.demandeurs import champs_recherche, vue_de_json

revision = "0007"
down_revision = "0006"

COLONNES = (
    ("besoins", sa.String(length=200)),
    ("etage_max", sa.Integer()),
    ("ressources", sa.Numeric(12, 2)),
    ("couple", sa.Boolean()),
    ("a_charge", sa.Integer()),
    ("personnes", sa.Integer()),
    ("a_naitre", sa.Integer()),
    ("autres_naissances", sa.JSON().with_variant(ARRAY(sa.Integer()), "postgresql")),
    ("dalo", sa.Boolean()),
    ("priorites_validees", sa.Integer()),
    ("priorites_retenues", sa.Integer()),
    ("date_depot", sa.Date()),
)


def upgrade() -> None:
    for nom, type_ in COLONNES:
        op.add_column("souhaits", sa.Column(nom, type_, nullable=True))
    bind = op.get_bind()
    lignes = bind.execute(
        sa.select(
            demandes.c.demande_id,
            demandes.c.version,
            demandes.c.departement,
            demandes.c.statut,
            demandes.c.numero_unique,
            demandes.c.vue,
        )
    ).all()
    noms = [nom for nom, _ in COLONNES]
    maj = (
        souhaits.update()
        .where(souhaits.c.demande_id == sa.bindparam("b_id"))
        .values({nom: sa.bindparam(f"b_{nom}") for nom in noms})
    )
    for debut in range(0, len(lignes), 2000):
        valeurs = []
        for r in lignes[debut : debut + 2000]:
            vue = vue_de_json(r[0], r[1], r[2], r[3], r[4], r[5])
            champs = champs_recherche(vue)
            valeurs.append({"b_id": r[0], **{f"b_{nom}": champs[nom] for nom in noms}})
        if valeurs:
            bind.execute(maj, valeurs)


def downgrade() -> None:
    for nom, _ in reversed(COLONNES):
        op.drop_column("souhaits", nom)
