"""Settings of the matching service: servicekit's, plus its own (prefix TOIT_MATCHING_...)."""

from __future__ import annotations

from pydantic import Field

from servicekit.settings import Settings


class MatchingSettings(Settings):
    # Stock import: size of one file and number of lines (a larger stock is split).
    matching_import_octets_max: int = Field(default=32 * 1024 * 1024, ge=1024)
    matching_import_lignes_max: int = Field(default=100_000, ge=1)
    # Map tiles of the comparateur: none by default (no tile server is called); a URL
    # template such as https://tuiles.example.org/{z}/{x}/{y}.png draws a background.
    matching_tuiles_url: str | None = None
    matching_candidats_par_page_max: int = Field(default=200, ge=1)
