"""Fiches territoriales and bilan d'activité as PDF: the indicator set of a
territory and year with its charts (PNG from the same Vega-Lite specs) each
followed by its table. The HTML versions are the espace professionnel's pages."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from toit_observatoire.adapters import fichiers, graphiques
from toit_observatoire.domain.resultats import Colonne, Resultat
from toit_observatoire.domain.secret import masquer
from toit_observatoire.service_layer.indicateurs import JeuIndicateurs, Repartition
from toit_observatoire.service_layer.statistiques import spec_mois, spec_repartition


def _fr(value: Any, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",") + suffix
    return f"{value:,}".replace(",", " ") + suffix


def lignes_chiffres(jeu: JeuIndicateurs) -> list[tuple[str, str]]:
    """The headline figures as (label, formatted value)."""
    return [
        ("Demandes en cours (fin de période)", _fr(jeu.stock)),
        ("dont demandes externes", _fr(jeu.stock_externes)),
        ("dont mutations", _fr(jeu.stock_mutations)),
        ("Nouvelles demandes", _fr(jeu.nouvelles_demandes)),
        ("Attributions", _fr(jeu.attributions)),
        ("Pression (demandes ÷ attributions)", _fr(jeu.pression)),
        ("Délai d'attente moyen des attribuées (mois)", _fr(jeu.delai_moyen_mois)),
        ("Délai d'attente médian des attribuées (mois)", _fr(jeu.delai_median_mois)),
        ("Ancienneté moyenne des demandes en cours (mois)", _fr(jeu.anciennete_moyenne_mois)),
        ("Ancienneté médiane des demandes en cours (mois)", _fr(jeu.anciennete_mediane_mois)),
        (
            "Taux de satisfaction",
            _fr(None if jeu.taux_satisfaction is None else 100 * jeu.taux_satisfaction, " %"),
        ),
    ]


def _table(colonnes: list[str], lignes: list[list[Any]]) -> Resultat:
    return Resultat(
        colonnes=[Colonne(f"c{i}", c, "texte") for i, c in enumerate(colonnes)],
        lignes=lignes,
        total=len(lignes),
        groupe=False,
    )


def _repartition(rep: Repartition) -> Resultat:
    return _table(
        [rep.libelle, "Nombre"],
        [[k, "secret" if n is None else n] for k, n in rep.valeurs.items()],
    )


def fiche_pdf(jeu: JeuIndicateurs, titre: str = "Fiche territoriale") -> bytes:
    heading = f"{titre} — {jeu.libelle} ({jeu.niveau} {jeu.code}), {jeu.annee}"
    story: list[Flowable] = [
        fichiers.titre(heading),
        fichiers.paragraphe(f"Période du {jeu.debut:%d/%m/%Y} au {jeu.fin:%d/%m/%Y}."),
        Spacer(1, 3 * mm),
        fichiers.table_flowable(
            _table(["Indicateur", "Valeur"], [list(r) for r in lignes_chiffres(jeu)])
        ),
        Spacer(1, 4 * mm),
        fichiers.image_png(graphiques.png(spec_mois(jeu))),
        fichiers.table_flowable(
            _table(
                ["Mois", "Nouvelles demandes", "Attributions"],
                [
                    [m["mois"], _fr(m["nouvelles_demandes"]), _fr(m["attributions"])]
                    for m in jeu.par_mois
                ],
            )
        ),
    ]
    for rep in [jeu.radiations, *jeu.profils]:
        story.append(fichiers.intertitre(rep.libelle))
        if any(n for n in rep.valeurs.values()):
            story.append(
                fichiers.image_png(graphiques.png(spec_repartition(rep, jeu.libelle)), 120)
            )
        story.append(fichiers.table_flowable(_repartition(rep)))
    story.append(fichiers.intertitre("Obligations d'attribution (article L441-1 CCH)"))
    story.append(
        fichiers.table_flowable(
            _table(
                [
                    "Obligation",
                    "Attributions",
                    "Conformes",
                    "Taux",
                    "Cible",
                    "Encore nécessaires",
                    "Non déterminées",
                ],
                [
                    [
                        o.libelle,
                        o.total,
                        o.conformes,
                        _fr(None if o.taux is None else 100 * o.taux, " %"),
                        _fr(100 * o.cible, " %"),
                        o.manquantes,
                        o.inconnues,
                    ]
                    for o in [*jeu.obligations, *jeu.obligations_dalo]
                ],
            )
        )
    )
    ref = jeu.seuil_q1_reference
    story.append(
        fichiers.paragraphe(
            "Seuil du premier quartile — arrêté : "
            + (_fr(float(ref.valeur), " €") if ref and ref.valeur is not None else "non renseigné")
            + (f" ({ref.source})" if ref else "")
            + " ; calculé par Toit sur les demandes en cours : "
            + (_fr(float(jeu.seuil_q1_calcule), " €") if jeu.seuil_q1_calcule is not None else "—")
        )
    )
    story += [fichiers.paragraphe(n) for n in jeu.notes]
    story.append(
        fichiers.paragraphe(
            "Secret statistique : les effectifs de moins de 5 ménages sont masqués (« secret »), "
            "ainsi que ceux qui permettraient de les retrouver par différence."
        )
    )
    return fichiers.pdf_document(heading, story)


def bilan_pdf(jeu: JeuIndicateurs, sous_territoires: list[JeuIndicateurs], seuil: int) -> bytes:
    """The bilan d'activité: the territory's figures, then one line per sub-territory
    (each column's small cells masked, with secondary cells: the total is published)."""
    masked = {
        name: masquer({(s.code,): getattr(s, name) for s in sous_territoires}, seuil)
        for name in ("stock", "nouvelles_demandes", "attributions")
    }

    def cell(s: JeuIndicateurs, name: str) -> str:
        return "secret" if (s.code,) in masked[name] else _fr(getattr(s, name))

    heading = f"Bilan d'activité — {jeu.libelle}, {jeu.annee}"
    story: list[Flowable] = [
        fichiers.titre(heading),
        fichiers.table_flowable(
            _table(["Indicateur", "Valeur"], [list(r) for r in lignes_chiffres(jeu)])
        ),
        Spacer(1, 4 * mm),
        fichiers.image_png(graphiques.png(spec_mois(jeu))),
        fichiers.intertitre("Par territoire"),
        fichiers.table_flowable(
            _table(
                [
                    "Territoire",
                    "Demandes en cours",
                    "Nouvelles",
                    "Attributions",
                    "Pression",
                    "Délai médian (mois)",
                ],
                [
                    [
                        s.libelle,
                        _fr(s.stock),
                        _fr(s.nouvelles_demandes),
                        _fr(s.attributions),
                        _fr(s.pression),
                        _fr(s.delai_median_mois),
                    ]
                    for s in sous_territoires
                ],
            )
        ),
    ]
    return fichiers.pdf_document(heading, story)
