"""Toit abonnements: partner organisations receive the demande events they are entitled
to, minimised by a data profile, in order, signed, replayable, never lost."""
