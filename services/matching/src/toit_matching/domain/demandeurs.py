"""Matching's own copy of what it needs of a demande (read model), projected from the
snapshot carried by the `demande.*` events. The applicant's contact is never kept (it is
reserved to notifications); birth dates are kept as years only (for the UC scale)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Priorite:
    categorie: str
    statut: str


@dataclass(frozen=True, slots=True)
class DemandeVue:
    demande_id: UUID
    version: int
    departement: str
    statut: str
    numero_unique: str | None
    taille: int
    categorie: int | None
    revenu_fiscal: Decimal | None
    annee_revenu: int | None
    ressources_mensuelles: Decimal | None
    annees_naissance: tuple[int, ...]
    enfants_a_naitre: int
    couple: bool
    personnes_a_charge: int
    typologies: tuple[str, ...]
    communes: tuple[str, ...]
    besoins: tuple[str, ...]
    etage_max: int | None
    dalo: bool
    dalo_prefet: bool
    priorites: tuple[Priorite, ...]
    date_depot: date
    logement_type: str | None
    logement_commune: str | None
    aide_logement: Decimal | None
    loyer_actuel: Decimal | None

    def priorites_validees(self) -> int:
        return sum(1 for p in self.priorites if p.statut == "VALIDEE")

    def priorites_retenues(self) -> int:
        return sum(1 for p in self.priorites if p.statut != "REJETEE")


def _dec(valeur: Any) -> Decimal | None:
    return None if valeur is None else Decimal(str(valeur))


def sans_contact(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot without the applicant's contact (never kept by matching)."""
    return {k: v for k, v in snapshot.items() if k != "contact"}


def projeter(
    demande_id: UUID,
    version: int,
    departement: str,
    statut: str,
    numero_unique: str | None,
    snapshot: dict[str, Any],
) -> DemandeVue:
    """The read-model row of a demande from its snapshot (JSON form)."""
    personnes = snapshot.get("personnes") or []
    recherche = snapshot.get("logement_recherche") or {}
    actuel = snapshot.get("logement_actuel") or {}
    dalo = snapshot.get("dalo")
    a_naitre = int(snapshot.get("enfants_a_naitre") or 0)
    taille = snapshot.get("taille_menage") or (len(personnes) + a_naitre)
    categorie = snapshot.get("categorie_menage")
    return DemandeVue(
        demande_id=demande_id,
        version=version,
        departement=departement,
        statut=statut,
        numero_unique=numero_unique,
        taille=int(taille),
        categorie=None if categorie is None else int(categorie),
        revenu_fiscal=_dec(snapshot.get("revenu_fiscal_reference")),
        annee_revenu=snapshot.get("annee_revenu_fiscal"),
        ressources_mensuelles=_dec(snapshot.get("ressources_mensuelles_totales")),
        annees_naissance=tuple(int(str(p["date_naissance"])[:4]) for p in personnes),
        enfants_a_naitre=a_naitre,
        # A couple: a codemandeur who is the partner (snapshot v2: several codemandeurs,
        # relatives among them, and colocataires, who are not a couple).
        couple=any(
            p.get("role") == "CODEMANDEUR" and p.get("lien") in (None, "CONJOINT")
            for p in personnes
        ),
        personnes_a_charge=sum(1 for p in personnes if p.get("a_charge")) + a_naitre,
        typologies=tuple(recherche.get("typologies") or ()),
        communes=tuple(recherche.get("communes") or ()),
        besoins=tuple(recherche.get("besoins_accessibilite") or ()),
        etage_max=recherche.get("etage_max"),
        dalo=dalo is not None and dalo.get("type") == "LOGEMENT",
        dalo_prefet=bool(dalo and dalo.get("designe_par_prefet")),
        priorites=tuple(
            Priorite(str(p["categorie"]), str(p["statut"])) for p in snapshot.get("priorites") or ()
        ),
        date_depot=date.fromisoformat(str(snapshot["date_depot_initial"])),
        logement_type=actuel.get("type"),
        logement_commune=actuel.get("commune"),
        aide_logement=_dec(actuel.get("aide_logement_mensuelle")),
        loyer_actuel=_dec(actuel.get("loyer_mensuel")),
    )


def champs_recherche(vue: DemandeVue) -> dict[str, Any]:
    """What the search's SQL reads of a demande, copied on each of its wished communes
    (the filters and the ranking of `domain.recherche`, as columns)."""
    return {
        "besoins": "|" + "|".join(vue.besoins) + "|",
        "etage_max": vue.etage_max,
        "ressources": vue.ressources_mensuelles,
        "couple": vue.couple,
        "a_charge": vue.personnes_a_charge,
        "personnes": len(vue.annees_naissance),
        "a_naitre": vue.enfants_a_naitre,
        "autres_naissances": list(vue.annees_naissance[1:]),
        "dalo": vue.dalo,
        "priorites_validees": vue.priorites_validees(),
        "priorites_retenues": vue.priorites_retenues(),
        "date_depot": vue.date_depot,
    }


def vue_en_json(vue: DemandeVue) -> dict[str, Any]:
    """The projected row as stored (JSON column)."""
    return {
        "taille": vue.taille,
        "categorie": vue.categorie,
        "revenu_fiscal": None if vue.revenu_fiscal is None else str(vue.revenu_fiscal),
        "annee_revenu": vue.annee_revenu,
        "ressources_mensuelles": None
        if vue.ressources_mensuelles is None
        else str(vue.ressources_mensuelles),
        "annees_naissance": list(vue.annees_naissance),
        "enfants_a_naitre": vue.enfants_a_naitre,
        "couple": vue.couple,
        "personnes_a_charge": vue.personnes_a_charge,
        "typologies": list(vue.typologies),
        "communes": list(vue.communes),
        "besoins": list(vue.besoins),
        "etage_max": vue.etage_max,
        "dalo": vue.dalo,
        "dalo_prefet": vue.dalo_prefet,
        "priorites": [[p.categorie, p.statut] for p in vue.priorites],
        "date_depot": vue.date_depot.isoformat(),
        "logement_type": vue.logement_type,
        "logement_commune": vue.logement_commune,
        "aide_logement": None if vue.aide_logement is None else str(vue.aide_logement),
        "loyer_actuel": None if vue.loyer_actuel is None else str(vue.loyer_actuel),
    }


def vue_de_json(
    demande_id: UUID,
    version: int,
    departement: str,
    statut: str,
    numero_unique: str | None,
    v: dict[str, Any],
) -> DemandeVue:
    return DemandeVue(
        demande_id=demande_id,
        version=version,
        departement=departement,
        statut=statut,
        numero_unique=numero_unique,
        taille=v["taille"],
        categorie=v["categorie"],
        revenu_fiscal=_dec(v["revenu_fiscal"]),
        annee_revenu=v["annee_revenu"],
        ressources_mensuelles=_dec(v["ressources_mensuelles"]),
        annees_naissance=tuple(v["annees_naissance"]),
        enfants_a_naitre=v["enfants_a_naitre"],
        couple=v["couple"],
        personnes_a_charge=v["personnes_a_charge"],
        typologies=tuple(v["typologies"]),
        communes=tuple(v["communes"]),
        besoins=tuple(v["besoins"]),
        etage_max=v["etage_max"],
        dalo=v["dalo"],
        dalo_prefet=v["dalo_prefet"],
        priorites=tuple(Priorite(c, s) for c, s in v["priorites"]),
        date_depot=date.fromisoformat(v["date_depot"]),
        logement_type=v["logement_type"],
        logement_commune=v["logement_commune"],
        aide_logement=_dec(v["aide_logement"]),
        loyer_actuel=_dec(v["loyer_actuel"]),
    )
