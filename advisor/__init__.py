"""finetune-advisor: would a fine-tuned 7B model be cheaper and faster than GPT-4 for this prompt?

Public API (everything else lives in its submodule)::

    from advisor import Scenario, Workload, compare, recommend
    w = Workload.typed(requests_per_day=5000, prompt_tokens=1200, completion_tokens=1000)
    compare(Scenario(w, baseline="gpt-4-0613"))         # every option priced, one row each
    recommend(Scenario(w, baseline="gpt-4-0613")).verdict

From logs: ``read_logs(paths)`` counts them, :func:`advisor.workload.profile_tasks` makes one ``Workload`` per
task, :func:`recommend_tasks` decides per task and :func:`whole_bill` adds them up. The layers, bottom up:
``tokens`` and ``logs`` (counting), ``workload``/``scenario`` (inputs), ``options``/``compare``/``horizon``/
``uncertainty``/``recommend``/``bill`` (the decision), ``present`` (words, tables, charts, report), ``ui`` and
``cli`` (the surfaces). People's time and operating defaults come from ``pricing.people``.
"""

from advisor.bill import whole_bill as whole_bill
from advisor.compare import compare as compare
from advisor.compare import price_options as price_options
from advisor.compare import sweep as sweep
from advisor.errors import AdvisorError as AdvisorError
from advisor.errors import LogError as LogError
from advisor.errors import ScenarioError as ScenarioError
from advisor.horizon import break_even_requests_per_day as break_even_requests_per_day
from advisor.horizon import payback_month as payback_month
from advisor.recommend import (
    Recommendation as Recommendation,
)
from advisor.recommend import (
    Thresholds as Thresholds,
)
from advisor.recommend import (
    Verdict as Verdict,
)
from advisor.recommend import (
    recommend as recommend,
)
from advisor.recommend import (
    recommend_tasks as recommend_tasks,
)
from advisor.scenario import (
    Scenario as Scenario,
)
from advisor.scenario import (
    default_baseline as default_baseline,
)
from advisor.scenario import (
    default_options as default_options,
)
from advisor.scenario import (
    parse_option as parse_option,
)
from advisor.workload import Workload as Workload

__all__ = [
    "AdvisorError",
    "LogError",
    "Recommendation",
    "Scenario",
    "ScenarioError",
    "Thresholds",
    "Verdict",
    "Workload",
    "break_even_requests_per_day",
    "compare",
    "default_baseline",
    "default_options",
    "parse_option",
    "payback_month",
    "price_options",
    "read_logs",
    "recommend",
    "recommend_tasks",
    "sweep",
    "whole_bill",
]


def __getattr__(name: str):
    if name == "read_logs":  # the log readers load on first use: ``import advisor`` stays light
        from advisor.logs import read_logs
        return read_logs
    raise AttributeError(f"module 'advisor' has no attribute {name!r}")
