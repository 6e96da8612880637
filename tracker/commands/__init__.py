"""Subcommands of `chipwatch`, one module each."""
