"""Tables of the abonnements database."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_ts = sa.DateTime(timezone=True)
_id = sa.String(36)
_bigint = sa.BigInteger().with_variant(sa.Integer, "sqlite")

# A partner organisation (its id is identite's organisation id) and its habilitation.
partenaire = sa.Table(
    "partenaire",
    metadata,
    sa.Column("organisation_id", _id, primary_key=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("contact_email", sa.String(254), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("departements", sa.JSON, nullable=False),
    sa.Column("epcis", sa.JSON, nullable=False),
    sa.Column("communes", sa.JSON, nullable=False),
    # RabbitMQ vhost and user of the partner (AMQP mode), created through the management API.
    sa.Column("amqp_vhost", sa.String(100), nullable=True),
    sa.Column("amqp_utilisateur", sa.String(100), nullable=True),
    sa.Column("cree_le", _ts, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
)

# The organisations as identite last published them (organisation.enregistree/modifiee):
# their départements bound the partner's habilitation.
organisation_identite = sa.Table(
    "organisation_identite",
    metadata,
    sa.Column("organisation_id", _id, primary_key=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("departements", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("recu_le", _ts, nullable=False),
)

abonnement = sa.Table(
    "abonnement",
    metadata,
    sa.Column("id", _id, primary_key=True),
    sa.Column(
        "organisation_id",
        _id,
        sa.ForeignKey("partenaire.organisation_id"),
        nullable=False,
        index=True,
    ),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("types", sa.JSON, nullable=False),
    sa.Column("profil", sa.String(32), nullable=False),
    sa.Column("complements", sa.JSON, nullable=False),
    sa.Column("departements", sa.JSON, nullable=False),
    sa.Column("epcis", sa.JSON, nullable=False),
    sa.Column("communes", sa.JSON, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("url", sa.String(2048), nullable=True),
    # Standard Webhooks signing secret ("whsec_…"); the previous one keeps signing too
    # during a rotation, until `secret_precedent_jusqu_a`.
    sa.Column("secret", sa.String(100), nullable=True),
    sa.Column("secret_precedent", sa.String(100), nullable=True),
    sa.Column("secret_precedent_jusqu_a", _ts, nullable=True),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("motif_suspension", sa.String(500), nullable=True),
    sa.Column("cree_le", _ts, nullable=False),
    sa.Column("modifie_le", _ts, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # The log: last position assigned; positions <= purge_jusqu_a are deleted (retention).
    sa.Column("position", _bigint, nullable=False, default=0),
    sa.Column("purge_jusqu_a", _bigint, nullable=False, default=0),
    # Push delivery state (webhook, AMQP): in order, the head event is retried.
    sa.Column("livre_jusqu_a", _bigint, nullable=False, default=0),
    sa.Column("echecs", sa.Integer, nullable=False, default=0),
    sa.Column("premier_echec_le", _ts, nullable=True),
    sa.Column("prochain_essai_le", _ts, nullable=True),
    sa.Column("derniere_erreur", sa.String(500), nullable=True),
    sa.Column("bail_jusqu_a", _ts, nullable=True),
    # AMQP: when the broker objects of a revoked subscription were removed (its queue, and
    # the partner's vhost and user when it was their last AMQP subscription).
    sa.Column("amqp_nettoye_le", _ts, nullable=True),
)

# One ordered log per subscription: the minimised CloudEvent, exactly as delivered.
journal = sa.Table(
    "journal",
    metadata,
    sa.Column("abonnement_id", _id, primary_key=True),
    sa.Column("position", _bigint, primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("source_event_id", sa.String(64), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("sujet", sa.String(64), nullable=True),
    sa.Column("enveloppe", sa.Text, nullable=False),
    # When the internal event was committed (CloudEvent time) and entered this log.
    sa.Column("emis_le", _ts, nullable=False),
    sa.Column("cree_le", _ts, nullable=False),
    sa.UniqueConstraint("abonnement_id", "source_event_id", name="uq_journal_source"),
)

# Every delivery (data-protection register): what, to whom, when, status.
livraison = sa.Table(
    "livraison",
    metadata,
    sa.Column("id", _bigint, primary_key=True, autoincrement=True),
    sa.Column("abonnement_id", _id, nullable=False, index=True),
    sa.Column("organisation_id", _id, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("position_debut", _bigint, nullable=False),
    sa.Column("position_fin", _bigint, nullable=False),
    sa.Column("nombre", sa.Integer, nullable=False),
    sa.Column("event_id", sa.String(36), nullable=True),  # one event (push modes)
    sa.Column("destination", sa.String(2048), nullable=True),
    sa.Column("statut", sa.String(16), nullable=False),  # LIVREE, ECHEC, LETTRE_MORTE, LUE
    sa.Column("code", sa.Integer, nullable=True),
    sa.Column("erreur", sa.String(500), nullable=True),
    sa.Column("duree_ms", sa.Float, nullable=True),
    sa.Column("at", _ts, nullable=False, index=True),
)

lettre_morte = sa.Table(
    "lettre_morte",
    metadata,
    sa.Column("id", _id, primary_key=True),
    sa.Column("abonnement_id", _id, nullable=False, index=True),
    sa.Column("position", _bigint, nullable=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("raison", sa.String(500), nullable=False),
    sa.Column("cree_le", _ts, nullable=False),
    # A replay asked: the deliverer sends it again before the rest; then rejouee_le.
    sa.Column("rejeu_demande_le", _ts, nullable=True),
    sa.Column("rejouee_le", _ts, nullable=True),
)
