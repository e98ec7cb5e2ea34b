"""Position as one index-only count, and the average waiting time (issue 15).

The cotations carry the demande's typologie and whether it is compared (kept in step by
the consumer); the attributions of the last twelve months are kept anonymously.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column("cotations", sa.Column("typologie", sa.String(length=12), nullable=True))
    op.add_column(
        "cotations",
        sa.Column("comparable", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        """
        UPDATE cotations SET
          typologie = (SELECT d.typologie FROM demandes d
                       WHERE d.demande_id = cotations.demande_id),
          comparable = COALESCE((SELECT d.statut IN ('ACTIVE', 'EXPIREE_GRACE')
                                 FROM demandes d WHERE d.demande_id = cotations.demande_id
                                 AND d.version > 0), false)
          AND cotations.version > 0
        """
    )
    op.create_index(
        "ix_cotations_position", "cotations", ["epci", "comparable", "typologie", "points"]
    )
    op.create_table(
        "attributions",
        sa.Column("attribution_id", sa.Uuid(), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=False),
        sa.Column("typologie", sa.String(length=12), nullable=False),
        sa.Column("date_signature", sa.Date(), nullable=False),
        sa.Column("delai_jours", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("attribution_id"),
    )
    op.create_index(
        "ix_attributions_similaires", "attributions", ["epci", "typologie", "date_signature"]
    )


def downgrade() -> None:
    op.drop_table("attributions")
    op.drop_index("ix_cotations_position", table_name="cotations")
    op.drop_column("cotations", "comparable")
    op.drop_column("cotations", "typologie")
