"""The `sophub` command line."""

from search_api.cli.main import COMMANDS, main

__all__ = ["COMMANDS", "main"]
