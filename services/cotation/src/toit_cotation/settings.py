"""Settings of the cotation service: servicekit's, plus its own (prefix TOIT_COTATION_)."""

from __future__ import annotations

from pydantic import Field

from servicekit.settings import Settings


class CotationSettings(Settings):
    # Bulk re-scoring loop (entrypoints/jobs.py): demandes per batch, per batch while live
    # re-scores keep coming, seconds between polls when idle or after a failed batch, and
    # unpublished events in the outbox above which no batch starts (default 2 batches).
    cotation_recalcul_taille_lot: int = Field(default=250, ge=1)
    cotation_recalcul_taille_lot_direct: int = Field(default=100, ge=1)
    cotation_recalcul_attente_secondes: float = Field(default=1.0, gt=0)
    cotation_recalcul_outbox_max: int | None = Field(default=None, ge=1)
