"""Third round of real export shapes (2026-12-08 check of exports5): Datadog APM traces, ``llm logs --json``, Claude
Code transcripts and result messages, Ollama API responses, OpenAI Evals output items, Codex CLI rollouts, Vertex
AI batch predictions' text, Anthropic's Admin usage report. The records are written by hand in those shapes (made-up
values); each expected figure is worked out beside it."""

from __future__ import annotations

import json

import pytest

from advisor.logs import MemoryFile, read_logs


def _read(name: str, *records, ft_tokenizer=None, **kw):
    body = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"
    return read_logs([MemoryFile(name, body.encode())], ft_tokenizer=ft_tokenizer, **kw)


def _doc(name: str, doc, **kw):
    return read_logs([MemoryFile(name, json.dumps(doc, indent=1).encode())], ft_tokenizer=kw.pop("ft_tokenizer", None),
                     **kw)


# --- Datadog APM traces (ddtrace's LLM integrations) --------------------------------------------------------------

_DD_LLM = {"name": "openai.request", "resource": "createChatCompletion", "trace_id": 0, "span_id": 1, "parent_id": 0,
           "error": 0, "meta": {"_dd.llmobs.span_kind": "llm", "_dd.llmobs.model_name": "gpt-4o-mini",
                                "_dd.llmobs.model_provider": "openai"},
           "metrics": {"_dd.llmobs.input_tokens": 1200, "_dd.llmobs.output_tokens": 30, "_dd.llmobs.total_tokens": 1230,
                       "_dd.llmobs.cache_read_input_tokens": 1024},
           "start": 1750000000000000000, "duration": 900000000}
_DD_AGENT = {"name": "agent", "resource": "Agent workflow", "span_id": 2, "parent_id": 0, "error": 0, "meta": {},
             "metrics": {}, "start": 1750000000000000000, "duration": 1000000000}
# the openai integration before LLM Observability: usage in openai.response.usage.* (summed over n choices)
_DD_OLD = {"name": "openai.request", "resource": "createChatCompletion", "trace_id": 5, "span_id": 6, "parent_id": None,
           "error": 0, "meta": {"openai.model": "gpt-3.5-turbo"},
           "metrics": {"openai.request.n": 2, "openai.response.usage.prompt_tokens": 57,
                       "openai.response.usage.completion_tokens": 34, "openai.response.usage.total_tokens": 91},
           "start": 1682528627382143000, "duration": 5428000}
_DD_FAILED = {"name": "anthropic.request", "resource": "Messages.create", "span_id": 7, "parent_id": None, "error": 1,
              "meta": {"_dd.llmobs.span_kind": "llm", "_dd.llmobs.model_name": "claude-3-opus-20240229",
                       "error.type": "anthropic.BadRequestError", "error.message": "secret prompt words"},
              "metrics": {"_dd.measured": 1}, "start": 1776885812761009256, "duration": 2823166}


def test_datadog_llm_span_is_a_model_call_and_other_spans_are_ignored():
    res = _doc("traces.json", [[_DD_LLM, _DD_AGENT]])
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    # REPORT.md's example: prompt 1,200 (cache included), cached 1,024, completion 30
    assert (row["prompt_tokens"], row["cached_tokens"], row["completion_tokens"]) == (1200, 1024, 30)
    assert row["model"] == "gpt-4o-mini"
    assert row["timestamp"].timestamp() == 1_750_000_000  # start in ns
    assert row["latency_s"] == pytest.approx(0.9)  # duration in ns
    assert res.ignored == {"Datadog span without model-call tags": 1}


def test_datadog_older_openai_span_and_a_failed_call():
    res = _doc("traces.json", [[_DD_OLD], [_DD_FAILED]])
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"], row["model"]) == (57, 34, "gpt-3.5-turbo")
    [p] = res.problems
    assert "request failed (BadRequestError)" in p.reason and "secret" not in p.reason


def test_datadog_spans_read_with_format_otel_are_never_ignored():
    # --format otel: the spans are read as Datadog spans, not ignored as spans "without model-call attributes"
    res = _doc("traces.json", [[_DD_LLM, _DD_OLD, _DD_FAILED]], format="otel")
    assert sorted(res.frame["prompt_tokens"]) == [57, 1200] and len(res.problems) == 1 and not res.ignored


def test_a_record_without_attributes_read_as_otel_is_a_problem():
    with pytest.raises(Exception, match="not an OpenTelemetry span"):
        _read("x.jsonl", {"model": "gpt-4o", "prompt_tokens": 3, "completion_tokens": 1}, format="otel")


# --- llm logs --json (simonw/llm) ---------------------------------------------------------------------------------

_LLM_ROW = {"id": "01j0", "model": "gpt-4o-mini", "prompt": "Label: refund please", "system": None,
            "prompt_json": {"messages": [{"role": "user", "content": "Label: refund please"}]},
            "response": "refund", "response_json": {"model": "gpt-4o-mini-2024-07-18"}, "conversation_id": "01jc",
            "duration_ms": 800, "datetime_utc": "2025-02-16T22:34:30.374882+00:00", "input_tokens": 1200,
            "output_tokens": 30, "token_details": "{\"prompt_tokens_details\": {\"cached_tokens\": 1024}}"}


def test_llm_logs_rows_read_their_time_and_cached_tokens():
    res = _doc("logs.json", [_LLM_ROW])
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    # REPORT.md's example: prompt 1,200, cached 1,024 (token_details), completion 30
    assert (row["prompt_tokens"], row["cached_tokens"], row["completion_tokens"]) == (1200, 1024, 30)
    assert row["timestamp"].timestamp() == pytest.approx(1739745270.374882)  # datetime_utc
    assert row["model"] == "gpt-4o-mini-2024-07-18" and row["latency_s"] == pytest.approx(0.8)


def test_an_llm_logs_row_without_token_columns_is_counted_whole():
    # llm before 0.19: no token columns. The row is one request, its text counted as the same request in the openai
    # shape is, never split into prompt_json / options_json / response_json records
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a colour."}]
    row = {k: v for k, v in _LLM_ROW.items() if k not in ("input_tokens", "output_tokens", "token_details")}
    row.update({"model": "gpt-3.5-turbo", "datetime_utc": "2023-09-08T12:39:27.158398", "options_json": {},
                "prompt_json": {"messages": msgs}, "response": "Blue.",
                "response_json": {"content": "Blue.", "role": "assistant", "model": "gpt-3.5-turbo-0613"}})
    res = _doc("logs.json", [row])
    assert len(res.frame) == 1 and not res.problems
    got = res.frame.iloc[0]
    same = _read("openai.jsonl", {"request": {"model": "gpt-3.5-turbo-0613", "messages": msgs},
                                  "response": {"model": "gpt-3.5-turbo-0613", "choices": [
                                      {"message": {"role": "assistant", "content": "Blue."}}]}}).frame.iloc[0]
    assert got["tokens_source"] == "counted"
    assert (got["prompt_tokens"], got["completion_tokens"]) == (same["prompt_tokens"], same["completion_tokens"])
    assert got["timestamp"].timestamp() == pytest.approx(1694176767.158398)  # naive: UTC
    assert got["model"] == "gpt-3.5-turbo-0613"


# --- Ollama native API responses ----------------------------------------------------------------------------------

_OLLAMA = {"model": "llama3.1:8b", "created_at": "2024-12-06T00:48:09.983619Z", "response": "{\"age\": 22}",
           "done": True, "done_reason": "stop", "total_duration": 1075509083, "prompt_eval_count": 28, "eval_count": 16}
_OLLAMA_CHUNK = {"model": "llama3.1:8b", "created_at": "2024-12-06T00:48:09.5Z", "response": "The", "done": False}


def test_ollama_responses_and_stream_chunks():
    chat = {"model": "llama3.2", "created_at": "2024-12-06T00:49:00.000000001-07:00", "done": True,
            "message": {"role": "assistant", "content": "Hi."}, "prompt_eval_count": 10, "eval_count": 3}
    res = _read("ollama.jsonl", _OLLAMA, _OLLAMA_CHUNK, chat)
    f = res.frame.set_index("model")
    assert (f.loc["llama3.1:8b", "prompt_tokens"], f.loc["llama3.1:8b", "completion_tokens"]) == (28, 16)
    assert f.loc["llama3.1:8b", "latency_s"] == pytest.approx(1.075509083)  # total_duration in ns
    assert (f.loc["llama3.2", "prompt_tokens"], f.loc["llama3.2", "completion_tokens"]) == (10, 3)
    assert f.loc["llama3.2", "timestamp"].timestamp() == pytest.approx(1733471340.0)  # 07:49:00 UTC
    assert sum(res.ignored.values()) == 1 and not res.problems  # the done: false chunk


def test_an_ollama_response_without_its_prompt_count_is_no_zero():
    rec = {k: v for k, v in _OLLAMA.items() if k != "prompt_eval_count"}
    with pytest.raises(Exception, match="prompt_eval_count"):
        _read("ollama.jsonl", rec)


# --- Claude Code transcripts and result messages ------------------------------------------------------------------

_CC_USER = {"type": "user", "uuid": "u1", "sessionId": "s1", "timestamp": "2025-09-28T06:17:20.153Z",
            "message": {"role": "user", "content": "Fix the build"}}
_CC_USAGE = {"input_tokens": 4, "cache_creation_input_tokens": 2000, "cache_read_input_tokens": 10000,
             "output_tokens": 6}


def _cc_assistant(uuid: str, ts: str, content: list, usage: dict, msg_id: str = "msg_1") -> dict:
    return {"type": "assistant", "uuid": uuid, "sessionId": "s1", "requestId": "req_1", "timestamp": ts,
            "message": {"id": msg_id, "model": "claude-sonnet-4-20250514", "role": "assistant", "content": content,
                        "usage": usage}}


def test_claude_code_transcript_counts_a_streamed_message_once():
    # REPORT.md's example: two lines of msg_1 (a text block, then a tool_use block, the usage repeated): one request
    # with the last line's usage and time: prompt 4 + 2,000 written + 10,000 read = 12,004, cached 10,000, output 40
    a1 = _cc_assistant("a1", "2025-09-28T06:17:23.678Z", [{"type": "text", "text": "Running it."}], _CC_USAGE)
    a2 = _cc_assistant("a2", "2025-09-28T06:17:24.100Z",
                       [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"cmd": "make"}}],
                       {**_CC_USAGE, "output_tokens": 40})
    system = {"type": "system", "uuid": "y1", "sessionId": "s1", "content": "hook ran", "level": "info"}
    summary = {"type": "summary", "summary": "Build fix", "leafUuid": "a2"}
    res = _read("session.jsonl", _CC_USER, a1, a2, system, summary)
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["cached_tokens"], row["completion_tokens"]) == (12004, 10000, 40)
    assert row["timestamp"].timestamp() == pytest.approx(1759040244.1)
    assert row["request_id"] == "msg_1" and row["model"] == "claude-sonnet-4-20250514"
    assert res.ignored == {"Claude Code user line (not a model call)": 1,
                           "Claude Code system line (not a model call)": 1,
                           "Claude Code summary line (not a model call)": 1,
                           "Claude Code content block of a message counted at its last line (same message.id)": 1}


def test_claude_code_messages_of_their_own_are_each_counted():
    a1 = _cc_assistant("a1", "2025-09-28T06:17:23Z", [{"type": "text", "text": "One"}], _CC_USAGE, "msg_1")
    a2 = _cc_assistant("a2", "2025-09-28T06:18:23Z", [{"type": "text", "text": "Two"}], _CC_USAGE, "msg_2")
    res = _read("session.jsonl", a1, _CC_USER, a2)
    assert list(res.frame["request_id"]) == ["msg_1", "msg_2"] and res.frame["prompt_tokens"].sum() == 2 * 12004
    assert not res.problems and sum(res.ignored.values()) == 1  # the user line: ignored, not a problem


def test_claude_code_line_types_of_later_versions_are_ignored_not_problems():
    # a transcript line of a type this reader does not list (a later Claude Code's progress line): a session and a
    # line id, no message: ignored, not an unknown shape
    progress = {"type": "progress", "uuid": "p1", "sessionId": "s1", "timestamp": "2025-09-28T06:17:22Z",
                "data": {"type": "hook_progress"}}
    a1 = _cc_assistant("a1", "2025-09-28T06:17:23Z", [{"type": "text", "text": "One"}], _CC_USAGE)
    res = _read("session.jsonl", progress, a1)
    assert len(res.frame) == 1 and not res.problems
    assert res.ignored == {"Claude Code progress line (not a model call)": 1}


_CC_RESULT = {"type": "result", "subtype": "success", "is_error": False, "num_turns": 3, "session_id": "s1",
              "result": "Done: the secret plan", "usage": {"input_tokens": 10, "cache_creation_input_tokens": 100,
                                                           "cache_read_input_tokens": 1000, "output_tokens": 50},
              "modelUsage": {"claude-sonnet-4-5": {"inputTokens": 10, "outputTokens": 50, "cacheReadInputTokens": 1000,
                                                   "cacheCreationInputTokens": 100, "costUSD": 0.01}}}


def test_a_claude_code_result_alone_is_the_sessions_usage_over_its_turns():
    # REPORT.md's example: 3 turns (a lower bound of the calls), prompt 10 + 100 + 1,000 = 1,110, cached 1,000, 50 out
    res = _read("result.jsonl", _CC_RESULT)
    f = res.frame
    assert f["requests"].sum() == 3 and res.lower_bound_requests == 3
    assert (f["prompt_tokens"] * f["requests"]).sum() == pytest.approx(1110)
    assert (f["cached_tokens"] * f["requests"]).sum() == pytest.approx(1000)
    assert (f["completion_tokens"] * f["requests"]).sum() == pytest.approx(50)
    assert list(f["model"]) == ["claude-sonnet-4-5"]


def test_a_claude_code_result_of_two_models_is_one_bucket_a_model():
    usage = {"claude-opus-4-6": {"inputTokens": 20, "outputTokens": 900, "cacheReadInputTokens": 0,
                                 "cacheCreationInputTokens": 0},
             "claude-haiku-4-5": {"inputTokens": 300, "outputTokens": 10, "cacheReadInputTokens": 0,
                                  "cacheCreationInputTokens": 0}}
    res = _read("result.jsonl", {**_CC_RESULT, "num_turns": 5, "modelUsage": usage})
    f = res.frame.set_index("model")
    # 5 turns: one for the side model, the other 4 for the model of the most output
    assert (f.loc["claude-opus-4-6", "requests"], f.loc["claude-haiku-4-5", "requests"]) == (4, 1)
    assert f.loc["claude-opus-4-6", "prompt_tokens"] * 4 == pytest.approx(20)
    assert not res.problems


def test_a_claude_code_result_after_its_assistant_lines_is_ignored():
    a1 = _cc_assistant("a1", "2025-09-28T06:17:23Z", [{"type": "text", "text": "One"}], _CC_USAGE)
    res = _read("stream.jsonl", a1, _CC_RESULT)
    assert len(res.frame) == 1 and res.frame["requests"].sum() == 1
    assert sum(res.ignored.values()) == 1 and not res.problems


# --- Codex CLI rollout files ----------------------------------------------------------------------------------------

def _codex_count(total: tuple, last: tuple | None, ts: str = "2026-07-03T18:15:19Z") -> dict:
    def usage(t):
        return {"input_tokens": t[0], "cached_input_tokens": t[1], "output_tokens": t[2], "total_tokens": t[0] + t[2]}
    info = {"total_token_usage": usage(total)}
    if last is not None:
        info["last_token_usage"] = usage(last)
    return {"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": info}}


def test_codex_rollout_counts_each_changed_token_count_once():
    # REPORT.md's example: 2 requests, prompt 1,000 + 1,500 = 2,500 (cached 600 + 1,200 = 1,800), output 20 + 50 = 70
    ctx = {"timestamp": "2026-07-03T18:15:07Z", "type": "turn_context", "payload": {"model": "gpt-5-codex"}}
    item = {"timestamp": "2026-07-03T18:15:08Z", "type": "response_item",
            "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}}
    first = _codex_count((1000, 600, 20), (1000, 600, 20))
    second = _codex_count((2500, 1800, 70), (1500, 1200, 50), "2026-07-03T18:16:00Z")
    res = _read("rollout.jsonl", ctx, item, first, first, second)
    f = res.frame
    assert list(f["prompt_tokens"]) == [1000, 1500] and list(f["cached_tokens"]) == [600, 1200]
    assert f["completion_tokens"].sum() == 70 and set(f["model"]) == {"gpt-5-codex"}
    assert res.ignored["Codex token count repeated (same total_token_usage: counted once)"] == 1
    assert sum(res.ignored.values()) == 3 and not res.problems


def test_codex_token_count_without_last_usage_is_the_change_of_the_total():
    res = _read("rollout.jsonl", _codex_count((1000, 600, 20), None), _codex_count((2500, 1800, 70), None),
                {"timestamp": "2026-07-03T18:17:00Z", "type": "event_msg", "payload": {"type": "token_count",
                                                                                       "info": None}})
    assert list(res.frame["prompt_tokens"]) == [1000, 1500] and list(res.frame["completion_tokens"]) == [20, 50]
    assert sum(res.ignored.values()) == 1  # info: null


# --- OpenAI Evals run output items ----------------------------------------------------------------------------------

_EVAL_ITEM = {"object": "eval.run.output_item", "id": "oi_1", "created_at": 1743092076, "status": "pass",
              "results": [{"name": "check", "sample": None, "passed": True, "score": 1.0}],
              "sample": {"input": [{"role": "developer", "content": "Label the headline.", "tool_calls": None},
                                   {"role": "user", "content": "Stocks rally", "function_call": None}],
                         "output": [{"role": "assistant", "content": "Markets"}], "finish_reason": "stop",
                         "model": "gpt-4o-mini-2024-07-18", "error": None,
                         "usage": {"prompt_tokens": 1500, "completion_tokens": 5, "total_tokens": 1505,
                                   "cached_tokens": 1024}}}


def test_openai_eval_output_items_are_records_not_their_grader_results():
    failed = {**_EVAL_ITEM, "id": "oi_2", "sample": {**_EVAL_ITEM["sample"], "usage": None,
                                                      "error": {"code": "rate_limit_exceeded", "message": "words"}}}
    res = _doc("items.json", {"object": "list", "data": [_EVAL_ITEM, failed], "first_id": "oi_1", "has_more": False})
    row = res.frame.iloc[0]
    # REPORT.md's example: prompt 1,500 (cached 1,024 included), completion 5
    assert (row["prompt_tokens"], row["cached_tokens"], row["completion_tokens"]) == (1500, 1024, 5)
    assert row["timestamp"].timestamp() == 1743092076 and row["model"] == "gpt-4o-mini-2024-07-18"
    assert row["task"] is not None and row["answer_kind"] == 1  # the sample's text read
    [p] = res.problems
    assert "data[1]" in p.reason and "rate_limit_exceeded" in p.reason and "results" not in p.reason


# --- Anthropic Admin usage report -----------------------------------------------------------------------------------

_A_REPORT = {"data": [{"starting_at": "2025-08-01T00:00:00Z", "ending_at": "2025-08-02T00:00:00Z",
                       "results": [{"uncached_input_tokens": 100, "cache_creation": {"ephemeral_5m_input_tokens": 20,
                                                                                     "ephemeral_1h_input_tokens": 0},
                                    "cache_read_input_tokens": 300, "output_tokens": 40,
                                    "model": "claude-sonnet-4-5"}]},
                      {"starting_at": "2025-08-02T00:00:00Z", "ending_at": "2025-08-03T00:00:00Z", "results": []}],
             "has_more": False, "next_page": None}


def test_anthropic_usage_report_without_requests_is_a_problem_naming_the_field():
    # no request count in the messages usage report: never one request a bucket assumed
    with pytest.raises(Exception, match="field 'requests': no request count.*--requests-per-day"):
        _doc("usage.json", _A_REPORT)


def test_anthropic_usage_report_with_a_request_count_is_read_as_buckets():
    # the analytics report's 'requests': 4 requests; prompt 100 + 20 + 0 + 300 = 420, cached 300, output 40
    doc = json.loads(json.dumps(_A_REPORT))
    doc["data"][0]["results"][0]["requests"] = 4
    res = _doc("usage.json", doc)
    f = res.frame
    assert f["requests"].sum() == 4 and (f["prompt_tokens"] * f["requests"]).sum() == 420
    assert (f["cached_tokens"] * f["requests"]).sum() == 300 and (f["completion_tokens"] * f["requests"]).sum() == 40
    assert f["timestamp"].iloc[0].isoformat().startswith("2025-08-01T00:00:00")  # starting_at
    assert res.ignored == {"usage bucket with no requests": 1} and not res.problems


# --- Vertex AI batch predictions: the request's text -----------------------------------------------------------------

def test_vertex_batch_prediction_text_is_read_for_the_7b_count():
    rec = {"status": "", "processed_time": "2025-09-19T21:29:47.352+00:00",
           "request": {"contents": [{"role": "user", "parts": [{"text": "Hello world!"}]}],
                       "system_instruction": {"parts": [{"text": "You are a helpful assistant."}]},
                       "generationConfig": {"max_output_tokens": 10}},
           "response": {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello there!"}]}}],
                        "createTime": "2025-09-19T21:29:47.484619Z", "modelVersion": "gemini-2.5-flash-lite",
                        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 10, "totalTokenCount": 19}}}
    res = _read("predictions.jsonl", rec, ft_tokenizer="mistral-v1")
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"]) == (9, 10)
    assert row["ft_prompt_tokens"] > 0 and row["task"] != "unknown"  # the system prompt and contents were read
