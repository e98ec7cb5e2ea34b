"""The CALEOL's decisions on a dossier (R441-3 CCH a–e) and the session's minutes.

Recording the decision publishes `caleol.decision_prise` (the demandes service opens the
radiation notice of an irrecevabilité on it; notifications sends the reasoned letters) and
the offer to the rank-1 attributaire. The minutes (procès-verbal) list every dossier with
its decisions and, for a remote vote, who voted what; the president signs them off, after
which the session is closed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.enums import MotifIrrecevabilite
from toit_contracts.events.attributions import (
    CaleolDecisionPrise,
    ConditionSuspensive,
    DecisionCandidat,
    ModeSeance,
    SensDecision,
)
from toit_matching.adapters import repository_caleol as rc
from toit_matching.adapters.pv import DossierPv, proces_verbal_pdf
from toit_matching.bootstrap import Dependances
from toit_matching.domain.decisions import Decision, Sens, verifier_decisions
from toit_matching.domain.erreurs import AccesRefuse, Conflit
from toit_matching.domain.vote import Choix
from toit_matching.service_layer import offres
from toit_matching.service_layer.acces import Acteur
from toit_matching.service_layer.commissions import ordre_du_jour, seance_et_place
from toit_matching.service_layer.votes import clore_si_echu


def _en_json(d: Decision) -> dict[str, Any]:
    return {
        "demande_id": str(d.demande_id),
        "sens": d.sens.value,
        "rang": d.rang,
        "motifs": d.motifs,
        "fondement": d.fondement,
        "piece": d.piece,
        "date_limite_piece": None
        if d.date_limite_piece is None
        else d.date_limite_piece.isoformat(),
    }


async def decider(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    dossier_id: UUID,
    decisions: list[Decision],
    aujourd_hui: date | None = None,
) -> dict[str, Any]:
    d = await clore_si_echu(uow, deps, acteur, dossier_id)
    if not (d.place.gerant or d.place.president):
        raise AccesRefuse("la décision est enregistrée par le président ou le bailleur")
    statut = d.dossier["statut"]
    if statut == "DECIDE":
        raise Conflit("la commission a déjà statué sur ce dossier")
    if statut == "VOTE_OUVERT":
        raise Conflit(
            f"le vote à distance est ouvert jusqu'au {d.dossier['vote_limite']:%d/%m/%Y à %H:%M}"
        )
    if d.seance["pv_signe_le"] is not None:
        raise Conflit("le procès-verbal de la séance est signé : plus de décision")
    aujourd_hui = aujourd_hui or datetime.now(UTC).date()
    resultat = d.dossier["resultat"]
    vote = Choix(resultat["choix"]) if resultat else None
    if statut == "REPORTE" and d.seance["mode"] == "NUMERIQUE":
        raise Conflit("le vote à distance a reporté ce dossier : il passe en séance physique")
    verifier_decisions(decisions, d.candidats, aujourd_hui, vote if statut != "REPORTE" else None)
    numeros = {UUID(str(c["demande_id"])): c.get("numero_unique") for c in d.dossier["candidats"]}
    enregistrees = [_en_json(x) for x in decisions]
    if not await rc.maj_dossier(
        uow.session,
        dossier_id,
        d.dossier["version"],
        statut="DECIDE",
        decisions=enregistrees,
        date_decision=aujourd_hui,
    ):
        raise Conflit("le dossier a été modifié entre-temps : rechargez-le")
    dossier = {**d.dossier, "decisions": enregistrees, "date_decision": aujourd_hui}
    v = d.vacance
    uow.publish(
        CaleolDecisionPrise(
            dossier_id=dossier_id,
            version=d.dossier["version"] + 1,
            seance_id=d.seance["id"],
            commission_id=d.place.commission["id"],
            reference_seance=d.seance["reference"],
            mode=ModeSeance(d.seance["mode"]),
            vacance_id=v["id"],
            logement_rpls=v["rpls"],
            bailleur_id=v["bailleur_id"],
            reservataire_id=v["reservataire_id"],
            contingent=v["contingent"],
            departement=v["departement"],
            commune=v["commune"],
            typologie=v["typologie"],
            date_decision=aujourd_hui,
            decisions=[
                DecisionCandidat(
                    demande_id=x.demande_id,
                    numero_unique=numeros.get(x.demande_id),
                    sens=SensDecision(x.sens.value),
                    rang=x.rang,
                    motifs=x.motifs,
                    sous_motif_irrecevabilite=None
                    if x.fondement is None
                    else MotifIrrecevabilite(x.fondement),
                    condition=None
                    if x.sens is not Sens.ATTRIBUTION_SOUS_CONDITION
                    else ConditionSuspensive(
                        piece=str(x.piece), date_limite=x.date_limite_piece or aujourd_hui
                    ),
                )
                for x in decisions
            ],
        )
    )
    premiere = await offres.emettre_suivante(uow, deps, dossier, v, aujourd_hui)
    await uow.commit()
    return {**dossier, "statut": "DECIDE", "offre": premiere}


async def signer_pv(uow: UnitOfWork, acteur: Acteur, seance_id: UUID) -> dict[str, Any]:
    seance, p = await seance_et_place(uow, acteur, seance_id)
    if not p.president or p.moi is None:
        raise AccesRefuse("seul le président de la commission signe le procès-verbal")
    if seance["pv_signe_le"] is not None:
        raise Conflit("le procès-verbal est déjà signé")
    dossiers = await rc.dossiers_de(uow.session, seance_id)
    en_cours = [d for d in dossiers if d["statut"] not in ("DECIDE", "REPORTE")]
    if not dossiers or en_cours:
        raise Conflit(
            "chaque dossier de l'ordre du jour doit être décidé ou reporté avant la signature"
        )
    maintenant = datetime.now(UTC)
    if not await rc.maj_seance(
        uow.session, seance_id, seance["version"], pv_signe_le=maintenant, pv_signe_par=p.moi.nom
    ):
        raise Conflit("la séance a été modifiée entre-temps : rechargez-la")
    await uow.commit()
    return {**seance, "pv_signe_le": maintenant, "pv_signe_par": p.moi.nom}


async def proces_verbal(uow: UnitOfWork, acteur: Acteur, seance_id: UUID) -> bytes:
    seance, p, dossiers = await ordre_du_jour(uow, acteur, seance_id)
    return proces_verbal_pdf(
        commission=p.commission["nom"],
        reference=seance["reference"],
        date_seance=seance["date_seance"],
        mode=seance["mode"],
        membres=[(m.nom, m.qualite.value, m.voix.value, m.president) for m in p.membres],
        dossiers=[
            DossierPv(
                ordre=d["ordre"],
                logement=f"{d['vacance']['rpls']} — {d['vacance']['adresse']} "
                f"({d['vacance']['typologie']})",
                statut=d["statut"],
                candidats=d["candidats"],
                decisions=d["decisions"] or [],
                resultat=d["resultat"],
            )
            for d in dossiers
        ],
        signe_par=seance["pv_signe_par"],
        signe_le=seance["pv_signe_le"],
    )
