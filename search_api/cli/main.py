"""The `sophub` command: one parser over the commands of an explicit list of modules."""

from __future__ import annotations

import argparse
import sys

from search_api.cli import ask, build, deploy, feasibility, feedback, projects, serve
from search_api.cli.registry import COMMANDS

# Each module registers its commands when imported; this list is the whole command line.
COMMAND_MODULES = (build, serve, ask, feasibility, projects, feedback, deploy)


def parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    p = argparse.ArgumentParser(prog="sophub", description="Social Outcomes Partnerships hub tools.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_args, _fn) in sorted(COMMANDS.items()):
        add_args(sub.add_parser(name, help=help_text, description=help_text))
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sophub` console script."""
    args = parser().parse_args(argv)
    return COMMANDS[args.command][2](args)


if __name__ == "__main__":
    sys.exit(main())
