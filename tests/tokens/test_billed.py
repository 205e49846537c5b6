"""Counting vs billed usage on real recorded Chat Completions and Responses API calls (issue 8, items 3 and 6).

Each recorded call (request body + the usage OpenAI billed; see tests/fixtures/recorded/README.md for the
sources and why the JSONL may live outside the repository) is counted with its usage stripped and compared
with ``usage.prompt_tokens`` (Chat Completions) or ``usage.input_tokens`` (Responses API: families are
named ``resp:<family>``; the constants that differ are advisor/tokens_responses.py's RESPONSES_CHANGES).
Responses calls whose count is a stated lower bound (``previous_response_id``/``conversation`` turns stored
server-side, hosted tools' hidden instructions, encrypted reasoning, files by id) are kept out of the goals
and only checked by the half-or-double guard. A Responses call is counted at its time (the response's
``created_at``, as a log's timestamp): calls of the API's first weeks billed a hidden prompt
(advisor/tokens_responses.py's launch_period_tokens). Calls are split by cassette file into a calibration part (the constants in
advisor/tokens_chat.py were fitted on it) and a held-out part (30% of the files, never used for fitting):
``split_of`` below is the same hash the calibration used.

Goals (issue 8): plain text exact; per model family x feature group within 2% of the billed prompt tokens
(tools, structured output), images and files within 10%, everything within 1%. A family x group that does
not reach its goal today is an expected failure with the measured number in its reason (strict: the marker
must go when it passes). Without fixture data these tests skip; the hand-computed rules in test_tokens.py
always run.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recorded_quirks import KINDS, find_quirks  # noqa: E402

from advisor.logs.records import to_epoch_s  # noqa: E402
from advisor.tokens.chat import family_for_model, is_reasoning_model  # noqa: E402
from advisor.tokens.counter import count_request, count_responses_request, resolve_encoding  # noqa: E402
from advisor.tokens.media import is_lower_bound  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ("image_base64", "image_url", "image_file_id", "file_pdf", "input_audio")
STRUCT = ("response_format_json_schema", "response_format_json_object")
TOOLS = ("tools", "tool_calls_history", "tool_results", "functions_legacy")


# Codebases no counting rule was fitted on (issue 23): their calls are the split 'other', measured against issue 23's
# goals in tests/tokens/test_billed_codebases.py and never used for fitting. crmne/ruby_llm joined the fitted side
# (it carries the nano models' images and PDFs and gpt-5 structured output) and is split by file like the rest.
HELD_OUT_CODEBASES = frozenset({
    "tidyverse/ellmer", "posit-dev/chatlas", "langchain-ai/langsmith-sdk", "AgentOps-AI/agentops",
    "activeagents/activeagent", "alexrudall/ruby-openai", "OlympiaAI/raix"})


def recorded_dirs() -> list[Path]:
    """The folders read: every folder of ``$ADVISOR_RECORDED_DIR`` (several joined by ``os.pathsep``), else the
    first of tests/fixtures/recorded and ../shared/fixtures/recorded that holds JSONL files."""
    if os.environ.get("ADVISOR_RECORDED_DIR"):
        given = [Path(p) for p in os.environ["ADVISOR_RECORDED_DIR"].split(os.pathsep) if p]
        return [d for d in given if d.is_dir() and any(d.glob("*.jsonl"))]
    candidates = [ROOT / "tests" / "fixtures" / "recorded", ROOT.parent / "shared" / "fixtures" / "recorded"]
    return [d for d in candidates if d.is_dir() and any(d.glob("*.jsonl"))][:1]


def split_of(source: str) -> str:
    """'other' for a codebase in :data:`HELD_OUT_CODEBASES`, else 'hold' for 30% of cassette files (by a hash of the
    file path) and 'cal' for the rest.

    >>> split_of("o/r:tests/a.yaml@" + "0" * 40 + "#1") == split_of("o/r:tests/a.yaml@" + "1" * 40 + "#7")
    True
    >>> split_of("tidyverse/ellmer:tests/testthat/_vcr/a.yml@" + "0" * 40 + "#0")
    'other'
    """
    if source.split(":", 1)[0] in HELD_OUT_CODEBASES:
        return "other"
    path = source.split("@")[0]
    return "hold" if int(hashlib.sha256(path.encode()).hexdigest(), 16) % 10 < 3 else "cal"


def group_of(features: list[str]) -> str:
    f = set(features)
    if f & set(MEDIA):
        return "media"
    if f & set(STRUCT):
        return "struct"
    if f & set(TOOLS):
        return "tools"
    return "plain"


def _load() -> list[dict]:
    """Every call read (recording quirks included), in reading order; identical request bodies once."""
    out, seen = [], set()
    for d in recorded_dirs():
        for path in sorted(d.glob("*.jsonl")):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    rec = json.loads(line)
                    if rec.get("endpoint") not in ("chat.completions", "responses"):
                        continue
                    rec["_billed"] = rec["usage"].get("prompt_tokens", rec["usage"].get("input_tokens"))
                    if not rec["_billed"]:  # a usage of 0 recorded for a real prompt: nothing to compare
                        continue
                    key = json.dumps(rec["request"], sort_keys=True)
                    if key in seen:
                        continue
                    seen.add(key)
                    model = rec["request"].get("model") or rec.get("model")
                    rec["_family"] = family_for_model(model, resolve_encoding(model).encoding).name
                    if rec["endpoint"] == "responses":
                        rec["_family"] = "resp:" + rec["_family"]
                    rec["_group"] = group_of(rec.get("features", []))
                    rec["_split"] = split_of(rec["source"])
                    rec["_file"] = path.name
                    out.append(rec)
    return out


# Recording quirks (tests/tokens/recorded_quirks.py: hand-written responses, requests edited or rewritten around the
# recording, repeated calls, placeholder images) are left out of every measure; each is reported by its file and
# kind (test_recording_quirks_per_file) and its per-call tests are skipped with the reason, never dropped unseen.
_READ = _load()
QUIRKS = find_quirks(_READ)
RECORDS = [r for r in _READ if r["id"] not in QUIRKS]
QUIRK_RECORDS = [r for r in _READ if r["id"] in QUIRKS]
needs_data = pytest.mark.skipif(not RECORDS, reason="no recorded calls: see tests/fixtures/recorded/README.md")


def counted(rec: dict) -> tuple[int, list[str]]:
    body = rec["request"]
    if rec["endpoint"] == "responses":  # the call's time, as a log's timestamp gives it (launch-period rule)
        output = (rec.get("response") or {}).get("output")
        calls = sum(1 for o in output if isinstance(o, dict) and o.get("type") == "function_call") if isinstance(
            output, list) else 0  # a parallel answer's input tokens were once reported divided (split_usage_divisor)
        return count_responses_request(body, body.get("model") or rec["model"], timestamp_s=created_at_s(rec),
                                       output_calls=calls)
    prompt, _, notes = count_request(body.get("messages"), body.get("model") or rec["model"],
                                     tools=body.get("tools"), options=body, timestamp_s=created_at_s(rec))
    return prompt, notes


def created_at_s(rec: dict) -> float | None:
    """When the call was made (epoch seconds): the response's ``created_at`` (Responses) or ``created`` (Chat
    Completions), read as a log's timestamp is (:func:`advisor.logs.records.epoch_s`): a placeholder time, such as the
    ``created: 0`` that 0xPlaygrounds/rig's cassette scrubber and ogx-ai/ogx's recorder write over every response
    (heldout7, 1,229 records), is no time, not 1970-01-01. Read as 1970, rig's calls took the Responses launch-period
    prompt (77 gpt-4o calls 18-216 over), became launch-period lower bounds (131) or took the early required-tool
    period (36 Chat calls, 2 over); undated, they count as the same requests do with their commit's date.

    >>> created_at_s({"response": {"created": 1735689600}}), created_at_s({"response": {"created_at": 0}})
    (1735689600.0, None)
    """
    response = rec.get("response") or {}
    t = response.get("created_at", response.get("created"))
    return to_epoch_s(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None


_COUNTS: dict[str, tuple[int, list[str]]] = {}


def count_of(rec: dict) -> int:
    if rec["id"] not in _COUNTS:
        _COUNTS[rec["id"]] = counted(rec)
    return _COUNTS[rec["id"]][0]


def lower_bound(rec: dict) -> bool:
    """The count says it leaves out parts that are not in the log (files by id or URL, URL images, stored turns,
    hosted tools, encrypted reasoning: advisor.tokens.media.is_lower_bound)."""
    count_of(rec)
    return any(is_lower_bound(n) for n in _COUNTS[rec["id"]][1])


def goal_records() -> list[dict]:
    """Calls of the fitted codebases whose count is not a stated lower bound (the other codebases' calls are
    measured in test_billed_codebases.py)."""
    return [r for r in RECORDS if not lower_bound(r) and r["_split"] != "other"]


# plain-text calls the rules do not reproduce exactly, with the reason (all seen in the recorded data)
KNOWN_PLAIN = {
    "search-preview": "gpt-4o-search-preview adds its own hidden prompt (11 fewer tokens billed)",
    "o1-": "o1-preview/o1-mini carry hidden per-message instructions: fitted, within a few tokens",
    "o3-mini": "an assistant message with reasoning text in the history",
}
NAME_RULE = "gpt-4o-2024-08-06 bills 1 token less once a message has a name (cookbook: +1 per name)"


# single recorded calls whose bill no rule explains (data quirks), kept visible as strict expected failures
# (openinference-595870735d87, logfire-c7acd6d096bf: responses written by hand, and crewAI-9b4d8a216d9c,
# pydantic-ai-c4314092eb36: requests edited after recording, are recording quirks now: recorded_quirks.py)
ANOMALIES = {
    "crewAI-adb280819e10": "gpt-4: 9 more tokens billed than counted; 480 other gpt-4 calls are exact",
    # (Mirascope's assistant content as a list of two text parts is exact since issue 23: text parts are joined;
    # ruby_llm-deab78d1ff48 and -b1c4eac5a9d7, 6 over, whose text VCR's filter rewrote with a '<GPUSTACK_API_KEY>'
    # inside a word, are recording quirks now: recorded_quirks.py's secret placeholder)
    # Responses API (measured 2026-11-25): plain calls whose bill no rule explains (the 6 gpt-4o calls of
    # 2025-03 that billed 18 more are the launch-period rule now: advisor.tokens.responses.launch_period_tokens)
    # (pydantic-ai-8060f91adff0, -6492a8cd2acd, gpt-5.6-sol 1,531 under: stated lower bounds since h12tok, for their
    # reasoning mode 'pro': advisor.tokens.responses.PRO_MODE_NOTE)
    **{i: "Responses gpt-4.1: a multi-turn or one-word prompt 1-4 tokens off"
       for i in ("pydantic-ai-9ebc762114e9", "pydantic-ai-bb43eca5d040",
                 "pydantic-ai-318024be198b", "pydantic-ai-13c86c6a67ea")},
    "pydantic-ai-bcc77649c270": "Responses computer-use-preview one-line prompt: 1 token fewer billed",
    # eidolon-ai/eidolon (fitted from 2026-12-08; measured then): o1-preview agent prompts of ~2,000 tokens, whose
    # per-message constants were fitted on one-line prompts
    "eidolon-d254958a50e8": "o1-preview, 8 messages: counted 2,136 vs billed 2,233 (97 under)",
    # neilberkman/req_llm (fitted from 2026-12-08; measured then): gpt-4.1-nano billed 37 for the request gpt-4.1
    # billed 34 (tool_round_trip_2: the same body, two models)
    "req_llm-5f1098b1efcc": "Responses gpt-4.1-nano: counted 34 vs billed 37 (gpt-4.1 billed 34 for the same request)",
    # (pydantic-ai-b6fb8da9bb3d, -c4cd1b044bb9, -51b86ba49880 and o3-mini's -81179c05924f carry a 2025-03-27
    # created_at: lower bounds now, as launch-period calls of a model not measured (gpt-4.1-mini and gpt-5 did not
    # exist then: those cassettes were edited by hand; o3-mini billed 59 more, one call, not enough for a rule))
}


# Responses API calls whose count is outside half-or-double of the bill today (measured 2026-11-25), by cause
# (the 2025-03 PDF calls and the strict-tool gpt-4o calls are within it since the launch-period rule)
GUARD_KNOWN = {
    **{i: "hosted web_search history: the search results the API inserts are smaller than the output items counted"
       for i in ("pydantic-ai-644726be761a", "pydantic-ai-ac868f7bd732")},
}
# (pydantic-ai-8060f91adff0, -6492a8cd2acd: gpt-5.6-sol's pro mode, stated lower bounds since h12tok)
GUARD_KNOWN.update({i: "a PDF billed without its content on 2025-06-02/03 (32, 50 and 199 tokens; crmne/ruby_llm)"
                    for i in ("ruby_llm-9c21e550d7e4", "ruby_llm-5b398d091c98", "ruby_llm-b8f2bc4d4c12")})
# (Adala-c5c24cea366b, a 9-page PDF counted 16,738 for 8,169 billed, is within since its text is read from the content
# streams only: 9,327; advisor.tokens.media)


def _quirk_param(r: dict):
    quirk = QUIRKS[r["id"]]
    return pytest.param(r, id=r["id"], marks=[pytest.mark.skip(reason=f"recording quirk ({quirk.kind}): {quirk.reason}")])


def _guard_ids():
    out = []
    for r in RECORDS:
        why = GUARD_KNOWN.get(r["id"])
        out.append(pytest.param(r, id=r["id"], marks=[pytest.mark.xfail(reason=why, strict=True)] if why else []))
    return out + [_quirk_param(r) for r in QUIRK_RECORDS]


def _plain_ids():
    quirks = [_quirk_param(r) for r in QUIRK_RECORDS
              if r["_group"] == "plain" and r["_split"] != "other" and not lower_bound(r)]
    return [pytest.param(r, id=r["id"], marks=[pytest.mark.xfail(reason=ANOMALIES[r["id"]], strict=True)]
                         if r["id"] in ANOMALIES else []) for r in goal_records() if r["_group"] == "plain"] + quirks


# calls each quirk rule left out, per file (tests/fixtures/recorded/README.md, "Recording quirks"; measured 2026-12-08
# on the fixture files, /work/heldout3 to /work/heldout6 as the README builds them). A file missing here has none.
QUIRKS_PER_FILE: dict[str, dict[str, int]] = {
    "crewai.jsonl": {"edited request": 19},
    "llm.jsonl": {"non-API id": 3},                    # OpenRouter's gen-* ids in a cassette naming api.openai.com
    "logfire.jsonl": {"non-API id": 1},
    "openinference.jsonl": {"non-API id": 1},
    "pydantic-ai.jsonl": {"non-API id": 5, "edited request": 11, "duplicate": 1},
    "paper-qa.jsonl": {"edited request": 1},
    "phoenix.jsonl": {"non-API id": 6, "edited request": 2},
    "Adala.jsonl": {"duplicate": 2},
    "Auto-GPT-test-cassettes.jsonl": {"duplicate": 290, "date placeholder": 385},
    "boxcars.jsonl": {"edited request": 2},
    "openai-dotnet.jsonl": {"non-API id": 1, "placeholder image": 2},
    "ruby_llm.jsonl": {"secret placeholder": 2},       # the two calls ANOMALIES named until 2026-12-08
    # /work/heldout6 (2026-12-08)
    "dspy.rb.jsonl": {"secret placeholder": 4},        # GEMINI_API_KEY 'test' filtered out of 'testing'
    "maybe.jsonl": {"edited request": 6},
    "ruby_llm-responses_api.jsonl": {"non-API id": 7},  # resp_fc_multi_2, resp_long_conv_3: written by hand
    # /work/heldout7 (2026-12-08; ogx-ai/ogx's and 0xPlaygrounds/rig's scrubbed ids are measured: recorded_quirks.scrubbed)
    "ai-gateway.jsonl": {"non-API id": 1},             # chatcmpl-<uuid>
    "newrelic-python-agent.jsonl": {"duplicate": 1},   # the same response id, options that bill nothing differ
}


def quirks_per_file() -> dict[str, dict[str, int]]:
    """The calls each quirk kind left out, per file read (files without quirks left out)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in QUIRK_RECORDS:
        kind = QUIRKS[r["id"]].kind
        out[r["_file"]][kind] = out[r["_file"]].get(kind, 0) + 1
    return {f: {k: kinds[k] for k in KINDS if k in kinds} for f, kinds in sorted(out.items())}


@needs_data
def test_recording_quirks_per_file():
    # every call a quirk rule leaves out is counted here: a new file or a changed count fails until it is checked
    # (read the reasons: pytest -rs) and written in QUIRKS_PER_FILE
    got = quirks_per_file()
    print("\n".join(f"{f}: {kinds}" for f, kinds in got.items()))
    read = {r["_file"] for r in _READ}
    assert got == {f: kinds for f, kinds in QUIRKS_PER_FILE.items() if f in read}


@needs_data
@pytest.mark.parametrize("rec", _plain_ids())
def test_plain_text_exact(rec):
    model = rec["request"].get("model", "")
    known = next((why for k, why in KNOWN_PLAIN.items() if k in model), None)
    if "name" in rec.get("features", []) and model.startswith("gpt-4o"):
        known = NAME_RULE
    diff = count_of(rec) - rec["_billed"]
    if known and diff:
        assert abs(diff) <= max(30, 0.03 * rec["_billed"]), known
        return
    assert diff == 0, f"counted {diff:+d} tokens vs billed on {rec['source']}"


@needs_data
@pytest.mark.parametrize("rec", _guard_ids())
def test_counting_within_half_or_double(rec):
    # a guard per call: whatever the feature, a count is within half and double the bill; parts whose content
    # is not in the log (files by file_id) are reported as not counted, and then the count is a lower bound
    billed = rec["_billed"]
    got = count_of(rec)
    if lower_bound(rec) and rec["endpoint"] == "chat.completions":
        assert got <= billed
    elif lower_bound(rec):  # Responses: a lower bound for what is left out, and estimates (PDF) for the rest
        assert got <= billed * 2 + 50
    else:
        assert billed / 2 <= got <= billed * 2 + 50


GOALS = {"plain": 0.02, "tools": 0.02, "struct": 0.02, "media": 0.10}
# family x group aggregates below their goal today (measured 2026-11-25 on the seven fixture files; cal
# resp:chatml-o200k tools went from -4.89% to +0.42% with the launch-period rule)
# (no tools group today: the closest are hold resp:chatml-o200k tools +1.46% and hold resp:harmony tools +1.44%,
# measured 2026-11-25 after the tools rules of advisor/tokens_tools.py and tokens_chat.tools_share_system)
NOT_YET: dict[tuple[str, str, str], str] = {
    # (cal resp:harmony plain, -53.3% from gpt-5.6-sol's hidden prompt: its 2 calls are stated lower bounds since
    # h12tok, 2026-12-08, PRO_MODE_NOTE)
    # measured 2026-12-06 with crmne/ruby_llm's calls (the group meets its goal without them): gpt-5-nano sequential
    # tool calls 78 under (2 calls of 208 billed)
    ("cal", "resp:harmony", "tools"): "-3.3% with crmne/ruby_llm (ruby_llm-6b90bfa3ef46, -bcd0472d13ec: 78 under)",
    # measured 2026-12-08 with eidolon-ai/eidolon's calls (the groups meet their goals without them): gpt-4-1106-preview
    # schemas whose allOf'd object definitions bill more than they are counted
    ("cal", "chatml-cl100k", "struct"): "-11.7% with eidolon-ai/eidolon (8 calls, 488 under: 2,346 vs 2,834)",
    ("cal", "chatml-cl100k", "tools"): "-2.9% with eidolon-ai/eidolon (30 calls, 1,236 under: 7,651 vs 8,887)",
    # (resp:o-series tools with neilberkman/req_llm: within goal since the o-series forced tool bills nothing,
    # RESPONSES_CHANGES forced_billed: cal -0.26%, 1,523 vs 1,527; hold -0.32%, 926 vs 929; measured 2026-12-08)
}


# NOT_YET entries that hold only when a codebase's calls are read (the CI corpus lacks them)
NOT_YET_ONLY_WITH: dict[tuple[str, str, str], str] = {("cal", "resp:harmony", "tools"): "crmne/ruby_llm",
                                                      ("cal", "chatml-cl100k", "struct"): "eidolon-ai/eidolon",
                                                      ("cal", "chatml-cl100k", "tools"): "eidolon-ai/eidolon"}


def _aggregates():
    by = defaultdict(list)
    for r in goal_records():
        by[(r["_split"], r["_family"], r["_group"])].append(r)
    out = []
    for key, recs in sorted(by.items()):
        if len(recs) < 5:
            continue
        only = NOT_YET_ONLY_WITH.get(key)
        known = key in NOT_YET and (only is None or any(r["source"].startswith(only + ":") for r in recs))
        marks = [pytest.mark.xfail(reason=NOT_YET[key], strict=True)] if known else []
        out.append(pytest.param(key, recs, id="-".join(key), marks=marks))
    return out


@needs_data
@pytest.mark.parametrize("key, recs", _aggregates())
def test_family_group_total_within_goal(key, recs):
    billed = sum(r["_billed"] for r in recs)
    got = sum(count_of(r) for r in recs)
    assert abs(got - billed) / billed <= GOALS[key[2]], f"{key}: counted {got} vs billed {billed}"


# split x endpoint totals over 1% today, and the codebase whose calls make them so (None: always)
TOTAL_NOT_YET: dict[tuple[str, str], tuple[str | None, str]] = {
    # (cal responses, -2.5% from gpt-5.6-sol's hidden prompt, 2 calls: stated lower bounds since h12tok, 2026-12-08)
}


# TOTAL_NOT_YET entries met once a codebase's calls are read beside them
TOTAL_MET_WITH: dict[tuple[str, str], str] = {}


def _total_cases():
    out = []
    for key in (("cal", "chat.completions"), ("hold", "chat.completions"), ("hold", "responses"), ("cal", "responses")):
        only, why = TOTAL_NOT_YET.get(key, (None, ""))
        met = key in TOTAL_MET_WITH and any(r["source"].startswith(TOTAL_MET_WITH[key] + ":") for r in RECORDS)
        known = why and not met and (only is None or any(r["source"].startswith(only + ":") for r in RECORDS))
        out.append(pytest.param(*key, marks=[pytest.mark.xfail(strict=True, reason=why)] if known else []))
    return out


@needs_data
@pytest.mark.parametrize("split, endpoint", _total_cases())
def test_total_within_one_percent(split, endpoint):
    recs = [r for r in goal_records() if r["_split"] == split and r["endpoint"] == endpoint]
    billed = sum(r["_billed"] for r in recs)
    got = sum(count_of(r) for r in recs)
    assert abs(got - billed) / billed <= 0.01


@needs_data
def test_completion_lower_bound_flagged_for_reasoning_models():
    # gpt-5/o-series completions counted from text miss the hidden reasoning tokens: flagged, never silent
    recs = [r for r in RECORDS if is_reasoning_model(r["request"].get("model")) and r["endpoint"] == "chat.completions"]
    assert recs
    for r in recs:
        msg = r["response"]["choices"][0]["message"]
        _, comp, notes = count_request(r["request"].get("messages"), r["request"]["model"],
                                       tools=r["request"].get("tools"), options=r["request"], completion=msg)
        assert comp <= r["usage"]["completion_tokens"]
        assert any("lower bound" in n for n in notes)


def _completion_groups():
    by = defaultdict(list)
    for r in RECORDS:
        if r["_split"] == "other":
            continue
        if r["endpoint"] != "chat.completions":
            continue
        choices = r["response"].get("choices") or []
        usage = r["usage"]
        if (len(choices) != 1 or not choices[0].get("message") or is_reasoning_model(r["request"].get("model"))
                or (usage.get("completion_tokens_details") or {}).get("audio_tokens")):
            continue
        msg = choices[0]["message"]
        by["tool_calls" if msg.get("tool_calls") or msg.get("function_call") else "text"].append(r)
    return [pytest.param(recs, id=k) for k, recs in sorted(by.items())]


@needs_data
@pytest.mark.parametrize("recs", _completion_groups())
def test_completions_within_one_percent(recs):
    # text and tool-call completions of non-reasoning models (reasoning ones are lower bounds, tested above)
    billed = sum(r["usage"]["completion_tokens"] for r in recs)
    got = sum(count_request([], r["request"].get("model"), options=r["request"], timestamp_s=created_at_s(r),
                            completion=r["response"]["choices"][0]["message"])[1] for r in recs)
    assert abs(got - billed) / billed <= 0.01


def accuracy_table() -> list[dict]:
    """Per split x family x group: calls, exact share, share within 2%, total counted vs billed."""
    by = defaultdict(list)
    for r in goal_records():
        for key in ((r["_split"], r["_family"], r["_group"]), (r["_split"], "ALL", r["_group"]),
                    (r["_split"], "ALL", "ALL"),
                    (r["_split"], r["endpoint"][:4].upper(), "ALL")):
            by[key].append(r)
    rows = []
    for (split, family, group), recs in sorted(by.items()):
        billed = [r["_billed"] for r in recs]
        got = [count_of(r) for r in recs]
        rows.append({"split": split, "family": family, "group": group, "calls": len(recs),
                     "exact": sum(g == b for g, b in zip(got, billed)) / len(recs),
                     "within_2pct": sum(abs(g - b) <= 0.02 * b for g, b in zip(got, billed)) / len(recs),
                     "total_error": (sum(got) - sum(billed)) / sum(billed)})
    return rows


if __name__ == "__main__":  # ADVISOR_RECORDED_DIR=... python tests/tokens/test_billed.py: the accuracy table
    for file, kinds in quirks_per_file().items():
        print(f"recording quirks left out of {file}: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    print(f"{'split':5} {'family':14} {'group':7} {'calls':>6} {'exact':>6} {'<=2%':>6} {'total':>8}")
    for row in accuracy_table():
        print(f"{row['split']:5} {row['family']:14} {row['group']:7} {row['calls']:6d} {row['exact']:6.0%} "
              f"{row['within_2pct']:6.0%} {row['total_error']:+8.2%}")
