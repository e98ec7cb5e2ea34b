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


@dataclass(frozen=True)
class Pivot:
    """A result grouped on two fields as a cross table: rows × columns of one
    figure (None: masked or absent)."""

    titre_lignes: str
    titre_colonnes: str
    lignes: list[Any]
    colonnes: list[Any]
    cellules: dict[tuple[Any, Any], Any]


def pivot(resultat: Resultat, figure: int = 2) -> Pivot | None:
    """Cross table of a two-grouping result on its `figure`-th column (the count)."""
    keys = [c for c in resultat.colonnes if c.type not in ("nombre", "pourcentage")]
    if not resultat.groupe or len(keys) != 2:
        return None
    rows = sorted({line[0] for line in resultat.lignes}, key=lambda v: (v is None, str(v)))
    cols = sorted({line[1] for line in resultat.lignes}, key=lambda v: (v is None, str(v)))
    cells = {(line[0], line[1]): line[figure] for line in resultat.lignes}
    return Pivot(keys[0].libelle, keys[1].libelle, rows, cols, cells)
