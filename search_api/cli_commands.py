"""Imports the modules that add `sophub` subcommands (each registers itself)."""

from . import (
    ask_cli,  # noqa: F401
    feasibility_cli,  # noqa: F401
    indigo_cli,  # noqa: F401
)
