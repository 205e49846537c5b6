"""Red-team regressions (issue 9): one test per class of hostile input found by the red-team generators
(``python bench/fuzz.py --only redteam``). Oracle as in test_fuzz_logs.py: only AdvisorError escapes, every
record accounted for at its physical line, no record text in any message, strict JSON out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from advisor.errors import AdvisorError
from advisor.logs import MemoryFile, read_logs

CANARY = "SECRET-CANARY-7f3a"
GOOD = b'{"model": "gpt-4o", "prompt_tokens": 5, "completion_tokens": 1}\n'


def _read(name: str, data: bytes):
    return read_logs([MemoryFile(name, data)], ft_tokenizer=None)


@pytest.mark.parametrize("name", ["a.jsonl", "a.json", "a.csv", "a"])
def test_integer_over_python_digit_limit_is_a_problem_not_a_crash(name):
    # Python refuses int() of more than 4,300 digits with a ValueError that has no JSON position
    big = b'{"model": "gpt-4o", "prompt_tokens": ' + b"9" * 5000 + b', "completion_tokens": 1}\n'
    r = _read(name, big + GOOD)
    assert len(r.frame) == 1 and [p.line for p in r.problems] == [1]
    assert "prompt_tokens" in r.problems[0].reason
    r = _read("b.json", b"[" + big.strip() + b",\n" + GOOD.strip() + b"]")
    assert len(r.frame) == 1 and [p.line for p in r.problems] == [1]
