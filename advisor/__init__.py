"""finetune-advisor: would a fine-tuned 7B model be cheaper and faster than GPT-4 for this prompt?

Public API (everything else is internal):

    from advisor import Workload, Scenario, compare
    w = Workload.typed(requests_per_day=5000, prompt_tokens=1200, completion_tokens=1000)
    compare(Scenario(w, baseline="gpt-4-0613"))

The decision (submodules): ``advisor.recommend.recommend`` (``Verdict``, ``Effect``, ``RULES``),
``advisor.bill.whole_bill`` (the whole bill across tasks), ``advisor.analysis.analyse``; people's
time and operating defaults come from ``pricing.people`` (``Scenario`` fields override them).
"""

from .compare import break_even_requests_per_day, compare, payback_month, price_options, sweep
from .errors import AdvisorError, LogError, ScenarioError
from .scenario import Scenario, default_baseline, default_options, parse_option
from .workload import Workload

__all__ = [
    "AdvisorError",
    "LogError",
    "Scenario",
    "ScenarioError",
    "Workload",
    "break_even_requests_per_day",
    "compare",
    "default_baseline",
    "default_options",
    "parse_option",
    "payback_month",
    "price_options",
    "sweep",
]
