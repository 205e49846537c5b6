"""Issue 24, the readers' part: nothing doubled, nothing that hangs (one regression test per item).

1. a response with usage and its request under a key of its own is ONE request (the hypothesis generator of this
   shape is in test_fuzz_logs.py); 3. a named pipe or device is refused, never waited on; 4. nanosecond epochs;
7. a usage-export row without its request count is a problem, never a guessed 1; 8. a Langfuse generation with
usage and an input of a shape the counter does not read counts the usage and notes the shape; 9. a symlink loop.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.errors import LogError
from advisor.logs import MemoryFile, read_logs
from advisor.logs.records import epoch_s

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT)] + sys.path)}
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env)


def _one(data: bytes, name: str = "log.jsonl", **kw):
    return read_logs([MemoryFile(name, data)], ft_tokenizer=None, **kw).summary()


# ---------------------------------------------------------------------------------------------
# 1. one record, one request

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Where is my parcel?"}]}
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1735689600, "model": "gpt-4o",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "On its way."}}],
              "usage": {"prompt_tokens": 24, "completion_tokens": 15, "total_tokens": 39}}


class TestRequestBesideResponse:
    @pytest.mark.parametrize("record", [
        {"params": CHAT, "response": COMPLETION},                  # the issue's record
        {"response": COMPLETION, "request_x": CHAT, "user": "u1"},
        {"input": CHAT, "response": COMPLETION, "tags": {"promptId": "p"}},   # OpenPipe's, output renamed
        {"input": CHAT, "output": COMPLETION},                      # OpenPipe's without tags
        {"params": CHAT, "output": COMPLETION},
    ])
    @pytest.mark.parametrize("assumed", [None, 300.0])
    def test_counted_once_never_a_problem(self, record, assumed):
        s = _one((json.dumps(record) + "\n").encode(), assumed_completion_tokens=assumed)
        # the response's usage: 24 prompt, 15 completion (the issue saw requests 2, prompt 38, completion 315)
        assert (s["requests"], s["prompt_tokens"], s["completion_tokens"], s["problems"]) == (1, 24, 15, [])

    @pytest.mark.slow
    def test_the_cli_counts_the_issue_record_once(self, tmp_path):
        log = tmp_path / "one.jsonl"
        log.write_text(json.dumps({"params": CHAT, "response": COMPLETION}) + "\n")
        for extra in ([], ["--completion-tokens", "300"]):
            s = json.loads(_cli("count", str(log), "--json", "--ft-tokenizer", "none", *extra).stdout)
            assert (s["requests"], s["prompt_tokens"], s["completion_tokens"], s["problems"]) == (1, 24, 15, [])


# ---------------------------------------------------------------------------------------------
# 3. special files and 9. symlink loops


class TestSpecialFiles:
    def test_a_fifo_with_no_writer_is_refused_not_waited_on(self, tmp_path):
        fifo = tmp_path / "calls.jsonl"
        os.mkfifo(fifo)
        r = _cli("count", str(fifo), timeout=60)   # today: blocks in open() until killed
        assert r.returncode == 2
        assert r.stderr == f"error: {fifo}: is a named pipe (FIFO), not a file: save the export to a file and pass that\n"

    def test_a_device_is_refused(self):
        with pytest.raises(LogError, match=r"/dev/null: is a character device"):
            read_logs(["/dev/null"])

    def test_a_symlink_loop_says_symlink_loop(self, tmp_path):
        loop = tmp_path / "loop.jsonl"
        loop.symlink_to(loop)
        with pytest.raises(LogError, match=r"loop\.jsonl: symlink loop"):   # today: "no such file"
            read_logs([loop])
        r = _cli("count", str(loop))
        assert r.returncode == 2 and "symlink loop" in r.stderr

    def test_a_missing_file_is_still_no_such_file(self, tmp_path):
        with pytest.raises(LogError, match="no such file"):
            read_logs([tmp_path / "nope.jsonl"])


# ---------------------------------------------------------------------------------------------
# 4. epoch units


class TestEpochUnits:
    # 2025-01-01T00:00:00Z = 1,735,689,600 s (date -u -d 2025-01-01 +%s), in each unit
    @pytest.mark.parametrize("value", [1735689600, 1735689600_000, 1735689600_000_000, 1735689600_000_000_000,
                                       "1735689600000000000", 1.7356896e18])
    def test_seconds_ms_us_ns(self, value):
        assert epoch_s(value) == (1735689600.0, None)

    def test_a_nanosecond_record_keeps_its_time(self):
        rec = {"model": "gpt-4o", "prompt_tokens": 5, "completion_tokens": 2, "timestamp": 1735689600_000_000_000}
        r = read_logs([MemoryFile("otel.jsonl", (json.dumps(rec) + "\n").encode())], ft_tokenizer=None)
        assert [t.isoformat() for t in r.frame["timestamp"]] == ["2025-01-01T00:00:00+00:00"]
        assert r.timestamps_ignored == {}   # today: "after 2100-01-01", the time dropped


# ---------------------------------------------------------------------------------------------
# 7. a usage-export row without its request count


class TestUsageExportWithoutCount:
    def test_the_row_is_a_problem_not_one_request(self):
        src = ROOT / "tests/fixtures/exports/openai/completions_usage_2025-10-27_2025-10-27.csv"
        rows = [r for r in csv.DictReader(src.open()) if r.get("num_model_requests")]
        counts = [int(float(r["num_model_requests"])) for r in rows]   # 3, 1, 25 in the fixture
        del rows[0]["num_model_requests"]
        data = "".join(json.dumps({k: v or None for k, v in r.items()}) + "\n" for r in rows).encode()
        s = _one(data, "usage.jsonl")
        assert s["requests"] == sum(counts[1:])        # 26; today 27 (the first row guessed as 1 request)
        assert [(p["line"], p["reason"]) for p in s["problems"]] == [
            (1, "field 'num_model_requests': no request count for a bucket with tokens")]


# ---------------------------------------------------------------------------------------------
# 8. Langfuse: usage recorded, input of a shape the counter does not read


class TestLangfuseUnknownInput:
    REC = {"id": "g1", "traceId": "t1", "type": "GENERATION", "startTime": "2025-03-13T09:12:04.101Z",
           "endTime": "2025-03-13T09:12:05.101Z", "model": "gpt-4o",
           "input": [{"role": "user", "content": "weather?"},
                     {"role": "tool", "tool_call_id": "c1", "content": {"temp_c": 14, "rain_mm": 4}}],
           "output": {"role": "assistant", "content": "Light rain."},
           "usageDetails": {"input": 120, "output": 8, "total": 128}}

    def test_the_usage_is_counted_and_the_shape_noted(self):
        s = _one((json.dumps(self.REC) + "\n").encode(), "lf.jsonl")
        assert (s["requests"], s["prompt_tokens"], s["completion_tokens"], s["problems"]) == (1, 120, 8, [])
        assert any("field 'input[1].content' of a shape not read" in a for a in s["assumptions"])

    def test_without_usage_it_stays_a_problem(self):
        rec = {k: v for k, v in self.REC.items() if k != "usageDetails"}
        with pytest.raises(LogError, match=r"input\[1\]\.content"):
            _one((json.dumps(rec) + "\n").encode(), "lf.jsonl")
