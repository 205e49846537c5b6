"""Sampled logs carry their weight: a record's own ``metadata.sample_rate``, the CLI's ``--sample-rate N`` and the
built-in sample (which states its rate in its records) are read the same way by every surface."""

import json

import pytest

from advisor.cli.main import main
from advisor.logs import read_logs
from advisor.samples import SAMPLE_TASKS, sample_weights, write_sample_logs
from advisor.workload import profile_tasks

DAY = 86_400


def _log(tmp_path, n=10, meta=None, span_days=2.0):
    lines = []
    for i in range(n):
        req = {"model": "gpt-4o", "messages": [{"role": "user", "content": f"ticket {i}"}]}
        if meta is not None:
            req["metadata"] = meta
        lines.append(json.dumps({"request": req, "response": {
            "created": 1_735_689_600 + int(i * span_days * DAY / (n - 1)), "model": "gpt-4o",
            "choices": [{"message": {"role": "assistant", "content": "ok"}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10}}}))
    p = tmp_path / "log.jsonl"
    p.write_text("\n".join(lines) + "\n")
    return p


class TestRecordRate:
    def test_rate_weights_each_record(self, tmp_path):
        r = read_logs(_log(tmp_path, meta={"sample_rate": 0.01}))
        # 10 records kept at 1 in 100 stand for 1,000 requests; a 48-hour span counts as 49 whole hours
        # (observed_days: floor(48) + 1 hours): 1,000 / (49 / 24) = 489.8/day
        assert r.summary()["requests"] == 1000 and r.summary()["records"] == 10
        assert profile_tasks(r.frame)["all"].requests_per_day == pytest.approx(1000 / (49 / 24))

    @pytest.mark.parametrize("rate", [0, -0.5, 1.5, "x", [0.1]])
    def test_bad_rate_is_a_problem_naming_the_field(self, tmp_path, rate):
        p = _log(tmp_path, n=3, meta={"sample_rate": 0.5})
        lines = p.read_text().splitlines()
        bad = json.loads(lines[0])
        bad["request"]["metadata"]["sample_rate"] = rate
        lines[0] = json.dumps(bad)
        p.write_text("\n".join(lines) + "\n")
        r = read_logs(p)
        assert r.skipped == 1 and r.problems[0].line == 1
        assert "request.metadata.sample_rate" in r.problems[0].reason

    def test_good_records_beside_a_bad_one_keep_their_weight(self, tmp_path):
        p = _log(tmp_path, n=3, meta={"sample_rate": 0.5})
        lines = p.read_text().splitlines()
        bad = json.loads(lines[1])
        bad["request"]["metadata"]["sample_rate"] = 2
        lines[1] = json.dumps(bad)
        p.write_text("\n".join(lines) + "\n")
        r = read_logs(p)
        assert r.skipped == 1 and r.problems[0].line == 2
        assert r.summary()["requests"] == 4   # two records at 1 in 2


class TestCliSampleRate:
    def test_sample_rate_scales_volume(self, tmp_path, capsys):
        p = _log(tmp_path)
        assert main(["count", str(p), "--json"]) == 0
        plain = json.loads(capsys.readouterr().out)
        assert main(["count", str(p), "--sample-rate", "50", "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        # 10 records, each standing for 50 requests: 500
        assert (plain["requests"], doc["requests"]) == (10, 500)
        assert any("one request in 50" in a for a in doc["assumptions"])

    def test_out_of_range_names_the_flag(self, tmp_path, capsys):
        assert main(["count", str(_log(tmp_path)), "--sample-rate", "0.5"]) == 2
        assert "--sample-rate" in capsys.readouterr().err


class TestBuiltInSample:
    def test_sample_command_writes_the_page_sample(self, tmp_path, capsys):
        out = tmp_path / "s.jsonl"
        assert main(["sample", str(out), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["records"] == sum(1 for _ in out.open())
        r = read_logs(out)
        ws = profile_tasks(r.frame)
        # product-copy: ~20,000 a weekday (35% on weekends), logged 1 in 200: ~16,000/day over the week
        assert 14_000 < ws["product-copy"].requests_per_day < 18_000
        weights = r.frame.groupby("task")["requests"].first().to_dict()
        assert weights == sample_weights()

    def test_rates_stated_in_records(self, tmp_path):
        p = write_sample_logs(tmp_path / "s.jsonl")
        rates = {}
        for line in p.open():
            meta = json.loads(line)["request"]["metadata"]
            rates[meta["task"]] = meta.get("sample_rate", 1.0)
        assert rates == {t.name: 1 / t.logged_one_in for t in SAMPLE_TASKS}
