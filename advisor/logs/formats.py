"""One parser per export format: a decoded record (dict) in, a :class:`Raw` out.

Formats (``FORMATS``), with their sources in shared/facts/log-formats.md:

- ``openai``: Chat Completions request/response records (``{"request", "response"}``, a request with
  ``response``/``usage``, or a bare response object).
- ``batch-input`` / ``batch-output``: Batch API JSONL (joined on ``custom_id``).
- ``finetune``: fine-tuning JSONL (``{"messages": [..., assistant]}`` with ``tools``; legacy
  ``{"prompt", "completion"}``).
- ``openpipe``: OpenPipe request-log export (``input``, ``output``, ``tags``, ``durationMs``).
- ``helicone``: Helicone export rows (``request_body``, ``response_body``, token columns).
- ``langfuse``: Langfuse observations (``usageDetails``: ``input`` EXCLUDES cached tokens, which sit in
  ``input_cached_tokens``; ``inputUsage`` sums all input types).
- ``langsmith``: LangSmith runs (``usage_metadata.input_tokens`` INCLUDES ``cache_read``).
- ``litellm``: LiteLLM spend logs.
- ``usage-export``: OpenAI usage export CSV (aggregated buckets: ``num_model_requests``).
- ``tokens``: any table with ``prompt_tokens``/``completion_tokens`` (or ``input_tokens``/``output_tokens``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .records import Raw, RecordProblem, maybe_json, openai_usage, split_chat, to_epoch_s

__all__ = ["FORMATS", "detect_record_format", "parse_record"]


def _first_choice_message(resp: Mapping) -> Any:
    choices = resp.get("choices")
    if isinstance(choices, list) and choices:
        ch = choices[0] or {}
        return ch.get("message", ch.get("text"))
    if "output_text" in resp:  # Responses API convenience field
        return resp.get("output_text")
    return None


def _req_fields(req: Any, field: str) -> tuple[str | None, list | None, list | None]:
    req = maybe_json(req)
    if not isinstance(req, Mapping):
        return None, None, None
    msgs = maybe_json(req.get("messages"))
    if msgs is not None and not isinstance(msgs, list):
        raise RecordProblem("expected a list of messages", f"{field}.messages")
    tools = maybe_json(req.get("tools") or req.get("functions"))
    return req.get("model"), msgs, tools if isinstance(tools, list) else None


def _latency(o: Mapping) -> float | None:
    for key, scale in (("latency_s", 1.0), ("latency", 1.0), ("duration_s", 1.0), ("duration_ms", 1e-3),
                       ("durationMs", 1e-3), ("delay_ms", 1e-3), ("latency_ms", 1e-3)):
        v = o.get(key)
        if v not in (None, ""):
            try:
                return float(v) * scale
            except (TypeError, ValueError):
                raise RecordProblem(f"{v!r} is not a duration", key) from None
    return None


def parse_openai(o: Mapping, line: int) -> Raw:
    if "request" in o or "response" in o:
        req = maybe_json(o.get("request", o))
        resp = maybe_json(o.get("response") or {})
    elif "choices" in o and "messages" not in o:
        req, resp = {}, o
    else:
        req, resp = o, o
    model, msgs, tools = _req_fields(req, "request")
    resp = resp if isinstance(resp, Mapping) else {}
    usage = openai_usage(resp.get("usage") if resp is not o else o.get("usage"), "response.usage")
    completion = _first_choice_message(resp)
    if usage is None and completion is None:
        raise RecordProblem("no response: neither usage nor choices, so completion tokens are unknown", "response")
    if usage is None and msgs is None:
        raise RecordProblem("no usage and no messages to count", "request.messages")
    ts = to_epoch_s(o.get("timestamp", resp.get("created")), "response.created")
    meta = maybe_json(req.get("metadata")) if isinstance(req, Mapping) else None
    hint = next((meta.get(k) for k in ("task", "prompt_id", "promptId") if meta.get(k)), None) \
        if isinstance(meta, Mapping) else None
    return Raw(line=line, request_id=resp.get("id") or o.get("id"), timestamp=ts,
               model=resp.get("model") or model or o.get("model"), messages=msgs, tools=tools,
               completion=completion, usage=usage, latency_s=_latency(o), task_hint=hint)


def parse_batch_input(o: Mapping, line: int) -> Raw:
    body = maybe_json(o.get("body"))
    if not isinstance(body, Mapping):
        raise RecordProblem("expected the request body as an object", "body")
    model, msgs, tools = _req_fields(body, "body")
    if msgs is None:
        raise RecordProblem("no messages (only /v1/chat/completions batches are supported)", "body.messages")
    return Raw(line=line, request_id=o.get("custom_id"), model=model, messages=msgs, tools=tools,
               join_key=str(o.get("custom_id")), join_side="input")


def parse_batch_output(o: Mapping, line: int) -> Raw:
    if o.get("error"):
        raise RecordProblem(f"request failed: {maybe_json(o['error'])}", "error")
    resp = maybe_json(o.get("response")) or {}
    body = maybe_json(resp.get("body")) or {}
    if resp.get("status_code") not in (None, 200):
        raise RecordProblem(f"status_code {resp.get('status_code')}", "response.status_code")
    usage = openai_usage(body.get("usage"), "response.body.usage")
    if usage is None:
        raise RecordProblem("no usage in the response body", "response.body.usage")
    return Raw(line=line, request_id=o.get("custom_id"), timestamp=to_epoch_s(body.get("created"), "response.body.created"),
               model=body.get("model"), completion=_first_choice_message(body), usage=usage,
               join_key=str(o.get("custom_id")), join_side="output")


def parse_finetune(o: Mapping, line: int) -> Raw:
    if "messages" in o:
        msgs, last = split_chat(maybe_json(o["messages"]))
        tools = maybe_json(o.get("tools") or o.get("functions"))
        return Raw(line=line, messages=msgs, tools=tools if isinstance(tools, list) else None, completion=last)
    if "prompt" in o and "completion" in o:
        return Raw(line=line, prompt_text=str(o["prompt"]), completion=str(o["completion"]))
    raise RecordProblem("expected 'messages' (chat) or 'prompt' and 'completion'", "messages")


def parse_openpipe(o: Mapping, line: int) -> Raw:
    model, msgs, tools = _req_fields(o.get("input"), "input")
    out = maybe_json(o.get("output")) or {}
    if not isinstance(out, Mapping):
        raise RecordProblem("expected the response object", "output")
    if out.get("error") and not out.get("choices"):
        raise RecordProblem("errored call", "output.error")
    usage = openai_usage(out.get("usage"), "output.usage")
    completion = _first_choice_message(out)
    if usage is None and (msgs is None or completion is None):
        raise RecordProblem("no usage and no messages/choices to count", "output.usage")
    tags = maybe_json(o.get("tags")) or {}
    hint = tags.get("promptId") or tags.get("prompt_id") if isinstance(tags, Mapping) else None
    return Raw(line=line, request_id=out.get("id"), timestamp=to_epoch_s(out.get("created"), "output.created"),
               model=out.get("model") or model, messages=msgs, tools=tools, completion=completion, usage=usage,
               latency_s=_latency(o), task_hint=hint)


def _tokens(o: Mapping, p_key: str, c_key: str, k_key: str | None, field_prefix: str = "") -> tuple | None:
    p, c = o.get(p_key), o.get(c_key)
    if p in (None, "") or c in (None, ""):
        return None
    return openai_usage({"prompt_tokens": p, "completion_tokens": c,
                         "prompt_tokens_details": {"cached_tokens": o.get(k_key) if k_key else None}},
                        field_prefix or "row")


def parse_helicone(o: Mapping, line: int) -> Raw:
    if str(o.get("response_status", "200")) not in ("200", "200.0", ""):
        raise RecordProblem(f"status {o.get('response_status')}", "response_status")
    model, msgs, tools = _req_fields(o.get("request_body"), "request_body")
    resp = maybe_json(o.get("response_body")) or {}
    usage = _tokens(o, "prompt_tokens", "completion_tokens", "prompt_cache_read_tokens")
    if usage is None and isinstance(resp, Mapping):
        usage = openai_usage(resp.get("usage"), "response_body.usage")
    completion = _first_choice_message(resp) if isinstance(resp, Mapping) else None
    if usage is None and (msgs is None or completion is None):
        raise RecordProblem("no token columns and no request/response bodies to count", "prompt_tokens")
    return Raw(line=line, request_id=o.get("request_id") or o.get("response_id"),
               timestamp=to_epoch_s(o.get("request_created_at") or o.get("response_created_at"), "request_created_at"),
               model=o.get("model") or o.get("request_model") or o.get("response_model") or model,
               messages=msgs, tools=tools, completion=completion, usage=usage, latency_s=_latency(o),
               task_hint=o.get("prompt_id") or None)


def _langfuse_usage(o: Mapping) -> tuple | None:
    details = maybe_json(o.get("usageDetails"))
    if isinstance(details, Mapping) and details:
        ins = {k: v for k, v in details.items() if k.startswith("input") and v is not None}
        outs = {k: v for k, v in details.items() if k.startswith("output") and v is not None}
        if ins or outs:
            p = sum(float(v) for v in ins.values())  # 'input' excludes the details: add them back
            c = sum(float(v) for v in outs.values())
            k = float(sum(v for kk, v in ins.items() if "cache" in kk and "write" not in kk and "creation" not in kk))
            return openai_usage({"prompt_tokens": p, "completion_tokens": c,
                                 "prompt_tokens_details": {"cached_tokens": k}}, "usageDetails")
    if o.get("inputUsage") not in (None, "") and o.get("outputUsage") not in (None, ""):
        return openai_usage({"prompt_tokens": o["inputUsage"], "completion_tokens": o["outputUsage"]}, "inputUsage")
    usage = maybe_json(o.get("usage"))
    if isinstance(usage, Mapping) and usage.get("input") is not None:
        return openai_usage({"prompt_tokens": usage.get("input"), "completion_tokens": usage.get("output")}, "usage")
    return None


def parse_langfuse(o: Mapping, line: int) -> Raw:
    if o.get("type") not in (None, "", "GENERATION"):
        raise RecordProblem(f"observation type {o.get('type')} is not a model call", "type")
    inp = maybe_json(o.get("input"))
    msgs = inp.get("messages") if isinstance(inp, Mapping) else inp
    msgs = msgs if isinstance(msgs, list) else None
    out = maybe_json(o.get("output"))
    usage = _langfuse_usage(o)
    if usage is None and (msgs is None or out is None):
        raise RecordProblem("no usage and no input/output to count", "usageDetails")
    start = to_epoch_s(o.get("startTime"), "startTime")
    end = to_epoch_s(o.get("endTime"), "endTime")
    return Raw(line=line, request_id=o.get("id"), timestamp=start, model=o.get("model"), messages=msgs,
               completion=out, usage=usage, latency_s=(end - start) if start is not None and end is not None else None,
               task_hint=o.get("promptName") or None)


def _langsmith_messages(inputs: Any) -> list | None:
    inputs = maybe_json(inputs)
    if not isinstance(inputs, Mapping):
        return None
    msgs = inputs.get("messages")
    if isinstance(msgs, list) and msgs and isinstance(msgs[0], list):  # LangChain batches: [[...]]
        msgs = msgs[0]
    if not isinstance(msgs, list):
        return None
    out = []
    for m in msgs:
        if isinstance(m, Mapping) and "role" not in m and "kwargs" in m:  # serialized LangChain message
            kind = (m.get("id") or [""])[-1]
            role = {"SystemMessage": "system", "HumanMessage": "user", "AIMessage": "assistant"}.get(kind, "user")
            m = {"role": role, "content": m["kwargs"].get("content", "")}
        out.append(m)
    return out


def parse_langsmith(o: Mapping, line: int) -> Raw:
    if o.get("run_type") not in (None, "", "llm"):
        raise RecordProblem(f"run_type {o.get('run_type')} is not a model call", "run_type")
    if o.get("error"):
        raise RecordProblem("errored run", "error")
    outputs = maybe_json(o.get("outputs")) or {}
    usage = None
    if isinstance(outputs, Mapping):
        um = outputs.get("usage_metadata")
        if isinstance(um, Mapping):
            det = um.get("input_token_details") or {}
            usage = openai_usage({"prompt_tokens": um.get("input_tokens"), "completion_tokens": um.get("output_tokens"),
                                  "prompt_tokens_details": {"cached_tokens": det.get("cache_read")}},
                                 "outputs.usage_metadata")
        elif isinstance(outputs.get("llm_output"), Mapping):
            usage = openai_usage(outputs["llm_output"].get("token_usage"), "outputs.llm_output.token_usage")
    if usage is None and (o.get("prompt_tokens") or o.get("completion_tokens")):
        usage = openai_usage({"prompt_tokens": o.get("prompt_tokens"), "completion_tokens": o.get("completion_tokens")},
                             "prompt_tokens")
    msgs = _langsmith_messages(o.get("inputs"))
    completion = None
    if isinstance(outputs, Mapping):
        completion = _first_choice_message(outputs)
        gens = outputs.get("generations")
        if completion is None and isinstance(gens, list) and gens:
            g = gens[0][0] if isinstance(gens[0], list) and gens[0] else gens[0]
            completion = g.get("text") if isinstance(g, Mapping) else None
    if usage is None and (msgs is None or completion is None):
        raise RecordProblem("no token usage and no messages/outputs to count", "outputs.usage_metadata")
    extra = maybe_json(o.get("extra")) or {}
    meta = extra.get("metadata", {}) if isinstance(extra, Mapping) else {}
    inv = extra.get("invocation_params", {}) if isinstance(extra, Mapping) else {}
    inputs = maybe_json(o.get("inputs"))
    model = (meta.get("ls_model_name") if isinstance(meta, Mapping) else None) or \
            (inv.get("model") if isinstance(inv, Mapping) else None) or \
            (inputs.get("model") if isinstance(inputs, Mapping) else None)
    start = to_epoch_s(o.get("start_time"), "start_time")
    end = to_epoch_s(o.get("end_time"), "end_time")
    return Raw(line=line, request_id=o.get("id"), timestamp=start, model=model, messages=msgs, completion=completion,
               usage=usage, latency_s=(end - start) if start is not None and end is not None else None)


def parse_litellm(o: Mapping, line: int) -> Raw:
    if str(o.get("status", "success")) not in ("success", ""):
        raise RecordProblem(f"status {o.get('status')}", "status")
    usage = _tokens(o, "prompt_tokens", "completion_tokens", None)
    meta = maybe_json(o.get("metadata")) or {}
    uo = meta.get("usage_object") if isinstance(meta, Mapping) else None
    if isinstance(uo, Mapping) and usage is not None:
        full = openai_usage(uo, "metadata.usage_object")
        if full is not None:
            usage = (usage[0], usage[1], full[2])
    msgs = maybe_json(o.get("messages"))
    msgs = msgs if isinstance(msgs, list) and msgs else None
    resp = maybe_json(o.get("response"))
    completion = _first_choice_message(resp) if isinstance(resp, Mapping) else None
    if usage is None and (msgs is None or completion is None):
        raise RecordProblem("no token columns and no messages/response to count", "prompt_tokens")
    start = to_epoch_s(o.get("startTime"), "startTime")
    end = to_epoch_s(o.get("endTime"), "endTime")
    return Raw(line=line, request_id=o.get("request_id"), timestamp=start, model=o.get("model_group") or o.get("model"),
               messages=msgs, completion=completion, usage=usage,
               latency_s=(end - start) if start is not None and end is not None else None)


def parse_usage_export(o: Mapping, line: int) -> Raw:
    n = o.get("num_model_requests")
    try:
        n = float(n)
    except (TypeError, ValueError):
        raise RecordProblem(f"{n!r} is not a request count", "num_model_requests") from None
    if n <= 0:
        raise RecordProblem("bucket with no requests", "num_model_requests")
    usage = _tokens(o, "input_tokens", "output_tokens", "input_cached_tokens")
    if usage is None:
        raise RecordProblem("missing input_tokens/output_tokens", "input_tokens")
    per = tuple(x / n for x in usage)
    return Raw(line=line, timestamp=to_epoch_s(o.get("start_time_iso") or o.get("start_time"), "start_time"),
               model=o.get("model") or None, usage=per, requests=n)


_TOKEN_ALIASES = (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens"))


def parse_tokens(o: Mapping, line: int) -> Raw:
    for p_key, c_key in _TOKEN_ALIASES:
        if p_key in o and c_key in o:
            break
    else:
        raise RecordProblem("no token columns (prompt_tokens, completion_tokens)", "prompt_tokens")
    k_key = next((k for k in ("cached_tokens", "input_cached_tokens", "prompt_cached_tokens") if k in o), None)
    usage = _tokens(o, p_key, c_key, k_key)
    if usage is None:
        raise RecordProblem("empty token count", p_key if o.get(p_key) in (None, "") else c_key)
    ts_key = next((k for k in ("timestamp", "created", "created_at", "time", "date", "start_time") if k in o), None)
    return Raw(line=line, request_id=o.get("request_id") or o.get("id"),
               timestamp=to_epoch_s(o.get(ts_key), ts_key) if ts_key else None, model=o.get("model") or None,
               usage=usage, latency_s=_latency(o), task_hint=(o.get("task") or o.get("prompt_id") or None))


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
    "tokens": parse_tokens,
}


def detect_record_format(o: Any) -> str | None:
    """The format a decoded record looks like, or None."""
    if not isinstance(o, Mapping):
        return None
    k = set(o)
    if "custom_id" in k:
        return "batch-output" if ("response" in k or "error" in k) and "body" not in k else "batch-input"
    if "input" in k and "output" in k and ("tags" in k or "cacheHit" in k or "durationMs" in k):
        return "openpipe"
    if "request_body" in k or "request_created_at" in k or "response_created_at" in k:
        return "helicone"
    if "traceId" in k or "usageDetails" in k or "inputUsage" in k:
        return "langfuse"
    if "run_type" in k or ("inputs" in k and "outputs" in k):
        return "langsmith"
    if "call_type" in k or ("startTime" in k and "spend" in k):
        return "litellm"
    if "num_model_requests" in k:
        return "usage-export"
    if "request" in k and "response" in k:
        return "openai"
    if "choices" in k or ("messages" in k and ("response" in k or "usage" in k)):
        return "openai"
    if "messages" in k or ("prompt" in k and "completion" in k):
        return "finetune"
    if any(p in k and c in k for p, c in _TOKEN_ALIASES):
        return "tokens"
    return None


def parse_record(fmt: str, o: Any, line: int) -> Raw:
    if not isinstance(o, Mapping):
        raise RecordProblem(f"expected a JSON object, got {type(o).__name__}")
    return FORMATS[fmt](o, line)
