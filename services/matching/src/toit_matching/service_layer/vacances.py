"""Vacancies: declared by the bailleur (préavis, mise en service), then oriented to a
réservataire's flux under the reservation conventions (or kept on the bailleur's own
contingent, or set outside the flux with a motive), or withdrawn before attribution.
Each step publishes its event in the same transaction (outbox): `vacance.declaree`,
`vacance.orientee`, `vacance.retiree`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.events import VacanceDeclaree, VacanceOrientee, VacanceRetiree
from toit_matching.adapters import repository as repo
from toit_matching.domain.erreurs import (
    Conflit,
    DonneesInvalides,
    ErreurChamp,
    Introuvable,
    VersionPerimee,
)
from toit_matching.domain.flux import LigneFlux
from toit_matching.domain.patrimoine import Contingent
from toit_matching.service_layer.acces import Acteur, role_sur_vacance, verifier_logement
from toit_matching.service_layer.conventions import convention_de, grand_livre_de


class TypeVacance(StrEnum):
    PREAVIS = "PREAVIS"
    MISE_EN_SERVICE = "MISE_EN_SERVICE"


class MotifRetrait(StrEnum):
    PREAVIS_ANNULE = "PREAVIS_ANNULE"  # the outgoing tenant withdrew the notice
    TRAVAUX = "TRAVAUX"
    VENTE = "VENTE"
    DEMOLITION = "DEMOLITION"
    AUTRE = "AUTRE"


STATUTS_RETIRABLES = ("DECLAREE", "ORIENTEE", "DESIGNEE")


@dataclass
class VacanceLue:
    vacance: dict[str, Any]
    role: str
    suggestion: LigneFlux | None = None


async def declarer_vacance(
    uow: UnitOfWork,
    acteur: Acteur,
    *,
    rpls: str,
    type: TypeVacance,
    date_disponibilite: date,
) -> dict[str, Any]:
    logement = await repo.lire_logement(uow.session, rpls=rpls)
    if logement is None:
        raise DonneesInvalides([ErreurChamp("rpls", f"logement {rpls} inconnu du patrimoine")])
    verifier_logement(acteur, logement)
    aujourd_hui = datetime.now(UTC).date()
    if (
        not aujourd_hui.replace(year=aujourd_hui.year - 1)
        <= date_disponibilite
        <= aujourd_hui.replace(year=aujourd_hui.year + 2)
    ):
        raise DonneesInvalides(
            [ErreurChamp("date_disponibilite", "date entre il y a un an et dans deux ans attendue")]
        )
    ouverte = await repo.vacance_ouverte(uow.session, logement["id"])
    if ouverte is not None:
        raise Conflit(f"une vacance est déjà en cours pour le logement {rpls}")
    vacance_id = uuid.uuid4()
    # The event's timestamps are the values written (SQLite reads them back naive).
    declaree_le = datetime.now(UTC)
    await repo.inserer_vacance(
        uow.session,
        {
            "id": vacance_id,
            "logement_id": logement["id"],
            "bailleur_id": logement["bailleur_id"],
            "departement": logement["departement"],
            "type": type.value,
            "date_disponibilite": date_disponibilite,
            "annee_flux": date_disponibilite.year,
            "declaree_le": declaree_le,
            "statut": "DECLAREE",
            "hors_flux": False,
            "version": 1,
        },
    )
    lue = await repo.lire_vacance(uow.session, vacance_id)
    assert lue is not None
    uow.publish(
        VacanceDeclaree(
            vacance_id=vacance_id,
            version=lue["version"],
            logement_rpls=lue["rpls"],
            bailleur_id=lue["bailleur_id"],
            departement=lue["departement"],
            commune=lue["commune"],
            epci=lue["epci"],
            qpv=lue["qpv"],
            typologie=lue["typologie"],
            financement=lue["financement"],
            loyer=lue["loyer"],
            charges=lue["charges"],
            type=lue["type"],
            date_disponibilite=lue["date_disponibilite"],
            annee_flux=lue["annee_flux"],
            declaree_le=declaree_le,
        )
    )
    await uow.commit()
    return lue


async def lire_vacance(uow: UnitOfWork, acteur: Acteur, vacance_id: UUID) -> VacanceLue:
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    role = role_sur_vacance(acteur, vacance)
    lue = VacanceLue(vacance, role)
    if role != "reservataire" and vacance["statut"] == "DECLAREE":
        livre = await grand_livre_de(
            uow, vacance["bailleur_id"], vacance["departement"], vacance["annee_flux"]
        )
        lue.suggestion = livre.suggestion
    return lue


async def lister_vacances(uow: UnitOfWork, acteur: Acteur) -> list[dict[str, Any]]:
    if acteur.gestionnaire:
        return await repo.lister_vacances(uow.session, departements=acteur.departements)
    propres = await repo.lister_vacances(uow.session, bailleur_id=acteur.organisation)
    orientees = await repo.lister_vacances(uow.session, reservataire_id=acteur.organisation)
    vues = {v["id"]: v for v in propres + orientees}
    return sorted(vues.values(), key=lambda v: (v["date_disponibilite"], str(v["id"])))


async def orienter(
    uow: UnitOfWork,
    acteur: Acteur,
    vacance_id: UUID,
    *,
    version_attendue: int | None,
    contingent: Contingent | None,
    reservataire_id: str | None,
    motif_hors_flux: str | None,
) -> dict[str, Any]:
    """Orient a declared vacancy: to a réservataire's contingent under its convention,
    to the bailleur's own contingent, or outside the flux (with a motive)."""
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    if role_sur_vacance(acteur, vacance) == "reservataire":
        raise Introuvable("Vacance introuvable")
    if version_attendue is not None and version_attendue != vacance["version"]:
        raise VersionPerimee("La vacance a été modifiée entre-temps : rechargez-la")
    if vacance["statut"] != "DECLAREE":
        raise Conflit("cette vacance est déjà orientée")
    valeurs: dict[str, Any] = {"orientee_le": datetime.now(UTC)}
    if motif_hors_flux:
        if contingent is not None or reservataire_id is not None:
            raise DonneesInvalides(
                [ErreurChamp("motif_hors_flux", "hors flux : ni contingent ni réservataire")]
            )
        valeurs.update(
            hors_flux=True,
            motif_hors_flux=motif_hors_flux[:300],
            statut="ORIENTEE",
            contingent=Contingent.BAILLEUR.value,
        )
    elif contingent is Contingent.BAILLEUR or (contingent is None and reservataire_id is None):
        if reservataire_id is not None:
            raise DonneesInvalides(
                [ErreurChamp("reservataire_id", "sans objet sur le contingent du bailleur")]
            )
        valeurs.update(contingent=Contingent.BAILLEUR.value, statut="ORIENTEE")
    else:
        if contingent is None or reservataire_id is None:
            raise DonneesInvalides(
                [ErreurChamp("contingent", "contingent et réservataire vont ensemble")]
            )
        conventions = [
            convention_de(c)
            for c in await repo.lister_conventions(
                uow.session,
                bailleur_id=vacance["bailleur_id"],
                reservataire_id=reservataire_id,
                departements=[vacance["departement"]],
                annee=vacance["annee_flux"],
            )
        ]
        convention = next(
            (
                c
                for c in conventions
                if contingent in c.parts and c.commune in (None, vacance["commune"])
            ),
            None,
        )
        if convention is None:
            raise DonneesInvalides(
                [
                    ErreurChamp(
                        "contingent",
                        f"aucune convention {vacance['annee_flux']} ne réserve le contingent "
                        f"{contingent.value} à ce réservataire pour ce logement",
                    )
                ]
            )
        valeurs.update(
            contingent=contingent.value,
            reservataire_id=reservataire_id,
            reservataire_nom=convention.reservataire_nom,
            convention_id=convention.id,
            statut="ORIENTEE",
        )
    if not await repo.maj_vacance(uow.session, vacance_id, vacance["version"], **valeurs):
        raise VersionPerimee("La vacance a été modifiée entre-temps : rechargez-la")
    lue = await repo.lire_vacance(uow.session, vacance_id)
    assert lue is not None
    uow.publish(
        VacanceOrientee(
            vacance_id=vacance_id,
            version=lue["version"],
            logement_rpls=lue["rpls"],
            bailleur_id=lue["bailleur_id"],
            departement=lue["departement"],
            commune=lue["commune"],
            annee_flux=lue["annee_flux"],
            contingent=lue["contingent"],
            reservataire_id=lue["reservataire_id"],
            convention_id=lue["convention_id"],
            hors_flux=lue["hors_flux"],
            motif_hors_flux=lue["motif_hors_flux"],
            orientee_le=valeurs["orientee_le"],
        )
    )
    await uow.commit()
    return lue


async def retirer(
    uow: UnitOfWork,
    acteur: Acteur,
    vacance_id: UUID,
    *,
    version_attendue: int | None,
    motif: MotifRetrait,
    precision: str | None,
) -> dict[str, Any]:
    """The bailleur withdraws a vacancy before attribution (notice withdrawn by the tenant,
    unit taken off the market): it leaves the year's flux and no one can designate on it."""
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    if role_sur_vacance(acteur, vacance) == "reservataire":
        raise Introuvable("Vacance introuvable")
    if version_attendue is not None and version_attendue != vacance["version"]:
        raise VersionPerimee("La vacance a été modifiée entre-temps : rechargez-la")
    if vacance["statut"] not in STATUTS_RETIRABLES:
        raise Conflit(
            "cette vacance ne peut plus être retirée (déjà retirée ou attribuée)"
            if vacance["statut"] in ("RETIREE", "ATTRIBUEE")
            else f"cette vacance ne peut plus être retirée (statut {vacance['statut']})"
        )
    if motif is MotifRetrait.AUTRE and not precision:
        raise DonneesInvalides([ErreurChamp("precision", "précisez le motif « autre »")])
    if not await repo.maj_vacance(
        uow.session,
        vacance_id,
        vacance["version"],
        statut="RETIREE",
        motif_retrait=motif.value,
        precision_retrait=precision,
        retiree_le=(retiree_le := datetime.now(UTC)),
    ):
        raise VersionPerimee("La vacance a été modifiée entre-temps : rechargez-la")
    lue = await repo.lire_vacance(uow.session, vacance_id)
    assert lue is not None
    uow.publish(
        VacanceRetiree(
            vacance_id=vacance_id,
            version=lue["version"],
            logement_rpls=lue["rpls"],
            bailleur_id=lue["bailleur_id"],
            departement=lue["departement"],
            commune=lue["commune"],
            statut_precedent=vacance["statut"],
            motif=motif.value,
            precision=precision,
            retiree_le=retiree_le,
        )
    )
    await uow.commit()
    return lue
