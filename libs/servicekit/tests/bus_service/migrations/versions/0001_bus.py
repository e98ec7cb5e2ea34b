"""Messaging tables and the test effect tables.

Revision ID: 0001
"""

from alembic import op

from servicekit.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    from bus_service import metadata

    create_messaging_tables(op)
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    drop_messaging_tables(op)
