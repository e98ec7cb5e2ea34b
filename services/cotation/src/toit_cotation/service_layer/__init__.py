"""Use cases of the cotation service, one module per sub-domain, each on a UnitOfWork.

- `commun`: refusals, the month of reference, EPCIs of communes, the grids' caches;
- `calcul`: following the demandes: keep the snapshot, score it for every EPCI of its
  wished communes with a published grid, publish `cotation.calculee` only when the
  result changed;
- `grilles`: create, edit a draft, publish (and queue the bulk re-scoring), archive;
- `recalcul`: bulk re-scoring: advance a job by one batch, cursor and scores in one commit;
- `simulation`: simulation of a draft grid on the current demandes.
"""

from toit_cotation.service_layer import calcul, commun, grilles, recalcul, simulation

__all__ = ["calcul", "commun", "grilles", "recalcul", "simulation"]
