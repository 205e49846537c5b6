"""Counting vs billed usage on the committed sample of real recorded calls (issue 8, item 6): never skips.

tests/fixtures/recorded/ci/ci-sample.jsonl holds real Chat Completions and Responses API calls (request, response
and the usage OpenAI billed) from the public test cassettes of pydantic/pydantic-ai (MIT) and
Arize-ai/openinference (Apache-2.0): ``tests/fixtures/recorded/ci/cassettes.txt`` lists the cassette versions
(repository, path, commit) and ``tools/build_fixtures.py listed`` builds the sample from git clones of the two
repositories (sources, licenses and the coverage table: tests/fixtures/recorded/README.md). The larger sets that
tests/tokens/test_billed.py checks are built the same way and kept outside the repository
(``$ADVISOR_RECORDED_DIR`` or ``../shared/fixtures/recorded``); this sample makes CI check the same rules on every
run: each call is counted with its usage stripped and compared with ``usage.prompt_tokens`` (Chat Completions) or
``usage.input_tokens`` (Responses API).

Goals (issue 8): plain text exact; per model family x feature group within 2% (tools, structured output),
images and files within 10%, everything within 1%. A case the counter does not meet today is a strict expected
failure whose reason is the measured error (the marker must go once it passes); no tolerance is widened.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from advisor.tokens.chat import family_for_model, is_reasoning_model
from advisor.tokens.counter import count_request, count_responses_request, resolve_encoding

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "recorded" / "ci" / "ci-sample.jsonl"
MEDIA = ("image_base64", "image_url", "image_file_id", "file_pdf", "input_audio")
STRUCT = ("response_format_json_schema", "response_format_json_object")
TOOLS = ("tools", "tool_calls_history", "tool_results", "functions_legacy")
GOALS = {"plain": 0.02, "tools": 0.02, "struct": 0.02, "media": 0.10}  # issue 8's goals, per family x group
MIN_CALLS = 1  # every family x group in the sample is checked (one base64 image is the only media call)


def group_of(features: list[str]) -> str:
    """The goal group of a call: media before structured output before tools (the same order as test_billed.py).

    >>> group_of(["text", "tools", "response_format_json_schema"]), group_of(["text", "system"])
    ('struct', 'plain')
    """
    tags = set(features)
    for group, members in (("media", MEDIA), ("struct", STRUCT), ("tools", TOOLS)):
        if tags & set(members):
            return group
    return "plain"


def _load() -> list[dict]:
    records = []
    with open(SAMPLE, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            usage = rec["usage"]
            rec["_billed"] = usage["prompt_tokens"] if rec["endpoint"] == "chat.completions" else usage["input_tokens"]
            model = rec["request"].get("model") or rec["model"]
            family = family_for_model(model, resolve_encoding(model).encoding).name
            rec["_family"] = ("resp:" if rec["endpoint"] == "responses" else "") + family
            rec["_group"] = group_of(rec["features"])
            records.append(rec)
    return records


RECORDS = _load()
_COUNTS: dict[str, tuple[int, list[str]]] = {}


def counted(rec: dict) -> tuple[int, list[str]]:
    if rec["id"] not in _COUNTS:
        body = rec["request"]
        if rec["endpoint"] == "responses":
            created = (rec.get("response") or {}).get("created_at")  # the call's time, as a log gives it
            _COUNTS[rec["id"]] = count_responses_request(body, body.get("model") or rec["model"],
                                                         timestamp_s=created if isinstance(created, int) else None)
        else:
            prompt, _, notes = count_request(body.get("messages"), body.get("model") or rec["model"],
                                             tools=body.get("tools"), options=body)
            _COUNTS[rec["id"]] = (prompt, notes)
    return _COUNTS[rec["id"]]


def lower_bound(rec: dict) -> bool:
    """The count says it leaves out parts that are not in the log (files by id, stored turns, hosted tools)."""
    return any("not counted" in note for note in counted(rec)[1])


# Measured on this sample on 2026-11-25 (counted - billed): cases below their goal today, kept visible as strict
# xfails (each must be removed once the counter meets it; none widens a tolerance).
# The Responses gpt-4o calls of 2025-03-27 (instructions '', a strict tool) billed a launch-period hidden prompt:
# exact since advisor.tokens.responses.launch_period_tokens (given the call's created_at, as a log's timestamp).
# The gpt-4o calls sending json_schema with function tools (22-24 over each) are within 1 token since the schema
# text keeps titles and drops required/additionalProperties (advisor.tokens.tools.SCHEMA_DROPPED_KEYS). The
# gpt-3.5-turbo call forcing its tool is 1 over (80 vs 79, within 2%) with the refitted cl100k forced_tool. The
# Responses gpt-4o call with tool_choice "required" and one tool is exact
# (advisor.tokens.responses.required_single_tool).
PLAIN_NOT_YET: dict[str, str] = {}
GUARD_NOT_YET: dict[str, str] = {}  # calls outside half-or-double of their bill today
GROUP_NOT_YET: dict[tuple[str, str], str] = {}  # every family x group meets its goal on this sample today
TOTAL_NOT_YET: dict[str, str] = {}  # both endpoints within 1% on this sample today


def test_sample_covers_the_families_and_features():
    # the sample must keep what it was built for: both sources, several families, every goal group
    assert {r["source"].split(":")[0] for r in RECORDS} == {"pydantic/pydantic-ai", "Arize-ai/openinference"}
    assert {r["_group"] for r in RECORDS} >= {"plain", "tools", "struct"}
    assert len({r["_family"] for r in RECORDS}) >= 3
    assert len({json.dumps([r["request"], r["usage"]], sort_keys=True) for r in RECORDS}) == len(RECORDS)


def _plain_cases():
    return [pytest.param(r, id=r["id"], marks=[pytest.mark.xfail(reason=PLAIN_NOT_YET[r["id"]], strict=True)]
                         if r["id"] in PLAIN_NOT_YET else [])
            for r in RECORDS if r["_group"] == "plain" and not lower_bound(r)]


@pytest.mark.parametrize("rec", _plain_cases())
def test_plain_text_exact(rec):
    assert counted(rec)[0] == rec["_billed"], f"{rec['source']}: counted {counted(rec)[0]}, billed {rec['_billed']}"


@pytest.mark.parametrize("rec", [pytest.param(r, id=r["id"], marks=[pytest.mark.xfail(reason=GUARD_NOT_YET[r["id"]],
                                                                                      strict=True)]
                                             if r["id"] in GUARD_NOT_YET else []) for r in RECORDS])
def test_each_call_within_half_or_double(rec):
    got, billed = counted(rec)[0], rec["_billed"]
    if lower_bound(rec):
        assert got <= billed * 2 + 50
    else:
        assert billed / 2 <= got <= billed * 2 + 50, f"{rec['source']}: counted {got}, billed {billed}"


def _group_cases():
    by = defaultdict(list)
    for r in RECORDS:
        if not lower_bound(r):
            by[(r["_family"], r["_group"])].append(r)
    return [pytest.param(key, recs, id="-".join(key),
                         marks=[pytest.mark.xfail(reason=GROUP_NOT_YET[key], strict=True)] if key in GROUP_NOT_YET else [])
            for key, recs in sorted(by.items()) if len(recs) >= MIN_CALLS]


@pytest.mark.parametrize("key, recs", _group_cases())
def test_family_group_total_within_goal(key, recs):
    billed = sum(r["_billed"] for r in recs)
    got = sum(counted(r)[0] for r in recs)
    assert abs(got - billed) / billed <= GOALS[key[1]], f"{key}: counted {got} vs billed {billed}"


@pytest.mark.parametrize("endpoint", [
    pytest.param(e, marks=[pytest.mark.xfail(reason=TOTAL_NOT_YET[e], strict=True)] if e in TOTAL_NOT_YET else [])
    for e in sorted({r["endpoint"] for r in RECORDS})])
def test_total_within_one_percent(endpoint):
    recs = [r for r in RECORDS if r["endpoint"] == endpoint and not lower_bound(r)]
    billed = sum(r["_billed"] for r in recs)
    got = sum(counted(r)[0] for r in recs)
    assert abs(got - billed) / billed <= 0.01, f"{endpoint}: counted {got} vs billed {billed}"


def test_reasoning_completion_is_a_flagged_lower_bound():
    # o-series / gpt-5 completions counted from their text miss the hidden reasoning tokens: flagged, never silent
    recs = [r for r in RECORDS if r["endpoint"] == "chat.completions" and is_reasoning_model(r["request"]["model"])]
    assert recs
    for r in recs:
        _, completion, notes = count_request(r["request"]["messages"], r["request"]["model"],
                                             tools=r["request"].get("tools"), options=r["request"],
                                             completion=r["response"]["choices"][0]["message"])
        assert completion <= r["usage"]["completion_tokens"]
        assert any("lower bound" in n for n in notes)


# measured 2026-12-06 after issue 23's answer rules (text with tools offered +1, calls through the
# multi_tool_use.parallel wrapper): tool calls -0.9% (228 vs 230, was -4.8%), text -2.7% (was -8.8%); 2026-12-07 (h23g),
# answers counted at their call's time (advisor.tokens.periods.EndTokenPeriod: one more token billed in early 2025):
# text 147 counted = 147 billed (12 answers), tool calls 229 vs 230
COMPLETION_NOT_YET: dict[str, str] = {}


def _completion_cases():
    by = defaultdict(list)
    for r in RECORDS:
        if r["endpoint"] == "chat.completions" and not is_reasoning_model(r["request"]["model"]):
            message = r["response"]["choices"][0]["message"]
            by["tool_calls" if message.get("tool_calls") else "text"].append(r)
    return [pytest.param(recs, id=k, marks=[pytest.mark.xfail(reason=COMPLETION_NOT_YET[k], strict=True)]
                         if k in COMPLETION_NOT_YET else []) for k, recs in sorted(by.items())]


@pytest.mark.parametrize("recs", _completion_cases())
def test_completions_within_one_percent(recs):
    # the answer counted as billed output (non-reasoning models; reasoning ones are a flagged lower bound above)
    billed = sum(r["usage"]["completion_tokens"] for r in recs)
    got = sum(count_request([], r["request"]["model"], options=r["request"], timestamp_s=r["response"].get("created"),
                            completion=r["response"]["choices"][0]["message"])[1] for r in recs)
    assert abs(got - billed) / billed <= 0.01, f"counted {got} vs billed {billed}"


def measured_table() -> list[tuple[str, str, int, int, int]]:
    """(family, group, calls, counted, billed) per family x group: how the xfail reasons above were measured."""
    by = defaultdict(list)
    for r in RECORDS:
        if not lower_bound(r):
            by[(r["_family"], r["_group"])].append(r)
    return [(f, g, len(rs), sum(counted(r)[0] for r in rs), sum(r["_billed"] for r in rs))
            for (f, g), rs in sorted(by.items())]


if __name__ == "__main__":  # python tests/tokens/test_billed_ci.py: the measured table
    for family, group, calls, got, billed in measured_table():
        print(f"{family:18} {group:7} {calls:4d} {got:7d} {billed:7d} {(got - billed) / billed:+8.2%}")
