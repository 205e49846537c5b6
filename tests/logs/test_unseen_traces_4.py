"""Fourth round of real export shapes (2026-12-08 check of exports6), the trace-shaped ones: Vercel AI SDK / Mastra
spans (a wrapper span whose model calls are not in the file; the answer text), MLflow 3 traces (the model in the
answer, the answer's text and cached tokens), a Databricks agent endpoint's response carrying its MLflow trace, and
OpenAI's stored completion messages. The records are written by hand in those shapes (made-up values); each
expected figure is worked out beside it. Each test fails on the readers before this round."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from advisor.errors import LogError
from advisor.logs import MemoryFile, read_logs
from advisor.logs.reader import finalize_frame, normalize_partition


def _read(name: str, *records, ft_tokenizer=None, **kw):
    body = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"
    return read_logs([MemoryFile(name, body.encode())], ft_tokenizer=ft_tokenizer, **kw)


def _attrs(d: dict) -> list:
    return [{"key": k, "value": {"intValue": v} if isinstance(v, int) else {"stringValue": v}} for k, v in d.items()]


def _span(span_id: str, parent: str | None, op: str, start_s: int, **attrs) -> dict:
    span = {"traceId": "t1", "spanId": span_id, "name": op, "startTimeUnixNano": str(start_s * 10**9),
            "endTimeUnixNano": str((start_s + 1) * 10**9), "attributes": _attrs({"ai.operationId": op, **attrs})}
    if parent is not None:
        span["parentSpanId"] = parent
    return span


def _otlp(*spans) -> dict:
    return {"resourceSpans": [{"scopeSpans": [{"scope": {"name": "ai"}, "spans": list(spans)}]}]}


# --- Vercel AI SDK / Mastra: wrapper spans ------------------------------------------------------------------------

# REPORT.md §2's example: an ai.streamObject wrapper with usage and no doStream child (Mastra)
_WRAPPER = _span("a1", "p0", "ai.streamObject", 1764923142, **{
    "ai.model.id": "gpt-4o", "ai.usage.promptTokens": 96, "ai.usage.completionTokens": 10,
    "ai.prompt": json.dumps({"messages": [{"role": "system", "content": "Extract the names."},
                                          {"role": "user", "content": [{"type": "text", "text": "Alice and Bob"}]}]}),
    "ai.response.object": '{"names":["Alice","Bob"]}'})
# a wrapper (w) with its two model calls (v5 keys), and a tool span between them
_W = _span("w", None, "ai.streamText", 1764612529, **{"ai.model.id": "gpt-4o", "ai.usage.inputTokens": 394,
                                                      "ai.usage.outputTokens": 50})
_CALL1 = _span("c1", "w", "ai.streamText.doStream", 1764612529, **{
    "ai.response.model": "gpt-4o-2024-08-06", "ai.usage.inputTokens": 154, "ai.usage.outputTokens": 18,
    "ai.prompt.messages": json.dumps([{"role": "user", "content": "When does my order ship?"}]),
    "ai.response.text": "",
    "ai.response.toolCalls": json.dumps([{"type": "tool-call", "toolCallId": "call_1", "toolName": "search",
                                          "input": {"query": "shipping"}}])})
_TOOL = _span("tc", "w", "ai.toolCall", 1764612530)
_CALL2 = _span("c2", "w", "ai.streamText.doStream", 1764612531, **{
    "ai.response.model": "gpt-4o-2024-08-06", "ai.usage.inputTokens": 240, "ai.usage.outputTokens": 32,
    "ai.prompt.messages": json.dumps([{"role": "user", "content": "When does my order ship?"}]),
    "ai.response.text": "In 3 to 5 business days."})


def test_a_wrapper_span_without_its_model_calls_is_one_request():
    # before: ignored as "not a model call", 0 requests and exit 0
    res = _read("mastra.json", _otlp(_WRAPPER))
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"], row["cached_tokens"]) == (96, 10, 0)  # its ai.usage.*
    assert row["model"] == "gpt-4o" and row["timestamp"].timestamp() == 1764923142
    assert any("wrapper span" in a and "several" in a for a in res.assumptions)  # a lower bound of the calls: said


def test_a_wrapper_with_its_model_calls_is_not_counted_twice():
    res = _read("ai.json", _otlp(_W, _CALL1, _TOOL, _CALL2))
    # the two doStream spans: 154 + 240 = 394 prompt, 18 + 32 = 50 completion; the wrapper repeats their sum
    assert sorted(res.frame["request_id"]) == ["c1", "c2"]
    assert res.summary()["prompt_tokens"] == 394 and res.summary()["completion_tokens"] == 50
    assert sum(v for k, v in res.ignored.items() if "wrapper" in k) == 1 and not res.problems
    # a call that names its kind in the GenAI conventions too is still the wrapper's call
    call = json.loads(json.dumps(_CALL1))
    call["attributes"].append({"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}})
    res = _read("ai.json", _otlp(_W, call))
    assert list(res.frame["request_id"]) == ["c1"] and res.summary()["prompt_tokens"] == 154


@pytest.mark.parametrize("split", ["chunks", "files"])
def test_a_wrapper_and_its_calls_read_apart_are_joined(split):
    # the wrapper in one chunk (or file), its calls in another: joined after all were read; the other wrapper
    # (Mastra's, of another trace) stands alone
    if split == "chunks":
        res = _read("ai.jsonl", _otlp(_CALL1), _otlp(_CALL2), _otlp(_W, _WRAPPER), chunk_records=1)
    else:
        res = read_logs([MemoryFile("calls.jsonl", (json.dumps(_otlp(_CALL1, _CALL2)) + "\n").encode()),
                         MemoryFile("wrappers.jsonl", (json.dumps(_otlp(_W, _WRAPPER)) + "\n").encode())],
                        ft_tokenizer=None)
    assert sorted(res.frame["request_id"]) == ["a1", "c1", "c2"]
    assert res.summary()["prompt_tokens"] == 394 + 96


def test_a_wrapper_and_its_calls_in_two_partitions_are_joined():
    # the distributed path: each partition mapped alone, the join in finalize_frame
    def part(spans, line):
        return pd.DataFrame({"file": ["ai.jsonl"], "line": [line], "record": [json.dumps(_otlp(*spans))]})
    work = pd.concat([normalize_partition(part([_W, _WRAPPER], 1), ft_tokenizer=None),
                      normalize_partition(part([_CALL1, _CALL2], 2), ft_tokenizer=None)], ignore_index=True)
    frame, problems, _ = finalize_frame(work)
    assert len(frame) == 3 and frame["prompt_tokens"].sum() == 394 + 96 and not problems


def test_only_a_wrappers_own_calls_cover_it():
    # an outer generateText whose own doGenerate is missing; a tool of it ran an inner generateText whose doGenerate
    # is there: the inner wrapper repeats its call (dropped), the outer one stands for calls not in the file (kept)
    outer = _span("o", None, "ai.generateText", 1764612529, **{"ai.usage.promptTokens": 500,
                                                              "ai.usage.completionTokens": 40})
    tool = _span("t", "o", "ai.toolCall", 1764612530)
    inner = _span("i", "t", "ai.generateText", 1764612530, **{"ai.usage.promptTokens": 70,
                                                             "ai.usage.completionTokens": 7})
    call = _span("d", "i", "ai.generateText.doGenerate", 1764612530, **{"ai.usage.promptTokens": 70,
                                                                       "ai.usage.completionTokens": 7})
    res = _read("nested.json", _otlp(outer, tool, inner, call))
    assert sorted(res.frame["request_id"]) == ["d", "o"] and res.summary()["prompt_tokens"] == 570  # 500 + 70


def test_ai_sdk_answer_text_is_read_for_the_7b_counts():
    # before: ai.response.text / toolCalls / object unread, so advise said "no prompt or completion text"
    for spans in ((_W, _CALL1, _CALL2), (_WRAPPER,)):
        res = _read("ai.json", _otlp(*spans), ft_tokenizer="mistral-v1")
        assert res.frame["ft_completion_tokens"].notna().all() and res.frame["ft_prompt_tokens"].notna().all()
    # an empty text (a broken stream's) with no usage is no answer: the request is still without its response
    broken = _span("b", "w", "ai.streamText.doStream", 1764612529, **{
        "ai.prompt.messages": json.dumps([{"role": "user", "content": "hi"}]), "ai.response.text": ""})
    with pytest.raises(LogError, match="without its response"):
        _read("broken.json", _otlp(broken))


# --- MLflow 3 traces ----------------------------------------------------------------------------------------------

def _mlflow_span(span_id: str, kind: str, status: str = "STATUS_CODE_OK", **attrs) -> dict:
    return {"trace_id": "tr-1", "span_id": span_id, "parent_span_id": None, "name": kind.lower(),
            "start_time_unix_nano": 1764694340818061307, "end_time_unix_nano": 1764694345916778373,
            "events": [], "status": {"code": status, "message": ""},
            "attributes": {"mlflow.spanType": json.dumps(kind), **{k: json.dumps(v) for k, v in attrs.items()}}}


_ANSWER = {"id": "chatcmpl-1", "model": "gpt-4.1-2025-04-14", "object": "chat.completion",
           "choices": [{"index": 0, "message": {"role": "assistant", "content": "Two cups of flour."}}],
           "usage": {"prompt_tokens": 27, "completion_tokens": 641, "prompt_tokens_details": {"cached_tokens": 5}}}
_CHAT = _mlflow_span("s2", "CHAT_MODEL", model="my-azure-deployment", **{
    "mlflow.spanInputs": {"model": "my-azure-deployment", "messages": [{"role": "user", "content": "Apple pie?"}]},
    "mlflow.chat.tokenUsage": {"input_tokens": 27, "output_tokens": 641, "total_tokens": 668},
    "mlflow.spanOutputs": _ANSWER})
_BLOCKED = _mlflow_span("s4", "CHAT_MODEL", "STATUS_CODE_ERROR", model="my-azure-deployment", **{
    "mlflow.spanInputs": {"model": "my-azure-deployment", "messages": [{"role": "user", "content": "Secret words"}]}})
_BLOCKED["events"] = [{"name": "exception", "attributes": {"exception.message": "content filter: Secret words"}}]


def _trace(*spans, usage: str | None = None) -> dict:
    meta = {"mlflow.trace_schema.version": "3"} | ({"mlflow.trace.tokenUsage": usage} if usage else {})
    return {"info": {"trace_id": "tr-1", "request_time": "2025-12-02T16:52:20.818Z", "state": "OK",
                     "trace_metadata": meta}, "data": {"spans": [_mlflow_span("s1", "AGENT"), *spans]}}


def test_mlflow_model_is_the_answers_and_its_text_and_cached_tokens_are_read():
    res = _read("traces.json", _trace(_CHAT), ft_tokenizer="mistral-v1")
    row = res.frame.iloc[0]
    # before: model '' (only mlflow.llm.model read), so advise priced a default model; the answer's model wins over
    # the deployment name the call was made with
    assert row["model"] == "gpt-4.1-2025-04-14"
    assert (row["prompt_tokens"], row["completion_tokens"]) == (27, 641)  # mlflow.chat.tokenUsage
    assert row["cached_tokens"] == 5  # spanOutputs.usage.prompt_tokens_details.cached_tokens
    assert pd.notna(row["ft_completion_tokens"])  # the answer's text, choices[0].message


def test_mlflow_model_falls_back_to_the_call_argument():
    chat = json.loads(json.dumps(_CHAT))
    del chat["attributes"]["mlflow.spanOutputs"]
    res = _read("traces.json", _trace(chat))
    assert res.frame.iloc[0]["model"] == "my-azure-deployment" and res.frame.iloc[0]["cached_tokens"] == 0


def test_a_trace_with_no_model_span_counts_its_summed_usage_once():
    res = _read("traces.json", _trace(usage='{"input_tokens": 40, "output_tokens": 8, "total_tokens": 48}'))
    assert len(res.frame) == 1 and res.summary()["prompt_tokens"] == 40 and res.summary()["completion_tokens"] == 8
    t = res.frame.iloc[0]["timestamp"]  # info.request_time
    assert abs(t - pd.Timestamp("2025-12-02T16:52:20.818Z")) < pd.Timedelta("1ms")
    assert any("trace_metadata" in a for a in res.assumptions)
    # with a model span, the trace's sum is not counted again
    res = _read("traces.json", _trace(_CHAT, usage='{"input_tokens": 27, "output_tokens": 641}'))
    assert len(res.frame) == 1 and res.summary()["prompt_tokens"] == 27


# --- Databricks agent endpoint response (inference table) ---------------------------------------------------------

def _databricks(trace: dict) -> dict:
    return {"object": "response", "id": "resp-1",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi"}]}],
            "databricks_output": {"trace": trace, "databricks_request_id": "req-1"}}


def test_a_databricks_response_is_read_as_the_mlflow_trace_inside():
    # before: refused, "field 'request.messages': no usage and no prompt to count" (no such field in the record)
    res = _read("inference.jsonl", _databricks(_trace(_CHAT)), _databricks(_trace(_BLOCKED)))
    assert len(res.frame) == 1
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"], row["model"]) == (27, 641, "gpt-4.1-2025-04-14")
    (p,) = res.problems  # the blocked call: a failed request, at its line, naming a field it has
    assert p.line == 2 and "status" in p.reason and "errored" in p.reason
    assert "Secret" not in p.reason and "request.messages" not in p.reason


# --- OpenAI stored completion messages ----------------------------------------------------------------------------

_MESSAGES = {"object": "list", "data": [{"id": "chatcmpl-A-0", "role": "user", "content": "write a haiku",
                                         "name": None, "content_parts": None}],
             "first_id": "chatcmpl-A-0", "last_id": "chatcmpl-A-0", "has_more": False}
_COMPLETIONS = {"object": "list", "data": [{"object": "chat.completion", "id": "chatcmpl-A", "model": "gpt-4o",
                                            "created": 1738960610, "usage": {"prompt_tokens": 13,
                                                                             "completion_tokens": 18},
                                            "choices": [{"index": 0, "message": {"role": "assistant",
                                                                                 "content": "Mind of circuits"}}]}],
                "has_more": False}


def test_stored_completion_messages_alone_say_what_to_export():
    # before: "record of an unknown shape (keys: id, role, content, name, content_parts)", a problem
    res = _read("messages.json", _MESSAGES)
    assert len(res.frame) == 0 and not res.problems
    ((reason, n),) = res.ignored.items()
    assert n == 1 and "stored completion message" in reason and "GET /v1/chat/completions" in reason
    assert "haiku" not in reason


def test_stored_completion_messages_beside_the_completions_list():
    # the messages name no completion (the API reference gives the completion id only in the request path): ignored
    # with the reason, the completions counted as they are
    res = read_logs([MemoryFile("completions.json", json.dumps(_COMPLETIONS).encode()),
                     MemoryFile("messages.json", json.dumps(_MESSAGES).encode())], ft_tokenizer=None)
    assert len(res.frame) == 1 and res.summary()["prompt_tokens"] == 13 and not res.problems
    assert sum(res.ignored.values()) == 1
