"""Toit matching service: patrimoine, rapprochement offre-demande, CALEOL, attributions."""
