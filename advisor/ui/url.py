"""URL state for the page: each widget is bound to a query parameter of the same name (one mapping,
:data:`advisor.ui.params.PARAMS`); values from a link are parsed, clamped and noted; the URL is written back with
the values that differ from their defaults. Streamlit-only glue (``st.session_state``, ``st.query_params``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from advisor.ui.params import PARAMS, check_choice, check_choices, parse_query, to_query

__all__ = ["ALWAYS_IN_URL", "load_url_state", "note", "seed", "choose", "choose_many", "write_url"]


def load_url_state() -> None:
    """On a session's first run, seed the widgets from the URL (parsed, clamped, noted)."""
    if "_url_notes" in st.session_state:
        return
    values, notes = parse_query(st.query_params.to_dict())
    values = {k: v for k, v in values.items() if v is not None}  # unreadable, no default: the widget decides
    for key, value in values.items():
        st.session_state[key] = (list(value) if isinstance(value, tuple) else
                                 value.isoformat() if isinstance(value, dt.date) else value)
    st.session_state["_url_notes"] = notes
    st.session_state["_url_keys"] = set(values)


def note(text: str) -> None:
    st.session_state.setdefault("_notes", []).append(text)


def seed(key: str, default: Any = None) -> None:
    """Give a widget its default unless the URL or the user set it (widgets get no ``value=``)."""
    d = PARAMS[key].default if default is None else default
    st.session_state.setdefault("_defaults", {})[key] = list(d) if isinstance(d, tuple) else d
    if key not in st.session_state or (st.session_state[key] is None and PARAMS[key].default is not None):
        d = PARAMS[key].default if default is None else default
        st.session_state[key] = list(d) if isinstance(d, tuple) else d


def _intent(key: str):
    """What the user chose for ``key``: the widget's value when it changed since this page last set it (a click,
    a link), else what was chosen before a date narrowed it. A price date that offers fewer options shows fewer,
    and a date that offers them again brings them back: the choice is never narrowed for good."""
    current, shown = st.session_state[key], st.session_state.get(f"_shown_{key}")
    if f"_want_{key}" not in st.session_state or current != shown:
        st.session_state[f"_want_{key}"] = current
    return st.session_state[f"_want_{key}"]


def _show(key: str, value) -> None:
    st.session_state[key] = value
    st.session_state[f"_shown_{key}"] = value


def choose(key: str, choices: list[str], default: str) -> None:
    """Keep a select box's state among its choices (a value from an old link, or one the date does not offer,
    falls back with a note; the choice comes back on a date that offers it)."""
    seed(key, default)
    value, msg = check_choice(key, _intent(key), choices, default)
    if msg:
        note(msg)
    _show(key, value)


def choose_many(key: str, choices: list[str], default, *, most: int = 3) -> None:
    """Keep the chosen values still offered (another date offers others; those left out come back on a date
    that offers them). When the date left none of a non-empty choice, the defaults offered then (else the first
    ``most`` offered) stand in, with a note; a list the user emptied stays empty."""
    seed(key, tuple(default))
    chosen = list(_intent(key))
    kept, msg = check_choices(key, chosen, choices)
    if msg:
        note(msg.removesuffix(".") + " (still chosen: back on a date that offers them).")
    if chosen and not kept and choices:
        kept = tuple(x for x in default if x in choices) or tuple(choices[:most])
        note(f"{PARAMS[key].label}: comparing {', '.join(kept)} instead (offered on this date).")
    _show(key, list(kept))


ALWAYS_IN_URL = ("source", "rpd", "asof")


def write_url(keys: list[str]) -> None:
    """The URL holds the scenario's values that differ from their defaults (and always the source,
    the volume and the price date, so a link keeps meaning the same numbers)."""
    defaults = st.session_state.get("_defaults", {})
    query = to_query({k: st.session_state.get(k) for k in keys
                      if k in ALWAYS_IN_URL or st.session_state.get(k) != defaults.get(k)})
    if query != st.query_params.to_dict():   # each write is a message and a history entry in the browser
        st.query_params.from_dict(query)
