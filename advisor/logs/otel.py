"""OpenTelemetry spans of model calls, as tracing tools export them (format ``otel``).

Shapes (sources in tests/fixtures/exports/otel/SOURCE.md): OTLP/JSON (``{"resourceSpans": [{"scopeSpans":
[{"spans": [...]}]}]}``, the Collector's file exporter writes one such request a line; attributes are a list of
``{"key", "value": {"stringValue" | "intValue" | ...}}``, 64-bit integers as text, times in ns as text), the Python
SDK's ``ReadableSpan.to_json()`` (console exporter: ``context.span_id``, attributes an object), Phoenix's span API and
spans dataframe (``attributes.llm.token_count.prompt`` columns), Logfire query rows (``start_timestamp``,
``attributes``) and MLflow traces (``{"info", "data": {"spans"}}``, attribute values as JSON text). Unwrapping
``resourceSpans``/``scopeSpans``/``spans`` and MLflow's ``data.spans`` is :mod:`advisor.logs.containers`'s.

Conventions read (``gen_ai.*`` is OpenTelemetry's GenAI semantic conventions, ``llm.*`` OpenInference's, older
``gen_ai.usage.prompt_tokens`` and ``llm.usage.*`` Traceloop/OpenLLMetry's):

- a span is a model call when ``gen_ai.operation.name`` is a generation (``chat``, ``text_completion``,
  ``generate_content``), ``openinference.span.kind`` is ``LLM``, ``llm.request.type`` is ``chat``/``completion`` or
  the Vercel AI SDK's ``ai.operationId`` is a provider call (``ai.generateText.doGenerate``, ``...doStream``; its
  ``ai.generateText`` / ``ai.streamText`` / ``ai.generateObject`` / ``ai.streamObject`` span above repeats their
  summed usage, and is counted, as one request, only when none of its calls is in the logs: Mastra's traces keep the
  wrapper alone; joined by span ids after the whole read, :func:`advisor.logs.gather.finish`) or MLflow's
  ``mlflow.spanType`` is ``LLM``/``CHAT_MODEL`` (usage in ``mlflow.chat.tokenUsage``) or Prompt flow's ``span_type`` is ``LLM``;
  a span naming another kind (agent, tool, chain, embeddings, workflow; or an agent's run by ``gen_ai.agent.name`` /
  ``agent_name``) is ignored, not a problem, even when it carries usage (an agent span's usage is the sum of its model
  calls: counting it would count them twice); a span naming no kind is a model call when it carries token usage;
- prompt tokens ``gen_ai.usage.input_tokens`` INCLUDE cached tokens (the conventions: "SHOULD include all types of
  input tokens, including cached tokens"; OpenInference's ``llm.token_count.prompt`` likewise); cached tokens are
  ``gen_ai.usage.cache_read.input_tokens`` (or Traceloop's ``gen_ai.usage.cache_read_input_tokens``, OpenInference's
  ``llm.token_count.prompt_details.cache_read``); completion tokens include reasoning tokens;
- the prompt text is read from ``gen_ai.input.messages``, ``llm.input_messages.N.message.*``, ``gen_ai.prompt.N.*``,
  Logfire's ``request_data.messages``, the AI SDK's ``ai.prompt.messages`` (a wrapper's ``ai.prompt``), MLflow's
  ``mlflow.spanInputs`` or Prompt flow's ``inputs`` (counted when the span has no usage); the answer likewise (Prompt
  flow: ``llm.generated_message``; the AI SDK: ``ai.response.text``, ``ai.response.toolCalls``, ``ai.response.object``;
  MLflow: ``mlflow.spanOutputs``, whose ``model`` and cached tokens are read too: :mod:`advisor.logs.mlflow`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from advisor.logs.datadog import looks_like_datadog, parse_datadog
from advisor.logs.langfuse import _beside_usage, langfuse_usage
from advisor.logs.mlflow import SUMMED, SUMMED_NOTE, outputs_cached, outputs_completion, outputs_model
from advisor.logs.record_fields import short_word, time_span
from advisor.logs.records import (
    Ignored,
    Raw,
    RecordProblem,
    _num,
    check_completion,
    check_messages,
    epoch_s,
    maybe_json,
    text,
)

__all__ = ["parse_otel", "looks_like_span", "span_attributes", "SPAN_LIST_KEYS", "WRAPPER_SIDE", "CALL_SIDE",
           "WRAPPER_NOTE"]

SPAN_LIST_KEYS = ("resourceSpans", "scopeSpans", "instrumentationLibrarySpans", "spans")
_SPAN_KEYS = frozenset(("spanId", "span_id", "context", "span_name", "span_kind", "traceId", "trace_id",
                        "parent_span_id"))
_MODEL_OPS = frozenset(("chat", "text_completion", "generate_content", "completion", "responses"))
# each list in order of preference; the ai.* keys are the Vercel AI SDK's own (v4 promptTokens, v5 inputTokens)
_PROMPT = ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt",
           "llm.usage.prompt_tokens", "ai.usage.inputTokens", "ai.usage.promptTokens",
           "mlflow.chat.tokenUsage.input_tokens")
_COMPLETION = ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion",
               "llm.usage.completion_tokens", "ai.usage.outputTokens", "ai.usage.completionTokens",
               "mlflow.chat.tokenUsage.output_tokens")
_CACHED = ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
           "llm.token_count.prompt_details.cache_read", "ai.usage.cachedInputTokens")
_REASONING = ("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens",
              "llm.token_count.completion_details.reasoning", "ai.usage.reasoningTokens")
_MODEL = ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "llm.response.model",
          "llm.request.model", "ai.response.model", "ai.model.id", "mlflow.llm.model", "langfuse.observation.model.name")
_LANGFUSE_USAGE = "langfuse.observation.usage_details."
# the Vercel AI SDK's wrapper spans: each repeats the summed usage of its model calls (its ``.doGenerate`` /
# ``.doStream`` children), counted only when none of them is in the logs (advisor.logs.gather's span join)
_AI_WRAPPERS = frozenset(("ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"))
WRAPPER_SIDE, CALL_SIDE = "span-wrapper", "span-call"  # Raw.join_side of a wrapper span and of a model call
WRAPPER_NOTE = "a Vercel AI SDK wrapper span (ai.generateText, ai.streamText...) counted as one request: its model " \
    "call spans are not in the logs, and it may stand for several (steps)"


def looks_like_span(o: Mapping) -> bool:
    """A span record: span identity (``spanId``, ``context``, ``span_name``...) beside ``attributes``, the
    flattened ``attributes.*`` columns of a spans table, a Jaeger span (``spanID``, ``operationName``, ``tags`` as a
    list) or a Zipkin v2 span (``traceId``, ``id``, ``tags`` as an object, ``localEndpoint`` or ``duration``).

    >>> looks_like_span({"spanId": "ab", "attributes": []}), looks_like_span({"attributes.llm.model_name": "m"})
    (True, True)
    >>> looks_like_span({"spanID": "ab", "operationName": "chat", "tags": []})
    True
    >>> looks_like_span({"traceId": "t", "id": "s", "tags": {}, "duration": 5})
    True
    >>> looks_like_span({"traceId": "t", "type": "GENERATION"})
    False
    """
    if "attributes" in o:
        return not _SPAN_KEYS.isdisjoint(o)
    if "tags" in o and "spanID" in o and "operationName" in o:  # Jaeger (its query API, its UI's download)
        return isinstance(o["tags"], list)
    if "tags" in o and "traceId" in o and "id" in o and ("localEndpoint" in o or "duration" in o):  # Zipkin v2
        return isinstance(o["tags"], dict)
    return any(type(k) is str and k.startswith("attributes.") for k in o)


def _any_value(v: Any) -> Any:
    """An OTLP/JSON ``AnyValue`` as a plain value (``intValue`` may be text: 64-bit integers are written as text).

    >>> _any_value({"intValue": "48183"}), _any_value({"arrayValue": {"values": [{"stringValue": "a"}]}})
    (48183, ['a'])
    """
    if not isinstance(v, dict) or len(v) != 1:
        return v
    (kind, x), = v.items()
    if kind == "intValue":
        try:
            return int(x)
        except (TypeError, ValueError):
            return x
    if kind == "arrayValue":
        return [_any_value(e) for e in (x or {}).get("values", [])] if isinstance(x, dict) else x
    if kind == "kvlistValue":
        return _key_values(x.get("values") if isinstance(x, dict) else None)
    if kind in ("stringValue", "boolValue", "doubleValue", "bytesValue"):
        return x
    return v


def _key_values(items: Any) -> dict:
    """OTLP's ``[{"key", "value": AnyValue}]``, or Jaeger's ``[{"key", "type", "value"}]`` (a plain value), as a dict.

    >>> _key_values([{"key": "a", "value": {"intValue": "3"}}, {"key": "b", "type": "int64", "value": 4}])
    {'a': 3, 'b': 4}
    """
    out: dict = {}
    for kv in items if isinstance(items, list) else ():
        if isinstance(kv, dict) and isinstance(kv.get("key"), str):
            out[kv["key"]] = _any_value(kv.get("value"))
    return out


def _flatten(value: Any, prefix: str, out: dict, depth: int = 0) -> None:
    """Nested attribute objects and lists of objects as dotted keys (``llm.input_messages.0.message.role``)."""
    if isinstance(value, dict) and depth < 12:
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out, depth + 1)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and depth < 12:
        for i, v in enumerate(value):
            _flatten(v, f"{prefix}.{i}", out, depth + 1)
    elif isinstance(value, str) and len(value) > 1 and value[0] == value[-1] == '"':  # MLflow: values as JSON
        try:
            out[prefix] = json.loads(value)
        except ValueError:
            out[prefix] = value
    elif not (isinstance(value, float) and math.isnan(value)):  # a spans table's empty cell
        out[prefix] = value


def span_attributes(o: Mapping) -> dict:
    """A span's attributes as one flat dict of dotted keys, from any of the shapes above.

    >>> span_attributes({"attributes": [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "12"}}]})
    {'gen_ai.usage.input_tokens': 12}
    >>> span_attributes({"attributes": {"llm": {"token_count": {"prompt": 5}}}})
    {'llm.token_count.prompt': 5}
    """
    raw = maybe_json(o.get("attributes"))
    if raw is None and "tags" in o and ("spanID" in o or "traceId" in o):  # Jaeger's tags list, Zipkin's tags object
        raw = o["tags"]
    out: dict = {}
    if isinstance(raw, list):
        _flatten(_key_values(raw), "", out)
    elif isinstance(raw, dict):
        _flatten(raw, "", out)
    elif raw not in (None, ""):
        raise RecordProblem(f"expected a list or an object, got {type(raw).__name__}", "attributes")
    for k, v in o.items():  # a spans table: attributes.* columns
        if type(k) is str and k.startswith("attributes."):
            _flatten(maybe_json(v), k[len("attributes."):], out)
    usage = out.get("mlflow.chat.tokenUsage")
    if isinstance(usage, str):  # MLflow keeps an object attribute as JSON text
        _flatten(maybe_json(usage), "mlflow.chat.tokenUsage", out)
    return out


def _kind(a: Mapping) -> tuple[str, str] | None:
    """(attribute, value) naming what the span is, when it says so."""
    for key in ("gen_ai.operation.name", "openinference.span.kind", "llm.request.type", "traceloop.span.kind",
                "ai.operationId", "mlflow.spanType", "span_type",  # span_type: Prompt flow's
                "langfuse.observation.type"):  # Langfuse's OpenTelemetry attributes (LiteLLM's Langfuse exporter)
        v = a.get(key)
        if isinstance(v, str) and v.strip():
            return key, v.strip()
    if a.get("gen_ai.agent.name") or a.get("agent_name"):  # an agent's run (pydantic-ai's "agent run" in Logfire)
        return "gen_ai.agent.name", "agent"
    return None


def _is_model_call(kind: tuple[str, str] | None) -> bool:
    if kind is None:
        return False
    key, v = kind[0], kind[1].lower()
    return (key == "gen_ai.operation.name" and v in _MODEL_OPS) or (key == "openinference.span.kind" and v == "llm") \
        or (key == "llm.request.type" and v in ("chat", "completion")) \
        or (key == "ai.operationId" and v.endswith((".dogenerate", ".dostream"))) \
        or (key == "mlflow.spanType" and v in ("llm", "chat_model")) or (key == "span_type" and v == "llm") \
        or (key == "langfuse.observation.type" and v == "generation")


def _first(a: Mapping, keys: tuple[str, ...]) -> tuple[str, Any]:
    for k in keys:
        if a.get(k) not in (None, ""):
            return k, a[k]
    return keys[0], None


def _usage(a: Mapping) -> tuple[tuple[float, float, float] | None, float | None]:
    """((prompt incl. cached, completion, cached), reasoning tokens) from the usage attributes."""
    p_key, p = _first(a, _PROMPT)
    c_key, c = _first(a, _COMPLETION)
    if p is None and c is None:
        details = {k[len(_LANGFUSE_USAGE):]: v for k, v in a.items() if k.startswith(_LANGFUSE_USAGE)}
        if details:  # Langfuse's usage_details (input without the cache reads: advisor.logs.langfuse.langfuse_usage)
            usage = langfuse_usage(details, "attributes.langfuse.observation.usage_details")
            return (usage if usage is not None and (usage[0] or usage[1]) else None), None
        return None, None
    p_n = _num(p, f"attributes.{p_key}") or 0.0
    c_n = _num(c, f"attributes.{c_key}") or 0.0
    if p_n == 0 and c_n == 0:
        return None, None  # zeros: a stream whose usage was not reported
    k_key, k = _first(a, _CACHED)
    k_field = f"attributes.{k_key}"
    if k is None and "mlflow.spanOutputs" in a:  # MLflow: the provider's own usage in the answer
        k_field, k = outputs_cached(a)
    k_n = min(_num(k, k_field) or 0.0, p_n)
    r_key, r = _first(a, _REASONING)
    return (p_n, c_n, k_n), _num(r, f"attributes.{r_key}")


def _parts_text(m: Mapping) -> Any:
    """The text of a ``gen_ai.input.messages`` message (``parts`` of ``{"type": "text", "content"}``)."""
    parts = m.get("parts")
    if not isinstance(parts, list):
        return m.get("content")
    texts = [str(p["content"]) for p in parts if isinstance(p, dict) and p.get("type") == "text"
             and isinstance(p.get("content"), str)]
    return "".join(texts)


def _indexed(a: Mapping, prefix: str, role: str, content: str) -> list[dict]:
    """Messages flattened as ``prefix.N.role`` / ``prefix.N.content`` attributes, in index order."""
    out = []
    i = 0
    while f"{prefix}.{i}.{role}" in a or f"{prefix}.{i}.{content}" in a:
        out.append({"role": a.get(f"{prefix}.{i}.{role}") or "user", "content": a.get(f"{prefix}.{i}.{content}")})
        i += 1
    return out


def _messages(a: Mapping) -> list | None:
    semconv = maybe_json(a.get("gen_ai.input.messages"))
    if isinstance(semconv, list):
        msgs = [{"role": m.get("role") or "user", "content": _parts_text(m)} for m in semconv if isinstance(m, dict)]
        system = maybe_json(a.get("gen_ai.system_instructions"))
        if isinstance(system, list):
            text_parts = [str(p["content"]) for p in system if isinstance(p, dict) and isinstance(p.get("content"), str)]
            msgs = [{"role": "system", "content": "".join(text_parts)}] + msgs
        return check_messages(msgs, "attributes.gen_ai.input.messages")
    for prefix, role, content in (("llm.input_messages", "message.role", "message.content"),
                                  ("gen_ai.prompt", "role", "content"), ("request_data.messages", "role", "content"),
                                  ("langfuse.observation.input.messages", "role", "content")):
        msgs = _indexed(a, prefix, role, content)
        if msgs:
            return check_messages(msgs, f"attributes.{prefix}")
    prompt = maybe_json(a.get("ai.prompt"))  # an AI SDK wrapper span's arguments: {system?, prompt?, messages?}
    if isinstance(prompt, dict) and "ai.prompt.messages" not in a:
        msgs = [{"role": "system", "content": prompt["system"]}] if isinstance(prompt.get("system"), str) else []
        if isinstance(prompt.get("messages"), list):
            msgs += prompt["messages"]
        elif isinstance(prompt.get("prompt"), (str, list)):
            msgs.append({"role": "user", "content": prompt["prompt"]})
        if msgs:
            return check_messages(msgs, "attributes.ai.prompt")
    # AI SDK, MLflow, Prompt flow (the call's arguments): JSON text
    for key, inner in (("ai.prompt.messages", None), ("mlflow.spanInputs", "messages"), ("inputs", "messages")):
        value = maybe_json(a.get(key))
        value = value.get(inner) if inner and isinstance(value, dict) else value
        if isinstance(value, list) and value and all(isinstance(m, dict) and "role" in m for m in value):
            return check_messages(value, f"attributes.{key}")
    return None


def _completion(a: Mapping) -> Any:
    semconv = maybe_json(a.get("gen_ai.output.messages"))
    if isinstance(semconv, list) and semconv and isinstance(semconv[0], dict):
        return check_completion({"role": "assistant", "content": _parts_text(semconv[0])},
                                "attributes.gen_ai.output.messages")
    for key in ("llm.output_messages.0.message.content", "gen_ai.completion.0.content", "response_data.message.content",
                "langfuse.observation.output.content"):
        if isinstance(a.get(key), str):
            return a[key]
    generated = maybe_json(a.get("llm.generated_message"))  # Prompt flow: the answer's message as JSON text
    if isinstance(generated, dict):
        return check_completion(generated, "attributes.llm.generated_message")
    if any(k in a for k in ("ai.response.text", "ai.response.toolCalls", "ai.response.object")):
        return _ai_sdk_answer(a)
    if "mlflow.spanOutputs" in a:
        field, answer = outputs_completion(a)
        return check_completion(answer, field) if answer is not None else None
    return None


def _ai_sdk_answer(a: Mapping) -> Any:
    """The Vercel AI SDK's answer: ``ai.response.text``, its ``ai.response.toolCalls`` (JSON text: ``[{"toolCallId",
    "toolName", "args"}]``, ``input`` in v5) as OpenAI tool calls, else ``ai.response.object`` (generateObject's
    JSON).

    >>> _ai_sdk_answer({"ai.response.text": "", "ai.response.toolCalls": '[{"toolCallId": "c1", "toolName": "f", '
    ...                 '"args": {"q": "x"}}]'})["tool_calls"][0]["function"]
    {'name': 'f', 'arguments': '{"q":"x"}'}
    >>> _ai_sdk_answer({"ai.response.object": '{"names": ["Al"]}'})
    '{"names": ["Al"]}'
    """
    answer = a.get("ai.response.text")
    answer = answer if isinstance(answer, str) else None
    calls = maybe_json(a.get("ai.response.toolCalls"))
    if isinstance(calls, list) and calls:
        tool_calls = []
        for i, c in enumerate(calls):
            if not isinstance(c, dict):
                raise RecordProblem(f"expected a tool call object, got {type(c).__name__}",
                                    f"attributes.ai.response.toolCalls[{i}]")
            args = c.get("args", c.get("input"))
            tool_calls.append({"id": c.get("toolCallId"), "type": "function", "function": {
                "name": c.get("toolName"), "arguments": args if isinstance(args, str) else
                json.dumps(args, separators=(",", ":"), ensure_ascii=False)}})
        return {"role": "assistant", "content": answer or None, "tool_calls": tool_calls}
    if answer:
        return answer
    obj = a.get("ai.response.object")
    if isinstance(obj, str) and obj:
        return obj
    return None  # an empty text (a broken stream's): no answer read, as when none is logged


def _errored(o: Mapping) -> bool:
    status = maybe_json(o.get("status"))
    code = status.get("code", status.get("status_code")) if isinstance(status, dict) else o.get("status_code")
    return code in (2, "2", "STATUS_CODE_ERROR", "ERROR", "StatusCode.ERROR")


def parse_otel(o: Mapping, line: int) -> Raw:
    if looks_like_datadog(o):  # --format otel on a Datadog APM trace: its spans read as what they are
        return parse_datadog(o, line)
    a = span_attributes(o)
    if not a and not looks_like_span(o):  # (never a model call ignored for want of the attributes it lacks)
        raise RecordProblem("not an OpenTelemetry span (no attributes)", "attributes")
    kind = _kind(a)
    if kind is None and isinstance(o.get("span_kind"), str) and o["span_kind"].strip():  # Phoenix's own column
        kind = "openinference.span.kind", o["span_kind"].strip()
    usage, reasoning = _usage(a)
    wrapper = kind is not None and kind[0] == "ai.operationId" and kind[1] in _AI_WRAPPERS and usage is not None
    if not _is_model_call(kind) and not wrapper:
        if kind is not None:
            raise Ignored(f"OpenTelemetry {short_word(kind[1])} span (not a model call)")
        if usage is None:
            raise Ignored("OpenTelemetry span without model-call attributes")
    if usage is None and _errored(o):
        raise RecordProblem("errored span", "status")
    unread: list[str] = []
    msgs = _beside_usage(usage, unread, lambda: _messages(a), None)
    completion = _beside_usage(usage, unread, lambda: _completion(a), None)
    if usage is None and msgs is None:
        raise RecordProblem("no token usage (gen_ai.usage.input_tokens) and no input messages to count",
                            "attributes.gen_ai.usage.input_tokens")
    ctx = o["context"] if isinstance(o.get("context"), dict) else {}
    span_id = o.get("spanId") or o.get("span_id") or ctx.get("span_id") or o.get("context.span_id") or \
        o.get("spanID") or (o.get("id") if "traceId" in o and "tags" in o else None)
    if "duration" in o and ("startTime" in o or "timestamp" in o):  # Jaeger, Zipkin: start and duration in µs
        start, latency, why = _start_duration_us(o, "startTime" if "startTime" in o else "timestamp")
    else:
        start_key, end_key = next(((s, e) for s, e in (("startTimeUnixNano", "endTimeUnixNano"),
                                                       ("start_time", "end_time"), ("start_timestamp", "end_timestamp"),
                                                       ("start_time_unix_nano", "end_time_unix_nano")) if s in o),
                                  ("start_time", "end_time"))
        start, latency, why = time_span(o, start_key, end_key)
    m_key, model = _first(a, _MODEL)
    if model is None and "mlflow.spanType" in a:
        m_key, model = outputs_model(a)
    if a.get(SUMMED) is True:
        unread.append(SUMMED_NOTE)
    join_key, join_side = _span_join(o, ctx, span_id, a.get("ai.operationId"), wrapper)
    if wrapper and join_key is None:
        unread.append(WRAPPER_NOTE)  # no id to find its children by: counted, said so
    return Raw(line=line, request_id=text(span_id, "spanId"), timestamp=start, time_ignored=why,
               model=text(model, f"attributes.{m_key}"), messages=msgs, completion=completion, usage=usage,
               latency_s=latency, reasoning_tokens=reasoning, note="; ".join(unread) or None,
               join_key=join_key, join_side=join_side)


def _span_join(o: Mapping, ctx: Mapping, span_id: Any, operation: Any, wrapper: bool
               ) -> tuple[str | None, str | None]:
    """(join key, side) of a Vercel AI SDK span: a wrapper's own id, a model call's parent's (both within their
    trace), so that a wrapper is counted only when no model call below it is in the logs (advisor.logs.gather);
    (None, None) for any other span, or one without the ids. A model call is told by its ``ai.operationId`` whatever
    other attribute named its kind (``gen_ai.operation.name`` too: never both it and its wrapper counted).

    >>> _span_join({"traceId": "t", "spanId": "w"}, {}, "w", "ai.streamText", True)
    ('t/w', 'span-wrapper')
    >>> _span_join({"traceId": "t", "parentSpanId": "w"}, {}, "c", "ai.streamText.doStream", False)
    ('t/w', 'span-call')
    """
    if not wrapper and not (isinstance(operation, str) and operation.strip().endswith((".doGenerate", ".doStream"))):
        return None, None
    trace = o.get("traceId") or o.get("trace_id") or ctx.get("trace_id") or ""
    if wrapper:
        own = span_id
    else:
        own = o.get("parentSpanId") or o.get("parent_span_id") or o.get("parent_id") or o.get("parentId")
    if not isinstance(own, (str, int)) or isinstance(own, bool) or own == "" or \
            not isinstance(trace, (str, int)) or isinstance(trace, bool):
        return None, None
    return f"{trace}/{own}", WRAPPER_SIDE if wrapper else CALL_SIDE


def _start_duration_us(o: Mapping, start_key: str) -> tuple[float | None, float | None, str | None]:
    """(start, latency s, why the start was ignored) of a Jaeger or Zipkin span: its start (epoch µs, read as any
    epoch number is: :func:`~advisor.logs.records.epoch_s`) and its ``duration`` in µs.

    >>> _start_duration_us({"startTime": 1735689600000000, "duration": 230892}, "startTime")
    (1735689600.0, 0.230892, None)
    """
    start, why = epoch_s(o.get(start_key), start_key)
    d = _num(o.get("duration"), "duration")
    return start, (d / 1e6 if d is not None and 0 <= d <= 1e15 else None), why
