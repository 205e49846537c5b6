"""The dashboard's scenario as URL query parameters: one mapping, the widget keys are the names.

Every value that arrives from a URL is parsed, checked and, when out of range, clamped to the
nearest allowed value with a note the page shows (never an exception, never a silent change).
A link therefore always opens a valid scenario, and the URL always says what the page shows.

>>> values, notes = parse_query({"rpd": "-5", "epochs": "100", "ct": "0", "batch": "1"})
>>> values["rpd"], values["epochs"], values["ct"], values["batch"]
(0.001, 20, 1.0, True)
>>> notes[0]
'Requests per day (all tasks) from the link was -5; set to 0.001, the nearest allowed value.'
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.fields import FIELDS
from advisor.keys import WHOLE_LOG
from advisor.scenario import DEFAULT_SELFHOST_GPUS
from pricing import today as _today

__all__ = ["Param", "PARAMS", "SOURCES", "AUTO_BASELINE", "parse_value", "parse_query", "to_query",
           "check_choice", "check_choices", "MIN_AS_OF", "TABS", "date_value", "page_rate", "rate_format"]

SOURCES = ("sample logs", "upload logs", "typed numbers")
AUTO_BASELINE = "(from logs / newest GPT-4-class)"   # the newest flagship on the date: GPT-4o, GPT-5.x, ...
_OLD_AUTO_BASELINE = ("(from logs / newest GPT-4)",)      # earlier links' spelling of the same choice
MIN_AS_OF = dt.date(2023, 3, 14)  # GPT-4's release: the catalog's first priced date
TABS = ("Cost", "Payback", "Latency", "Uncertainty", "Traffic & tokens", "Options", "Per task", "Prices & sources")


@dataclass(frozen=True)
class Param:
    """One scenario input: its widget label (used in notes), type, default and allowed range."""

    label: str
    kind: type                       # float | int | bool | str | list | dt.date
    default: Any
    lo: float | dt.date | None = None
    hi: float | dt.date | None = None
    choices: tuple[str, ...] | None = None  # fixed choices (catalog-dependent ones are checked later)
    field: str | None = None         # the advisor.fields entry it sets (None: a page-only setting)

    def to_library(self, value: Any) -> Any:
        """The page's value in the library's units (None: not set); page-only settings pass unchanged."""
        return value if self.field is None else FIELDS[self.field].to_library(value)


def _field(name: str, default: Any, kind: type | None = None) -> Param:
    """A scenario input's widget, from its one declaration in :data:`advisor.fields.FIELDS` (label and range in
    the page's unit); ``default`` is the page's starting value (its ``page_unset`` means "not set")."""
    f = FIELDS[name]
    lo, hi = f.page_range()
    k = kind or f.kind
    if k is int:
        lo, hi = (None if lo is None else int(lo)), (None if hi is None else int(hi))
    return Param(f.label, k, default, lo, hi, field=name)


# Keys are the widgets' keys and the URL's names (short, since they make up a shared link). Scenario inputs take
# their label and range from advisor.fields; the rest are the page's own (data source, task, options pickers).
PARAMS: dict[str, Param] = {
    "source": Param("Data", str, SOURCES[0], choices=SOURCES),
    "task": Param("Task", str, WHOLE_LOG),
    "rpd": _field("requests_per_day", None),    # None: measured from the logs
    "pt": _field("prompt_tokens", 1200.0),
    "ct": _field("completion_tokens", 300.0),
    "growth": _field("growth_per_month", 0, int),
    "horizon": _field("horizon_months", 12),
    "asof": Param("Prices as of", dt.date, None, MIN_AS_OF, None),        # None: today
    "baseline": Param("Baseline API model", str, AUTO_BASELINE),
    "batch": Param("Baseline uses the Batch API", bool, False, field="batch"),
    "hosted": Param("Hosted fine-tunes and deployments", list, None),     # None: the catalog's defaults
    "model": Param("Self-hosted model", str, "mistral-7b"),
    "gpus": Param("Self-hosted GPUs", list, DEFAULT_SELFHOST_GPUS),       # the library's: one answer per input
    "provider": Param("GPU provider", str, "cheapest"),
    "precision": Param("Precision", str, "bf16", choices=("bf16", "fp8", "int8", "int4"), field="precision"),
    "stz": Param("Scale to zero", bool, False, field="scale_to_zero"),
    "switch": Param("Also price cheaper API models", bool, True, field="include_api_alternatives"),
    "latsens": Param("Users wait on the answer", bool, False, field="latency_sensitive"),
    "e2e": _field("e2e_target_s", 0.0),
    "itl": _field("itl_target_s", 0.0),
    "ttft": _field("ttft_target_s", 0.0),
    "examples": _field("training_examples", 0),
    "epochs": _field("epochs", 3),
    "retrains": _field("retrains_per_year", 4.0),
    "changes": _field("prompt_changes_per_month", -1.0),
    # shorter fine-tuned prompts (issue 18): None = measured in the logs / the variable part plus an instruction
    "static": _field("static_prompt_tokens", None),
    "ftpt": _field("ft_prompt_tokens", None),
    # people's time: None = the sourced defaults of pricing/data/people.yaml
    "rate": _field("engineer_usd_per_hour", None),
    "review": _field("review_minutes_per_example", None),
    "eng": _field("engineering_usd", None),
    "lab": _field("labelling_usd_per_run", None),
    "ops": _field("selfhost_ops_usd_per_month", None),
    "reasoning": Param("Task needs deep reasoning", bool, False, field="needs_deep_reasoning"),
    "ood": Param("Inputs drift out of domain", bool, False, field="out_of_domain"),
    "minrpd": Param("Volume threshold (requests/day)", float, 100.0, 0.0, 1e7),
    "tab": Param("Open tab", str, TABS[0], choices=TABS),                # the page's open tab (not the scenario)
    "onein": Param("Logs keep one request in N", float, 1.0, 1.0, 1e6),   # 1-in-N logging (uploads)
}


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.10g}"
    return str(v)


def _clamp(key: str, p: Param, v, raw: str, today: dt.date) -> tuple[Any, str | None]:
    hi = today if p.kind is dt.date and p.hi is None else p.hi
    if p.lo is not None and v < p.lo:
        return p.lo, f"{p.label} from the link was {raw}; set to {_fmt(p.lo)}, the nearest allowed value."
    if hi is not None and v > hi:
        return hi, f"{p.label} from the link was {raw}; set to {_fmt(hi)}, the nearest allowed value."
    return v, None


def parse_value(key: str, raw: str, *, today: dt.date | None = None) -> tuple[Any, str | None]:
    """``(value, note)`` for one URL value; the note is ``None`` when the value was used as given.

    Unreadable values fall back to the default, out-of-range ones to the nearest bound; both say so.

    >>> parse_value("rpd", "inf")[0]
    1000000000.0
    >>> parse_value("rpd", "inf")[1]
    'Requests per day (all tasks) from the link was inf; set to 1,000,000,000, the nearest allowed value.'
    >>> parse_value("horizon", "abc")[1]
    "Horizon (months) from the link was 'abc', which is not a whole number; the default (12) is used."
    """
    p = PARAMS[key]
    today = today or _today()
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    default = today if p.kind is dt.date and p.default is None else p.default

    def unreadable(what: str):
        d = "measured" if default is None else ",".join(default) if isinstance(default, tuple) else _fmt(default)
        return default, f"{p.label} from the link was {shown!r}, which is not {what}; the default ({d}) is used."

    if p.kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True, None
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False, None
        return unreadable("0 or 1")
    if p.kind is list:
        return tuple(x for x in raw.split(",") if x), None
    if p.kind is str:
        if key == "baseline" and raw in _OLD_AUTO_BASELINE:
            return AUTO_BASELINE, None
        if p.choices is not None and raw not in p.choices:
            return unreadable("one of " + ", ".join(p.choices))
        return raw, None
    if p.kind is dt.date:
        try:
            return _clamp(key, p, dt.date.fromisoformat(raw), shown, today)
        except ValueError:
            return unreadable("a date (YYYY-MM-DD)")
    try:
        v = float(raw)
    except ValueError:
        return unreadable("a whole number" if p.kind is int else "a number")
    if math.isnan(v):
        return unreadable("a whole number" if p.kind is int else "a number")
    v, note = _clamp(key, p, v, shown, today)
    if p.kind is int:
        if v != int(v):
            note = note or f"{p.label} from the link was {shown}; rounded to {round(v)}."
        return int(round(v)), note
    return float(v), note


def date_value(key: str, raw: str | None, *, today: dt.date | None = None) -> tuple[dt.date, str | None]:
    """A date typed in the page (``YYYY-MM-DD``; applied on Enter or Tab), checked like a link's: an unreadable
    one gives today, one out of range the nearest allowed day, each with a note.

    >>> date_value("asof", "2024-03-28", today=dt.date(2026, 12, 6))
    (datetime.date(2024, 3, 28), None)
    >>> date_value("asof", "2024-3-28", today=dt.date(2026, 12, 6))[1]
    "Prices as of: '2024-3-28' is not a date written YYYY-MM-DD; today's (2026-12-06) is used."
    >>> date_value("asof", "2030-01-01", today=dt.date(2026, 12, 6))
    (datetime.date(2026, 12, 6), 'Prices as of: 2030-01-01 is after today; 2026-12-06 is used.')
    """
    p, today = PARAMS[key], today or _today()
    text = (raw or "").strip()
    if not text:
        return today, None
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "..."
        return today, f"{p.label}: {shown!r} is not a date written YYYY-MM-DD; today's ({today}) is used."
    if d < MIN_AS_OF:
        return MIN_AS_OF, f"{p.label}: {d} is before the first priced day; {MIN_AS_OF} is used."
    if d > today:
        return today, f"{p.label}: {d} is after today; {today} is used."
    return d, None


def parse_query(query: Mapping[str, str], *, today: dt.date | None = None) -> tuple[dict[str, Any], list[str]]:
    """The scenario values present in a URL query and the notes on changes; a name that is no setting
    is ignored with a note (the closest setting's name suggested; Streamlit's own ``embed`` names pass).

    >>> parse_query({"as_of": "2024-03-28", "embed": "true"})[1]
    ["The link's 'as_of' is not a setting of this page and was ignored (did you mean 'asof'?)."]
    """
    values, notes = {}, []
    for key, raw in query.items():
        if key in PARAMS:
            v, note = parse_value(key, str(raw), today=today)
            values[key] = v
            if note:
                notes.append(note)
        elif key not in _STREAMLIT_KEYS:
            shown = key if len(key) <= 40 else key[:37] + "..."
            close = difflib.get_close_matches(key.lower(), list(PARAMS), n=1, cutoff=0.6)
            notes.append(f"The link's {shown!r} is not a setting of this page and was ignored"
                         + (f" (did you mean {close[0]!r}?)." if close else "."))
    return values, notes


_STREAMLIT_KEYS = frozenset({"embed", "embed_options"})   # Streamlit's own URL options, not settings


def to_query(values: Mapping[str, Any]) -> dict[str, str]:
    """URL strings for the given values (``None`` left out); inverse of :func:`parse_query`.

    >>> to_query({"rpd": 1802.9, "batch": True, "gpus": ("l4", "l40s"), "asof": dt.date(2024, 3, 28), "pt": None})
    {'rpd': '1802.9', 'batch': '1', 'gpus': 'l4,l40s', 'asof': '2024-03-28'}
    """
    out = {}
    for key, v in values.items():
        if v is None or key not in PARAMS:
            continue
        if isinstance(v, bool):
            out[key] = "1" if v else "0"
        elif isinstance(v, (list, tuple)):
            out[key] = ",".join(v)
        elif isinstance(v, float):
            out[key] = f"{v:.10g}"
        elif isinstance(v, dt.date):
            out[key] = v.isoformat()
        else:
            out[key] = str(v)
    return out


def check_choice(key: str, value: str, choices: list[str] | tuple[str, ...], default: str) -> tuple[str, str | None]:
    """``value`` if it is one of ``choices``, else ``default`` (or the first choice) with a note.

    >>> check_choice("model", "llama-9000", ["mistral-7b", "llama-3-8b"], "mistral-7b")
    ('mistral-7b', "Self-hosted model 'llama-9000' is not available; mistral-7b is used.")
    """
    if value in choices:
        return value, None
    fallback = default if default in choices else choices[0]
    shown = value if len(value) <= 40 else value[:37] + "..."
    return fallback, f"{PARAMS[key].label} {shown!r} is not available; {fallback} is used."


def check_choices(key: str, values, choices) -> tuple[tuple[str, ...], str | None]:
    """The values that are among ``choices`` and a note naming those left out.

    >>> check_choices("gpus", ("l4", "tpu-v9"), ["l4", "l40s"])
    (('l4',), 'Self-hosted GPUs: tpu-v9 not available on this date, left out.')
    """
    kept = tuple(dict.fromkeys(v for v in values if v in choices))
    dropped = [v if len(v) <= 40 else v[:37] + "..." for v in values if v not in choices]
    return kept, (f"{PARAMS[key].label}: {', '.join(dropped)} not available on this date, left out." if dropped
                  else None)


def page_rate(requests_per_day: float) -> float:
    """The volume the page starts from for logs measured at ``requests_per_day``: to 0.1 from 10 a day (the box
    shows whole requests), the measured value itself below (a log of a few requests over months: 0.04/day is not
    rounded to 0 or raised to 1, so the page prices what ``advise`` prices); never below the box's minimum.

    >>> page_rate(21_463.74), page_rate(0.0078), page_rate(1e-6)
    (21463.7, 0.0078, 0.001)
    """
    lo = PARAMS["rpd"].lo
    floor = lo if isinstance(lo, float) else 0.0
    return max(round(requests_per_day, 1) if requests_per_day >= 10 else requests_per_day, floor)


def rate_format(requests_per_day: float | None) -> str:
    """The printf format of the requests-per-day box: whole requests from 10 a day, else the digits that show it.

    >>> rate_format(None), rate_format(2000.0), rate_format(5.0), rate_format(0.0078)
    ('%.0f', '%.0f', '%.1f', '%.4f')
    """
    if requests_per_day is None or requests_per_day >= 10:
        return "%.0f"
    return "%.1f" if requests_per_day >= 1 else "%.4f"
