"""French labels and badge tones of the API's codes."""

from __future__ import annotations

from typing import Any

from toit_contracts.enums import (
    Civilite,
    LienParente,
    MotifDemande,
    MotifRadiation,
    Nationalite,
    SituationFamiliale,
    SituationProfessionnelle,
    StatutDemande,
    StatutJustification,
    TypeDecisionDalo,
    TypeLogementActuel,
    TypeLogementRecherche,
    TypeOrganisation,
    TypeRessource,
)

ENUMS: dict[str, Any] = {
    "civilite": Civilite,
    "nationalite": Nationalite,
    "situation_familiale": SituationFamiliale,
    "situation_professionnelle": SituationProfessionnelle,
    "lien": LienParente,
    "logement_actuel": TypeLogementActuel,
    "logement_recherche": TypeLogementRecherche,
    "ressource": TypeRessource,
    "motif": MotifDemande,
    "motif_radiation": MotifRadiation,
    "statut": StatutDemande,
    "statut_priorite": StatutJustification,
    "dalo": TypeDecisionDalo,
}

TONS_STATUT = {
    "BROUILLON": "neutre",
    "A_VALIDER": "info",
    "ACTIVE": "succes",
    "EXPIREE_GRACE": "avertissement",
    "RADIEE": "erreur",
    "PURGEE": "neutre",
}
PIECES = {
    "DEPOSEE": ("À vérifier", "info"),
    "VALIDEE": ("Validée", "succes"),
    "REFUSEE": ("Refusée", "erreur"),
}
GRILLES = {
    "BROUILLON": ("Brouillon", "info"),
    "PUBLIEE": ("Publiée", "succes"),
    "ARCHIVEE": ("Archivée", "neutre"),
}
ROLES = {
    "GESTIONNAIRE_FICHIER": "Gestionnaire du fichier",
    "ADMINISTRATEUR_ORGANISATION": "Administrateur d'organisation",
    "AGENT_ENREGISTREUR": "Agent enregistreur",
    "INSTRUCTEUR": "Instructeur",
    "MEMBRE_CALEOL": "Membre de CALEOL",
    "RESERVATAIRE": "Réservataire",
    "OBSERVATEUR": "Observateur",
}
TYPES_ORGANISATION = [(m.value, m.label) for m in TypeOrganisation]


def libelle(kind: str, code: Any) -> str:
    """libelle("statut", "ACTIVE") -> "Active"; unknown codes are shown as they are."""
    if code is None or code == "":
        return ""
    enum = ENUMS.get(kind)
    if enum is not None:
        try:
            return str(enum(code).label)
        except ValueError:
            return str(code)
    table = {"role": ROLES, "piece": {k: v[0] for k, v in PIECES.items()}}.get(kind, {})
    return str(table.get(code, code))


def ton_statut(code: str) -> str:
    return TONS_STATUT.get(code, "neutre")
