from servicekit.migrations import run_env

from toit_identite.adapters.tables import metadata

run_env(metadata)
