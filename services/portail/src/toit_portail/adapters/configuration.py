"""Reads the portals' configuration file (YAML, bounded loader) once per path."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from servicekit.input_guard import load_yaml
from toit_portail.domain.departements import ConfigurationInvalide, Portails, lire_portails

EXEMPLE = Path(str(resources.files("toit_portail") / "portails.yaml"))


@cache
def portails(chemin: Path | None = None, defaut: str | None = None) -> Portails:
    """The installation's portals; ConfigurationInvalide names the file and the key."""
    fichier = chemin or EXEMPLE
    try:
        document = load_yaml(fichier.read_text(encoding="utf-8"))
        if defaut:
            document = {**document, "defaut": defaut}
        return lire_portails(document)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigurationInvalide(f"{fichier} : {exc}") from None
