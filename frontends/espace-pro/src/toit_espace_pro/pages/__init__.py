"""The pages of the espace professionnel, one module per domain concept."""
