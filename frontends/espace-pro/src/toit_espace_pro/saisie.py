"""The demande form: HTML field names are the API's field paths (`demandeur.nom_naissance`,
`occupants[0].prenoms`), so the API's French validation errors land on their fields.

Pure functions: form data -> JSON payload, demande JSON -> form values.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from toit_ui.formulaires import erreurs_api

from toit_contracts.enums import (
    BesoinAccessibilite,
    Civilite,
    LienParente,
    MotifDemande,
    Nationalite,
    PublicPrioritaire,
    SituationFamiliale,
    SituationProfessionnelle,
    StatutJustification,
    TypeDecisionDalo,
    TypeLogementActuel,
    TypeLogementRecherche,
    TypeRessource,
    Typologie,
)

OCCUPANTS = 4
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def options(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in enum]


OPTIONS = {
    "civilite": options(Civilite),
    "nationalite": options(Nationalite),
    "situation_familiale": options(SituationFamiliale),
    "situation_professionnelle": options(SituationProfessionnelle),
    "lien": options(LienParente),
    "logement_actuel": options(TypeLogementActuel),
    "logement_recherche": options(TypeLogementRecherche),
    "typologie": options(Typologie),
    "ressource": options(TypeRessource),
    "motif": options(MotifDemande),
    "priorite": options(PublicPrioritaire),
    "statut_priorite": options(StatutJustification),
    "dalo": options(TypeDecisionDalo),
    "adaptation": options(BesoinAccessibilite),
    "nature_handicap": [
        ("MOTEUR", "Moteur"),
        ("SENSORIEL", "Sensoriel"),
        ("PSYCHIQUE", "Psychique"),
        ("MENTAL", "Mental"),
        ("AUTRE", "Autre"),
    ],
}

# Every simple field of the form: path -> kind (text, date, money, int, bool).
CHAMPS: dict[str, str] = {
    "departement": "text",
    "demandeur.civilite": "text",
    "demandeur.nom_naissance": "text",
    "demandeur.nom_usage": "text",
    "demandeur.prenoms": "text",
    "demandeur.date_naissance": "date",
    "demandeur.lieu_naissance": "text",
    "demandeur.nir": "text",
    "demandeur.nationalite": "text",
    "demandeur.situation_familiale": "text",
    "demandeur.email": "text",
    "demandeur.telephone": "text",
    "demandeur.adresse.ligne1": "text",
    "demandeur.adresse.code_postal": "text",
    "demandeur.adresse.commune": "text",
    "demandeur.adresse.commune_insee": "text",
    "demandeur.courrier_papier": "bool",
    "demandeur.titre_sejour.type": "text",
    "demandeur.titre_sejour.valide_jusqu_au": "date",
    "codemandeurs[0].civilite": "text",
    "codemandeurs[0].nom_naissance": "text",
    "codemandeurs[0].prenoms": "text",
    "codemandeurs[0].date_naissance": "date",
    "codemandeurs[0].nationalite": "text",
    "codemandeurs[0].lien": "text",
    "enfants_a_naitre": "int",
    "situation_professionnelle.demandeur": "text",
    "situation_professionnelle.profession_demandeur": "text",
    "codemandeurs[0].situation_professionnelle": "text",
    "ressources[0].type": "text",
    "ressources[0].montant_mensuel": "money",
    "ressources[1].type": "text",
    "ressources[1].montant_mensuel": "money",
    "revenu_fiscal_reference[0].annee": "int",
    "revenu_fiscal_reference[0].montant": "money",
    "logement_actuel.type": "text",
    "logement_actuel.commune_insee": "text",
    "logement_actuel.loyer_mensuel": "money",
    "logement_actuel.nombre_pieces": "int",
    "logement_actuel.procedure_expulsion": "bool",
    "logement_actuel.non_decent": "bool",
    "motifs[0].code": "text",
    "logement_recherche.type": "text",
    "logement_recherche.loyer_max_mensuel": "money",
    "logement_recherche.etage_max": "int",
}
for _i in range(OCCUPANTS):
    CHAMPS |= {
        f"occupants[{_i}].prenoms": "text",
        f"occupants[{_i}].nom": "text",
        f"occupants[{_i}].date_naissance": "date",
        f"occupants[{_i}].lien": "text",
        f"occupants[{_i}].a_charge": "bool",
    }
LISTES = (
    "logement_recherche.typologies",
    "logement_recherche.communes",
    "complement_handicap[0].nature",
    "complement_handicap[0].adaptations",
)
# Filled in at creation only (the creation form says so with `complements=oui`): the
# complément handicap, the DALO decision and the priorities, each written by the roles
# servicekit/authz_fields.py names (the form offers what the user's roles may write).
COMPLEMENTS: dict[str, str] = {
    "complement_handicap[0].personne": "text",
    "complement_handicap[0].carte_invalidite": "bool",
    "complement_handicap[0].fauteuil_roulant": "bool",
    "complement_handicap[0].decision_mdph": "bool",
    "dalo.type": "text",
    "dalo.date_decision": "date",
    "dalo.reference": "text",
    "dalo.designe_par_prefet": "bool",
}
PRIORITE = "priorites."  # one select per category: priorites.A = "DECLAREE"


def _tokens(path: str) -> list[str | int]:
    return [int(i) if i else name for name, i in _TOKEN.findall(path)]


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    tokens = _tokens(path)
    node: Any = target
    for token, following in itertools.pairwise(tokens):
        if isinstance(token, int):
            while len(node) <= token:
                node.append({} if not isinstance(following, int) else [])
            node = node[token]
        else:
            node = node.setdefault(token, [] if isinstance(following, int) else {})
    last = tokens[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def _get(source: Mapping[str, Any] | None, path: str) -> Any:
    node: Any = source
    for token in _tokens(path):
        if node is None:
            return None
        if isinstance(token, int):
            node = node[token] if isinstance(node, list) and len(node) > token else None
        else:
            node = node.get(token) if isinstance(node, Mapping) else None
    return node


def _clean(value: str) -> str:
    return value.strip()


def payload(form: Mapping[str, Any], listes: Mapping[str, list[str]]) -> dict[str, Any]:
    """The JSON body of POST /api/demandes (or of a merge patch) from the form's fields.
    Empty fields are left out (the API says which are missing); empty people and rows
    are dropped."""
    body: dict[str, Any] = {}
    _remplir(body, form, CHAMPS)
    typologies = [t for t in listes.get("logement_recherche.typologies", []) if t]
    communes_brut = ",".join(listes.get("logement_recherche.communes", []))
    communes = [c.strip() for c in re.split(r"[,;\s]+", communes_brut) if c.strip()]
    body.setdefault("logement_recherche", {})
    body["logement_recherche"]["typologies"] = typologies
    body["logement_recherche"]["communes"] = communes
    # Drop the optional blocks left empty.
    # The form edits the first codemandeur (the API holds several: see merge_patch).
    body["codemandeurs"] = [c for c in body.get("codemandeurs", []) if c and c.get("nom_naissance")]
    body["occupants"] = [
        o for o in body.get("occupants", []) if o and (o.get("prenoms") or o.get("nom"))
    ]
    body["ressources"] = [
        dict(r, personne="demandeur")
        for r in body.get("ressources", [])
        if r and r.get("montant_mensuel")
    ]
    body["revenu_fiscal_reference"] = [
        dict(r, personne="demandeur")
        for r in body.get("revenu_fiscal_reference", [])
        if r and r.get("montant")
    ]
    body["motifs"] = [
        dict(m, principal=True) for m in body.get("motifs", []) if m and m.get("code")
    ]
    adresse = body.get("demandeur", {}).get("adresse")
    if adresse is not None and not adresse.get("ligne1") and not adresse.get("code_postal"):
        body["demandeur"].pop("adresse")
    titre = body.get("demandeur", {}).get("titre_sejour")
    if titre is not None and not titre.get("type"):
        body["demandeur"].pop("titre_sejour")
    if form.get("complements") == "oui":
        body |= complements(form, listes)
    return body


def _remplir(body: dict[str, Any], form: Mapping[str, Any], champs: Mapping[str, str]) -> None:
    for path, kind in champs.items():
        raw = form.get(path)
        if kind == "bool":
            _set(body, path, raw in ("oui", "on", "true"))
            continue
        if raw is None or not isinstance(raw, str) or not _clean(raw):
            continue
        value: Any = _clean(raw)
        if kind == "money":
            value = value.replace("\u202f", "").replace(" ", "").replace(",", ".")
        elif kind == "int":
            value = int(value) if value.lstrip("-").isdigit() else value
        _set(body, path, value)


def complements(form: Mapping[str, Any], listes: Mapping[str, list[str]]) -> dict[str, Any]:
    """The complément handicap, DALO decision and priorities of the creation form; blocks
    left empty are left out (so that a role that may not write them sends nothing)."""
    body: dict[str, Any] = {}
    _remplir(body, form, COMPLEMENTS)
    handicap = body.get("complement_handicap", [{}])[0]
    if handicap.get("personne"):
        handicap["nature"] = [n for n in listes.get("complement_handicap[0].nature", []) if n]
        handicap["adaptations"] = [
            a for a in listes.get("complement_handicap[0].adaptations", []) if a
        ]
        body["complement_handicap"] = [handicap]
    else:
        body.pop("complement_handicap", None)
    if not body.get("dalo", {}).get("type"):
        body.pop("dalo", None)
    priorites = [
        {"categorie": code, "statut": form[PRIORITE + code]}
        for code, _ in OPTIONS["priorite"]
        if isinstance(form.get(PRIORITE + code), str) and form[PRIORITE + code]
    ]
    if priorites:
        body["priorites"] = priorites
    return body


def champ_priorite(champ: str, body: Mapping[str, Any]) -> str:
    """The form field of an API error on a priority: priorites[1].statut -> priorites.E."""
    match = re.match(r"^priorites\[(\d+)\]", champ)
    priorites = body.get("priorites") or []
    if match and int(match.group(1)) < len(priorites):
        return PRIORITE + str(priorites[int(match.group(1))]["categorie"])
    return champ


def valeurs(demande: Mapping[str, Any] | None) -> dict[str, Any]:
    """Form values (path -> value) of a demande as the API returns it."""
    found: dict[str, Any] = {}
    if not demande:
        return found
    for path in CHAMPS:
        value = _get(demande, path)
        if value is not None:
            found[path] = value
    for path in LISTES:
        found[path] = _get(demande, path) or []
    return found


def merge_patch(avant: Mapping[str, Any], apres: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7396 patch turning `avant` into `apres` for the keys the form edits."""
    patch: dict[str, Any] = {}
    for key, value in apres.items():
        old = avant.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            sub = merge_patch(old, value)
            if sub:
                patch[key] = sub
        elif value != old:
            patch[key] = value
    return patch


def garder_les_autres_codemandeurs(
    patch: dict[str, Any], demande: Mapping[str, Any]
) -> dict[str, Any]:
    """The form edits the first codemandeur only: a patch of the list keeps the others the
    demande has (the API holds several; a merge patch replaces a whole list)."""
    if "codemandeurs" in patch:
        autres = list(demande.get("codemandeurs") or [])[1:]
        patch = {**patch, "codemandeurs": [*(patch["codemandeurs"] or [])[:1], *autres]}
    return patch


# The API's 422 `erreurs` as the error summary's entries (shared with every screen package).
erreurs = erreurs_api


LIBELLES: dict[str, str] = {
    "departement": "Département",
    "demandeur.civilite": "Civilité",
    "demandeur.nom_naissance": "Nom de naissance",
    "demandeur.nom_usage": "Nom d'usage",
    "demandeur.prenoms": "Prénoms",
    "demandeur.date_naissance": "Date de naissance",
    "demandeur.lieu_naissance": "Lieu de naissance",
    "demandeur.nir": "Numéro de sécurité sociale",
    "demandeur.nationalite": "Nationalité",
    "demandeur.situation_familiale": "Situation familiale",
    "demandeur.email": "Courriel",
    "demandeur.telephone": "Téléphone",
    "demandeur.adresse.ligne1": "Adresse",
    "demandeur.adresse.code_postal": "Code postal",
    "demandeur.adresse.commune": "Commune",
    "demandeur.adresse.commune_insee": "Code INSEE de la commune",
    "demandeur.titre_sejour.type": "Titre de séjour",
    "demandeur.titre_sejour.valide_jusqu_au": "Titre de séjour valide jusqu'au",
    "complement_handicap[0].personne": "Personne concernée par le handicap",
    "complement_handicap[0].nature": "Nature du handicap",
    "complement_handicap[0].adaptations": "Adaptations nécessaires",
    "dalo": "Décision DALO",
    "dalo.type": "Décision DALO",
    "dalo.date_decision": "Date de la décision DALO",
    "dalo.reference": "Référence de la décision DALO",
    "priorites": "Priorités",
    "codemandeurs[0].civilite": "Civilité du codemandeur",
    "codemandeurs[0].nom_naissance": "Nom de naissance du codemandeur",
    "codemandeurs[0].prenoms": "Prénoms du codemandeur",
    "codemandeurs[0].date_naissance": "Date de naissance du codemandeur",
    "codemandeurs[0].nationalite": "Nationalité du codemandeur",
    "codemandeurs[0].lien": "Lien avec le demandeur",
    "enfants_a_naitre": "Enfants à naître",
    "situation_professionnelle.demandeur": "Situation professionnelle du demandeur",
    "situation_professionnelle.profession_demandeur": "Profession",
    "codemandeurs[0].situation_professionnelle": "Situation professionnelle du codemandeur",
    "ressources[0].type": "Type de ressource",
    "ressources[0].montant_mensuel": "Montant mensuel",
    "ressources[1].type": "Type de la deuxième ressource",
    "ressources[1].montant_mensuel": "Montant mensuel de la deuxième ressource",
    "revenu_fiscal_reference[0].annee": "Année du revenu fiscal",
    "revenu_fiscal_reference[0].montant": "Revenu fiscal de référence",
    "logement_actuel.type": "Logement actuel",
    "logement_actuel.commune_insee": "Commune du logement actuel (code INSEE)",
    "logement_actuel.loyer_mensuel": "Loyer mensuel actuel",
    "logement_actuel.nombre_pieces": "Nombre de pièces",
    "motifs[0].code": "Motif principal",
    "logement_recherche.typologies": "Typologies recherchées",
    "logement_recherche.communes": "Communes souhaitées",
    "logement_recherche.type": "Type de logement",
    "logement_recherche.loyer_max_mensuel": "Loyer maximum",
    "logement_recherche.etage_max": "Étage maximum",
}
LIBELLES |= {PRIORITE + code: f"Priorité {code}" for code, _ in OPTIONS["priorite"]}
for _i in range(OCCUPANTS):
    LIBELLES |= {
        f"occupants[{_i}].prenoms": f"Prénoms de l'occupant {_i + 1}",
        f"occupants[{_i}].nom": f"Nom de l'occupant {_i + 1}",
        f"occupants[{_i}].date_naissance": f"Date de naissance de l'occupant {_i + 1}",
        f"occupants[{_i}].lien": f"Lien de l'occupant {_i + 1}",
    }
