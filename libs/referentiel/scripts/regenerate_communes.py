"""Regenerate the commune, EPCI and département files of toit_referentiel.

Installs the exact npm release of `@etalab/decoupage-administratif` into a temporary
directory, keeps the current communes (type COM) of the territory's départements and
writes compact, sorted, deterministic JSON files (one record per line, so a new
release gives a readable diff).

    uv run python libs/referentiel/scripts/regenerate_communes.py

Needs `npm` on the PATH and access to the npm registry.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
LICENCE = "MIT"
DEPARTEMENTS = ("22", "29", "35", "44", "49", "53", "56", "72", "85")
DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "toit_referentiel" / "data"


def install_package(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "install", "--no-save", "--no-audit", "--no-fund", f"{PACKAGE}@{VERSION}"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    package_dir = workdir / "node_modules" / PACKAGE
    installed = json.loads((package_dir / "package.json").read_text())["version"]
    if installed != VERSION:
        raise SystemExit(f"expected {PACKAGE}@{VERSION}, npm installed {installed}")
    return package_dir / "data"


def header(description: str, columns: list[str]) -> dict[str, Any]:
    return {
        "source": f"npm {PACKAGE}@{VERSION}",
        "licence": LICENCE,
        "territoire": list(DEPARTEMENTS),
        "description": description,
        "colonnes": columns,
    }


def write_table(path: Path, head: dict[str, Any], key: str, rows: list[list[Any]]) -> None:
    """JSON with one row per line: compact yet diff-friendly."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    fields = [f" {dump(name)}: {dump(value)}," for name, value in head.items()]
    body = ",\n".join(dump(row) for row in rows)
    path.write_text("{\n" + "\n".join(fields) + f'\n "{key}": [\n{body}\n]}}\n', encoding="utf-8")


def build(source: Path) -> dict[str, tuple[dict[str, Any], str, list[list[Any]]]]:
    communes = [
        c
        for c in json.loads((source / "communes.json").read_text())
        if c["type"] == "commune-actuelle" and c.get("departement") in DEPARTEMENTS
    ]
    codes = {c["code"] for c in communes}
    epci_of_commune: dict[str, str] = {}
    epci_rows: list[list[Any]] = []
    for epci in json.loads((source / "epci.json").read_text()):
        members = [m["code"] for m in epci["membres"] if m["code"] in codes]
        if not members:
            continue
        epci_rows.append([epci["code"], epci["nom"], epci["type"], len(epci["membres"])])
        for code in members:
            epci_of_commune[code] = epci["code"]
    commune_rows = [
        [
            c["code"],
            c["nom"],
            sorted(c["codesPostaux"]),
            c["population"],
            epci_of_commune.get(c["code"]),
        ]
        for c in communes
    ]
    departement_rows = [
        [d["code"], d["nom"], d["region"], d["chefLieu"]]
        for d in json.loads((source / "departements.json").read_text())
        if d["code"] in DEPARTEMENTS
    ]
    return {
        "communes.json": (
            header(
                "Communes actuelles (type COM), hors communes déléguées ou associées; "
                "epci = SIREN de l'EPCI à fiscalité propre, null pour les îles hors EPCI",
                ["insee", "nom", "codes_postaux", "population", "epci"],
            ),
            "communes",
            sorted(commune_rows),
        ),
        "epci.json": (
            header(
                "EPCI à fiscalité propre ayant au moins une commune du territoire; "
                "nombre_membres compte aussi les communes hors territoire",
                ["siren", "nom", "nature", "nombre_membres"],
            ),
            "epci",
            sorted(epci_rows),
        ),
        "departements.json": (
            header("Départements du territoire", ["code", "nom", "region", "chef_lieu"]),
            "departements",
            sorted(departement_rows),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="decoupage-") as workdir:
        source = install_package(Path(workdir))
        tables = build(source)
    for name, (head, key, rows) in tables.items():
        write_table(args.output / name, head, key, rows)
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
