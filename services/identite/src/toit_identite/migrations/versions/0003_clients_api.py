"""API clients of partner organisations (OAuth2 client credentials).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "client_api",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column(
            "organisation_id",
            sa.String(36),
            sa.ForeignKey("organisation.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("nom", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("secret_precedent_hash", sa.String(64), nullable=True),
        sa.Column("secret_precedent_jusqu_a", _ts, nullable=True),
        sa.Column("cree_le", _ts, nullable=False),
        sa.Column("cree_par", sa.String(36), nullable=True),
        sa.Column("revoque_le", _ts, nullable=True),
        sa.Column("derniere_utilisation", _ts, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("client_api")
