"""One parser per export format: a decoded record (dict) in, a :class:`Raw` out.

Formats (``FORMATS``), with their sources in shared/facts/log-formats.md:

- ``openai``: Chat Completions request/response records (``{"request", "response"}``, a request with
  ``response``/``usage``, a bare response object, or a request alone: counted for its prompt).
- ``batch-input`` / ``batch-output``: Batch API JSONL (joined on ``custom_id``): OpenAI's (``body``; ``response``
  or ``error``) and Anthropic Message Batches' (``params``; ``result``).
- ``finetune``: fine-tuning JSONL (``{"messages": [..., assistant]}`` with ``tools``; legacy
  ``{"prompt", "completion"}``).
- ``openpipe``: OpenPipe request-log export (``input``, ``output``, ``tags``, ``durationMs``).
- ``helicone``: Helicone export rows (``request_body``, ``response_body``, token columns).
- ``langfuse``: Langfuse observations (:mod:`advisor.logs.langfuse`; see :func:`langfuse_usage` for the usage
  rule); observations that are not GENERATIONs (SPAN, EVENT, TOOL, AGENT, CHAIN, ...) are ignored, not problems.
- ``langsmith``: LangSmith runs (:mod:`advisor.logs.langsmith`; ``usage_metadata.input_tokens`` INCLUDES
  ``cache_read``); runs that are not ``llm`` are ignored. SDK post/patch halves are merged by run id before parsing.
- ``litellm``: LiteLLM spend logs and ``StandardLoggingPayload`` objects; cache hits are ignored.
- ``usage-export``: OpenAI usage export CSV and Usage API results (aggregated buckets:
  ``num_model_requests``); empty buckets are ignored.
- ``otel``: OpenTelemetry spans of model calls (OTLP/JSON, console exporter, Phoenix, Logfire;
  :mod:`advisor.logs.otel`: ``gen_ai.usage.input_tokens`` INCLUDES cached tokens); other spans are ignored.
- ``braintrust``: Braintrust log events (:mod:`advisor.logs.braintrust`); spans other than ``llm`` are ignored.
- ``openrouter``: OpenRouter generation stats (``native_tokens_*``: the provider's billed counts).
- ``bedrock``: Amazon Bedrock model invocation logs (:mod:`advisor.logs.bedrock`: ``inputTokenCount`` EXCLUDES the
  prompt-cache reads and writes, as Anthropic's ``input_tokens`` does).
- ``datadog``: Datadog APM traces of ddtrace's LLM integrations (:mod:`advisor.logs.datadog`:
  ``_dd.llmobs.input_tokens`` read as INCLUDING cached tokens); spans that are not model calls are ignored.
- ``llm-logs``: ``llm logs --json`` rows (:mod:`advisor.logs.clients`: ``datetime_utc``; without token columns the
  row's text is counted, the row kept whole).
- ``ollama``: Ollama ``/api/generate`` and ``/api/chat`` responses (:mod:`advisor.logs.clients`:
  ``prompt_eval_count``, ``eval_count``); streamed chunks (``done: false``) are ignored.
- ``claude-code``: Claude Code session transcripts and ``result`` messages (:mod:`advisor.logs.agents`: Anthropic
  usage, ``input_tokens`` EXCLUDES the cache; a message's streamed blocks counted once; lines that are no model
  call ignored); ``codex``: Codex CLI rollout files (one request per changed ``token_count``).
- ``openai-evals``: OpenAI Evals run output items (``sample.usage``: ``prompt_tokens`` INCLUDES ``cached_tokens``).
- ``anthropic-usage``: Anthropic's Admin usage report results (:func:`parse_anthropic_usage`: tokens by bucket and
  no request count, a problem unless a ``requests`` count is given).
- ``anthropic-stream``: Anthropic Messages stream events, one a line or as SSE text (:mod:`advisor.logs.streamed`:
  a message's events read together, its output the last ``message_delta.usage.output_tokens``); OpenAI Chat
  Completions chunks and Gemini ``streamGenerateContent`` chunks, read as ``openai``, are grouped by stream there too
  (a stream logged without usage: a problem, its completion counted).
- ``tokens``: any table with ``prompt_tokens``/``completion_tokens`` (or ``input_tokens``/``output_tokens``).

Every parser checks the types of what it reads (a message must be an object, ``tool_calls`` a list,
a token count a finite number): a wrong shape is a :class:`RecordProblem` naming the field (the shared readers are in
:mod:`advisor.logs.record_fields`). Counts written
as text may carry thousands separators (``1,234``, ``1 234``; the rule and its one ambiguous case, ``1.234``,
in :func:`~advisor.logs.records.count_text`). A placeholder time (``created: 0``, 9999-12-31) is dropped and
said in the read summary (:func:`~advisor.logs.records.epoch_s`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from advisor.logs.agents import looks_like_claude_code, looks_like_codex, parse_claude_code, parse_codex
from advisor.logs.bedrock import looks_like_bedrock, parse_bedrock
from advisor.logs.braintrust import looks_like_braintrust, parse_braintrust
from advisor.logs.clients import looks_like_llm_logs, looks_like_ollama, parse_llm_logs, parse_ollama
from advisor.logs.datadog import looks_like_datadog, parse_datadog
from advisor.logs.langfuse import langfuse_usage, parse_langfuse
from advisor.logs.langsmith import parse_langsmith
from advisor.logs.otel import looks_like_span, parse_otel
from advisor.logs.record_fields import (
    first_choice_message,
    latency_of,
    metadata_task_hint,
    need_text,
    object_field,
    request_fields,
    sample_weight,
    short_word,
    time_span,
    token_columns,
)
from advisor.logs.records import (
    Ignored,
    Raw,
    RecordProblem,
    _num,
    check_completion,
    check_messages,
    check_tools,
    epoch_s,
    gemini_usage,
    maybe_json,
    number,
    openai_usage,
    request_options,
    split_chat,
    text,
)
from advisor.logs.streamed import STREAM_FORMAT, looks_like_anthropic_event, parse_anthropic_event

__all__ = ["FORMATS", "detect_record_format", "parse_record", "langfuse_usage"]


def parse_openai(o: Mapping, line: int) -> Raw:
    if o.get("object") == "chat.completion.chunk" and not o.get("usage"):
        raise Ignored("streamed chunk without usage (the chunk with usage stands for its request)")
    if _stream_event(o) and o["type"] == "error":
        raise RecordProblem("request failed" + _error_code(o), "code")
    if _stream_event(o) and o["type"] not in _FINAL_EVENTS:
        raise Ignored("streamed Responses API event (the response.completed event stands for its request)")
    if ("prompt_filter_results" in o or "prompt_annotations" in o) and not o.get("choices") and not o.get("usage"):
        raise Ignored("Azure OpenAI content-filter result alone (a stream's first chunk: no answer, no usage)")
    if "request" in o or "response" in o:
        req = object_field(o["request"] if "request" in o else _request_beside(o, "response"), "request")
        resp = object_field(o.get("response"), "response")
        resp_field = "response"
    elif "choices" in o and "messages" not in o:
        req, resp, resp_field = {}, o, "choices"
    else:
        req, resp, resp_field = o, o, "response"
    model, msgs, tools, opts = request_fields(req, "request")
    usage = openai_usage(resp.get("usage"), f"{resp_field}.usage" if resp is not o else "usage")
    completion = first_choice_message(resp, resp_field if resp is not o else "response")
    thoughts = None
    if usage is None and "usageMetadata" in resp:  # a Gemini API / Vertex AI generateContent response
        usage, thoughts = gemini_usage(resp["usageMetadata"], "usageMetadata" if resp is o else "response.usageMetadata")
        completion = completion if completion is not None else _gemini_text(resp.get("candidates"))
    if usage is None and resp.get("error"):  # an API error body, or a Responses object with status "failed"
        raise RecordProblem("request failed" + _error_code(resp["error"]), f"{resp_field}.error" if resp is not o
                            else "error")
    need_text(usage, msgs, field="request.messages")
    # Chat Completions answers carry "created", Responses API answers "created_at" (both epoch seconds)
    created = next((k for k in ("created", "created_at", "createTime") if k in resp), "created")  # Vertex: createTime
    ts, why = epoch_s(o.get("timestamp", resp.get(created)), f"response.{created}")
    return Raw(line=line, request_id=text(resp.get("id") or o.get("id") or resp.get("responseId"), "id"), timestamp=ts,
               time_ignored=why, model=text(resp.get("model") or resp.get("modelVersion"), "response.model") or model
               or text(o.get("model"), "model"), reasoning_tokens=thoughts,
               messages=msgs, tools=tools, completion=completion, usage=usage, latency_s=latency_of(o),
               task_hint=metadata_task_hint(req.get("metadata")), request_options=opts,
               requests=sample_weight(req.get("metadata"), "request.metadata" if req is not o else "metadata"))


# Responses API streaming events (``{"type": "response.output_text.delta", "sequence_number": 3, ...}``): the last
# one of a response carries it whole, with its usage
_FINAL_EVENTS = frozenset(("response.completed", "response.incomplete", "response.failed"))


def _stream_event(o: Mapping) -> bool:
    """A Responses API streaming event.

    >>> _stream_event({"type": "response.created", "sequence_number": 0}), _stream_event({"type": "GENERATION"})
    (True, False)
    """
    t = o.get("type")
    return isinstance(t, str) and (t.startswith("response.") or t == "error") and "sequence_number" in o


def _gemini_text(candidates: Any) -> str | None:
    """The text parts of a Gemini response's first candidate, or None.

    >>> _gemini_text([{"content": {"role": "model", "parts": [{"text": "Two "}, {"text": "days."}]}}])
    'Two days.'
    """
    first = candidates[0] if isinstance(candidates, list) and candidates else None
    content = first.get("content") if isinstance(first, dict) else None
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list):
        return None
    return "".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))


def _request_beside(o: Mapping, response_key: str) -> Any:
    """The request logged beside a response under a key of its own (``params``, ``input``, ``request_x``): the
    one other object holding ``messages`` (or a Responses API ``input`` and ``model``); else the record itself
    (which may hold ``messages``). One record is one request, never one per value.

    >>> _request_beside({"params": {"messages": []}, "response": {}}, "response")
    {'messages': []}
    """
    if "messages" in o:
        return o
    found = [v for k, v in o.items() if k != response_key and isinstance(v, dict)
             and ("messages" in v or ("input" in v and "model" in v))]
    return found[0] if len(found) == 1 else o


def parse_batch_input(o: Mapping, line: int) -> Raw:
    """A Batch API request line: OpenAI's ``{"custom_id", "method", "url", "body"}`` or Anthropic Message Batches'
    ``{"custom_id", "params"}`` (a Messages request: its top-level ``system`` read as the first message)."""
    where = "params" if "params" in o and "body" not in o else "body"
    body = object_field(o.get(where), where, required=True)
    model, msgs, tools, opts = request_fields(body, where)
    if msgs is None:
        raise RecordProblem("no messages (only chat completions, responses and messages batches are supported)",
                            f"{where}.messages")
    key = text(o.get("custom_id"), "custom_id")
    return Raw(line=line, request_id=key, model=model, messages=msgs, tools=tools,
               join_key=key, join_side="input", request_options=opts)


def _error_code(err: Any) -> str:
    """`` (code)`` of an API error object, for a message: a short code only (``rate_limit_exceeded``), never text.

    >>> _error_code({"code": "batch_expired", "message": "..."}), _error_code("boom")
    (' (batch_expired)', '')
    """
    err = maybe_json(err)
    if isinstance(err, dict) and isinstance(err.get("error"), dict):  # Anthropic: {"type": "error", "error": {...}}
        err = err["error"]
    code = (err.get("code") or err.get("type")) if isinstance(err, dict) else None
    return f" ({short_word(code)})" if code not in (None, "") and not isinstance(code, (dict, list)) else ""


def _anthropic_batch_result(o: Mapping, line: int) -> Raw:
    """An Anthropic Message Batches result line ``{"custom_id", "result": {"type", "message" | "error"}}``: a
    succeeded one is its Messages response (usage, answer); errored, canceled and expired ones are problems."""
    res = object_field(o.get("result"), "result", required=True)
    kind = res.get("type")
    if kind == "errored":
        raise RecordProblem("request failed" + _error_code(res.get("error")), "result.error")
    if kind in ("canceled", "expired"):
        raise RecordProblem(f"request {kind} (the batch ended before it ran)", "result.type")
    if kind != "succeeded":
        raise RecordProblem(f"result type {short_word(kind)}", "result.type")
    msg = object_field(res.get("message"), "result.message", required=True)
    usage = openai_usage(msg.get("usage"), "result.message.usage")
    if usage is None:
        raise RecordProblem("no usage in the result message", "result.message.usage")
    key = text(o.get("custom_id"), "custom_id")
    return Raw(line=line, request_id=key, model=text(msg.get("model"), "result.message.model"),
               completion=first_choice_message(msg, "result.message"), usage=usage, join_key=key,
               join_side="output")


def parse_batch_output(o: Mapping, line: int) -> Raw:
    if "result" in o and "response" not in o:
        return _anthropic_batch_result(o, line)
    if o.get("error"):
        raise RecordProblem("request failed" + _error_code(o["error"]), "error")
    resp = object_field(o.get("response"), "response", required=True)
    body = object_field(resp.get("body"), "response.body")
    status = resp.get("status_code")
    if status not in (None, 200, "200"):
        raise RecordProblem(f"status_code {short_word(status)}", "response.status_code")
    usage = openai_usage(body.get("usage"), "response.body.usage")
    if usage is None:
        if body.get("object") == "list" or isinstance(body.get("data"), list):
            raise Ignored("embeddings batch result (not a chat or text generation call)")
        raise RecordProblem("no usage in the response body", "response.body.usage")
    key = text(o.get("custom_id"), "custom_id")
    created = "created" if "created" in body or "created_at" not in body else "created_at"  # Responses: created_at
    ts, why = epoch_s(body.get(created), f"response.body.{created}")
    return Raw(line=line, request_id=key, timestamp=ts, time_ignored=why,
               model=text(body.get("model"), "response.body.model"),
               completion=first_choice_message(body, "response.body"), usage=usage,
               join_key=key, join_side="output")


def parse_finetune(o: Mapping, line: int) -> Raw:
    if "messages" in o:
        msgs, last = split_chat(maybe_json(o["messages"]))
        tools = check_tools(o.get("tools"), "tools") or check_tools(o.get("functions"), "functions")
        return Raw(line=line, messages=msgs, tools=tools, completion=last, request_options=request_options(o))
    if "prompt" in o and "completion" in o:
        p, c = o["prompt"], o["completion"]
        if not isinstance(p, str) or not isinstance(c, str):
            raise RecordProblem("expected text", "prompt" if not isinstance(p, str) else "completion")
        return Raw(line=line, prompt_text=p, completion=c)
    raise RecordProblem("expected 'messages' (chat) or 'prompt' and 'completion'", "messages")


def parse_openpipe(o: Mapping, line: int) -> Raw:
    model, msgs, tools, opts = request_fields(o.get("input", _request_beside(o, "output")), "input")
    out = object_field(o.get("output"), "output")
    if out.get("error") and not out.get("choices"):
        raise RecordProblem("errored call", "output.error")
    usage = openai_usage(out.get("usage"), "output.usage")
    completion = first_choice_message(out, "output")
    need_text(usage, msgs, field="output.usage")
    tags = object_field(o.get("tags"), "tags")
    hint = tags.get("promptId") or tags.get("prompt_id")
    ts, why = epoch_s(out.get("created"), "output.created")
    return Raw(line=line, request_id=text(out.get("id"), "output.id"), timestamp=ts, time_ignored=why,
               model=text(out.get("model"), "output.model") or model, messages=msgs, tools=tools,
               completion=completion, usage=usage, latency_s=latency_of(o), task_hint=text(hint, "tags.promptId"),
               request_options=opts)


def parse_helicone(o: Mapping, line: int) -> Raw:
    if str(o.get("response_status", "200")).strip() not in ("200", "200.0", "", "None"):
        raise RecordProblem(f"status {short_word(o.get('response_status'))}", "response_status")
    model, msgs, tools, opts = request_fields(o.get("request_body"), "request_body")
    resp = object_field(o.get("response_body"), "response_body")
    usage = token_columns(o, "prompt_tokens", "completion_tokens", "prompt_cache_read_tokens")
    if usage is not None and usage[0] == 0 and usage[1] == 0 and msgs is not None:
        usage = None  # 0/0 columns with a body: the counts were not recorded; count the text
    if usage is None:
        usage = openai_usage(resp.get("usage"), "response_body.usage")
    completion = first_choice_message(resp, "response_body")
    need_text(usage, msgs, field="prompt_tokens")
    ts, why = epoch_s(o.get("request_created_at") or o.get("response_created_at"), "request_created_at")
    return Raw(line=line, request_id=text(o.get("request_id") or o.get("response_id"), "request_id"),
               timestamp=ts, time_ignored=why,
               model=text(o.get("model") or o.get("request_model") or o.get("response_model"), "model") or model,
               messages=msgs, tools=tools, completion=completion, usage=usage, latency_s=latency_of(o),
               task_hint=text(o.get("prompt_id"), "prompt_id"), request_options=opts)


# ---------------------------------------------------------------------------------------------
# LiteLLM


def parse_litellm(o: Mapping, line: int) -> Raw:
    status = str(o.get("status") or "success").lower()
    if status not in ("success",):
        raise RecordProblem(f"status {short_word(status)}", "status")
    if str(o.get("cache_hit") or "").lower() == "true":
        raise Ignored("LiteLLM cache hit (no model call)")
    usage = token_columns(o, "prompt_tokens", "completion_tokens", None)
    meta = object_field(o.get("metadata"), "metadata")
    resp = maybe_json(o.get("response"))
    if usage is not None:  # cached tokens: the spend log's metadata.usage_object, else the logged response's usage
        for where, u in (("metadata.usage_object", meta.get("usage_object")),
                         ("response.usage", resp.get("usage") if isinstance(resp, dict) else None)):
            full = openai_usage(u, where) if isinstance(u, dict) else None
            if full is not None:
                usage = (usage[0], usage[1], min(full[2], usage[0]))
                break
    req = maybe_json(o.get("proxy_server_request"))
    req = req if isinstance(req, dict) else {}
    params = maybe_json(o.get("model_parameters"))
    params = params if isinstance(params, dict) else {}
    msgs = maybe_json(o.get("messages"))
    if isinstance(msgs, str) and msgs.strip():
        msgs = [{"role": "user", "content": msgs}]  # completion-style prompt logged as text
    msgs = check_messages(msgs, "messages") if isinstance(msgs, list) and msgs else None
    _, req_msgs, req_tools, req_opts = request_fields(req, "proxy_server_request") if req else (None, None, None, None)
    msgs = msgs or req_msgs
    tools = check_tools(params.get("tools"), "model_parameters.tools") or req_tools
    opts = {**(req_opts or {}), **(request_options(params) or {})} or None
    completion = first_choice_message(resp, "response") if isinstance(resp, dict) else None
    if usage is not None and usage[0] == 0 and usage[1] == 0 and msgs is not None:
        usage = None  # the 0 defaults of the spend-logs table: counts not recorded, count the text
    if usage is None and isinstance(resp, dict):
        usage = openai_usage(resp.get("usage"), "response.usage")
    need_text(usage, msgs, field="prompt_tokens")
    start, latency, why = time_span(o, "startTime", "endTime")
    return Raw(line=line, request_id=text(o.get("request_id") or o.get("id"), "request_id"), timestamp=start,
               time_ignored=why,
               model=text(o.get("model_group") or o.get("model"), "model"), messages=msgs, tools=tools,
               completion=completion, usage=usage, latency_s=latency, request_options=opts)


# ---------------------------------------------------------------------------------------------
# aggregated and plain token tables

_BUCKET_KEYS = {"start_time", "end_time", "start_time_iso", "end_time_iso", "object", "project_id", "user_id",
                "api_key_id", "model", "batch", "service_tier"}
# the usage export's token columns (dashboard CSV, Usage API): such a row over a time bucket is an aggregate, whose
# request count is read, never guessed; _USAGE_ONLY are columns no per-request log has
_USAGE_TOKEN_KEYS = {"input_tokens", "output_tokens", "input_cached_tokens", "input_uncached_tokens",
                     "input_audio_tokens", "output_audio_tokens", "num_model_requests"}
_USAGE_ONLY = {"input_uncached_tokens", "input_audio_tokens", "output_audio_tokens", "start_time_iso", "end_time_iso"}


def parse_usage_export(o: Mapping, line: int) -> Raw:
    if o.get("object") == "organization.costs.result" or "amount" in o:
        raise Ignored("cost line (dollars, not requests)")
    n_raw = o.get("num_model_requests")
    has_tokens = any(o.get(k) not in (None, "") for k in ("input_tokens", "output_tokens"))
    if n_raw in (None, "") and not has_tokens:
        raise Ignored("usage bucket with no requests")
    n = number(n_raw, "num_model_requests", high=1e12, count=True)
    if n is None:
        raise RecordProblem("no request count for a bucket with tokens", "num_model_requests")
    if n == 0:
        raise Ignored("usage bucket with no requests")
    usage = token_columns(o, "input_tokens", "output_tokens", "input_cached_tokens")
    if usage is None:
        raise RecordProblem("missing input_tokens/output_tokens", "input_tokens")
    per = tuple(x / n for x in usage)
    ts, why = epoch_s(o.get("start_time_iso") or o.get("start_time"), "start_time")
    return Raw(line=line, timestamp=ts, time_ignored=why,
               model=text(o.get("model"), "model"), usage=per, requests=n)


def parse_anthropic_usage(o: Mapping, line: int) -> Raw:
    """A result of Anthropic's Admin usage report (``GET /v1/organizations/usage_report/messages``; the bucket's
    ``starting_at`` given to it by :mod:`advisor.logs.containers`): ``uncached_input_tokens``, ``cache_creation``
    (``ephemeral_5m_input_tokens``, ``ephemeral_1h_input_tokens``), ``cache_read_input_tokens``, ``output_tokens``
    summed over the bucket; the prompt is the four added, the reads its cached part. That report counts no requests:
    tokens per request cannot be told from it, so a result without a request count (``requests``, which the newer
    analytics report gives) is a problem, never one request assumed (as the usage export's buckets without
    ``num_model_requests``)."""
    cache = object_field(o.get("cache_creation"), "cache_creation")
    parts = [_num(o.get("uncached_input_tokens"), "uncached_input_tokens"),
             _num(cache.get("ephemeral_5m_input_tokens"), "cache_creation.ephemeral_5m_input_tokens"),
             _num(cache.get("ephemeral_1h_input_tokens"), "cache_creation.ephemeral_1h_input_tokens"),
             _num(o.get("cache_read_input_tokens"), "cache_read_input_tokens")]
    c = _num(o.get("output_tokens"), "output_tokens")
    if all(x is None for x in parts) and c is None:
        raise Ignored("usage bucket with no requests")
    n = number(o.get("requests"), "requests", high=1e12, count=True)
    if n is None:
        raise RecordProblem("no request count: Anthropic's messages usage report sums tokens without counting "
                            "requests, so the tokens of a request cannot be told; export the analytics usage report "
                            "(its 'requests'), or give --requests-per-day, --prompt-tokens and --completion-tokens "
                            "instead of this file", "requests")
    if n == 0:
        raise Ignored("usage bucket with no requests")
    prompt, read = sum(x or 0.0 for x in parts), parts[3] or 0.0
    ts, why = epoch_s(o.get("starting_at"), "starting_at")
    return Raw(line=line, timestamp=ts, time_ignored=why, model=text(o.get("model"), "model"),
               usage=(prompt / n, (c or 0.0) / n, read / n), requests=n)


def parse_eval_item(o: Mapping, line: int) -> Raw:
    """An OpenAI Evals run output item (``GET /v1/evals/{id}/runs/{run_id}/output_items``): ``sample`` is the
    model call (``usage.prompt_tokens`` INCLUDES ``usage.cached_tokens``, flat in ``usage``); ``results`` are the
    graders' scores, not records."""
    sample = object_field(o.get("sample"), "sample", required=True)
    if sample.get("error"):
        raise RecordProblem("request failed" + _error_code(sample["error"]), "sample.error")
    u = object_field(sample.get("usage"), "sample.usage")
    usage = None
    p, c = _num(u.get("prompt_tokens"), "sample.usage.prompt_tokens"), _num(u.get("completion_tokens"),
                                                                             "sample.usage.completion_tokens")
    if p is not None and c is not None:
        k = _num(u.get("cached_tokens"), "sample.usage.cached_tokens") or 0.0
        if k > p:
            raise RecordProblem(f"cached_tokens {k:g} exceed prompt_tokens {p:g}", "sample.usage.cached_tokens")
        usage = (p, c, k)
    msgs = check_messages(sample.get("input"), "sample.input")
    out = sample.get("output")
    need_text(usage, msgs, field="sample.usage")
    ts, why = epoch_s(o.get("created_at"), "created_at")
    return Raw(line=line, request_id=text(o.get("id"), "id"), timestamp=ts, time_ignored=why,
               model=text(sample.get("model"), "sample.model"), messages=msgs, usage=usage,
               completion=check_completion(out[0], "sample.output[0]") if isinstance(out, list) and out else None)


def parse_openrouter(o: Mapping, line: int) -> Raw:
    """An OpenRouter generation's stats (``GET /api/v1/generation?id=``, the activity page's rows): the provider's own
    counts (``native_tokens_*``: what the provider billed; ``tokens_*`` are OpenRouter's normalised counts, used only
    without them), cached prompt tokens within the prompt, reasoning tokens within the completion. ``usage`` there is
    a cost in USD, not a usage object."""
    native = o.get("native_tokens_prompt") not in (None, "")
    p_key, c_key = ("native_tokens_prompt", "native_tokens_completion") if native else ("tokens_prompt",
                                                                                       "tokens_completion")
    usage = token_columns(o, p_key, c_key, "native_tokens_cached" if native else None)
    if usage is None:
        raise RecordProblem("missing prompt/completion token counts", p_key)
    ts, why = epoch_s(o.get("created_at"), "created_at")
    reasoning = _num(o.get("native_tokens_reasoning"), "native_tokens_reasoning") if native else None
    return Raw(line=line, request_id=text(o.get("id"), "id"), timestamp=ts, time_ignored=why,
               model=text(o.get("model"), "model"), usage=usage, reasoning_tokens=reasoning or None)


_TOKEN_ALIASES = (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens"))


def parse_tokens(o: Mapping, line: int) -> Raw:
    for p_key, c_key in _TOKEN_ALIASES:
        if p_key in o and c_key in o:
            break
    else:
        raise RecordProblem("no token columns (prompt_tokens, completion_tokens)", "prompt_tokens")
    k_key = next((k for k in ("cached_tokens", "input_cached_tokens", "prompt_cached_tokens") if k in o), None)
    usage = token_columns(o, p_key, c_key, k_key)
    if usage is None:
        raise RecordProblem("empty token count", p_key if o.get(p_key) in (None, "") else c_key)
    ts_key = next((k for k in ("timestamp", "created", "created_at", "time", "date", "start_time") if k in o), None)
    ts, why = epoch_s(o.get(ts_key), ts_key) if ts_key else (None, None)
    return Raw(line=line, request_id=text(o.get("request_id") or o.get("id"), "request_id"),
               timestamp=ts, time_ignored=why, model=text(o.get("model"), "model"),
               usage=usage, latency_s=latency_of(o), task_hint=text(o.get("task") or o.get("prompt_id"), "task"))


FORMATS: dict[str, Callable[[Mapping, int], Raw]] = {
    "openai": parse_openai,
    "batch-input": parse_batch_input,
    "batch-output": parse_batch_output,
    "finetune": parse_finetune,
    "openpipe": parse_openpipe,
    "helicone": parse_helicone,
    "langfuse": parse_langfuse,
    "langsmith": parse_langsmith,
    "litellm": parse_litellm,
    "usage-export": parse_usage_export,
    "otel": parse_otel,
    "braintrust": parse_braintrust,
    "bedrock": parse_bedrock,
    "openrouter": parse_openrouter,
    "datadog": parse_datadog,
    "llm-logs": parse_llm_logs,
    "ollama": parse_ollama,
    "openai-evals": parse_eval_item,
    "anthropic-usage": parse_anthropic_usage,
    "claude-code": parse_claude_code,
    "codex": parse_codex,
    STREAM_FORMAT: parse_anthropic_event,
    "tokens": parse_tokens,
}

# a RunUpdate (patch) as the SDK sends it: the keys it may carry (langsmith-sdk's run ops also name the run)
_LANGSMITH_PATCH = {"id", "name", "end_time", "outputs", "error", "events", "extra", "tags", "trace_id", "dotted_order",
                    "parent_run_id", "session_id", "attachments", "status"}


_ERROR_KEYS = {"error", "id", "object", "created", "created_at", "model", "status", "status_code", "request_id",
               "timestamp"}


def detect_record_format(o: Any) -> str | None:
    """The format a decoded record looks like, or None. Decided for each record on its own."""
    if not isinstance(o, dict):
        return None
    k = set(o)
    if ("attributes" in k or "tags" in k) and looks_like_span(o):
        return "otel"  # before Langfuse's traceId: an OTLP span has one too (and a Zipkin span)
    if "meta" in k and "metrics" in k and looks_like_datadog(o):
        return "datadog"
    if "custom_id" in k:  # OpenAI's batch lines (body; response or error), Anthropic's (params; result)
        return "batch-output" if ("response" in k or "error" in k or "result" in k) and "body" not in k \
            and "params" not in k else "batch-input"
    if looks_like_llm_logs(k):
        return "llm-logs"  # before the token columns and the JSON cells (prompt_json...): one row, one record
    if looks_like_ollama(k):
        return "ollama"
    if "type" in k and looks_like_claude_code(o):
        return "claude-code"
    if "type" in k and looks_like_anthropic_event(o):
        return STREAM_FORMAT  # grouped into messages by advisor.logs.streamed
    if "payload" in k and looks_like_codex(o):
        return "codex"
    if o.get("object") == "eval.run.output_item" or (isinstance(o.get("sample"), dict) and "usage" in o["sample"]
                                                      and "results" in k):
        return "openai-evals"  # before the containers' "results": the graders' scores, not records
    if "uncached_input_tokens" in k:
        return "anthropic-usage"
    if "modelId" in k and looks_like_bedrock(o):
        return "bedrock"
    if "native_tokens_prompt" in k or ("tokens_prompt" in k and "tokens_completion" in k):
        return "openrouter"
    if "traceId" in k or "usageDetails" in k or "inputUsage" in k or \
            ("type" in k and "startTime" in k and ("input" in k or "output" in k or "model" in k)):
        return "langfuse"
    if looks_like_braintrust(k):
        return "braintrust"  # before OpenPipe's input/output/tags: a Braintrust event has those too
    if "input" in k and "output" in k and ("tags" in k or "cacheHit" in k or "durationMs" in k):
        return "openpipe"
    out = o.get("output")
    if isinstance(out, dict) and ("choices" in out or "usage" in out):
        return "openpipe"  # a completion under output, its request under input (or a key of its own)
    if "request_body" in k or "request_created_at" in k or "response_created_at" in k:
        return "helicone"
    if "run_type" in k or ("inputs" in k and "outputs" in k) or "dotted_order" in k or \
            ("outputs" in k and "end_time" in k and k <= _LANGSMITH_PATCH):
        return "langsmith"
    if "call_type" in k or ("startTime" in k and ("spend" in k or "response_cost" in k)):
        return "litellm"
    if "num_model_requests" in k or o.get("object") in ("organization.usage.completions.result",
                                                        "organization.costs.result"):
        return "usage-export"
    if "start_time" in k and "end_time" in k and (k <= _BUCKET_KEYS | _USAGE_TOKEN_KEYS or not k.isdisjoint(_USAGE_ONLY)):
        return "usage-export"  # a bucket, an empty one (only its times), one that lost its request count
    if "sequence_number" in k and _stream_event(o):
        return "openai"
    if "usageMetadata" in k or ("candidates" in k and ("responseId" in k or "modelVersion" in k)):
        return "openai"  # a Gemini generateContent response (or stream chunk) logged alone (usage: gemini_usage)
    if o.get("type") == "error" and isinstance(o.get("error"), dict) and k <= {"type", "error"}:
        return STREAM_FORMAT  # an Anthropic error (a stream's error event, or a response body): a failed request
    if isinstance(o.get("error"), dict) and k <= _ERROR_KEYS:
        return "openai"  # an API error body logged alone: a failed request (listed as a problem)
    if "request" in k and "response" in k or isinstance(o.get("response"), dict):
        return "openai"  # also a response with its request under a key of its own (params, input...): ONE record
    if "choices" in k or ("messages" in k and ("response" in k or "usage" in k)) or o.get("object") == "response":
        return "openai"
    if "messages" in k and "model" in k and not _ends_with_assistant(o.get("messages")):
        return "openai"  # a request logged without its response
    if "messages" in k or ("prompt" in k and "completion" in k):
        return "finetune"
    usage = o.get("usage")
    if isinstance(usage, dict) and any(p in usage and c in usage for p, c in _TOKEN_ALIASES):
        return "openai"  # a response logged with its usage only (model, usage, created): no text to count
    if any(p in k and c in k for p, c in _TOKEN_ALIASES):
        return "tokens"
    if looks_like_span(o):
        return "otel"  # a spans table (Phoenix's dataframe): attributes.* columns
    return None


def _ends_with_assistant(msgs: Any) -> bool:
    return isinstance(msgs, list) and bool(msgs) and isinstance(msgs[-1], dict) and \
        msgs[-1].get("role") == "assistant"


def parse_record(fmt: str, o: Any, line: int) -> Raw:
    if not isinstance(o, dict):
        raise RecordProblem(f"expected a JSON object, got {type(o).__name__}")
    return FORMATS[fmt](o, line)
