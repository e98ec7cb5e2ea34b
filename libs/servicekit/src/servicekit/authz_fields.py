"""THE field-level authorisation table of Toit: field of the demande × role → right.

`servicekit.authz` says who may create or modify a demande (`demande.creer`,
`demande.modifier`); this table says which fields each of them may then write, on
creation (POST) as on modification (JSON merge patch). Every field that changes a
score, a right or a deadline has an owner:
- the household (DEMANDEUR) and the agent enregistreur *declare* the composition,
  resources, housing, motifs and wishes, and *claim* priority categories;
- only an instructeur or the gestionnaire du fichier *decides*: moves a priority to
  VALIDEE or REJETEE, records a DALO decision (with its reference);
- only the gestionnaire corrects the date of first dépôt (with a reason kept in the
  historique); an agent may record, at creation, the date of a paper form received
  earlier, within the delay the configuration sets;
- the numéro unique, the state and the derived values are written by nobody
  (`NEVER_WRITTEN`): only the lifecycle actions and the computations change them.

Rights:
- "ecrire": any valid value;
- "declarer": a claim only, as `DECLARATIONS` says for the field (the service checks
  the value: a priority as DECLAREE, a dépôt date within the configured delay).
A field a role has no right on is refused (403 naming the field), and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from servicekit.authz import (
    AGENT_ENREGISTREUR,
    DEMANDEUR,
    GESTIONNAIRE_FICHIER,
    INSTRUCTEUR,
    PERMISSIONS,
    ROLES,
)

Droit = Literal["ecrire", "declarer"]

DROITS: tuple[Droit, ...] = ("ecrire", "declarer")  # strongest first

LIBELLES_ROLES: Mapping[str, str] = {
    GESTIONNAIRE_FICHIER: "le gestionnaire du fichier",
    INSTRUCTEUR: "l'instructeur",
    AGENT_ENREGISTREUR: "l'agent enregistreur",
    DEMANDEUR: "le demandeur",
}

_DECLARANTS: dict[str, Droit] = dict.fromkeys(
    (DEMANDEUR, AGENT_ENREGISTREUR, GESTIONNAIRE_FICHIER), "ecrire"
)

# Field of the demande as typed in (top-level key of the POST body) → role → right.
DEMANDE: Mapping[str, Mapping[str, Droit]] = {
    # The household's declaration.
    "departement": _DECLARANTS,
    "demandeur": _DECLARANTS,
    "codemandeurs": _DECLARANTS,
    "colocataires": _DECLARANTS,
    "occupants": _DECLARANTS,
    "enfants_a_naitre": _DECLARANTS,
    "situation_professionnelle": _DECLARANTS,
    "ressources": _DECLARANTS,
    "revenu_fiscal_reference": _DECLARANTS,
    "logement_actuel": _DECLARANTS,
    "motifs": _DECLARANTS,
    "logement_recherche": _DECLARANTS,
    "complement_handicap": _DECLARANTS,  # and demande.handicap.lire (sensitive data)
    # The channel, fixed at creation (the portal's demandes are EN_LIGNE whatever is sent).
    "canal_depot": _DECLARANTS,
    # The ancienneté (cotation, délai anormalement long, DALO): a deadline and points.
    "date_depot": {AGENT_ENREGISTREUR: "declarer", GESTIONNAIRE_FICHIER: "ecrire"},
    # Priorities (L441-1 CCH): claimed by the household, decided by instruction.
    "priorites": {
        DEMANDEUR: "declarer",
        AGENT_ENREGISTREUR: "declarer",
        INSTRUCTEUR: "ecrire",
        GESTIONNAIRE_FICHIER: "ecrire",
    },
    # A DALO decision (commission de médiation): recorded with its reference.
    "dalo": {INSTRUCTEUR: "ecrire", GESTIONNAIRE_FICHIER: "ecrire"},
}

DECLARATIONS: Mapping[str, str] = {
    "date_depot": "à la création, la date d'un formulaire papier reçu au plus tard "
    "le délai configuré avant (libs/referentiel, cycle_de_vie.yaml) ; ensuite, seul le "
    "gestionnaire du fichier la corrige, avec un motif",
    "priorites": "une catégorie invoquée au statut DECLAREE, ou retirée ; seuls "
    "l'instructeur et le gestionnaire du fichier la valident ou la refusent",
}

# Never written through the API: the lifecycle actions and the computations set them.
NEVER_WRITTEN: frozenset[str] = frozenset(
    {
        "id",
        "statut",
        "version",
        "numero_unique",
        "guichet",
        "date_depot_initial",
        "date_enregistrement",
        "date_dernier_renouvellement",
        "date_expiration",
        "date_radiation",
        "motif_radiation",
        "sous_motif_radiation",
        "preavis_radiation",
        "fusionnee_dans",
        "derives",
        "doublons",
    }
)


def droit(roles: Iterable[str], champ: str) -> Droit | None:
    """The strongest right the roles give on a field of the demande; None: forbidden."""
    accordes = {DEMANDE.get(champ, {}).get(role) for role in roles}
    return next((d for d in DROITS if d in accordes), None)


def proprietaires(champ: str) -> list[str]:
    """Who may write the field fully ("ecrire"), as French words for a message."""
    return [
        LIBELLES_ROLES.get(role, role)
        for role, d in DEMANDE.get(champ, {}).items()
        if d == "ecrire"
    ]


def _check_table() -> None:
    for champ, droits in DEMANDE.items():
        if champ in NEVER_WRITTEN:
            raise RuntimeError(f"{champ} is both writable and never written")
        for role, d in droits.items():
            if role not in ROLES or d not in DROITS:
                raise RuntimeError(f"{champ}: unknown role or right {role}={d}")
            if (
                "demande.creer" not in PERMISSIONS[role]
                and "demande.modifier" not in (PERMISSIONS[role])
            ):
                raise RuntimeError(f"{champ}: {role} may neither create nor modify a demande")
        if "declarer" in droits.values() and champ not in DECLARATIONS:
            raise RuntimeError(f"{champ}: a declarative right needs its DECLARATIONS entry")


_check_table()
