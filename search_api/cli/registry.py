"""The registry that `sophub` subcommands add themselves to; `main` imports their modules by name."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help_text: str, add_args: Callable[[argparse.ArgumentParser], None] | None = None):
    """Register a subcommand under `name` with its help text and argument builder."""

    def wrap(fn: Handler) -> Handler:
        COMMANDS[name] = (help_text, add_args or (lambda p: None), fn)
        return fn

    return wrap
