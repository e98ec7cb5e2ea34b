"""Settings of the portail: servicekit's, plus its portals' configuration (TOIT_PORTAIL_...).

The packaged configuration (`portails.yaml`) is an example: its contacts and guichets
are not the départements' real ones; an installation points
TOIT_PORTAIL_CONFIGURATION at its own file."""

from __future__ import annotations

from pathlib import Path

from servicekit.settings import Settings


class PortailSettings(Settings):
    portail_configuration: Path | None = None
    # The département shown at "/" when no host name matches (else the file's `defaut`).
    portail_departement_code: str | None = None
