"""Use cases of the matching service, one module per sub-domain:

- `patrimoine`: stock import (file, report, all-or-nothing, idempotent) and pushed units;
- `copies_demandes`: the read models fed by `demande.*` and `cotation.calculee`, and their rebuild;
- `vacances`: declaring, orienting (gestion en flux) and withdrawing vacancies, publishing
  `vacance.declaree`, `vacance.orientee`, `vacance.retiree`;
- `conventions`: reservation conventions and the flux ledger;
- `candidats`: candidate search for a vacancy;
- `comparateur`: candidates side by side for one unit;
- `designations`: designating candidates, publishing `designation.effectuee`;
- `acces`: who may see or act on what (bailleur, réservataire, gestionnaire).

Use cases take their dependencies explicitly and raise domain refusals only.
"""
