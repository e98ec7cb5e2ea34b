"""A list's result: columns, rows, the total and what the secret masked (pure)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Colonne:
    nom: str
    libelle: str
    type: str


@dataclass
class Resultat:
    colonnes: list[Colonne]
    lignes: list[list[Any]]
    # Rows matching (lists), or households counted (grouped).
    total: int
    groupe: bool
    nominatif: bool = False
    # Cells masked by the small-cell rule (primary and secondary).
    cellules_masquees: int = 0
    # Indexes of the rows whose figures are masked.
    lignes_masquees: list[int] = field(default_factory=list)
    tronque: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resultat:
        return cls(
            colonnes=[Colonne(**c) for c in data["colonnes"]],
            lignes=data["lignes"],
            total=data["total"],
            groupe=data["groupe"],
            nominatif=data.get("nominatif", False),
            cellules_masquees=data.get("cellules_masquees", 0),
            lignes_masquees=data.get("lignes_masquees", []),
            tronque=data.get("tronque", False),
            notes=data.get("notes", []),
        )
