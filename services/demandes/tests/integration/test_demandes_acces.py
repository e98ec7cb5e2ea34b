"""Every route declares its action; each role gets exactly what servicekit.authz grants."""

from __future__ import annotations

from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import assert_access_matrix


async def test_demandes_matrice_des_acces(runtime: ServiceRuntime) -> None:
    routes = await assert_access_matrix(runtime.app(manage_lifespan=False))
    assert {r.action for r in routes} >= {
        "demande.creer",
        "demande.lire",
        "demande.modifier",
        "demande.enregistrer",
        "demande.renouveler",
        "demande.radier",
        "demande.reactiver",
        "demande.historique",
        "demande.fusionner",
        "piece.deposer",
        "piece.lire",
        "piece.valider",
    }
