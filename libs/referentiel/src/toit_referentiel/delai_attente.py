"""The average waiting time the applicant is entitled to know (L441-2-8 CCH: the délai
d'attente moyen constaté for a similar demande), from the attributions of the last twelve
months in the same EPCI and typology: from the demande's first dépôt to the lease signed.
Average and median, in months (30.44 days), with how many attributions they rest on.

Shared by cotation (its API beside the score) and the portail (the applicant's suivi page),
each from the attributions it keeps from matching's `attribution.prononcee`."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

JOURS_PAR_MOIS = 365.25 / 12
FENETRE_JOURS = 365


def delai_attente(
    delais_jours: Sequence[int], epci_nom: str | None, typologie: str
) -> dict[str, Any]:
    ou = f"{typologie}, {epci_nom}" if epci_nom else typologie
    if not delais_jours:
        return {
            "disponible": False,
            "motif": f"Délai d'attente non disponible : aucune attribution comparable ({ou}) "
            "enregistrée ces douze derniers mois",
        }
    moyenne = statistics.fmean(delais_jours) / JOURS_PAR_MOIS
    mediane = statistics.median(delais_jours) / JOURS_PAR_MOIS
    return {
        "disponible": True,
        "moyenne_mois": round(moyenne, 1),
        "mediane_mois": round(mediane, 1),
        "attributions": len(delais_jours),
        "typologie": typologie,
        "periode_jours": FENETRE_JOURS,
        "libelle": f"{round(moyenne)} mois en moyenne (médiane {round(mediane)} mois), "
        f"d'après {len(delais_jours)} attribution(s) {ou} des douze derniers mois",
    }
