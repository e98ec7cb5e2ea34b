"""HTTP API of the matching service (/api/matching), one module per thing it serves:

- `http_patrimoine`: landlords' housing stock (imports, pushed housing);
- `http_vacances`: vacancies (declaration, orientation, withdrawal);
- `http_conventions`: reservation conventions and the flow ledger;
- `http_candidats`: candidate search, comparator, designation;
- `http_caleol`: the attribution chain (commissions, decisions, offers, leases).

Each route declares its action (servicekit.authz); the use cases check the record-level
rules (own units, oriented vacancies, perimeter) and raise domain refusals, answered in
French by servicekit (`servicekit.exceptions`)."""

from __future__ import annotations

from fastapi import APIRouter

from toit_matching.entrypoints import (
    http_candidats,
    http_conventions,
    http_patrimoine,
    http_vacances,
)

router = APIRouter()
for _module in (http_patrimoine, http_vacances, http_conventions, http_candidats):
    router.include_router(_module.router)
