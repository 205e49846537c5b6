"""Issue 23's goals on recorded calls from codebases no counting rule was fitted on (the split 'other' of
tests/tokens/test_billed.py: R, Python and Ruby clients' VCR cassettes; tests/fixtures/recorded/README.md builds them).

Each call's request is counted with its usage stripped and compared with the billed prompt tokens; its answer with
the billed completion tokens. Classes (the first that applies): a count that is a stated lower bound (parts the
request cannot show: hosted tools, files by id or URL, URL images, encrypted reasoning, stored turns, a prediction) is left out
and counted apart; media (base64 images, files, audio); json_schema; tools (definitions, calls or results);
other (a ``name``, a developer message, content as a list of parts); plain text.

Goals (issue 23): countable calls 90% within 2%; plain text 99% exact; tools and json_schema 85% within 2%;
images/files within 5% in total; completion tokens of non-reasoning calls 90% exact. A goal not met today is a
strict expected failure whose reason is the measured number (it must go once met). Without the other codebases'
files (``ADVISOR_RECORDED_DIR=<fitted>:<other>``) these tests skip; ``python tests/tokens/test_billed_codebases.py``
prints the table the README quotes.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_billed import RECORDS, count_of, created_at_s, lower_bound  # noqa: E402

from advisor.tokens.chat import is_reasoning_model  # noqa: E402
from advisor.tokens.counter import TokenCounter, count_request, resolve_encoding  # noqa: E402
from advisor.tokens.responses import responses_completion_parts  # noqa: E402

OTHER = [r for r in RECORDS if r["_split"] == "other"]
needs_other = pytest.mark.skipif(not OTHER, reason="no calls of held-out codebases: see tests/fixtures/recorded/README.md")
MEDIA = {"image_base64", "image_url", "image_file_id", "file_pdf", "input_audio"}
TOOLS = {"tools", "tool_calls_history", "tool_results", "functions_legacy"}


def class_of(rec: dict, is_lower_bound: bool) -> str:
    """Issue 23's class of a recorded call (module docstring); ``is_lower_bound``: its count says so.

    >>> class_of({"features": ["text", "tools"], "endpoint": "chat.completions", "request": {"messages": []}}, False)
    'tools / tool history'
    """
    if is_lower_bound:
        return "lower bound"
    tags = set(rec.get("features", []))
    if tags & MEDIA:
        return "images / files / audio"
    if "response_format_json_schema" in tags:
        return "json_schema"
    if tags & TOOLS:
        return "tools / tool history"
    req = rec["request"]
    items = req.get("messages") if rec["endpoint"] == "chat.completions" else req.get("input")
    items = items if isinstance(items, list) else []
    if "name" in tags or any(isinstance(m, dict) and (m.get("role") == "developer" or isinstance(m.get("content"), list))
                             for m in items):
        return "other (name, developer role, list content)"
    return "plain text"


def completion_pair(rec: dict) -> tuple[int, int] | None:
    """(counted, billed) completion tokens of a non-reasoning call whose answer is text or function calls."""
    model = rec["request"].get("model") or rec["model"]
    if is_reasoning_model(model):
        return None
    usage, response = rec["usage"], rec["response"]
    if rec["endpoint"] == "chat.completions":
        choices = response.get("choices") or []
        if len(choices) != 1 or not choices[0].get("message") or (
                usage.get("completion_tokens_details") or {}).get("audio_tokens"):
            return None
        msg = choices[0]["message"]
        if not (msg.get("content") or msg.get("tool_calls") or msg.get("function_call")):
            return None
        got = count_request([], model, tools=rec["request"].get("tools"), options=rec["request"], completion=msg,
                            timestamp_s=created_at_s(rec))[1]
        return got, usage["completion_tokens"]
    out = response.get("output")
    if not isinstance(out, list) or not out or any(
            not isinstance(o, dict) or o.get("type") not in ("message", "function_call") for o in out):
        return None
    text = "".join(c.get("text", "") for o in out if o.get("type") == "message"
                   for c in o.get("content") or [] if isinstance(c, dict))
    calls = [{"type": "function", "function": {"name": o.get("name", ""), "arguments": o.get("arguments", "")}}
             for o in out if o.get("type") == "function_call"]
    msg = {"role": "assistant", "content": text or None, **({"tool_calls": calls} if calls else {})}
    enc = resolve_encoding(model).encoding
    p = responses_completion_parts(rec["request"], msg, model, enc)
    return p.fixed + sum(TokenCounter(enc, threads=1).count_many(p.strings)), usage["output_tokens"]


def goal_table() -> list[dict]:
    """Issue 23's table on the other codebases: group, calls, exact share, share within 2%, total error."""
    by: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r in OTHER:
        pair = (count_of(r), r["_billed"])
        cls = class_of(r, lower_bound(r))
        if cls != "lower bound":
            by["countable calls"].append(pair)
        by[cls].append(pair)
        comp = completion_pair(r)
        if comp is not None and comp[1]:
            by["completion tokens, non-reasoning"].append(comp)
    rows = []
    for group in ("countable calls", "plain text", "tools / tool history", "json_schema", "images / files / audio",
                  "other (name, developer role, list content)", "completion tokens, non-reasoning", "lower bound"):
        pairs = by.get(group, [])
        if pairs:
            rows.append({"group": group, "calls": len(pairs),
                         "exact": sum(g == b for g, b in pairs) / len(pairs),
                         "within_2pct": sum(abs(g - b) <= 0.02 * b for g, b in pairs) / len(pairs),
                         "total_error": sum(g for g, _ in pairs) / sum(b for _, b in pairs) - 1})
    return rows


# Issue 23's goals: (group, measure, at least). The share "within_2pct" and "exact" are of calls; "total_error" is
# a bound on |counted / billed - 1|.
GOALS = [("countable calls", "within_2pct", 0.90), ("plain text", "exact", 0.99),
         ("tools / tool history", "within_2pct", 0.85), ("json_schema", "within_2pct", 0.85),
         ("images / files / audio", "total_error", 0.05), ("completion tokens, non-reasoning", "exact", 0.90)]
# measured 2026-12-07 (h23e) on the seven held-out codebases (ADVISOR_RECORDED_DIR=shared:heldout; README table): the
# gpt-4o family's parameters opening (chat.FAMILIES params_brace, decided on the fitted codebases) took countable calls
# from 87.2% to 90.5% and tools from 82.6% to 87.7% within 2% here; plain text 98.6% -> 99.3% exact because raix's
# predicted-outputs call (12 under) is now a stated lower bound (chat.PREDICTION_NOTE: what a prediction adds to the
# prompt is not documented), not because it is counted right; then 100% with the Responses gpt-4 request framing -1
# (responses.RESPONSES_CHANGES chatml-gpt4, fitted on DataDog/dd-trace-js's 7 Responses gpt-4 calls). All goals met.
NOT_YET: dict[str, str] = {}


def _goal_cases():
    return [pytest.param(g, m, v, id=g.split(" ")[0], marks=[pytest.mark.xfail(reason=NOT_YET[g], strict=True)]
                         if g in NOT_YET else []) for g, m, v in GOALS]


@needs_other
@pytest.mark.parametrize("group, measure, goal", _goal_cases())
def test_issue23_goal(group, measure, goal):
    row = next(r for r in goal_table() if r["group"] == group)
    if measure == "total_error":
        assert abs(row["total_error"]) <= goal, row
    else:
        assert row[measure] >= goal, row


@needs_other
def test_lower_bounds_never_exceed_the_bill():
    # a stated lower bound leaves parts out: it is never above what was billed (URL images at the smallest image)
    over = [(r["id"], count_of(r), r["_billed"]) for r in OTHER if lower_bound(r) and count_of(r) > r["_billed"]]
    assert not over


if __name__ == "__main__":  # ADVISOR_RECORDED_DIR=<fitted>:<other> python tests/tokens/test_billed_codebases.py
    print("| group | n | exact | within 2% | total |\n|---|---|---|---|---|")
    for row in goal_table():
        print(f"| {row['group']} | {row['calls']:,} | {row['exact']:.1%} | {row['within_2pct']:.1%} "
              f"| {row['total_error']:+.1%} |")
