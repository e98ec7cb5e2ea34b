"""The SNE data of the attribution that radiated a demande (issue 17): one row per demande
radiated with motif attribution, written with the radiation from matching's
`attribution.prononcee`.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "demande_attributions",
        sa.Column(
            "demande_id",
            sa.Uuid,
            sa.ForeignKey("demandes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("attribution_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("date_signature_bail", sa.Date, nullable=False),
        sa.Column("donnees", sa.JSON, nullable=False),
        sa.Column("recu_le", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("demande_attributions")
