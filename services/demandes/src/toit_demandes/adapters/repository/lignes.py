"""A demande's aggregate <-> its row and its historique lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from toit_contracts.enums import (
    MotifIrrecevabilite,
    MotifRadiation,
    OrigineDecision,
    StatutDemande,
)
from toit_demandes.domain.demande import (
    DecisionIrrecevabilite,
    Demande,
    PreavisRadiation,
)
from toit_demandes.domain.doublons import (
    empreinte_nir,
    normaliser,
    premier_prenom,
)
from toit_demandes.domain.saisie import DemandeSaisie


def horodatage() -> datetime:
    return datetime.now(UTC)


def colonnes_de(demande: Demande) -> dict[str, Any]:
    d = demande.saisie.demandeur
    preavis = demande.preavis_radiation
    return {
        "version": demande.version,
        "statut": demande.statut.value,
        "departement": demande.saisie.departement,
        "numero_unique": demande.numero_unique,
        "nom_naissance": normaliser(d.nom_naissance),
        "nom_usage": normaliser(d.nom_usage) if d.nom_usage else None,
        "prenom": premier_prenom(d.prenoms),
        "date_naissance": d.date_naissance,
        "nir_empreinte": empreinte_nir(d.nir) if d.nir else None,
        "proprietaire": demande.proprietaire,
        "guichet": demande.guichet,
        "date_depot_initial": demande.date_depot_initial,
        "date_enregistrement": demande.date_enregistrement,
        "date_dernier_renouvellement": demande.date_dernier_renouvellement,
        "date_expiration": demande.date_expiration,
        "date_radiation": demande.date_radiation,
        "motif_radiation": demande.motif_radiation.value if demande.motif_radiation else None,
        "sous_motif_radiation": (
            demande.sous_motif_radiation.value if demande.sous_motif_radiation else None
        ),
        "preavis_radiation": None
        if preavis is None
        else {
            "motif": preavis.motif.value,
            "sous_motif": preavis.sous_motif.value if preavis.sous_motif else None,
            "notifie_le": preavis.notifie_le.isoformat(),
            "effet_le": preavis.effet_le.isoformat(),
            "decision": None
            if preavis.decision is None
            else {
                "origine": preavis.decision.origine.value,
                "fondement": preavis.decision.fondement,
                "date_decision": preavis.decision.date_decision.isoformat(),
                "reference": preavis.decision.reference,
            },
        },
        "preavis_radiation_effet": preavis.effet_le if preavis else None,
        "preavis_renouvellement_pour": demande.preavis_renouvellement_pour,
        "delai_anormalement_long_signale": demande.delai_anormalement_long_signale,
        "doublons_ecartes": [str(i) for i in demande.doublons_ecartes],
        "fusionnee_dans": demande.fusionnee_dans,
        "document": demande.document(),
        "modifie_le": horodatage(),
    }


def lignes_historique(demande: Demande) -> list[dict[str, Any]]:
    """The historique lines of the demande's new events (without their demande_id)."""
    return [
        {
            "date": e.date,
            "intervenant_type": e.intervenant.type.value,
            "utilisateur": e.intervenant.utilisateur,
            "organisation": e.intervenant.organisation,
            "type": e.type.value,
            "description": e.description[:500],
            "changements": [
                {"champ": c.champ, "avant": c.avant, "apres": c.apres} for c in e.changements
            ],
        }
        for e in demande.nouveaux_evenements
    ]


def _decision(stockee: dict[str, Any] | None) -> DecisionIrrecevabilite | None:
    if stockee is None:
        return None
    return DecisionIrrecevabilite(
        origine=OrigineDecision(stockee["origine"]),
        fondement=stockee["fondement"],
        date_decision=date.fromisoformat(stockee["date_decision"]),
        reference=stockee["reference"],
    )


def depuis_ligne(row: Any) -> Demande:
    preavis = row.preavis_radiation
    return Demande(
        saisie=DemandeSaisie.model_validate(row.document),
        date_depot_initial=row.date_depot_initial,
        id=row.id,
        statut=StatutDemande(row.statut),
        version=row.version,
        numero_unique=row.numero_unique,
        guichet=row.guichet,
        proprietaire=row.proprietaire,
        date_enregistrement=row.date_enregistrement,
        date_dernier_renouvellement=row.date_dernier_renouvellement,
        date_expiration=row.date_expiration,
        motif_radiation=MotifRadiation(row.motif_radiation) if row.motif_radiation else None,
        sous_motif_radiation=(
            MotifIrrecevabilite(row.sous_motif_radiation) if row.sous_motif_radiation else None
        ),
        date_radiation=row.date_radiation,
        preavis_radiation=None
        if preavis is None
        else PreavisRadiation(
            motif=MotifRadiation(preavis["motif"]),
            sous_motif=MotifIrrecevabilite(preavis["sous_motif"])
            if preavis["sous_motif"]
            else None,
            notifie_le=date.fromisoformat(preavis["notifie_le"]),
            effet_le=date.fromisoformat(preavis["effet_le"]),
            decision=_decision(preavis.get("decision")),
        ),
        preavis_renouvellement_pour=row.preavis_renouvellement_pour,
        delai_anormalement_long_signale=row.delai_anormalement_long_signale,
        doublons_ecartes=[UUID(i) for i in row.doublons_ecartes],
        fusionnee_dans=row.fusionnee_dans,
    )


def criteres_de(demande: Demande) -> tuple[tuple[str, ...], tuple[str, ...]]:
    lr = demande.saisie.logement_recherche
    return tuple(lr.communes), tuple(t.value for t in lr.typologies)
