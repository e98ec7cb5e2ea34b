"""Partner documentation: one Markdown page per data profile, generated from the schemas.

python -m toit_contracts.profils_doc [--output docs/partenaires]   # (re)write
python -m toit_contracts.profils_doc --check                       # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from toit_contracts.envelope import CONTENT_TYPE
from toit_contracts.examples import example_events
from toit_contracts.profils import (
    COMPLEMENTS,
    PROFILS,
    SOURCE,
    Profil,
    minimiser,
    schema_donnees,
)

DEFAULT_OUTPUT = Path("docs/partenaires")
_HEADER = "<!-- Généré par `python -m toit_contracts.profils_doc` : ne pas modifier. -->\n\n"


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        types = [_type(s) for s in schema["anyOf"] if s.get("type") != "null"]
        return " ou ".join(types) + " (facultatif)"
    if "enum" in schema:
        return (
            "code ("
            + ", ".join(f"`{v}`" for v in schema["enum"][:8])
            + (", …)" if len(schema["enum"]) > 8 else ")")
        )
    if schema.get("type") == "array":
        return f"liste de {_type(schema.get('items', {}))}"
    if schema.get("format"):
        return f"{schema.get('type', '')} ({schema['format']})"
    return str(schema.get("type", "objet"))


def _champs(schema: dict[str, Any], prefix: str = "") -> list[tuple[str, str, str, bool]]:
    rows: list[tuple[str, str, str, bool]] = []
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        inner = next((s for s in sub.get("anyOf", []) if s.get("type") != "null"), sub)
        personal = bool(sub.get("x-donnee-personnelle") or inner.get("x-donnee-personnelle"))
        rows.append((path, _type(sub), sub.get("description", ""), personal))
        if "properties" in inner:
            rows.extend(_champs(inner, f"{path}."))
        elif inner.get("type") == "array" and "properties" in inner.get("items", {}):
            rows.extend(_champs(inner["items"], f"{path}[]."))
    return rows


def _complement_de(path: str) -> str:
    for code, c in COMPLEMENTS.items():
        for chemin in c.champs:
            if path.replace("[]", "") == ".".join(chemin):
                return code
    return ""


def page(p: Profil) -> str:
    lines = [
        _HEADER,
        f"# Profil « {p.code} » v{p.version} — {p.libelle}\n",
        f"{p.description}\n",
        f"- Schéma : `{p.dataschema}` (suivi de `+<complément>` pour chaque complément "
        "accordé), canal `partenaires` de [l'AsyncAPI](../asyncapi.yaml).",
        f"- Enveloppe : CloudEvents 1.0, mode structuré (`{CONTENT_TYPE}`), `source` = "
        f"`{SOURCE}`, `id` stable (dédoublonner dessus), `subject` = identifiant de la "
        "demande, `sequence` = position dans le journal de l'abonnement.",
        "- Ordre : les événements d'une même demande arrivent dans l'ordre de `data.version`.",
        "- `demande.purgee` : supprimer tout ce qui concerne la demande.",
        f"- Rôle requis : l'action « {p.action} » doit être accordée au partenaire.\n",
        "## Compléments sensibles\n",
    ]
    if p.complements:
        for code in p.complements:
            c = COMPLEMENTS[code]
            lines.append(
                f"- `{code}` — {c.libelle}. Accordé seulement si les rôles du partenaire "
                f"permettent « {c.action} »; sans lui, les champs et les valeurs concernés "
                "sont absents."
            )
    else:
        lines.append("Aucun : ce profil ne porte jamais de donnée sensible.")
    lines.append("\n## Champs de `data` par type d'événement\n")
    for event_type in p.evenements:
        schema = schema_donnees(event_type, p, p.complements)
        lines.append(f"### `{event_type}`\n")
        lines.append("| champ | type | signification | donnée personnelle | complément |")
        lines.append("|---|---|---|---|---|")
        for path, typ, desc, personal in _champs(schema):
            desc = desc.replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| `{path}` | {typ} | {desc} | {'oui' if personal else ''} | "
                f"{_complement_de(path)} |"
            )
        lines.append("")
    exemple = example_events()["demande.modifiee"]
    data = minimiser(exemple.model_dump(mode="json"), p)
    lines.append("## Exemple (`demande.modifiee`, sans complément)\n")
    lines.append("```json")
    lines.append(json.dumps(data, indent=2, ensure_ascii=False))
    lines.append("```\n")
    return "\n".join(lines)


def pages() -> dict[str, str]:
    index = [_HEADER, "# Documentation des partenaires abonnés\n"]
    index.append(
        "Modes de livraison, garanties et exemples de consommateurs : "
        "[services/abonnements/README.md](../../services/abonnements/README.md) et "
        "[examples/abonnements/](../../examples/abonnements/).\n"
    )
    out: dict[str, str] = {}
    for p in PROFILS.values():
        name = f"profil-{p.code}-v{p.version}.md"
        out[name] = page(p)
        index.append(f"- [{p.libelle}]({name}) — `{p.dataschema}`")
    out["README.md"] = "\n".join(index) + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toit_contracts.profils_doc")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    output: Path = args.output
    stale = []
    for name, text in pages().items():
        path = output / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            output.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print(
            "pages périmées : "
            + ", ".join(stale)
            + " — régénérez-les avec `python -m toit_contracts.profils_doc`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
