"""Every input a user sets, declared once: its name, label, unit, valid range, CLI flag and URL key.

The library validates with it (:class:`advisor.scenario.Scenario`, :class:`advisor.workload.Workload`), the CLI
builds its flags from it (:mod:`advisor.cli.common`), the page builds its URL binding and widgets from it
(:mod:`advisor.ui.params`, ``app.py``). Errors name the field (``ScenarioError(field=...)``) and each surface words
the fix its own way with :func:`ask`: the CLI names the flag, the page the sidebar input, notebooks the keyword.

Units: a field's range is in library units (seconds, fractions, USD). A surface that shows another unit declares
the factor: ``page_scale`` (page value x scale = library value: milliseconds 0.001, percent 0.01) and likewise
``cli_scale``. ``page_unset`` is the page value that stands for "not set" (``None`` in the library: from the logs or
the sourced default). ``default`` is the library's value when the input is not given (``None``: not set, resolved
later from the logs or a sourced default), read by :class:`~advisor.scenario.Scenario` and the CLI's flags alike.

>>> FIELDS["horizon_months"].flag, FIELDS["horizon_months"].url, FIELDS["horizon_months"].rule()
('--horizon-months', 'horizon', 'a whole number from 1 to 120 months')
>>> FIELDS["growth_per_month"].page_range()
(-49.0, 200.0)
>>> ask("training_examples", "cli"), ask("training_examples", "library")
('--training-examples', 'training_examples')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Field", "FIELDS", "PEOPLE", "ask", "field_for_flag", "Surface", "check"]

Surface = Literal["library", "cli", "page"]

MAX_USD = 1e12          # money inputs above a trillion dollars are typos
MAX_REQUESTS_PER_DAY = 1e9
MAX_TOKENS_PER_REQUEST = 10_000_000
MS = 0.001              # a surface in milliseconds, the library in seconds
PERCENT = 0.01


@dataclass(frozen=True)
class Field:
    """One input. ``lo``/``hi`` in library units (``lo_open``: ``lo`` itself excluded); ``None`` default = not set."""

    name: str
    label: str                        # the page's words (and the notes about it)
    unit: str
    kind: type                        # float | int | bool | str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    flag: str | None = None           # CLI flag (None: no flag)
    url: str | None = None            # URL key and widget key (None: not on the page)
    help: str = ""                    # one line for --help and the widget's tooltip
    section: str | None = None        # the page switch that shows the widget when it is hidden
    page_scale: float = 1.0
    cli_scale: float = 1.0
    page_unset: Any = None            # the page's value for "not set"
    page_min: float | None = None     # the page's widget starts here, above ``lo`` (a log-scale chart needs > 0)
    example: str = ""                 # a valid value, for messages
    default: Any = None               # the library's value when not given (None: not set)

    def rule(self, scale: float = 1.0) -> str:
        """The valid values in words, in a surface's unit (``scale``: surface value x scale = library value)."""
        if self.kind is bool:
            return "true or false"
        if self.lo is None and self.hi is None:
            return self.help or self.unit
        lo, hi = _n(self.lo / scale if self.lo is not None else None), _n(self.hi / scale if self.hi is not None else None)
        what = "a whole number" if self.kind is int else "a number"
        unit = f" {self.unit}" if self.unit and scale == 1.0 else ""
        eg = f", e.g. {self.example}" if self.example else ""
        if self.lo_open:
            return f"{what} in ({lo}, {hi}]{unit}{eg}"
        return f"{what} from {lo} to {hi}{unit}{eg}"

    def page_range(self) -> tuple[float | None, float | None]:
        """``(min, max)`` for the page's widget, in page units (an open bound moves one step in)."""
        lo = None if self.lo is None else self.lo / self.page_scale
        hi = None if self.hi is None else self.hi / self.page_scale
        if lo is not None and self.lo_open:
            lo = lo + (1 if self.kind is int or self.page_scale != 1.0 else 1e-9)
        if self.page_min is not None:
            lo = max(lo or self.page_min, self.page_min)
        if self.page_unset is not None and lo is not None:
            lo = min(lo, self.page_unset)   # the page's "not set" value is allowed (0 = none, -1 = from the logs)
        return (None if lo is None else float(round(lo, 9)), None if hi is None else float(round(hi, 9)))

    def to_library(self, page_value: Any) -> Any:
        """A page value in library units (``page_unset`` = None)."""
        if page_value is None or (self.page_unset is not None and page_value == self.page_unset):
            return None
        if self.kind in (int, float) and not isinstance(page_value, bool):
            # divided by the whole 100 or 1000, not multiplied by 0.01 or 0.001: 35% gives 0.35 and 9 ms 0.009, the
            # numbers a command line or notebook user types (35 * 0.01 is 0.35000000000000003)
            v = page_value / (1.0 / self.page_scale)
            return int(round(v)) if self.kind is int else float(v)
        return page_value

    def cli_range(self) -> tuple[float, float]:
        lo = -math.inf if self.lo is None else self.lo / self.cli_scale
        hi = math.inf if self.hi is None else self.hi / self.cli_scale
        return lo, hi

    def ok(self, value: Any) -> bool:
        """Is ``value`` (library units) valid? ``None`` is checked by the caller (optional fields)."""
        if self.kind is bool:
            return isinstance(value, bool)
        if self.kind is str:
            return isinstance(value, str) and bool(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.kind is int and not float(value).is_integer():
            return False
        if self.lo is not None and (value < self.lo or (self.lo_open and value == self.lo)):
            return False
        return self.hi is None or value <= self.hi


def _n(x: float | None) -> str:
    """A bound for a sentence: whole numbers with thousands separators, others as short as exact."""
    if x is None:
        return "any"
    return f"{x:,.0f}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:,g}"


def _f(name: str, label: str, unit: str, kind: type, lo: float | None, hi: float | None, *, flag: str | None = None,
       url: str | None = None, help: str = "", **kw: Any) -> Field:
    return Field(name, label, unit, kind, lo, hi, flag=flag, url=url, help=help, **kw)


_ASSUMPTIONS = "Edit assumptions"
_OPTIONS = "Edit the options compared"

FIELDS: dict[str, Field] = {f.name: f for f in (
    # the workload (typed numbers; logs measure them)
    _f("requests_per_day", "Requests per day (all tasks)", "requests/day", float, 0.0, MAX_REQUESTS_PER_DAY,
       flag="--requests-per-day", url="rpd", page_min=0.001,
       help="requests a day, 0 to 1e9 (logs: measured from timestamps)"),
    _f("prompt_tokens", "Prompt tokens per request", "tokens", float, 0.0, MAX_TOKENS_PER_REQUEST,
       flag="--prompt-tokens", url="pt", page_min=1.0, help="mean prompt tokens per request"),
    _f("completion_tokens", "Completion tokens per request", "tokens", float, 0.0, MAX_TOKENS_PER_REQUEST,
       flag="--completion-tokens", url="ct", page_min=1.0, help="mean completion tokens per request"),
    # the decision
    _f("horizon_months", "Horizon (months)", "months", int, 1, 120, flag="--horizon-months", url="horizon", default=12,
       help="months over which costs are added up, 1 to 120"),
    _f("growth_per_month", "Growth per month (%)", "a month", float, -0.5, 2.0, lo_open=True,
       flag="--growth-per-month", url="growth", page_scale=PERCENT, example="0.05", default=0.0,
       help="monthly volume growth, 0.05 = +5% (in (-0.5, 2])"),
    _f("retrains_per_year", "Retrains per year", "retrainings a year", float, 0.0, 365.0, flag="--retrains-per-year",
       url="retrains", section=_ASSUMPTIONS, default=4.0,
       help="retrainings a year, 0 to 365 (default 4; a changed prompt adds one each)"),
    _f("epochs", "Epochs", "epochs", int, 1, 20, flag="--epochs", url="epochs", section=_ASSUMPTIONS, default=3,
       help="passes over the training set, 1 to 20 (default 3)"),
    _f("training_examples", "Training examples", "examples", int, 0, 100_000_000, flag="--training-examples",
       url="examples", section=_ASSUMPTIONS, page_unset=0,
       help="examples to train on, 0 to 1e8 (default: the examples in the logs, else 1,000)"),
    _f("prompt_changes_per_month", "Prompt changes per month", "changes a month", float, 0.0, 1000.0,
       flag="--prompt-changes-per-month", url="changes", section=_ASSUMPTIONS, page_unset=-1.0,
       help="prompt template changes a month, 0 to 1,000 (default: measured in the logs, else 0)"),
    _f("static_prompt_tokens", "Static prompt tokens", "tokens a request", float, 0.0, MAX_TOKENS_PER_REQUEST,
       flag="--static-prompt-tokens", url="static", section=_ASSUMPTIONS, example="800",
       help="tokens of the prompt that never change (instructions, few-shot examples), for typed numbers; a "
            "fine-tune learns them (default: measured in the logs, else 0)"),
    _f("ft_prompt_tokens", "Fine-tuned prompt tokens", "tokens a request", float, 0.0, MAX_TOKENS_PER_REQUEST,
       flag="--ft-prompt-tokens", url="ftpt", section=_ASSUMPTIONS, example="300",
       help="prompt tokens a fine-tuned model reads per request (default: the variable part plus a 50-token "
            "instruction)"),
    _f("idle_timeout_s", "Idle timeout before scaling to zero", "s", float, 0.0, 86_400.0, default=300.0),
    _f("e2e_target_s", "End-to-end target (ms)", "s", float, 1e-4, 86_400.0, flag="--e2e-target-ms", url="e2e",
       section=_ASSUMPTIONS, cli_scale=MS, page_scale=MS, page_unset=0.0,
       help="end-to-end latency target for every option, in ms"),
    _f("ttft_target_s", "Time-to-first-token target (ms)", "s", float, 1e-4, 86_400.0, flag="--ttft-target-ms",
       url="ttft", section=_ASSUMPTIONS, cli_scale=MS, page_scale=MS, page_unset=0.0,
       help="time-to-first-token target for every option, in ms"),
    _f("itl_target_s", "Inter-token latency target (ms)", "s", float, 1e-4, 86_400.0, flag="--itl-target-ms",
       url="itl", section=_ASSUMPTIONS, cli_scale=MS, page_scale=MS, page_unset=0.0,
       help="self-hosted inter-token latency target, in ms"),
    # people's time and operations (None: the sourced default of pricing/data/people.yaml)
    _f("engineer_usd_per_hour", "Engineer cost per hour (USD)", "USD/h", float, 0.01, 10_000.0,
       flag="--engineer-usd-per-hour", url="rate", section=_ASSUMPTIONS,
       help="an engineer's loaded cost per hour (default: BLS median wage x loaded-cost multiplier)"),
    _f("review_minutes_per_example", "Review minutes per training example", "minutes", float, 0.0, 600.0,
       flag="--review-minutes-per-example", url="review", section=_ASSUMPTIONS,
       help="minutes to review one training example"
            " (default: the sourced median 0.5, P10-P90 0.15-1, pricing/data/people.yaml)"),
    _f("eval_set_hours", "Hours to build the eval set", "h", float, 0.0, 10_000.0, flag="--eval-set-hours",
       help="hours to build the evaluation set (default: the sourced median 8, P10-P90 3-24, pricing/data/people.yaml)"),
    _f("integration_hours", "Hours to integrate", "h", float, 0.0, 10_000.0, flag="--integration-hours",
       help="hours of fine-tuning runs and integration"
            " (default: the sourced median 16, P10-P90 4-56, pricing/data/people.yaml)"),
    _f("selfhost_setup_hours", "Hours to set up self-hosting", "h", float, 0.0, 10_000.0,
       flag="--selfhost-setup-hours",
       help="hours to set up self-hosted serving, one-off"
            " (default: the sourced median 140, P10-P90 64-320, pricing/data/people.yaml)"),
    _f("retrain_hours", "People hours per retraining", "h", float, 0.0, 10_000.0, flag="--retrain-hours",
       help="people hours per retraining (default: the sourced median 2, P10-P90 1-8, pricing/data/people.yaml)"),
    _f("monitoring_hours_per_month", "Monitoring hours a month", "h/month", float, 0.0, 744.0,
       flag="--monitoring-hours-per-month",
       help="hours a month watching the fine-tuned model"
            " (default: the sourced median 0.5, P10-P90 0.25-2, pricing/data/people.yaml)"),
    _f("selfhost_ops_hours_per_month", "Self-hosting operations hours a month", "h/month", float, 0.0, 744.0,
       flag="--selfhost-ops-hours-per-month",
       help="hours a month operating self-hosted serving"
            " (default: the sourced median 8, P10-P90 4-20, pricing/data/people.yaml)"),
    _f("switch_model_hours", "Hours to switch models", "h", float, 0.0, 10_000.0, flag="--switch-model-hours",
       help="hours to switch to a cheaper API model (default: the sourced median 2, P10-P90 1-8, pricing/data/people.yaml)"),
    _f("eval_examples", "Examples judged per evaluation", "examples", int, 0, 1_000_000, flag="--eval-examples",
       help="examples judged by the judge model at every training run (default 200)"),
    _f("min_replicas", "Self-hosted GPUs always on", "GPUs", int, 1, 1000, flag="--min-replicas",
       help="self-hosted GPUs always on (default 2)"),
    _f("cold_start_s", "Cold start (s)", "s", float, 0.0, 3600.0, flag="--cold-start-s",
       help="scale-to-zero cold start in seconds (default 82)"),
    # money overrides of the people model (None: computed from the hours)
    _f("labelling_usd_per_run", "Labelling / evaluation per run (USD)", "USD", float, 0.0, MAX_USD,
       flag="--labelling-usd", url="lab", section=_ASSUMPTIONS,
       help="override: data review/labelling cost per training run (default: from people's time)"),
    _f("engineering_usd", "One-off engineering (USD)", "USD", float, 0.0, MAX_USD, flag="--engineering-usd",
       url="eng", section=_ASSUMPTIONS,
       help="override: one-off eval-set, integration and self-hosting setup cost (default: from people's time)"),
    _f("selfhost_ops_usd_per_month", "Self-hosting operations per month (USD)", "USD/month", float, 0.0, MAX_USD,
       flag="--ops-usd-per-month", url="ops", section=_ASSUMPTIONS,
       help="override: self-hosting operations cost a month (default: from people's time)"),
    # text and switches (ranges checked elsewhere: ids against the catalog)
    _f("baseline", "Baseline API model", "model id", str, None, None, flag="--baseline", url="baseline",
       help="the API model you pay for today (default: the model of the logs, else the newest GPT-4-class)"),
    _f("options", "Options", "option ids", str, None, None, flag="--option", section=_OPTIONS,
       help="an option to price: API id, hosted id, dedicated/<model>@<deployment>, shared/<model>@<deployment> or "
            "selfhost/<model>@<gpu>[:provider]"),
    _f("switch_providers", "Cheaper models of", "provider ids", str, None, None, flag="--switch-provider",
       section=_OPTIONS, help="price cheaper API models (switch, no training) of this provider only (openai, google, "
                              "anthropic, mistral, together); repeatable (default: every provider)"),
    _f("as_of", "Prices as of", "date", str, None, None, flag="--as-of", url="asof", help="price date YYYY-MM-DD"),
    _f("precision", "Precision", "", str, None, None, flag="--precision", url="precision", section=_OPTIONS, default="bf16",
       help="weights precision of the self-hosted model (default bf16; fp8 needs FP8 tensor cores)"),
    _f("judge_model", "Judge model", "model id", str, None, None, flag="--judge-model",
       help="API model judging the evaluation (default: the baseline)"),
    _f("batch", "Baseline uses the Batch API", "", bool, None, None, flag="--batch", url="batch", default=False),
    _f("scale_to_zero", "Scale to zero", "", bool, None, None, flag="--scale-to-zero", url="stz", default=False),
    _f("latency_sensitive", "Users wait on the answer", "", bool, None, None, flag="--latency-sensitive",
       url="latsens", default=False),
    _f("needs_deep_reasoning", "Task needs deep reasoning", "", bool, None, None, flag="--needs-deep-reasoning",
       url="reasoning", default=False),
    _f("out_of_domain", "Inputs drift out of domain", "", bool, None, None, flag="--out-of-domain", url="ood", default=False),
    _f("include_api_alternatives", "Also price cheaper API models", "", bool, None, None,
       flag="--no-api-alternatives", url="switch"),
    _f("price_files", "Price override files", "YAML files", str, None, None, flag="--prices"),
)}

# the Scenario fields that override a default of pricing/data/people.yaml (None = that sourced default)
PEOPLE = ("engineer_usd_per_hour", "review_minutes_per_example", "eval_set_hours", "integration_hours",
          "selfhost_setup_hours", "retrain_hours", "monitoring_hours_per_month", "selfhost_ops_hours_per_month",
          "switch_model_hours", "eval_examples", "min_replicas", "cold_start_s")

_BY_FLAG = {f.flag: f for f in FIELDS.values() if f.flag}


def field_for_flag(flag: str) -> Field | None:
    return _BY_FLAG.get(flag)


def ask(name: str, surface: Surface) -> str:
    """How a surface names a field in a message: its CLI flag, the page's input (with the switch that shows
    it), or the library's keyword. Unknown names are returned as given.

    >>> ask("engineering_usd", "page")
    '“One-off engineering (USD)” (under “Edit assumptions”)'
    >>> ask("eval_set_hours", "page")
    'eval_set_hours (command line or notebook only)'
    """
    f = FIELDS.get(name)
    if f is None:
        return name
    if surface == "cli":
        return f.flag or name
    if surface == "page":
        if f.url is None:
            return f"{name} (command line or notebook only)"
        return f"“{f.label}”" + (f" (under “{f.section}”)" if f.section else "")
    return name


def check(name: str, value: Any, *, optional: bool = False) -> str | None:
    """``None`` when ``value`` is valid for field ``name``, else the rule it breaks (for the error message).

    >>> check("epochs", 100)
    'a whole number from 1 to 20 epochs'
    >>> check("training_examples", None, optional=True) is None
    True
    """
    if optional and value is None:
        return None
    f = FIELDS[name]
    return None if f.ok(value) else f.rule()
