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

import sys
import types
from typing import TYPE_CHECKING

from pricing._lazy import lazy_getattr

if TYPE_CHECKING:  # the names, for type checkers and readers; at run time each loads on first use
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


# name -> module: ``import advisor`` (and so ``python -m advisor --help``) loads nothing heavy; a name is imported
# the first time it is used (PEP 562)
_LAZY = {
    "whole_bill": "advisor.bill",
    "compare": "advisor.compare",
    "price_options": "advisor.compare",
    "sweep": "advisor.compare",
    "AdvisorError": "advisor.errors",
    "LogError": "advisor.errors",
    "ScenarioError": "advisor.errors",
    "break_even_requests_per_day": "advisor.horizon",
    "payback_month": "advisor.horizon",
    "Recommendation": "advisor.recommend",
    "Thresholds": "advisor.recommend",
    "Verdict": "advisor.recommend",
    "recommend": "advisor.recommend",
    "recommend_tasks": "advisor.recommend",
    "Scenario": "advisor.scenario",
    "default_baseline": "advisor.scenario",
    "default_options": "advisor.scenario",
    "parse_option": "advisor.scenario",
    "Workload": "advisor.workload",
    "read_logs": "advisor.logs",
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


class _Package(types.ModuleType):
    """``compare`` and ``recommend`` are also submodules: once one loads, the import system sets the package's
    attribute of that name to the module, which would shadow the public function. Here the function keeps the name
    (``advisor.compare(...)`` and ``from advisor import compare`` give the function; ``from advisor.compare import
    price_options`` reads the submodule), and nothing loads before it is used."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _FUNCTION_NAMED_MODULES and isinstance(value, types.ModuleType) and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


_FUNCTION_NAMED_MODULES = frozenset({"compare", "recommend"})
sys.modules[__name__].__class__ = _Package
