import numpy as np
import pandas as pd
import pytest

from advisor import ScenarioError, Workload
from advisor.logs import FRAME_COLUMNS, read_logs
from advisor.workload import observed_days, peak_to_mean, profile_tasks, weighted_quantile


def frame(rows):
    f = pd.DataFrame(rows)
    for col in FRAME_COLUMNS:
        if col not in f:
            f[col] = {"requests": 1.0, "cached_tokens": 0.0, "ft_prompt_tokens": np.nan,
                      "ft_completion_tokens": np.nan, "template": "t1", "task": "a"}.get(col, None)
    f["timestamp"] = pd.to_datetime(f["timestamp"], utc=True)
    return f


class TestStats:
    def test_weighted_quantile(self):
        assert weighted_quantile([1, 2, 3], [1, 1, 1], 0.5) == 2
        assert weighted_quantile([1, 10], [9, 1], 0.5) == 1
        assert weighted_quantile([1, 10], [9, 1], 0.95) == 10

    def test_observed_days_whole_hours(self):
        ts = pd.Series(pd.to_datetime(["2025-01-01T00:10Z", "2025-01-02T23:50Z"]))
        # 47.67 h -> floor 47 + 1 = 48 h = 2 days
        assert observed_days(ts) == 2.0

    def test_peak_to_mean(self):
        # 48 hours; 3 requests at 09:00 each day, 1 request in every other hour:
        # n_9 = 6, other hours 2 each -> mean = (6 + 23*2)/24 = 52/24; peak/mean = 6/(52/24) = 2.769
        stamps = [f"2025-01-0{d}T{h:02d}:30Z" for d in (1, 2) for h in range(24)]
        stamps += [f"2025-01-0{d}T09:10Z" for d in (1, 2) for _ in range(2)]
        assert peak_to_mean(pd.Series(pd.to_datetime(stamps))) == pytest.approx(6 / (52 / 24))


class TestProfile:
    def test_hand_computed(self):
        f = frame([
            {"timestamp": "2025-01-01T00:00Z", "task": "a", "template": "v1", "prompt_tokens": 100, "completion_tokens": 10,
             "ft_prompt_tokens": 110, "ft_completion_tokens": 12},
            {"timestamp": "2025-01-01T12:00Z", "task": "a", "template": "v1", "prompt_tokens": 300, "completion_tokens": 30,
             "ft_prompt_tokens": 330, "ft_completion_tokens": 36},
            {"timestamp": "2025-01-02T23:00Z", "task": "a", "template": "v2", "prompt_tokens": 200, "completion_tokens": 20,
             "ft_prompt_tokens": 220, "ft_completion_tokens": 24},
        ])
        w = profile_tasks(f)["a"]
        # 47 h span -> 48 h = 2 days; 3 requests / 2 days
        assert w.requests_per_day == 1.5
        assert w.prompt_tokens == 200 and w.completion_tokens == 20
        assert w.ft_prompt == pytest.approx(220) and w.ft_completion == pytest.approx(24)  # ratios 1.1 and 1.2
        # one template change in 2 days = 1 / (2 / 30.4167) per month
        assert w.template_changes_per_month == pytest.approx(365 / 12 / 2)
        assert w.examples == 1  # only the latest template's examples train the next model

    def test_scale_to_real_volume(self):
        f = frame([{"timestamp": f"2025-01-01T{h:02d}:00Z", "task": "a" if h % 4 else "b", "prompt_tokens": 10,
                    "completion_tokens": 1} for h in range(24)])
        ws = profile_tasks(f, requests_per_day=1000)
        assert ws["all"].requests_per_day == 1000
        assert ws["a"].requests_per_day == pytest.approx(750) and ws["b"].requests_per_day == pytest.approx(250)

    def test_no_timestamps_needs_volume(self):
        f = frame([{"timestamp": None, "prompt_tokens": 10, "completion_tokens": 1}])
        with pytest.raises(ScenarioError, match="--requests-per-day"):
            profile_tasks(f)
        assert profile_tasks(f, requests_per_day=50)["all"].requests_per_day == 50

    def test_sample_logs(self, tmp_path):
        from advisor.samples import write_sample_logs
        r = read_logs(write_sample_logs(tmp_path / "s.jsonl", days=14, scale=0.2))
        ws = profile_tasks(r.frame)
        assert set(ws) == {"all", "ticket-triage", "product-copy", "contract-fields"}
        assert ws["ticket-triage"].template_changes_per_month > 0       # the prompt edit on day 9
        assert ws["product-copy"].template_changes_per_month == 0
        assert 1.5 < ws["all"].peak_to_mean < 3                          # business-hours traffic
        assert 1.02 < ws["all"].ft_prompt / ws["all"].prompt_tokens < 1.3  # Mistral counts more


class TestTyped:
    def test_assumptions_reported(self):
        w = Workload.typed(100, 500, 50)
        assert any("peak hour" in a for a in w.assumptions) and any("7B tokenizer" in a for a in w.assumptions)

    @pytest.mark.parametrize("kw, msg", [
        (dict(requests_per_day=-1, prompt_tokens=1, completion_tokens=1), "requests_per_day"),
        (dict(requests_per_day=1, prompt_tokens=10, completion_tokens=1, cached_tokens=11), "cached_tokens"),
        (dict(requests_per_day=1, prompt_tokens=10, completion_tokens=1, peak_to_mean=0.5), "peak_to_mean"),
    ])
    def test_validation(self, kw, msg):
        with pytest.raises(ScenarioError, match=msg):
            Workload(**kw)
