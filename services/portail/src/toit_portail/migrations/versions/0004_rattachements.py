"""Attempts to attach a guichet demande to a portal account (issue 15).

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "rattachements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("compte_id", sa.String(length=64), nullable=False),
        sa.Column("numero_empreinte", sa.String(length=64), nullable=False),
        sa.Column("sel", sa.LargeBinary(length=16), nullable=False),
        sa.Column("code_empreinte", sa.String(length=64), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expire_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("essais", sa.Integer(), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=True),
        sa.Column("confirmee_le", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rattachements_compte", "rattachements", ["compte_id", "cree_le"])
    op.create_index("ix_rattachements_numero", "rattachements", ["numero_empreinte", "cree_le"])


def downgrade() -> None:
    op.drop_table("rattachements")
