"""The matching domain: pure code, no framework (housing stock, vacancies, gestion en
flux, candidate search, comparateur, designation)."""
