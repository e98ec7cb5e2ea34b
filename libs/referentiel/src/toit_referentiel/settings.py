"""The one setting of the referentiel: TOIT_REFERENTIEL_DIR, a folder whose files replace the
packaged ones of the same name (a département's own configuration)."""

from __future__ import annotations

import os

OVERRIDE_ENV = "TOIT_REFERENTIEL_DIR"


def referentiel_dir() -> str | None:
    return os.environ.get(OVERRIDE_ENV) or None
