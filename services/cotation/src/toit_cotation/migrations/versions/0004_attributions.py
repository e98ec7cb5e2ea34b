"""Attributions from matching, for the average waiting time (issue 17).

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "attributions",
        sa.Column("attribution_id", sa.Uuid(), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=False),
        sa.Column("typologie", sa.String(length=16), nullable=False),
        sa.Column("date_signature", sa.Date(), nullable=False),
        sa.Column("delai_jours", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("attribution_id"),
    )
    op.create_index(
        "ix_attributions_delai", "attributions", ["epci", "typologie", "date_signature"]
    )


def downgrade() -> None:
    op.drop_index("ix_attributions_delai", table_name="attributions")
    op.drop_table("attributions")
