"""Imports the modules that add `sophub` subcommands (each registers itself)."""
