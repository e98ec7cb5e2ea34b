"""Reads the data files once: packaged ones, or replacements from an override directory.

Set TOIT_REFERENTIEL_DIR to a directory holding any of the data file names
(communes.json, epci.json, departements.json, plafonds.yaml, delais_anormalement_longs.yaml,
cycle_de_vie.yaml, pieces.yaml, premier_quartile.yaml) to replace them, for a territory
with other figures; files absent from that directory keep the packaged version.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from toit_referentiel.models import ReferentielInvalide
from toit_referentiel.settings import referentiel_dir


def data_path(name: str) -> Path:
    override = referentiel_dir()
    if override:
        candidate = Path(override) / name
        if candidate.is_file():
            return candidate
    return Path(str(files("toit_referentiel") / "data" / name))


def load(name: str) -> Any:
    path = data_path(name)
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ReferentielInvalide(f"{path}: {exc}") from exc


def rows(name: str, key: str, columns: list[str]) -> list[list[Any]]:
    """Rows of a columnar JSON table, checking that its columns are the expected ones."""
    table = load(name)
    if not isinstance(table, dict) or table.get("colonnes") != columns:
        raise ReferentielInvalide(f"{data_path(name)}: colonnes attendues {columns}")
    return list(table[key])
