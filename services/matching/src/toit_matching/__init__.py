"""Toit matching service: Patrimoine, rapprochement offre-demande, CALEOL, propositions, attributions."""
