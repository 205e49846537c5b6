"""Command line: ``python -m advisor {compare,capacity,count,prices,advise,report} …``.

Each command prints one JSON object with ``--json`` and a readable table without. Any bad input
exits 2 with one line ``error: …`` on stderr saying how to fix the call; never a traceback.
Each command lives in its own module and registers its parser here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from advisor.cli import advise, capacity, compare, count, prices
from advisor.cli.common import Parser, UsageError
from pricing import AdvisorError

__all__ = ["main", "build_parser"]


def build_parser() -> Parser:
    p = Parser(prog="python -m advisor",
               description="Would a fine-tuned 7B model be cheaper and faster than GPT-4 for this prompt, and when "
                           "does it pay off? Count tokens from logs, price every option, get the verdict.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in (compare, capacity, count, prices, advise):
        command.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
