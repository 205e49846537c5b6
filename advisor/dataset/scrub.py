"""Scrubbing personal data and secrets out of training text, with counts per kind.

Kinds and what matches (each replaced by a placeholder such as ``[EMAIL]``):

- ``email``: ``local@domain.tld`` (RFC 5322's common subset: letters, digits, ``._%+-`` before the ``@``);
- ``card``: 13 to 19 digits, optionally grouped by spaces or dashes, that pass the Luhn check (ISO/IEC 7812-1:
  the check digit makes the weighted digit sum a multiple of 10); digit runs that fail it are left alone,
  so order numbers and timestamps survive;
- ``api_key``: well-known secret prefixes (OpenAI ``sk-``/``sk-proj-``, Anthropic ``sk-ant-``, AWS ``AKIA``,
  GitHub ``ghp_``/``github_pat_``, Slack ``xox[bpas]-``, Google ``AIza``, Stripe ``sk_live_``/``rk_live_``)
  followed by their key alphabet, and ``Bearer <token>`` headers;
- ``phone``: an optional ``+`` and country code, then 7 to 15 digits in groups separated by spaces, dots,
  dashes or parentheses (ITU-T E.164 allows at most 15 digits); runs already taken as cards are not phones.

Order matters: keys and cards first (their digits would otherwise read as phones), emails before phones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

__all__ = ["SCRUB_KINDS", "luhn_ok", "scrub_text"]

SCRUB_KINDS = ("email", "phone", "card", "api_key")

_API_KEY = re.compile(
    r"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}|AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
    r"|xox[bpas]-[A-Za-z0-9\-]{10,}|AIza[0-9A-Za-z_\-]{35}|(?:sk|rk)_live_[A-Za-z0-9]{16,})"
    r"|\bBearer\s+[A-Za-z0-9_\-.=]{20,}")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b")
_CARD = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d\-])")
_DATE = re.compile(r"\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4}")  # dates are not phones
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?)?\d{2,4}(?:[ .\-]?\d{2,4}){1,4}(?!\w)")


def luhn_ok(digits: str) -> bool:
    """The Luhn check: from the right, double every second digit (minus 9 when over 9); the sum is a multiple of 10.

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112"), luhn_ok("79927398713")
    (True, False, True)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(m: re.Match) -> str | None:
    digits = re.sub(r"\D", "", m.group())
    return "[CARD]" if 13 <= len(digits) <= 19 and luhn_ok(digits) else None


def _phone(m: re.Match) -> str | None:
    digits = re.sub(r"\D", "", m.group())
    text = m.group()
    # a phone has 7 to 15 digits and some phone-like shape: a '+', parentheses or at least two separators
    shaped = text.startswith("+") or "(" in text or len(re.findall(r"[ .\-]", text)) >= 2
    return "[PHONE]" if 7 <= len(digits) <= 15 and shaped and not _DATE.search(text) else None


_RULES: tuple[tuple[str, re.Pattern, Callable[[re.Match], str | None]], ...] = (
    ("api_key", _API_KEY, lambda m: "[API_KEY]"),
    ("email", _EMAIL, lambda m: "[EMAIL]"),
    ("card", _CARD, _card),
    ("phone", _PHONE, _phone),
)


def scrub_text(text: str, counts: Counter | None = None) -> str:
    """The text with emails, phone numbers, Luhn-valid card numbers and API keys replaced; ``counts`` (if given)
    gains one per replacement, by kind.

    >>> c = Counter()
    >>> scrub_text("Mail ana@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111; order 1234567.", c)
    'Mail [EMAIL] or call [PHONE]; card [CARD]; order 1234567.'
    >>> sorted(c.items())
    [('card', 1), ('email', 1), ('phone', 1)]
    """
    for kind, pattern, repl in _RULES:
        def sub(m: re.Match, _kind=kind, _repl=repl) -> str:
            out = _repl(m)
            if out is None:
                return m.group()
            if counts is not None:
                counts[_kind] += 1
            return out
        text = pattern.sub(sub, text)
    return text
