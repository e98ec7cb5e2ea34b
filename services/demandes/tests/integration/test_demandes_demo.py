"""Demo seed: demandes in 44 and 35 in every status, loaded once; one belongs to the
portail's demo applicant."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from toit_demandes.adapters.tables import demandes
from toit_demandes.entrypoints.seed import charger_demo
from toit_demandes.service import service

from servicekit.auth import demo_id
from servicekit.testing import RuntimeFactory


async def test_donnees_de_demonstration(runtime_factory: RuntimeFactory, tmp_path: Any) -> None:
    runtime = await runtime_factory(service, mode="demo", data_dir=tmp_path)
    await charger_demo(runtime)  # a second time: nothing more
    async with runtime.unit_of_work() as uow:
        lignes = (
            await uow.session.execute(
                sa.select(demandes.c.departement, demandes.c.statut, demandes.c.proprietaire)
            )
        ).all()
    assert len(lignes) == 41
    assert Counter(d for d, _, _ in lignes) == {"44": 21, "35": 20}
    assert {s for _, s, _ in lignes} >= {"BROUILLON", "ACTIVE", "RADIEE", "EXPIREE_GRACE"}
    # The portail's demo applicant follows one active demande (issue 15).
    assert [(d, s) for d, s, p in lignes if p == demo_id("demo-demandeur@example.org")] == [
        ("44", "ACTIVE")
    ]
