"""Organisations, accounts, charte, tokens, throttling, habilitation journal, keys.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "charte",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("texte", sa.Text(), nullable=False),
        sa.Column("publiee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publiee_par", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "journal_habilitation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auteur_id", sa.String(length=36), nullable=True),
        sa.Column("compte_id", sa.String(length=36), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_journal_habilitation_compte_id"),
        "journal_habilitation",
        ["compte_id"],
        unique=False,
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=True),
        sa.Column("departements", sa.JSON(), nullable=False),
        sa.Column("guichet_enregistreur", sa.Boolean(), nullable=False),
        sa.Column("reservataire", sa.Boolean(), nullable=False),
        sa.Column("bailleur", sa.Boolean(), nullable=False),
        sa.Column("code_guichet", sa.String(length=5), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_guichet"),
    )
    op.create_table(
        "signing_key",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_mode", sa.String(length=16), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid"),
    )
    op.create_table(
        "compte",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("identifiant", sa.String(length=254), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("nom", sa.String(length=100), nullable=True),
        sa.Column("prenom", sa.String(length=100), nullable=True),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("departements", sa.JSON(), nullable=False),
        sa.Column("epcis", sa.JSON(), nullable=False),
        sa.Column("communes", sa.JSON(), nullable=False),
        sa.Column("valide_du", sa.Date(), nullable=True),
        sa.Column("valide_jusqu_au", sa.Date(), nullable=True),
        sa.Column("statut", sa.String(length=16), nullable=False),
        sa.Column("motif_desactivation", sa.String(length=32), nullable=True),
        sa.Column("password_hash", sa.String(length=256), nullable=True),
        sa.Column("charte_version", sa.Integer(), nullable=True),
        sa.Column("derniere_connexion", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actif_depuis", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identifiant"),
    )
    op.create_index(op.f("ix_compte_email"), "compte", ["email"], unique=False)
    op.create_index(op.f("ix_compte_organisation_id"), "compte", ["organisation_id"], unique=False)
    op.create_table(
        "lien_usage_unique",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("compte_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["compte_id"],
            ["compte.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_lien_usage_unique_compte_id"), "lien_usage_unique", ["compte_id"], unique=False
    )
    op.create_table(
        "refresh_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("compte_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["compte_id"],
            ["compte.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_refresh_token_compte_id"), "refresh_token", ["compte_id"], unique=False
    )
    op.create_index(
        op.f("ix_refresh_token_family_id"), "refresh_token", ["family_id"], unique=False
    )

    op.create_table(
        "rappel_revue",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("mois", sa.String(length=7), nullable=False),
        sa.Column("envoye_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "mois"),
    )


def downgrade() -> None:
    op.drop_table("rappel_revue")
    op.drop_index(op.f("ix_refresh_token_family_id"), table_name="refresh_token")
    op.drop_index(op.f("ix_refresh_token_compte_id"), table_name="refresh_token")
    op.drop_table("refresh_token")
    op.drop_index(op.f("ix_lien_usage_unique_compte_id"), table_name="lien_usage_unique")
    op.drop_table("lien_usage_unique")
    op.drop_index(op.f("ix_compte_organisation_id"), table_name="compte")
    op.drop_index(op.f("ix_compte_email"), table_name="compte")
    op.drop_table("compte")
    op.drop_table("signing_key")
    op.drop_table("organisation")
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_journal_habilitation_compte_id"), table_name="journal_habilitation")
    op.drop_table("journal_habilitation")
    op.drop_table("charte")
