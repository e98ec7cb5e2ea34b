"""Pure notification rules: what to send, to whom, through which channel, how often to retry."""
