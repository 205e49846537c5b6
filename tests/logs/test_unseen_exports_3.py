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
