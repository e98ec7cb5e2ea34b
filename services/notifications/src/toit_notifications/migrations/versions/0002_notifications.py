"""Notifications and the registering guichet of each demande.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid, primary_key=True),
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
        sa.Column("tentatives", sa.Integer, nullable=False),
        sa.Column("prochain_essai", _TZ, nullable=True),
        sa.Column("derniere_erreur", sa.String(300), nullable=True),
        sa.Column("creee_le", _TZ, nullable=False),
        sa.Column("envoyee_le", _TZ, nullable=True),
        sa.Column("editee_le", _TZ, nullable=True),
    )
    op.create_index("ix_notification_demande", "notification", ["demande_id", "creee_le"])
    op.create_index("ix_notification_a_envoyer", "notification", ["statut", "prochain_essai"])
    op.create_index("ix_notification_guichet", "notification", ["guichet", "statut", "creee_le"])
    op.create_table(
        "demande_guichet",
        sa.Column("demande_id", sa.Uuid, primary_key=True),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("guichet", sa.String(5), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("demande_guichet")
    op.drop_table("notification")
