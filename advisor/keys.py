"""Keys that are part of the JSON and URL contracts, named once (a light module: no pandas, so the CLI's start-up
stays fast).

>>> WHOLE_LOG
'all'
"""

from __future__ import annotations

__all__ = ["WHOLE_LOG"]

# the task key of the whole log: the pooled workload among the tasks' (advisor.workload.profile_tasks) and the
# headline across tasks among their recommendations (advisor.recommend.recommend_tasks)
WHOLE_LOG = "all"
