"""Entry points: HTTP routes, event consumer, sender loop."""
