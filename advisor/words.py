"""Numbers and text in words for people, shared by the reasons, the page, the charts, the report and the CLI:
every formatter (money, ratios, shares, volumes, months) and every escaper (Markdown, HTML prose), once."""

from __future__ import annotations

import html
import math
import re
from typing import TypeGuard

__all__ = ["is_finite", "months_text", "rate_text", "fmt_usd", "fmt_ratio", "fmt_rate", "fmt_share", "md_text", "html_prose",
           "count_text", "usd_text", "share_text", "unit_text", "MINUS"]

MINUS = "\u2212"   # the one minus sign before money on every surface: "−$230", never "$-230"


def months_text(n: int) -> str:
    """A number of months.

    >>> months_text(1), months_text(12)
    ('1 month', '12 months')
    """
    return f"{n} month" + ("" if n == 1 else "s")


def rate_text(x: float, unit: str = " requests/day") -> str:
    """A volume for a sentence: whole numbers from 10, one decimal below, never a rounded "0".

    >>> [rate_text(x) for x in (15_961.2, 2.54, 1, 0.02)]
    ['15,961 requests/day', '2.5 requests/day', '1 request/day', 'under 0.1 requests/day']
    >>> rate_text(0.4, "/day"), rate_text(9.96, "/day")
    ('0.4/day', '10/day')
    """
    if 0 < x < 0.05:
        return f"under 0.1{unit}"
    n = f"{x:,.0f}" if round(x, 1) >= 10 or x == int(x) else f"{x:.1f}"
    return n + (unit.replace("requests", "request") if n == "1" else unit)


def is_finite(x: object) -> TypeGuard[float]:
    """A number that is neither None, inf nor NaN (ints count)."""
    return x is not None and not (isinstance(x, float) and not math.isfinite(x))


def fmt_usd(x: float | None, *, signed: bool = False) -> str:
    """Money for people: cents under $10, whole dollars to $100k, then k/M/B; a minus sign, not ``$-``.

    >>> [fmt_usd(v) for v in (0.00013, 0.004, 3.5, 1234.4, 250_000, 12_300_000, -15.2, None, float("inf"))]
    ['$0.00013', '$0.004', '$3.50', '$1,234', '$250k', '$12.3M', '−$15', '–', '–']
    >>> fmt_usd(8.9e-05), fmt_usd(0.0284), fmt_usd(3.2e-9)
    ('$0.000089', '$0.03', '$0.0000000032')

    The unit follows the value as rounded for display, so a figure never shows as "$1,000k" or "$10.00":

    >>> [fmt_usd(v) for v in (9.996, 99_999.6, 999_600, 999_960_000)]
    ['$10', '$100k', '$1.0M', '$1.0B']
    """
    if not is_finite(x):
        return "–"
    sign = MINUS if x < 0 else ("+" if signed and x > 0 else "")
    a = abs(x)
    if a == 0:
        body = "0"
    elif a < 0.01:   # two significant digits as a plain decimal (never 8.9e-05)
        body = f"{a:.{min(1 - math.floor(math.log10(a)), 12)}f}".rstrip("0").rstrip(".") or "0"
    elif round(a, 2) < 10:
        body = f"{a:,.2f}"
    elif round(a) < 100_000:
        body = f"{a:,.0f}"
    elif round(a / 1e3) < 1000:
        body = f"{a / 1e3:,.0f}k"
    elif round(a / 1e6, 1) < 1000:
        body = f"{a / 1e6:,.1f}M"
    else:
        body = f"{a / 1e9:,.1f}B"
    return f"{sign}${body}"


def fmt_ratio(x: float | None) -> str:
    """How many times cheaper, for people: ``88×``, ``1.6×``; ``–`` when undefined.

    >>> [fmt_ratio(v) for v in (88.04, 1.64, 0.4, float("inf"), None, 0.0)]
    ['88×', '1.6×', 'costs more', '–', '–', '–']
    """
    if not is_finite(x) or x <= 0:
        return "–"
    if x < 1:
        return "costs more"
    return f"{x:,.0f}×" if x >= 10 else f"{x:.1f}×"


def fmt_rate(x: float | None, unit: str = "/day") -> str:
    """Requests per day: one decimal under 10, whole numbers to 100k, then k/M.

    >>> [fmt_rate(v) for v in (0.003, 0.37, 33.5, 1802.9, 1_250_000, 1e9)]
    ['under 0.1/day', '0.4/day', '34/day', '1,803/day', '1.25M/day', '1B/day']

    The unit follows the value as rounded for display (never "10.0/day", "1,000k/day" or "1e+03M/day"):

    >>> [fmt_rate(v) for v in (9.96, 99_999.6, 999_600, 999_999_999)]
    ['10/day', '100k/day', '1M/day', '1B/day']
    """
    if not is_finite(x):
        return "–"
    if 0 < x < 0.05:
        return f"under 0.1{unit}"
    if round(x, 1) < 10:
        return f"{x:.1f}{unit}"
    if round(x) < 100_000:
        return f"{x:,.0f}{unit}"
    if round(x / 1e3) < 1000:
        return f"{x / 1e3:,.0f}k{unit}"
    if float(f"{x / 1e6:.3g}") < 1000:
        return f"{x / 1e6:,.3g}M{unit}"
    return f"{x / 1e9:,.3g}B{unit}"


def fmt_share(x: float | None) -> str:
    """A probability for a tile or a table: :func:`share_text` (``>99%``, never a rounded ``100%``)."""
    return share_text(x)


# -- messages in the page's words ------------------------------------------------------------------


# ``_`` between two letters or digits is left as it is: it can neither open nor close emphasis (CommonMark 6.2),
# so ``judge_model`` and file names read as written
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# A web address in text: http(s) and the characters of a URL, never Markdown/HTML structure (no spaces, quotes,
# brackets, pipes, backticks or backslashes); trailing sentence punctuation and an unmatched ")" are not part of it.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+")
_URL_TAIL = ".,;:!?'"
# Inside a link, what Markdown could still act on is written percent-encoded (the same address: RFC 3986 2.1, 2.3)
_URL_MD = {"*": "%2A", "~": "%7E", "_": "%5F"}


def _url_spans(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into ``(is_url, piece)`` runs.

    >>> _url_spans("see (x, https://a.io/b_c?d=1). Then")
    [(False, 'see (x, '), (True, 'https://a.io/b_c?d=1'), (False, '). Then')]
    """
    out, at = [], 0
    for m in _URL.finditer(text):
        url = m.group(0)
        while url and (url[-1] in _URL_TAIL or (url[-1] == ")" and url.count(")") > url.count("("))):
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        out += [(False, text[at:m.start()])] if m.start() > at else []
        out.append((True, url))
        at = m.start() + len(url)
    return out + ([(False, text[at:])] if at < len(text) else [])


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _md_url(url: str) -> str:
    """An address Markdown links as written: no backslash escapes inside it (``reducing\\_gpu`` becomes a
    dead ``reducing%5C_gpu`` link); ``_`` between letters or digits stays (it cannot start emphasis)."""
    url = html.escape(url, quote=False)
    return re.sub(r"[*~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", lambda m: _URL_MD[m.group(0)], url)


def md_text(value) -> str:
    r"""Untrusted text (task labels, model names, file names) safe in Markdown: HTML special characters
    as entities (no raw tags reach a wiki that renders HTML) and Markdown syntax backslash-escaped
    (no links, emphasis or table breaks). A web address is kept as written, so it still links.

    >>> md_text('<img src=x onerror=alert(1)> *bold* [a](b) |')
    '&lt;img src=x onerror=alert(1)&gt; \\*bold\\* \\[a\\](b) \\|'
    >>> md_text("cold start (https://tensorfuse.io/docs/blogs/reducing_gpu_cold_start): 82 s, set judge_model")
    'cold start (https://tensorfuse.io/docs/blogs/reducing_gpu_cold_start): 82 s, set judge_model'
    >>> md_text("_a_ a_b __init__")
    '\\_a\\_ a_b \\_\\_init\\_\\_'
    >>> md_text("[x](https://evil.io/_a_)")
    '\\[x\\](https://evil.io/%5Fa%5F)'
    """
    return "".join(_md_url(p) if is_url else _md_escape(p) for is_url, p in _url_spans(str(value)))


def html_prose(value, *, links: bool = True) -> str:
    """Text for HTML: escaped, web addresses as links (``links``; never for task labels or model names).

    >>> html_prose('<b>x</b> (https://a.io/b_c?d=1&e=2).')
    '&lt;b&gt;x&lt;/b&gt; (<a href="https://a.io/b_c?d=1&amp;e=2">https://a.io/b_c?d=1&amp;e=2</a>).'
    """
    if not links:
        return html.escape(str(value))
    return "".join(f'<a href="{html.escape(p)}">{html.escape(p)}</a>' if is_url else html.escape(p)
                   for is_url, p in _url_spans(str(value)))


def count_text(n: float, word: str, plural: str | None = None) -> str:
    """A count of things, the noun agreeing with the number as printed (``1 record``, ``1,088 records``).

    >>> count_text(1, "record"), count_text(1088, "record"), count_text(0, "hour"), count_text(1.0, "hour")
    ('1 record', '1,088 records', '0 hours', '1 hour')
    >>> count_text(2, "example", "examples judged")
    '2 examples judged'
    """
    shown = f"{n:,.0f}"
    return f"{shown} {word if shown == '1' else (plural or word + 's')}"


def usd_text(x: float) -> str:
    """Money in a sentence: whole dollars from $100, cents below, the minus sign before the dollar sign.

    >>> [usd_text(v) for v in (727_099.4, 12.5, -206.2, -0.5, 0)]
    ['$727,099', '$12.50', '−$206', '−$0.50', '$0.00']
    """
    body = f"{abs(x):,.0f}" if abs(x) >= 100 else f"{abs(x):,.2f}"
    return f"{MINUS if x < 0 and body.strip('0.,') else ''}${body}"


def share_text(p: float | None) -> str:
    """A probability as people read it: whole percents, never a rounded certainty (">99%", "<1%").

    >>> [share_text(p) for p in (0.9987, 1.0, 0.004, 0.0, 0.5, None)]
    ['>99%', '100%', '<1%', '0%', '50%', '–']
    """
    if p is None or not math.isfinite(p):
        return "–"
    if 0.99 < p < 1:
        return ">99%"
    if 0 < p < 0.01:
        return "<1%"
    return f"{p:.0%}"


def unit_text(value: float, unit: str) -> str:
    """A value with its unit, the unit's first word singular when the value is exactly 1.

    >>> unit_text(1, "hours (one-off)"), unit_text(4, "hours (one-off)"), unit_text(1, "minutes/example")
    ('1 hour (one-off)', '4 hours (one-off)', '1 minute/example')
    >>> unit_text(1, "GPUs always on"), unit_text(0.5, "hours/month"), unit_text(1, "USD/hour")
    ('1 GPU always on', '0.5 hours/month', '1 USD/hour')
    """
    if value == 1:
        m = re.match(r"([A-Za-z]+?)s(\b.*)", unit, re.S)
        if m and m.group(1) not in ("USD",):
            unit = m.group(1) + m.group(2)
    return f"{value:g} {unit}"
