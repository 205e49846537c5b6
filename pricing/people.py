"""People's time and operating defaults: the part of a fine-tuning project's cost that is not compute.

Defaults live in ``pricing/data/people.yaml``, each with its unit, source, effective date and basis
(``measured``: a published statistic; ``assumption``: this project's estimate, reasoning in ``note``).
They are validated on load (pydantic, unknown fields rejected; errors name file, entry and field).

Units: USD, hours, minutes per example, seconds. An engineer's loaded hourly cost is
``wage_usd_per_hour * loaded_cost_multiplier`` (BLS OES median x BLS ECEC compensation / wages):
63.98 * 1.418 = 90.72 USD/h.

Costs (``r`` = loaded USD/hour):

- first training run's people cost ``r * (review_min * examples / 60 + eval_set_h + integration_h)``
- each retraining ``r * retrain_h``; monitoring ``r * monitoring_h`` a month
- self-hosting: setup ``r * selfhost_setup_h`` once, operations ``r * selfhost_ops_h`` a month;
  switching API model ``r * switch_h`` once
- evaluation (every training run, and once for a model switch) ``eval_examples * judge_usd_per_request``,
  the judge reading ``prompt + 2 * completion + overhead`` tokens and writing ``judge_output`` tokens.

People's time is uncertain: an hour entry with ``p10`` and ``p90`` is a split lognormal through its P10, median
(``value``) and P90: at the standard-normal quantile ``z`` it is ``value * exp(z * s)`` with
``s_lo = ln(value / p10) / 1.2816`` for ``z < 0`` and ``s_hi = ln(p90 / value) / 1.2816`` above
(:func:`quantile_factor`). One ``z`` per simulated future serves every entry, so the sum of a path's entries
has P10 = the sum of their P10s (comonotonic quantiles add).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from ._yaml import read_yaml, sections, unique, validate_entry
from .errors import CatalogError

__all__ = ["PEOPLE_FILE", "PeopleCosts", "PeopleDefault", "PeopleDefaults", "load_people", "loaded_usd_per_hour",
           "hours_usd", "review_usd", "first_run_people_usd", "judge_tokens", "eval_run_usd", "Z90", "Spread",
           "quantile_factor"]

PEOPLE_FILE = Path(__file__).with_name("data") / "people.yaml"
_SECTIONS = ("people", "evaluation", "operations", "training")
Z90 = 1.2815515655446004   # the standard normal's 0.9 quantile: P10 and P90 sit at z = -/+ Z90


class PeopleDefault(BaseModel):
    """One sourced default of ``people.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    value: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1)
    basis: Literal["measured", "assumption"]
    effective: dt.date
    source: str = Field(min_length=1)
    note: str | None = None
    p10: float | None = Field(default=None, gt=0, allow_inf_nan=False)   # with p90: value is the median
    p90: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _quantiles(self) -> PeopleDefault:
        if (self.p10 is None) != (self.p90 is None):
            raise ValueError("give both p10 and p90 (the median is value), or neither")
        if self.p10 is not None and not self.p10 <= self.value <= self.p90:  # type: ignore[operator]
            raise ValueError(f"need p10 <= value <= p90, got {self.p10:g}, {self.value:g}, {self.p90:g}")
        return self

    @property
    def spread(self) -> Spread:
        """The split lognormal's log-spreads below and above the median (0, 0 without p10/p90).

        >>> d = PeopleDefault(id="x", value=8, p10=3, p90=24, unit="h", basis="assumption",
        ...                   effective="2026-12-06", source="s")
        >>> [round(s, 4) for s in d.spread]   # ln(8/3) / 1.2816, ln(24/8) / 1.2816
        [0.7653, 0.8573]
        """
        if self.p10 is None or self.p90 is None or self.value <= 0:
            return Spread(0.0, 0.0)
        return Spread(math.log(self.value / self.p10) / Z90, math.log(self.p90 / self.value) / Z90)


class Spread(NamedTuple):
    """Log-spread of an entry below (``lo``) and above (``hi``) its median (see :func:`quantile_factor`)."""

    lo: float
    hi: float


def quantile_factor(spread: tuple[float, float], z):
    """The entry at standard-normal quantile ``z`` over its median: ``exp(z * s_lo)`` below 0, ``exp(z * s_hi)``
    above (arrays welcome). At ``z = -/+ Z90`` it is exactly ``p10 / value`` and ``p90 / value``.

    >>> round(float(quantile_factor((0.7653, 0.8572), -Z90)), 3), round(float(quantile_factor((0.7653, 0.8572), Z90)), 3)
    (0.375, 3.0)
    """
    z = np.asarray(z, dtype=float)
    return np.exp(z * np.where(z < 0, spread[0], spread[1]))


class PeopleCosts(BaseModel):
    """The resolved people and operating inputs of one decision (defaults merged with the user's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engineer_usd_per_hour: float = Field(gt=0, le=10_000, allow_inf_nan=False)
    review_minutes_per_example: float = Field(ge=0, le=600, allow_inf_nan=False)
    eval_set_hours: float = Field(ge=0, le=10_000, allow_inf_nan=False)
    integration_hours: float = Field(ge=0, le=10_000, allow_inf_nan=False)
    selfhost_setup_hours: float = Field(ge=0, le=10_000, allow_inf_nan=False)
    retrain_hours: float = Field(ge=0, le=10_000, allow_inf_nan=False)
    monitoring_hours_per_month: float = Field(ge=0, le=744, allow_inf_nan=False)
    selfhost_ops_hours_per_month: float = Field(ge=0, le=744, allow_inf_nan=False)
    switch_model_hours: float = Field(ge=0, le=10_000, allow_inf_nan=False)
    eval_examples: int = Field(ge=0, le=1_000_000)
    judge_overhead_tokens: float = Field(ge=0, le=1e6, allow_inf_nan=False)
    judge_output_tokens: float = Field(ge=0, le=1e6, allow_inf_nan=False)
    min_replicas: int = Field(ge=1, le=1000)
    cold_start_s: float = Field(ge=0, le=3600, allow_inf_nan=False)


class PeopleDefaults(BaseModel):
    """Every entry of ``people.yaml`` by id, and the :class:`PeopleCosts` they make."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: dict[str, PeopleDefault]
    file: str

    @field_validator("entries")
    @classmethod
    def _complete(cls, v: dict[str, PeopleDefault]) -> dict[str, PeopleDefault]:
        need = (set(PeopleCosts.model_fields) - {"engineer_usd_per_hour"}) | {"engineer_wage_usd_per_hour",
                                                                              "loaded_cost_multiplier"}
        missing = sorted(need - set(v))
        if missing:
            raise ValueError(f"missing entries: {', '.join(missing)}")
        return v

    def spread(self, entry: str) -> Spread:
        """:attr:`PeopleDefault.spread` of ``entry`` ((0, 0) for an id not in the file)."""
        d = self.entries.get(entry)
        return d.spread if d is not None else Spread(0.0, 0.0)

    def costs(self) -> PeopleCosts:
        e = {k: d.value for k, d in self.entries.items()}
        fields = {k: e[k] for k in PeopleCosts.model_fields if k in e}
        fields["engineer_usd_per_hour"] = loaded_usd_per_hour(e["engineer_wage_usd_per_hour"],
                                                              e["loaded_cost_multiplier"])
        for k in ("eval_examples", "min_replicas"):
            fields[k] = int(fields[k])
        return PeopleCosts.model_validate(fields)


def loaded_usd_per_hour(wage_usd_per_hour: float, multiplier: float) -> float:
    """``wage * multiplier``: what an hour of an employee costs the employer.

    >>> round(loaded_usd_per_hour(63.98, 1.418), 2)
    90.72
    """
    return wage_usd_per_hour * multiplier


def hours_usd(p: PeopleCosts, hours: float) -> float:
    """``r * hours`` (2 h at 90.72 USD/h = 181.45 USD).

    >>> round(hours_usd(load_people().costs(), 2), 2)
    181.45
    """
    return p.engineer_usd_per_hour * hours


def review_usd(p: PeopleCosts, examples: int) -> float:
    """``r * review_min * examples / 60``: reviewing the training examples (1,000 x 0.5 min = 8.33 h)."""
    return hours_usd(p, p.review_minutes_per_example * examples / 60.0)


def first_run_people_usd(p: PeopleCosts, examples: int) -> float:
    """``r * (review_min * examples / 60 + eval_set_h + integration_h)``: the one-off people cost.

    >>> p = load_people().costs()
    >>> round(first_run_people_usd(p, 1000), 2)  # 90.72 * (500/60 + 8 + 16) = 90.72 * 32.333
    2933.4
    """
    return review_usd(p, examples) + hours_usd(p, p.eval_set_hours + p.integration_hours)


def judge_tokens(p: PeopleCosts, prompt_tokens: float, completion_tokens: float) -> tuple[float, float]:
    """(prompt, completion) tokens of one judgement: ``(P + 2 C + overhead, judge_output)``.

    >>> judge_tokens(load_people().costs(), 1200, 1000)
    (3500.0, 150.0)
    """
    return float(prompt_tokens + 2.0 * completion_tokens + p.judge_overhead_tokens), float(p.judge_output_tokens)


def eval_run_usd(p: PeopleCosts, judge_usd_per_request: float) -> float:
    """``eval_examples * judge_usd_per_request`` (200 x 0.0395 = 7.90 USD with GPT-4-Turbo at 1200/1000)."""
    return p.eval_examples * judge_usd_per_request


_ADAPTER = TypeAdapter(PeopleDefault)


@functools.lru_cache(maxsize=4)
def _load(path: str, stamp: float) -> PeopleDefaults:
    del stamp  # cache key only
    p = Path(path)
    doc = sections(read_yaml(p, missing="no such people defaults file; reinstall finetune-advisor or fix the path"),
                   p, _SECTIONS)
    entries: dict[str, PeopleDefault] = {}
    for section in _SECTIONS:
        rows = [validate_entry(_ADAPTER, PeopleDefault, raw, p, section, i)
                for i, raw in enumerate(doc.get(section, []))]
        unique([*entries, *(d.id for d in rows)], p, section)  # one id per file, across sections
        entries |= {d.id: d for d in rows}
    try:
        out = PeopleDefaults(entries=entries, file=str(p))
        out.costs()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        raise CatalogError(f"{p}: {field}: {err['msg'].removeprefix('Value error, ')}") from None
    return out


def load_people(path: str | Path | None = None) -> PeopleDefaults:
    """The sourced defaults (``people.yaml`` unless ``path``), validated and cached until the file changes."""
    p = Path(path) if path is not None else PEOPLE_FILE
    try:
        stamp = p.stat().st_mtime
    except OSError:
        stamp = math.nan
    return _load(str(p), stamp)
