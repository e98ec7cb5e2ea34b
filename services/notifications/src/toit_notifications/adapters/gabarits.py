"""Jinja2 templates of the notifications: one folder per type and version.

    templates/<type>/v<N>/sujet.txt   subject (one line)
    templates/<type>/v<N>/corps.txt   plain-text part
    templates/<type>/v<N>/corps.html  HTML part (autoescaped)

The highest version is used for new notifications; older folders stay so a
recorded notification can always be traced to the text it was sent with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from toit_notifications.domain.model import date_fr

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
PARIS = ZoneInfo("Europe/Paris")
_VERSION_DIR = re.compile(r"v(\d+)")


@dataclass(frozen=True)
class MessageRendu:
    type: str
    version: int
    sujet: str
    texte: str
    html: str


def date_heure_fr(value: datetime | date | None) -> str:
    """4 mars 2026 à 10 h 30 (heure de Paris)."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return date_fr(value)
    local = value.astimezone(PARIS) if value.tzinfo else value
    return f"{date_fr(local)} à {local.hour} h {local.minute:02d}"


def _environment(root: Path, *, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(root),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_fr"] = date_fr
    env.filters["date_heure_fr"] = date_heure_fr
    return env


class Gabarits:
    """Renders the subject, text and HTML of a notification type."""

    def __init__(self, root: Path = TEMPLATES_DIR) -> None:
        self._texte = _environment(root, html=False)
        self._html = _environment(root, html=True)
        self.versions: dict[str, int] = {}
        for folder in root.iterdir():
            if not folder.is_dir() or folder.name.startswith("_"):
                continue
            numbers = [
                int(m.group(1)) for v in folder.iterdir() if (m := _VERSION_DIR.fullmatch(v.name))
            ]
            if numbers:
                self.versions[folder.name] = max(numbers)

    def rendre(
        self, type_: str, contexte: dict[str, Any], version: int | None = None
    ) -> MessageRendu:
        version = version or self.versions[type_]
        base = f"{type_}/v{version}"
        sujet = self._texte.get_template(f"{base}/sujet.txt").render(contexte)
        return MessageRendu(
            type=type_,
            version=version,
            sujet=" ".join(sujet.split()),
            texte=self._texte.get_template(f"{base}/corps.txt").render(contexte),
            html=self._html.get_template(f"{base}/corps.html").render(contexte),
        )
