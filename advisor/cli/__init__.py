"""The command line, ``python -m advisor`` (private: the commands, flags and JSON keys are the contract)."""

from advisor.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
