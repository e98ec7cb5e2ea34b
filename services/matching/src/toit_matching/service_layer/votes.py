"""Remote vote (CALEOL numérique) on a dossier: the president (or the bailleur's agent
preparing the commission) opens it until a deadline; the members who sit for the unit vote
(once each, changeable until the deadline) and discuss in a thread; at the deadline the
result is computed with the quorum and tie rules of the configuration and recorded with who
voted what (domain/vote.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_matching.adapters import repository_caleol as rc
from toit_matching.adapters.tables import messages_dossier
from toit_matching.bootstrap import Dependances
from toit_matching.domain.erreurs import AccesRefuse, Conflit, DonneesInvalides, ErreurChamp
from toit_matching.domain.vote import (
    Bulletin,
    Choix,
    Resultat,
    resultat,
    verifier_bulletin,
    verifier_ouverture,
)
from toit_matching.service_layer.acces import Acteur
from toit_matching.service_layer.commissions import Dossier, charger_dossier

MESSAGE_MAX = 2000


def _exiger_president_ou_gerant(d: Dossier) -> None:
    if not (d.place.gerant or d.place.president):
        raise AccesRefuse("seul le président de la commission ouvre ou clôt un vote à distance")


async def ouvrir(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    dossier_id: UUID,
    limite: datetime,
    maintenant: datetime | None = None,
) -> dict[str, Any]:
    d = await charger_dossier(uow, deps, acteur, dossier_id)
    _exiger_president_ou_gerant(d)
    maintenant = maintenant or datetime.now(UTC)
    if d.dossier["statut"] != "INSCRIT":
        raise Conflit("le vote de ce dossier est déjà ouvert, clos ou décidé")
    regle = deps.attribution.vote
    verifier_ouverture(maintenant, limite, regle.duree_min_heures, regle.duree_max_heures)
    if not await rc.maj_dossier(
        uow.session,
        dossier_id,
        d.dossier["version"],
        statut="VOTE_OUVERT",
        vote_ouvert_le=maintenant,
        vote_limite=limite,
    ):
        raise Conflit("le dossier a été modifié entre-temps : rechargez-le")
    await uow.commit()
    return {**d.dossier, "statut": "VOTE_OUVERT", "vote_limite": limite}


async def voter(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    dossier_id: UUID,
    bulletin_recu: Bulletin,
    maintenant: datetime | None = None,
) -> dict[str, Any]:
    """The member's ballot (a new one replaces theirs until the deadline)."""
    d = await charger_dossier(uow, deps, acteur, dossier_id)
    maintenant = maintenant or datetime.now(UTC)
    siege = d.siege(acteur)
    if d.dossier["statut"] == "INSCRIT":
        raise Conflit("le vote à distance n'est pas ouvert pour ce dossier")
    limite = d.dossier["vote_limite"]
    bulletin = Bulletin(
        membre_id=siege.id if siege else uuid.UUID(int=0),
        choix=bulletin_recu.choix,
        rangs=bulletin_recu.rangs,
        commentaire=bulletin_recu.commentaire,
    )
    verifier_bulletin(
        bulletin,
        votant=siege,
        candidats=d.candidats,
        maintenant=maintenant,
        limite=limite if limite is not None else maintenant,
        clos=d.dossier["statut"] != "VOTE_OUVERT",
    )
    await rc.ecrire_bulletin(
        uow.session,
        {
            "dossier_id": dossier_id,
            "membre_id": bulletin.membre_id,
            "choix": bulletin.choix.value,
            "rangs": [str(c) for c in bulletin.rangs],
            "commentaire": bulletin.commentaire,
            "vote_le": maintenant,
            "modifie_le": maintenant,
        },
    )
    await uow.commit()
    return {"membre_id": bulletin.membre_id, "choix": bulletin.choix.value}


async def ecrire(
    uow: UnitOfWork, deps: Dependances, acteur: Acteur, dossier_id: UUID, texte: str
) -> dict[str, Any]:
    d = await charger_dossier(uow, deps, acteur, dossier_id)
    siege = d.siege(acteur)
    if siege is None:
        raise AccesRefuse("seuls les membres qui siègent pour ce dossier écrivent dans le fil")
    if d.dossier["statut"] != "VOTE_OUVERT":
        raise Conflit("le fil de discussion est ouvert pendant le vote seulement")
    texte = texte.strip()
    if not 1 <= len(texte) <= MESSAGE_MAX:
        raise DonneesInvalides([ErreurChamp("texte", f"message de 1 à {MESSAGE_MAX} caractères")])
    ligne = {
        "id": uuid.uuid4(),
        "dossier_id": dossier_id,
        "membre_id": siege.id,
        "texte": texte,
        "ecrit_le": datetime.now(UTC),
    }
    await rc.inserer(uow.session, messages_dossier, ligne)
    await uow.commit()
    return ligne


def _bulletins(lignes: list[dict[str, Any]]) -> list[Bulletin]:
    return [
        Bulletin(
            membre_id=b["membre_id"],
            choix=Choix(b["choix"]),
            rangs=tuple(UUID(c) for c in b["rangs"]),
            commentaire=b["commentaire"],
        )
        for b in lignes
    ]


def _enregistrable(r: Resultat, d: Dossier, lignes: list[dict[str, Any]]) -> dict[str, Any]:
    noms = {m.id: m for m in d.sieges}
    return {
        "choix": r.choix.value,
        "rangs": [str(c) for c in r.rangs],
        "decompte": r.decompte,
        "votants_deliberatifs": r.votants_deliberatifs,
        "deliberatifs": r.deliberatifs,
        "quorum_requis": r.quorum_requis,
        "quorum_atteint": r.quorum_atteint,
        "departage_par": None if r.departage_par is None else str(r.departage_par),
        "explication": r.explication,
        "avis_consultatifs": r.avis_consultatifs,
        "regle": "configuration (règlement de la commission, non vérifié)",
        # Who voted what: recorded with the result (the minutes print it).
        "votes": [
            {
                "membre_id": str(b["membre_id"]),
                "nom": noms[b["membre_id"]].nom if b["membre_id"] in noms else "?",
                "qualite": noms[b["membre_id"]].qualite.value if b["membre_id"] in noms else "?",
                "voix": noms[b["membre_id"]].voix.value if b["membre_id"] in noms else "?",
                "choix": b["choix"],
                "rangs": b["rangs"],
                "modifications": b["modifications"],
                "modifie_le": b["modifie_le"].isoformat(),
            }
            for b in sorted(lignes, key=lambda b: b["vote_le"])
        ],
    }


async def clore(
    uow: UnitOfWork,
    deps: Dependances,
    d: Dossier,
    maintenant: datetime,
    *,
    commit: bool = True,
) -> dict[str, Any]:
    """Compute and record the result of a vote whose deadline has passed."""
    if d.dossier["statut"] != "VOTE_OUVERT":
        raise Conflit("aucun vote ouvert sur ce dossier")
    if maintenant < d.dossier["vote_limite"]:
        raise Conflit(f"le vote reste ouvert jusqu'au {d.dossier['vote_limite']:%d/%m/%Y à %H:%M}")
    lignes = await rc.bulletins_de(uow.session, d.dossier["id"])
    regle = deps.attribution.vote
    r = resultat(
        d.sieges,
        _bulletins(lignes),
        d.candidats,
        quorum=regle.quorum_deliberatifs,
        egalite=regle.egalite,
        preponderant=d.preponderant,
    )
    enregistre = _enregistrable(r, d, lignes)
    statut = "REPORTE" if r.choix is Choix.REPORTER else "VOTE_CLOS"
    if not await rc.maj_dossier(
        uow.session, d.dossier["id"], d.dossier["version"], statut=statut, resultat=enregistre
    ):
        raise Conflit("le dossier a été modifié entre-temps : rechargez-le")
    d.dossier.update(statut=statut, resultat=enregistre, version=d.dossier["version"] + 1)
    if commit:
        await uow.commit()
    return enregistre


async def clore_si_echu(
    uow: UnitOfWork, deps: Dependances, acteur: Acteur, dossier_id: UUID
) -> Dossier:
    """The dossier, its vote closed first if its deadline has passed (reads and the decision
    see the result as soon as the deadline is over)."""
    d = await charger_dossier(uow, deps, acteur, dossier_id)
    maintenant = datetime.now(UTC)
    if d.dossier["statut"] == "VOTE_OUVERT" and maintenant >= d.dossier["vote_limite"]:
        await clore(uow, deps, d, maintenant)
    return d


async def tableau(uow: UnitOfWork, d: Dossier, acteur: Acteur) -> dict[str, Any]:
    """What the vote page shows: the caller's ballot, the ballots cast so far (who voted,
    not what, until the deadline), the thread."""
    lignes = await rc.bulletins_de(uow.session, d.dossier["id"])
    siege = d.siege(acteur)
    mien = next((b for b in lignes if siege is not None and b["membre_id"] == siege.id), None)
    return {
        "mien": mien,
        "votants": {b["membre_id"] for b in lignes},
        "messages": await rc.messages_de(uow.session, d.dossier["id"]),
    }


async def clore_echus(uow: UnitOfWork, deps: Dependances, maintenant: datetime) -> int:
    """Close every remote vote whose deadline has passed (the job's safety net: a read or a
    decision closes it too)."""
    from toit_matching.domain.caleol import Logement, siegeants, voix_preponderante
    from toit_matching.service_layer.commissions import Dossier, Place, membre_de_ligne

    clos = 0
    for dossier in await rc.dossiers_vote_echu(uow.session, maintenant):
        seance = await rc.lire_seance(uow.session, dossier["seance_id"])
        assert seance is not None
        commission = await rc.lire_commission(uow.session, seance["commission_id"])
        assert commission is not None
        membres = [membre_de_ligne(r) for r in await rc.membres(uow.session, commission["id"])]
        from toit_matching.adapters import repository as repo

        vacance = await repo.lire_vacance(uow.session, dossier["vacance_id"])
        assert vacance is not None
        sieges = siegeants(
            membres,
            Logement(
                vacance["commune"],
                deps.referentiel.epci_de(vacance["commune"]),
                vacance["reservataire_id"],
            ),
        )
        d = Dossier(
            dossier,
            seance,
            Place(commission, membres, True, None),
            vacance,
            sieges,
            voix_preponderante(sieges, epci_preponderant=commission["epci_preponderant"]),
        )
        await clore(uow, deps, d, maintenant, commit=False)
        clos += 1
    await uow.commit()
    return clos
