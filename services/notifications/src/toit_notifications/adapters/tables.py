"""Tables of the notifications service (SQLAlchemy Core, PostgreSQL and SQLite)."""

from __future__ import annotations

import sqlalchemy as sa

from servicekit.horodatage import HorodatageUtc

metadata = sa.MetaData()

_TZ = HorodatageUtc()

# One row per (event, recipient, type): the record of every notification, and the
# queue of the sender (emails "en_attente") and of the guichets (courriers "a_editer").
# Holds personal data (address, name, rendered text): deleted on demande.purgee.
notification = sa.Table(
    "notification",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    # sha256 of (event id, type, channel, recipient): at most one notification per key.
    sa.Column("cle", sa.String(64), nullable=False, unique=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(128), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("version_gabarit", sa.Integer, nullable=False),
    sa.Column("canal", sa.String(16), nullable=False),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("demande_id", sa.Uuid, nullable=True),
    sa.Column("compte_id", sa.Uuid, nullable=True),
    sa.Column("departement", sa.String(3), nullable=True),
    sa.Column("guichet", sa.String(5), nullable=True),
    sa.Column("compte_demandeur", sa.String(64), nullable=True),
    sa.Column("numero_unique", sa.String(18), nullable=True),
    sa.Column("destinataire_email", sa.String(254), nullable=True),
    sa.Column("destinataire_nom", sa.String(300), nullable=True),
    sa.Column("destinataire_adresse", sa.Text, nullable=True),
    sa.Column("sujet", sa.Text, nullable=False),
    sa.Column("texte", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("pdf_nom", sa.String(100), nullable=True),
    sa.Column("pdf", sa.LargeBinary, nullable=True),
    sa.Column("message_id", sa.String(128), nullable=False),
    sa.Column("reference_serveur", sa.String(200), nullable=True),
    sa.Column("tentatives", sa.Integer, nullable=False, default=0),
    sa.Column("prochain_essai", _TZ, nullable=True),
    sa.Column("derniere_erreur", sa.String(300), nullable=True),
    sa.Column("creee_le", _TZ, nullable=False),
    sa.Column("envoyee_le", _TZ, nullable=True),
    sa.Column("editee_le", _TZ, nullable=True),
    # Attestation d'enregistrement: last day to send or print it (dépôt + one month).
    sa.Column("echeance", sa.Date, nullable=True),
    sa.Index("ix_notification_demande", "demande_id", "creee_le"),
    sa.Index("ix_notification_a_envoyer", "statut", "prochain_essai"),
    sa.Index("ix_notification_guichet", "guichet", "statut", "creee_le"),
    sa.Index("ix_notification_compte_demandeur", "compte_demandeur"),
    sa.Index("ix_notification_echeance", "echeance"),
)
