"""Toit portail service: Le site public des demandeurs."""
