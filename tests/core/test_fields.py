"""Each input is declared once (advisor.fields): the library's checks, the CLI's flags and the page's widgets and
URL all read that one declaration, so their ranges cannot drift apart again (retrains 365 vs 52, horizon 120
vs 36 before)."""

import argparse
import dataclasses

import pytest

from advisor import Scenario, ScenarioError, Workload
from advisor.cli import build_parser
from advisor.fields import FIELDS, ask
from advisor.ui.params import PARAMS

W = Workload.typed(1000, 500, 100)
NUMERIC = [f for f in FIELDS.values() if f.kind in (int, float) and f.name in {x.name for x in dataclasses.fields(Scenario)}]


def _actions():
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {o: a for a in sub.choices["advise"]._actions for o in a.option_strings}


@pytest.mark.parametrize("f", NUMERIC, ids=lambda f: f.name)
def test_library_rejects_just_outside_the_declared_range_and_names_the_field(f):
    below = f.lo if f.lo_open else f.lo - max(abs(f.lo) * 1e-6, 1e-9)
    above = f.hi * 1.001 + (1 if f.kind is int else 0)
    for bad in (below, above, float("nan")):
        value = int(bad) if f.kind is int and bad == bad and float(bad).is_integer() else bad
        with pytest.raises(ScenarioError) as e:
            Scenario(W, **{f.name: value})
        assert e.value.field == f.name and f.name in str(e.value)
    ok = f.hi if f.kind is float else int(f.hi)
    Scenario(W, **{f.name: ok})   # the bound itself is valid


@pytest.mark.parametrize("f", [f for f in FIELDS.values() if f.flag and f.kind in (int, float)], ids=lambda f: f.name)
def test_cli_flag_takes_its_range_from_the_declaration(f):
    parse = _actions()[f.flag].type
    lo, hi = f.cli_range()
    assert parse(repr(hi if f.kind is float else int(hi))) == pytest.approx(hi)
    with pytest.raises(argparse.ArgumentTypeError):
        parse(repr(hi * 1.01 + 1))
    assert _actions()[f.flag].help


@pytest.mark.parametrize("key", [k for k, p in PARAMS.items() if p.field and FIELDS[p.field].kind in (int, float)])
def test_page_widget_range_is_the_declared_range_in_page_units(key):
    p, f = PARAMS[key], FIELDS[PARAMS[key].field]
    lo, hi = f.page_range()
    assert (p.lo, p.hi) == (lo if p.kind is float else int(lo), hi if p.kind is float else int(hi))
    assert p.label == f.label


def test_page_values_become_library_values_by_the_declared_unit():
    # hand-computed: 5 % a month = 0.05; 2,500 ms = 2.5 s; 0 ms = no target; -1 changes = from the logs
    assert PARAMS["growth"].to_library(5) == pytest.approx(0.05)
    assert PARAMS["e2e"].to_library(2500.0) == pytest.approx(2.5)
    assert PARAMS["e2e"].to_library(0.0) is None
    assert PARAMS["changes"].to_library(-1.0) is None and PARAMS["examples"].to_library(0) is None
    assert PARAMS["horizon"].to_library(36) == 36 and PARAMS["stz"].to_library(True) is True


def test_each_surface_words_a_field_its_own_way():
    assert ask("training_examples", "cli") == "--training-examples"
    assert ask("training_examples", "page") == "“Training examples” (under “Edit assumptions”)"
    assert ask("training_examples", "library") == "training_examples"


def test_one_flag_one_field():
    flags = [f.flag for f in FIELDS.values() if f.flag]
    urls = [f.url for f in FIELDS.values() if f.url]
    assert len(flags) == len(set(flags)) and len(urls) == len(set(urls))
    assert all(k == PARAMS[k].field or PARAMS[k].field is None or FIELDS[PARAMS[k].field].url == k for k in PARAMS)


def test_people_help_states_the_sourced_distribution():
    # `--help` must not go stale when people.yaml moves (it said "default 4" for an 8-hour median once)
    import re

    from advisor.fields import FIELDS
    from pricing.people import load_people

    entries = load_people().entries
    for name in ("review_minutes_per_example", "eval_set_hours", "integration_hours", "selfhost_setup_hours",
                 "retrain_hours", "monitoring_hours_per_month", "selfhost_ops_hours_per_month", "switch_model_hours"):
        m = re.search(r"sourced median ([\d.]+), P10-P90 ([\d.]+)-([\d.]+)", FIELDS[name].help)
        assert m, name
        e = entries[name]
        assert tuple(float(x) for x in m.groups()) == (e.value, e.p10, e.p90), name
