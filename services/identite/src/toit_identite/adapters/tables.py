"""Tables of the identite database."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_ts = sa.DateTime(timezone=True)
_id = sa.String(36)

organisation = sa.Table(
    "organisation",
    metadata,
    sa.Column("id", _id, primary_key=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("siren", sa.String(9), nullable=True),
    sa.Column("departements", sa.JSON, nullable=False),
    sa.Column("guichet_enregistreur", sa.Boolean, nullable=False, default=False),
    sa.Column("reservataire", sa.Boolean, nullable=False, default=False),
    sa.Column("bailleur", sa.Boolean, nullable=False, default=False),
    sa.Column("code_guichet", sa.String(5), nullable=True, unique=True),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("cree_le", _ts, nullable=False),
    # Grows with each change (ETag; organisation.* events carry it).
    sa.Column("version", sa.Integer, nullable=False, default=1, server_default="1"),
)

compte = sa.Table(
    "compte",
    metadata,
    sa.Column("id", _id, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    # Lower case; an applicant's identifiant is their email.
    sa.Column("identifiant", sa.String(254), nullable=False, unique=True),
    sa.Column("email", sa.String(254), nullable=False, index=True),
    sa.Column("nom", sa.String(100), nullable=True),
    sa.Column("prenom", sa.String(100), nullable=True),
    sa.Column("organisation_id", _id, sa.ForeignKey("organisation.id"), nullable=True, index=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("departements", sa.JSON, nullable=False),
    sa.Column("epcis", sa.JSON, nullable=False),
    sa.Column("communes", sa.JSON, nullable=False),
    sa.Column("valide_du", sa.Date, nullable=True),
    sa.Column("valide_jusqu_au", sa.Date, nullable=True),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("motif_desactivation", sa.String(32), nullable=True),
    sa.Column("password_hash", sa.String(256), nullable=True),
    sa.Column("charte_version", sa.Integer, nullable=True),
    sa.Column("derniere_connexion", _ts, nullable=True),
    sa.Column("cree_le", _ts, nullable=False),
    # Start of the current active period (creation, activation, reactivation):
    # the inactivity clock starts there for accounts that never logged in since.
    sa.Column("actif_depuis", _ts, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
)

charte = sa.Table(
    "charte",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("texte", sa.Text, nullable=False),
    sa.Column("publiee_le", _ts, nullable=False),
    sa.Column("publiee_par", _id, nullable=True),
)

# Refresh tokens are stored hashed; a family is one login, rotated at each use.
refresh_token = sa.Table(
    "refresh_token",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("compte_id", _id, sa.ForeignKey("compte.id"), nullable=False, index=True),
    sa.Column("family_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", _ts, nullable=False),
    sa.Column("expires_at", _ts, nullable=False),
    sa.Column("used_at", _ts, nullable=True),
    sa.Column("revoked_at", _ts, nullable=True),
)

# Single-use tokens of the emailed links (activation, password reset), hashed.
lien_usage_unique = sa.Table(
    "lien_usage_unique",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("compte_id", _id, sa.ForeignKey("compte.id"), nullable=False, index=True),
    sa.Column("purpose", sa.String(32), nullable=False),
    sa.Column("expires_at", _ts, nullable=False),
    sa.Column("used_at", _ts, nullable=True),
)

# Failed-login counters per identifiant ("id:...") and per source address ("ip:...").
login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start", _ts, nullable=True),
    sa.Column("locked_until", _ts, nullable=True),
)

# Every grant and revocation of rights, with who did it.
journal_habilitation = sa.Table(
    "journal_habilitation",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("at", _ts, nullable=False),
    sa.Column("auteur_id", _id, nullable=True),  # None: the system (daily job, CLI)
    sa.Column("compte_id", _id, nullable=False, index=True),
    sa.Column("operation", sa.String(32), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
)

signing_key = sa.Table(
    "signing_key",
    metadata,
    sa.Column("kid", sa.String(64), primary_key=True),
    sa.Column("algorithm", sa.String(16), nullable=False),
    # PKCS#8 PEM encrypted with TOIT_IDENTITE_KEY_PASSPHRASE.
    sa.Column("private_pem", sa.Text, nullable=False),
    sa.Column("public_jwk", sa.JSON, nullable=False),
    sa.Column("created_at", _ts, nullable=False),
    sa.Column("created_mode", sa.String(16), nullable=False),
    sa.Column("activated_at", _ts, nullable=True),
    sa.Column("retired_at", _ts, nullable=True),
)

# Monthly review reminders already sent (one per organisation and month).
rappel_revue = sa.Table(
    "rappel_revue",
    metadata,
    sa.Column("organisation_id", _id, primary_key=True),
    sa.Column("mois", sa.String(7), primary_key=True),  # AAAA-MM
    sa.Column("envoye_le", _ts, nullable=False),
)

# API clients of partner organisations (OAuth2 client credentials, services/abonnements).
# Secrets are random (256 bits) and stored as SHA-256 hashes; during a rotation the
# previous secret stays valid until `secret_precedent_jusqu_a` (no downtime).
client_api = sa.Table(
    "client_api",
    metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("organisation_id", _id, sa.ForeignKey("organisation.id"), nullable=False, index=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("secret_precedent_hash", sa.String(64), nullable=True),
    sa.Column("secret_precedent_jusqu_a", _ts, nullable=True),
    sa.Column("cree_le", _ts, nullable=False),
    sa.Column("cree_par", _id, nullable=True),
    sa.Column("revoque_le", _ts, nullable=True),
    sa.Column("derniere_utilisation", _ts, nullable=True),
)

# Announcements of a fichier (one département), written by its gestionnaire, shown on the
# home page of the professionals they address (roles / organisation types; empty = all)
# between `debut` and `fin` (expired when `fin` is past).
annonce = sa.Table(
    "annonce",
    metadata,
    sa.Column("id", _id, primary_key=True),
    sa.Column("departement", sa.String(3), nullable=False, index=True),
    sa.Column("titre", sa.String(120), nullable=False),
    sa.Column("texte", sa.String(1000), nullable=False),
    sa.Column("niveau", sa.String(16), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("types_organisation", sa.JSON, nullable=False),
    sa.Column("debut", _ts, nullable=False),
    sa.Column("fin", _ts, nullable=True),
    sa.Column("cree_le", _ts, nullable=False),
    sa.Column("cree_par", _id, nullable=False),
    sa.Column("modifie_le", _ts, nullable=False),
    sa.Column("modifie_par", _id, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# What a professional pinned on their home page: a demande (by id) or a list (a page of
# the espace professionnel, by its relative address), with the label they gave it.
favori = sa.Table(
    "favori",
    metadata,
    sa.Column("id", _id, primary_key=True),
    sa.Column("compte_id", _id, sa.ForeignKey("compte.id"), nullable=False, index=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("cible", sa.String(300), nullable=False),
    sa.Column("libelle", sa.String(120), nullable=False),
    sa.Column("cree_le", _ts, nullable=False),
    sa.UniqueConstraint("compte_id", "type", "cible", name="uq_favori_compte_cible"),
)
