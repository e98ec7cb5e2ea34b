"""Settings of the observatoire (environment variables, prefix TOIT_OBSERVATOIRE_ for
its own ones)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from servicekit.settings import Settings


class ObservatoireSettings(Settings):
    # Event archive (RabbitMQ stream). Retention: by age (RabbitMQ syntax: 3650D,
    # 12M, 10Y) and by size; whichever is reached first removes whole segments.
    observatoire_archive_max_age: str = "3650D"
    observatoire_archive_max_bytes: int = Field(default=50_000_000_000, ge=1_000_000)
    observatoire_archive_segment_bytes: int = Field(default=100_000_000, ge=100_000)
    # Projections: events applied per transaction, and how long a read waits.
    observatoire_projection_batch: int = Field(default=1000, ge=1, le=20_000)
    observatoire_projection_wait: float = Field(default=1.0, gt=0)
    # Small cells: counts below this are masked in aggregate views (primer §12).
    observatoire_seuil_secret: int = Field(default=5, ge=1)
    # Result rows a list returns at most (and stores).
    observatoire_lignes_max: int = Field(default=10_000, ge=1)
    # Where the espace professionnel is reached: the link of a list sent by email.
    observatoire_public_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://")
    # Fiches territoriales made by the daily job for the last complete month: one per
    # département, and per EPCI when "epci" is listed (empty: none).
    observatoire_fiches_niveaux: tuple[Literal["departement", "epci"], ...] = ("departement",)
