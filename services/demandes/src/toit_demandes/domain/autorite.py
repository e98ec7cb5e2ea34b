"""Field-level authority over a demande: a role writes only the fields it owns.

The table (field × role → right) is servicekit.authz_fields, beside the role × action
table; the entrypoint binds it to the acting principal into an `Autorite`. This module
says what each right allows on the values, on creation (against the defaults: a field
left at its default is not written) and on modification (against the stored document):
- "ecrire": any valid value;
- "declarer": a claim only: a priority added as DECLAREE (or withdrawn), a dépôt date
  at creation no older than the configured delay;
- no right: the field must keep its value.
Any refusal names the field path and nothing is written (HTTP 403).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from pydantic_core import to_jsonable_python

from servicekit.exceptions import AccesRefuse
from toit_contracts.enums import StatutJustification
from toit_demandes.domain.historique import differences
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.verifications import Erreur

Document = Mapping[str, Any]


@dataclass(frozen=True)
class Autorite:
    """What the acting principal may write."""

    droit: Callable[[str], str | None]  # field → its strongest right ("ecrire", "declarer")
    proprietaires: Callable[[str], list[str]]  # who writes the field fully, in French
    anteriorite_depot_jours: int  # how far back an agent may date a paper form

    @classmethod
    def totale(cls) -> Autorite:
        """A trusted process (bulk import, demo data): every field."""
        return cls(lambda _champ: "ecrire", lambda _champ: [], 0)


class ChampsInterdits(AccesRefuse):
    """Fields the principal may not write (HTTP 403 naming each field, nothing written)."""

    detail = "Vous n'avez pas le droit d'écrire ce champ : rien n'a été enregistré"

    def __init__(self, erreurs: list[Erreur]) -> None:
        super().__init__("; ".join(f"{e.champ} : {e.message}" for e in erreurs))
        self.erreurs = erreurs


CODE = "champ_interdit"
JAMAIS = "champ jamais écrit directement : il change par les actions de la demande"


def jamais_ecrits(champs: list[str]) -> ChampsInterdits:
    return ChampsInterdits([Erreur(champ, JAMAIS, CODE) for champ in champs])


def verifier_autorite(
    autorite: Autorite, avant: Document | None, apres: Document, aujourd_hui: date
) -> None:
    """Raises ChampsInterdits unless the principal may turn `avant` (None: a creation)
    into `apres`; both are the demande's saisie as JSON."""
    creation = avant is None
    base = _defauts() if avant is None else avant
    erreurs: list[Erreur] = []
    for champ in [*apres, *(c for c in base if c not in apres)]:
        if base.get(champ) == apres.get(champ):
            continue
        if champ == "date_depot" and creation and apres.get(champ) in (None, str(aujourd_hui)):
            continue  # today's date is the default one
        droit = autorite.droit(champ)
        if droit == "ecrire":
            continue
        if droit == "declarer" and champ in _DECLARATIONS:
            erreurs += _DECLARATIONS[champ](autorite, base, apres, aujourd_hui, creation)
            continue
        premier = differences(base.get(champ), apres.get(champ), champ)
        erreurs.append(
            Erreur(premier[0].champ if premier else champ, _reserve(autorite, champ), CODE)
        )
    if erreurs:
        raise ChampsInterdits(erreurs)


def decisions_incompletes(avant: Document | None, apres: Document) -> list[Erreur]:
    """A DALO decision is recorded with its reference (the commission de médiation's):
    without it, cotation does not count it. Checked when the decision is written."""
    dalo = apres.get("dalo")
    if dalo is None or dalo.get("reference") or (avant is not None and avant.get("dalo") == dalo):
        return []
    return [
        Erreur(
            "dalo.reference",
            "indiquez la référence de la décision de la commission de médiation DALO",
            "missing",
        )
    ]


def _reserve(autorite: Autorite, champ: str) -> str:
    noms = autorite.proprietaires(champ)
    if not noms:
        return JAMAIS
    if len(noms) == 1:
        return f"seul {noms[0]} peut écrire ce champ"
    return f"seuls {', '.join(noms[:-1])} et {noms[-1]} peuvent écrire ce champ"


def _priorites(
    autorite: Autorite, avant: Document, apres: Document, _aujourd_hui: date, _creation: bool
) -> list[Erreur]:
    """A claim: a category added as DECLAREE, or withdrawn; its status is a decision."""
    statuts = {p["categorie"]: p["statut"] for p in avant.get("priorites") or ()}
    erreurs = []
    for index, priorite in enumerate(apres.get("priorites") or ()):
        ancien = statuts.get(priorite["categorie"])
        if ancien == priorite["statut"]:
            continue
        if ancien is None and priorite["statut"] == StatutJustification.DECLAREE.value:
            continue
        qui = " et ".join(autorite.proprietaires("priorites")) or "l'instruction"
        erreurs.append(
            Erreur(
                f"priorites[{index}].statut",
                f"une priorité s'invoque au statut DECLAREE : seuls {qui} la justifient, "
                "la valident ou la refusent",
                CODE,
            )
        )
    return erreurs


def _date_depot(
    autorite: Autorite, _avant: Document, apres: Document, aujourd_hui: date, creation: bool
) -> list[Erreur]:
    """A paper form received earlier: its date, at creation, within the configured delay."""
    jours = autorite.anteriorite_depot_jours
    valeur = apres.get("date_depot")
    if creation and valeur is not None:
        if aujourd_hui - timedelta(days=jours) <= date.fromisoformat(valeur) <= aujourd_hui:
            return []
    return [
        Erreur(
            "date_depot",
            f"à la création, un agent enregistre la date d'un formulaire papier reçu au plus "
            f"{jours} jours avant ; au-delà, et ensuite, seul le gestionnaire du fichier "
            "corrige la date de dépôt, avec un motif",
            CODE,
        )
    ]


_DECLARATIONS: dict[str, Callable[[Autorite, Document, Document, date, bool], list[Erreur]]] = {
    "priorites": _priorites,
    "date_depot": _date_depot,
}


@cache
def _defauts() -> dict[str, Any]:
    """The saisie's fields that have a default, as JSON: what a creation leaves unwritten."""
    return {
        nom: to_jsonable_python(champ.get_default(call_default_factory=True))
        for nom, champ in DemandeSaisie.model_fields.items()
        if not champ.is_required()
    }
