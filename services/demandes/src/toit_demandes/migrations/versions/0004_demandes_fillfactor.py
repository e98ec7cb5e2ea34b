"""Room on each page of `demandes` for the next version of its rows.

A modification changes the document, the version and the date, never an indexed column: with
free space on the row's page, PostgreSQL writes it as a HOT update (no entry in any of the
table's indexes, far less WAL). Bulk-loaded pages are full otherwise. Applies to the pages
written from now on.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE demandes SET (fillfactor = 75)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE demandes RESET (fillfactor)")
