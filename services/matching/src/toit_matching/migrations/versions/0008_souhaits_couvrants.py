"""The search pool read from the index alone (PostgreSQL index-only scan).

A search reads, for one commune (or one EPCI) of one département, every active wished
commune with the columns its filters, budget and ranking need (`adapters/recherche_sql.py`).
The indexes on (commune, actif) and (epci, actif) found those rows, then PostgreSQL
fetched each from the table. The two indexes now carry those columns (`INCLUDE`) and the
département and demande in their key (the EPCI pool, one row per demande, comes out in
demande order): the pool is read from the index, without visiting the table's pages as
long as autovacuum keeps the visibility map. Same key prefix as before, so every lookup
the old indexes served is served; SQLite ignores `INCLUDE`.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"

INCLUS = [
    "version",
    "typologies",
    "taille",
    "categorie",
    "revenu_fiscal",
    "besoins",
    "etage_max",
    "ressources",
    "couple",
    "a_charge",
    "personnes",
    "a_naitre",
    "autres_naissances",
    "dalo",
    "priorites_validees",
    "priorites_retenues",
    "date_depot",
]


def upgrade() -> None:
    for lieu in ("commune", "epci"):
        op.drop_index(f"ix_souhaits_{lieu}", table_name="souhaits")
        op.create_index(
            f"ix_souhaits_{lieu}",
            "souhaits",
            [lieu, "actif", "departement", "demande_id"],
            postgresql_include=INCLUS,
        )


def downgrade() -> None:
    for lieu in ("commune", "epci"):
        op.drop_index(f"ix_souhaits_{lieu}", table_name="souhaits")
        op.create_index(f"ix_souhaits_{lieu}", "souhaits", [lieu, "actif"])
