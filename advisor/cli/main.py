"""Command line: ``python -m advisor {compare,capacity,count,prices,advise,report,dataset,sample} …``.

Each command prints one JSON object with ``--json`` and a readable table without. Any bad input
exits 2 with one line ``error: …`` on stderr saying how to fix the call; never a traceback.
Each command lives in its own module and registers its parser here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from advisor.cli import advise, capacity, compare, count, dataset, prices, sample
from advisor.cli.common import Parser, UsageError
from advisor.fields import ask
from pricing import AdvisorError

__all__ = ["main", "build_parser"]


def cli_words(exc: AdvisorError) -> str:
    """The message, with the flag that sets the field it names when the message does not say it already.

    >>> from advisor.errors import ScenarioError
    >>> cli_words(ScenarioError("epochs=0: a whole number from 1 to 20 epochs", field="epochs"))
    'epochs=0: a whole number from 1 to 20 epochs (--epochs)'
    """
    text, name = str(exc), getattr(exc, "field", None)
    flag = ask(name, "cli") if name else None
    return text if not flag or flag == name or flag in text else f"{text} ({flag})"


def build_parser() -> Parser:
    p = Parser(prog="python -m advisor",
               description="Would a fine-tuned 7B model be cheaper and faster than GPT-4 for this prompt, and when "
                           "does it pay off? Count tokens from logs, price every option, get the verdict.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in (compare, capacity, count, prices, advise, dataset, sample):
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
        print(f"error: {cli_words(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
