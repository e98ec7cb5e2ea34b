"""Data profiles of partner subscriptions (services/abonnements, primer §12).

A partner organisation never receives an internal event as it is: each subscription has
a *profile* that decides which fields its events carry (an allow-list, never a deny-list),
and *complements* that add sensitive data (handicap, violences) only when the partner's
role may read them. The minimised payload has its own versioned JSON Schema per profile,
published in the AsyncAPI document (`partenaires` channel) and on the partner pages.

    profil = PROFILS["bailleur"]
    data = minimiser(envelope.data, profil, complements={"handicap"})
    schema = schema_donnees("demande.modifiee", profil, {"handicap"})

Pure: no I/O, no framework beyond pydantic (for the source schemas).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from toit_contracts.enums import MotifDemande, PublicPrioritaire
from toit_contracts.events import (
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePurgee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvelee,
    IntegrationEvent,
)

# An allow-list: key -> True (the whole value) or a nested allow-list (the object, or each
# object of a list, reduced to these keys).
Champs = Mapping[str, "bool | Champs"]
Chemin = tuple[str, ...]

EVENEMENTS_PARTENAIRES: dict[str, type[IntegrationEvent]] = {
    cls.event_type: cls
    for cls in (
        DemandeCreee,
        DemandeEnregistree,
        DemandeModifiee,
        DemandeRenouvelee,
        DemandeRadiee,
        DemandeReactivee,
        DemandePurgee,
    )
}
"""The internal events a partner may subscribe to (`demande.purgee` tells it to delete)."""

SOURCE = "/toit/abonnements"


@dataclass(frozen=True)
class Complement:
    """Sensitive data added to a profile only for partners whose role may read it."""

    code: str
    libelle: str
    action: str  # servicekit.authz action the partner's role must grant
    champs: tuple[Chemin, ...] = ()
    # Values of enumerated fields (path of the value) present only with this complement.
    valeurs: Mapping[Chemin, frozenset[str]] = field(default_factory=dict)


_MOTIFS_SANTE = frozenset(
    {MotifDemande.HANDICAP, MotifDemande.RAISONS_DE_SANTE, MotifDemande.LOGEMENT_INADAPTE}
)
_MOTIFS_VIOLENCES = frozenset({MotifDemande.VIOLENCES_FAMILIALES})
_PRIORITES_SANTE = frozenset({PublicPrioritaire.A, PublicPrioritaire.A_BIS})
_PRIORITES_VIOLENCES = frozenset(
    {PublicPrioritaire.E, PublicPrioritaire.E_BIS, PublicPrioritaire.F, PublicPrioritaire.G}
)


def _codes(values: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(v.value) for v in values)


COMPLEMENTS: dict[str, Complement] = {
    c.code: c
    for c in (
        Complement(
            code="handicap",
            libelle="Handicap et santé : handicap des personnes, besoins d'accessibilité, "
            "motifs et priorités liés au handicap ou à la santé",
            action="demande.handicap.lire",
            champs=(
                ("snapshot", "personnes", "handicap"),
                ("snapshot", "logement_recherche", "besoins_accessibilite"),
            ),
            valeurs={
                ("snapshot", "motifs", "motif"): _codes(_MOTIFS_SANTE),
                ("snapshot", "priorites", "categorie"): _codes(_PRIORITES_SANTE),
                ("motifs",): _codes(_MOTIFS_SANTE),
            },
        ),
        Complement(
            code="violences",
            libelle="Violences : motif « violences familiales » et priorités liées aux "
            "violences, à la prostitution ou à la traite",
            action="demande.violences.lire",
            valeurs={
                ("snapshot", "motifs", "motif"): _codes(_MOTIFS_VIOLENCES),
                ("snapshot", "priorites", "categorie"): _codes(_PRIORITES_VIOLENCES),
                ("motifs",): _codes(_MOTIFS_VIOLENCES),
            },
        ),
    )
}


@dataclass(frozen=True)
class Profil:
    """What one kind of partner receives. A new field or a removed one is a new version."""

    code: str
    version: int
    libelle: str
    description: str
    action: str  # servicekit.authz action the partner's role must grant
    champs: Champs
    complements: tuple[str, ...] = ()
    evenements: tuple[str, ...] = tuple(EVENEMENTS_PARTENAIRES)

    @property
    def dataschema(self) -> str:
        return f"urn:toit:abonnements:{self.code}:v{self.version}"

    def dataschema_avec(self, complements: Iterable[str]) -> str:
        extra = sorted(complements)
        return self.dataschema + "".join(f"+{c}" for c in extra)


# Top-level fields of every demande event a profile may keep, and those of demande.purgee.
_ENTETE: dict[str, bool] = {
    "demande_id": True,
    "departement": True,
    "version": True,
    "statut": True,
    # demande.radiee
    "motif": True,
    "sous_motif": True,
    "date_radiation": True,
    # demande.modifiee
    "rubriques_modifiees": True,
}
_PURGE: dict[str, bool] = {
    "date_depot_initial": True,
    "date_enregistrement": True,
    "motif_radiation": True,
    "taille_menage": True,
    "categorie_menage": True,
    "typologies": True,
    "commune_souhaitee": True,
    "type_logement_actuel": True,
    "motifs": True,
    "anciennete_mois": True,
}
_DATES = {
    "date_depot_initial": True,
    "date_enregistrement": True,
    "date_dernier_renouvellement": True,
    "date_expiration": True,
    "anciennete_mois": True,
}

PROFILS: dict[str, Profil] = {
    p.code: p
    for p in (
        Profil(
            code="bailleur",
            # v2 (issue 11): `personnes` may hold several CODEMANDEUR and COLOCATAIRE roles.
            version=2,
            libelle="Bailleur : instruction et rapprochement",
            description="Pour le système de gestion locative d'un bailleur : numéro unique, "
            "composition du ménage, ressources, logement actuel et souhaits. Jamais les "
            "coordonnées, la nationalité ni le lieu de travail.",
            action="demande.lire",
            champs={
                **_ENTETE,
                **_PURGE,
                "numero_unique": True,
                "guichet_enregistreur": True,
                "snapshot": {
                    "canal_depot": True,
                    "situation_familiale": True,
                    "personnes": {
                        "role": True,
                        "date_naissance": True,
                        "lien": True,
                        "a_charge": True,
                        "garde_alternee": True,
                        "situation_professionnelle": True,
                    },
                    "enfants_a_naitre": True,
                    "ressources_par_type": True,
                    "revenu_fiscal_reference": True,
                    "annee_revenu_fiscal": True,
                    "logement_actuel": {
                        "type": True,
                        "commune": True,
                        "loyer_mensuel": True,
                        "charges_mensuelles": True,
                        "aide_logement_mensuelle": True,
                        "nombre_pieces": True,
                        "surface_m2": True,
                        "depuis": True,
                        "siren_bailleur": True,
                    },
                    "motifs": True,
                    "logement_recherche": {
                        "typologies": True,
                        "type": True,
                        "communes": True,
                        "loyer_max_mensuel": True,
                        "etage_max": True,
                    },
                    "dalo": True,
                    "priorites": True,
                    **_DATES,
                    "guichet_enregistreur": True,
                    "taille_menage": True,
                    "categorie_menage": True,
                    "unites_consommation": True,
                    "ressources_mensuelles_totales": True,
                },
            },
            complements=("handicap", "violences"),
        ),
        Profil(
            code="etat",
            # v2 (issue 11): `personnes` may hold several CODEMANDEUR and COLOCATAIRE roles.
            version=2,
            libelle="Services de l'État : publics prioritaires et DALO",
            description="Pour le suivi des publics prioritaires et du droit au logement "
            "opposable : numéro unique, statut, composition sommaire, ressources totales, "
            "décision DALO et priorités déclarées.",
            action="demande.lire",
            champs={
                **_ENTETE,
                **_PURGE,
                "numero_unique": True,
                "snapshot": {
                    "personnes": {"role": True, "a_charge": True},
                    "ressources_mensuelles_totales": True,
                    "logement_actuel": {"type": True, "commune": True},
                    "logement_recherche": {"typologies": True, "communes": True},
                    "motifs": True,
                    "dalo": True,
                    "priorites": True,
                    **_DATES,
                    "taille_menage": True,
                    "categorie_menage": True,
                },
            },
            complements=("handicap", "violences"),
        ),
        Profil(
            code="statistique",
            version=1,
            libelle="Observatoire : données statistiques pseudonymes",
            description="Pour l'observatoire d'un EPCI ou d'une commune : ni numéro unique, "
            "ni date de naissance, ni ressources détaillées ; taille et catégorie du ménage, "
            "logement actuel et souhaité, motifs, ancienneté.",
            action="statistiques.lire",
            champs={
                **_ENTETE,
                **_PURGE,
                "snapshot": {
                    "canal_depot": True,
                    "logement_actuel": {"type": True, "commune": True},
                    "logement_recherche": {"typologies": True, "type": True, "communes": True},
                    "motifs": True,
                    "dalo": {"type": True, "date_decision": True},
                    **_DATES,
                    "taille_menage": True,
                    "categorie_menage": True,
                },
            },
        ),
    )
}


class ProfilInconnu(LookupError):
    pass


def profil(code: str) -> Profil:
    try:
        return PROFILS[code]
    except KeyError:
        raise ProfilInconnu(code) from None


# --- Minimisation -----------------------------------------------------------------------------


def _ajouter(champs: dict[str, Any], chemin: Chemin) -> None:
    head, *rest = chemin
    if not rest:
        champs[head] = True
        return
    sub = champs.get(head)
    if not isinstance(sub, dict):
        return  # the profile does not carry the parent: nothing to add
    sub = champs[head] = dict(sub)
    _ajouter(sub, tuple(rest))


@cache
def _champs_effectifs(code: str, complements: frozenset[str]) -> Champs:
    p = profil(code)
    champs: dict[str, Any] = copy.deepcopy(dict(p.champs))
    for c in sorted(complements & set(p.complements)):
        for chemin in COMPLEMENTS[c].champs:
            _ajouter(champs, chemin)
    return champs


def valeurs_exclues(p: Profil, complements: Iterable[str]) -> dict[Chemin, frozenset[str]]:
    """Enumerated values the payload must not carry (complements not granted)."""
    granted = set(complements) & set(p.complements)
    excluded: dict[Chemin, frozenset[str]] = {}
    for code, c in COMPLEMENTS.items():
        if code in granted:
            continue
        for chemin, values in c.valeurs.items():
            excluded[chemin] = excluded.get(chemin, frozenset()) | values
    return excluded


def _projeter(value: Any, champs: Champs | bool) -> Any:
    if champs is True or value is None:
        return value
    if isinstance(value, list):
        return [_projeter(v, champs) for v in value]
    if isinstance(value, dict) and isinstance(champs, Mapping):
        return {k: _projeter(v, champs[k]) for k, v in value.items() if k in champs}
    return None


def _exclure(value: Any, chemin: Chemin, interdits: frozenset[str]) -> Any:
    """Remove list items whose value at `chemin` is forbidden (returns the new value)."""
    if not chemin:
        return value
    head, *rest = chemin
    if isinstance(value, dict) and head in value:
        sub = value[head]
        if not rest and isinstance(sub, list):
            value[head] = [v for v in sub if str(v) not in interdits]
        elif isinstance(sub, list) and len(rest) == 1:
            key = rest[0]
            value[head] = [
                v for v in sub if not (isinstance(v, dict) and str(v.get(key)) in interdits)
            ]
        else:
            value[head] = _exclure(sub, tuple(rest), interdits)
    return value


def minimiser(
    data: Mapping[str, Any], p: Profil, complements: Iterable[str] = ()
) -> dict[str, Any]:
    """The event's `data` reduced to what the profile (and granted complements) allow."""
    granted = frozenset(complements) & frozenset(p.complements)
    result: dict[str, Any] = _projeter(dict(data), _champs_effectifs(p.code, granted))
    for chemin, interdits in valeurs_exclues(p, granted).items():
        result = _exclure(result, chemin, interdits)
    return result


# --- Schemas ----------------------------------------------------------------------------------


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is not None:
        resolved = dict(defs[ref.rsplit("/", 1)[-1]])
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        return {**resolved, **extra}
    return dict(schema)


class _Composants:
    """Hoists each projected definition into a named component (AsyncAPI document): the
    same projection of a definition is written once per profile."""

    def __init__(self, prefixe: str) -> None:
        self.prefixe = prefixe
        self.schemas: dict[str, dict[str, Any]] = {}
        self._noms: dict[str, str] = {}

    def nom(self, definition: str, schema: dict[str, Any]) -> str:
        import json

        cle = json.dumps(schema, sort_keys=True)
        if cle not in self._noms:
            base = f"{self.prefixe}{definition}"
            nom, n = base, 1
            while nom in self.schemas:
                n += 1
                nom = f"{base}{n}"
            self.schemas[nom] = schema
            self._noms[cle] = nom
        return self._noms[cle]


def _en_composants(schema: Any) -> Any:
    """The definition with its references as the AsyncAPI document writes them."""
    if isinstance(schema, dict):
        return {
            k: (
                v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _en_composants(v)
            )
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_en_composants(v) for v in schema]
    return schema


def _inline(
    schema: Mapping[str, Any],
    defs: Mapping[str, Any],
    champs: Champs | bool,
    interdits: Mapping[Chemin, frozenset[str]],
    chemin: Chemin,
    composants: _Composants | None = None,
) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is not None and composants is not None:
        definition = ref.rsplit("/", 1)[-1]
        autour = {k: v for k, v in schema.items() if k != "$ref"}
        projete = _inline(defs[definition], defs, champs, interdits, chemin, composants)
        if projete == _en_composants(defs[definition]):
            # Unchanged (an enumeration, a small object kept whole): the catalogue's own.
            return {"$ref": f"#/components/schemas/{definition}", **autour}
        nom = composants.nom(definition, projete)
        return {"$ref": f"#/components/schemas/{nom}", **autour}
    schema = _resolve(schema, defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            schema[key] = [
                _inline(s, defs, champs, interdits, chemin, composants) for s in schema[key]
            ]
    if schema.get("type") == "array" and "items" in schema:
        schema["items"] = _inline(schema["items"], defs, champs, interdits, chemin, composants)
    if "enum" in schema and chemin in interdits:
        schema["enum"] = [v for v in schema["enum"] if str(v) not in interdits[chemin]]
        labels = schema.get("x-enum-labels")
        if isinstance(labels, dict):
            schema["x-enum-labels"] = {k: v for k, v in labels.items() if k in schema["enum"]}
    if "properties" in schema:
        props = schema["properties"]
        if isinstance(champs, Mapping):
            props = {k: v for k, v in props.items() if k in champs}
            schema["required"] = [r for r in schema.get("required", []) if r in props]
            if not schema["required"]:
                schema.pop("required")
            schema["additionalProperties"] = False
        schema["properties"] = {
            k: _inline(
                v,
                defs,
                champs[k] if isinstance(champs, Mapping) else True,
                interdits,
                (*chemin, k),
                composants,
            )
            for k, v in props.items()
        }
    return schema


def composants_asyncapi(p: Profil) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """For the AsyncAPI document: event type -> name of its data schema, and the schemas
    (with every complement the profile offers; `x-complements` lists them)."""
    composants = _Composants(f"{p.code.capitalize()}V{p.version}")
    champs = _champs_effectifs(p.code, frozenset(p.complements))
    racines: dict[str, str] = {}
    for event_type in p.evenements:
        cls = EVENEMENTS_PARTENAIRES[event_type]
        source = cls.model_json_schema(mode="serialization")
        defs = source.pop("$defs", {})
        schema = _inline(source, defs, champs, valeurs_exclues(p, p.complements), (), composants)
        schema["title"] = f"{cls.__name__} — profil {p.code} v{p.version}"
        schema["x-complements"] = {c: COMPLEMENTS[c].libelle for c in p.complements}
        racines[event_type] = composants.nom(cls.__name__, schema)
    return racines, composants.schemas


def schema_donnees(event_type: str, p: Profil, complements: Iterable[str] = ()) -> dict[str, Any]:
    """JSON Schema (self-contained, no $ref) of the minimised `data` of one event type."""
    return copy.deepcopy(_schema_donnees(event_type, p.code, frozenset(complements)))


@cache
def _schema_evenement(event_type: str) -> dict[str, Any]:
    """The event's full JSON Schema, generated once (pydantic's generation is the slow part;
    callers copy it before changing it)."""
    return EVENEMENTS_PARTENAIRES[event_type].model_json_schema(mode="serialization")


@cache
def _schema_donnees(event_type: str, code: str, complements: frozenset[str]) -> dict[str, Any]:
    p = profil(code)
    granted = complements & frozenset(p.complements)
    source = copy.deepcopy(_schema_evenement(event_type))
    defs = source.pop("$defs", {})
    schema = _inline(
        source, defs, _champs_effectifs(code, granted), valeurs_exclues(p, granted), ()
    )
    schema["title"] = (
        f"{EVENEMENTS_PARTENAIRES[event_type].__name__} — profil {p.code} v{p.version}"
    )
    return schema


def schema_enveloppe(event_type: str, p: Profil, complements: Iterable[str] = ()) -> dict[str, Any]:
    """JSON Schema of the whole CloudEvent a partner receives for one event type."""
    complements = frozenset(complements) & frozenset(p.complements)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{event_type} — profil {p.code} v{p.version}",
        "type": "object",
        "additionalProperties": False,
        "required": ["specversion", "id", "source", "type", "time", "subject", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {
                "type": "string",
                "minLength": 1,
                "description": "Identifiant stable : le même événement garde le même id à "
                "chaque nouvelle livraison (dédoublonner dessus)",
            },
            "source": {"const": SOURCE},
            "type": {"const": event_type},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": "string", "description": "Identifiant de la demande"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"const": p.dataschema_avec(complements)},
            "sequence": {
                "type": "string",
                "description": "Position dans le journal de l'abonnement (croissante)",
            },
            "data": schema_donnees(event_type, p, complements),
        },
    }


__all__ = [
    "COMPLEMENTS",
    "EVENEMENTS_PARTENAIRES",
    "PROFILS",
    "SOURCE",
    "Complement",
    "Profil",
    "ProfilInconnu",
    "composants_asyncapi",
    "minimiser",
    "profil",
    "schema_donnees",
    "schema_enveloppe",
    "valeurs_exclues",
]
