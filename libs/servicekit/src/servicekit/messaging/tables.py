"""Tables every service database holds for reliable messaging."""

from __future__ import annotations

import sqlalchemy as sa

from servicekit.horodatage import HorodatageUtc

messaging_metadata = sa.MetaData()

# Events written in the same transaction as the state change they describe.
outbox = sa.Table(
    "outbox",
    messaging_metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_type", sa.String(128), nullable=False),
    sa.Column("envelope", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index(
        "ix_outbox_pending",
        "id",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    ),
)

# Events a consumer has applied: recorded in the same transaction as the effects.
inbox = sa.Table(
    "inbox",
    messaging_metadata,
    sa.Column("consumer", sa.String(128), primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
)

# Highest version seen per entity and consumer, to drop stale or reordered copies.
entity_version = sa.Table(
    "entity_version",
    messaging_metadata,
    sa.Column("consumer", sa.String(128), primary_key=True),
    sa.Column("entity", sa.String(64), primary_key=True),
    sa.Column("subject", sa.String(128), primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
)

# Who looked at which nominative record, when and why (servicekit.audit): every
# service that owns nominative data records each read here (primer §12).
consultation = sa.Table(
    "consultation",
    messaging_metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("consulted_at", HorodatageUtc(), nullable=False),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("account_kind", sa.String(16), nullable=False),
    sa.Column("organisation_id", sa.String(64), nullable=True),
    sa.Column("roles", sa.String(512), nullable=False),
    sa.Column("record_type", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(128), nullable=False),
    sa.Column("departement", sa.String(3), nullable=True),
    sa.Column("reason", sa.String(500), nullable=True),
    sa.Index("ix_consultation_record", "record_type", "record_id", "consulted_at"),
    sa.Index("ix_consultation_account", "account_id", "consulted_at"),
    sa.Index("ix_consultation_time", "consulted_at"),
)
