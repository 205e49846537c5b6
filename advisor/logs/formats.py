"""One parser per export format: a decoded record (dict) in, a :class:`Raw` out.

Formats (``FORMATS``), with their sources in shared/facts/log-formats.md:

- ``openai``: Chat Completions request/response records (``{"request", "response"}``, a request with
  ``response``/``usage``, a bare response object, or a request alone: counted for its prompt).
- ``batch-input`` / ``batch-output``: Batch API JSONL (joined on ``custom_id``).
- ``finetune``: fine-tuning JSONL (``{"messages": [..., assistant]}`` with ``tools``; legacy
  ``{"prompt", "completion"}``).
- ``openpipe``: OpenPipe request-log export (``input``, ``output``, ``tags``, ``durationMs``).
- ``helicone``: Helicone export rows (``request_body``, ``response_body``, token columns).
- ``langfuse``: Langfuse observations (see :func:`langfuse_usage` for the usage rule); observations
  that are not GENERATIONs (SPAN, EVENT, TOOL, AGENT, CHAIN, ...) are ignored, not problems.
- ``langsmith``: LangSmith runs (``usage_metadata.input_tokens`` INCLUDES ``cache_read``); runs
  that are not ``llm`` are ignored. SDK post/patch halves are merged by run id before parsing.
- ``litellm``: LiteLLM spend logs and ``StandardLoggingPayload`` objects; cache hits are ignored.
- ``usage-export``: OpenAI usage export CSV and Usage API results (aggregated buckets:
  ``num_model_requests``); empty buckets are ignored.
- ``tokens``: any table with ``prompt_tokens``/``completion_tokens`` (or ``input_tokens``/``output_tokens``).

Every parser checks the types of what it reads (a message must be an object, ``tool_calls`` a list,
a token count a finite number): a wrong shape is a :class:`RecordProblem` naming the field. Counts written
as text may carry thousands separators (``1,234``, ``1 234``; the rule and its one ambiguous case, ``1.234``,
in :func:`~advisor.logs.records.count_text`). A placeholder time (``created: 0``, 9999-12-31) is dropped and
said in the read summary (:func:`~advisor.logs.records.epoch_s`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from advisor.logs.records import (
    Ignored,
    Raw,
    RecordProblem,
    _num,
    check_completion,
    check_messages,
    check_tools,
    epoch_s,
    maybe_json,
    number,
    openai_usage,
    request_options,
    safe_field,
    split_chat,
    text,
)

__all__ = ["FORMATS", "detect_record_format", "parse_record", "langfuse_usage"]


_WORD = re.compile(r"[A-Za-z0-9_.-]{1,24}")


def _word(value: Any) -> str:
    """A status or type value for a message: shown when it is a short code (``400``, ``SPAN``), never free text.

    >>> _word(400), _word("SPAN"), _word("Tell me about my account")
    ('400', 'SPAN', 'unexpected value')
    """
    v = str(value).strip()
    return v if _WORD.fullmatch(v) else "unexpected value"


def _obj(value: Any, field: str, *, required: bool = False) -> Mapping:
    """A JSON object (JSON text decoded); {} when absent; a problem when it is something else."""
    value = maybe_json(value)
    if value is None or value == "" or (value == [] and not required):
        if required:
            raise RecordProblem("missing", field)
        return {}
    if not isinstance(value, dict):
        raise RecordProblem(f"expected an object, got {type(value).__name__}", field)
    return value


def _first_choice_message(resp: Mapping, field: str) -> Any:
    choices = maybe_json(resp.get("choices"))
    if choices is not None and not isinstance(choices, list):
        raise RecordProblem(f"expected a list, got {type(choices).__name__}", f"{field}.choices")
    if choices:
        ch = choices[0]
        if not isinstance(ch, dict):
            raise RecordProblem(f"expected a choice object, got {type(ch).__name__}", f"{field}.choices[0]")
        msg = ch.get("message", ch.get("text"))
        return check_completion(msg, f"{field}.choices[0].message")
    if isinstance(resp.get("output_text"), str):  # Responses API convenience field
        return resp["output_text"]
    out = resp.get("output")
    if isinstance(out, list) and resp.get("object") == "response":  # Responses API output items
        return _responses_completion(out)
    return None


def _responses_completion(out: list) -> Any:
    """Responses API output items as one assistant message: text parts as content, ``function_call``
    items as tool calls (counted with the chat rules). Reasoning items carry no countable text: a
    response of reasoning only is an empty completion (reasoning models' counts are noted as lower bounds).

    >>> _responses_completion([{"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}])
    {'role': 'assistant', 'content': 'Hi'}
    >>> _responses_completion([{"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}])["tool_calls"]
    [{'id': 'c1', 'type': 'function', 'function': {'name': 'f', 'arguments': '{}'}}]
    """
    texts, calls = [], []
    for item in out:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("content"), list):
            texts += [p["text"] for p in item["content"] if isinstance(p, dict) and isinstance(p.get("text"), str)]
        elif item.get("type") == "function_call" and isinstance(item.get("name"), str):
            args = item.get("arguments")
            calls.append({"id": str(item.get("call_id") or item.get("id") or ""), "type": "function",
                          "function": {"name": item["name"], "arguments": args if isinstance(args, str) else ""}})
    msg: dict = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        msg["tool_calls"] = calls
    elif not texts:
        msg["content"] = ""
    return msg


def _responses_messages(req: Mapping, field: str) -> list | None:
    """Responses API request (``input`` text or items, ``instructions``) as chat messages."""
    inp = maybe_json(req.get("input"))
    if inp is None:
        return None
    msgs = [{"role": "developer", "content": req["instructions"]}] if isinstance(req.get("instructions"), str) else []
    if isinstance(inp, str):
        return msgs + [{"role": "user", "content": inp}]
    if isinstance(inp, list):
        items = [m for m in inp if isinstance(m, dict) and "role" in m]
        return check_messages(msgs + items, f"{field}.input")
    raise RecordProblem(f"expected text or a list of items, got {type(inp).__name__}", f"{field}.input")


def _req_fields(req: Any, field: str) -> tuple[str | None, list | None, list | None, dict | None]:
    """(model, messages, tools, request options) of a chat request body."""
    req = maybe_json(req)
    if req is None or req == "":
        return None, None, None, None
    if not isinstance(req, dict):
        raise RecordProblem(f"expected the request object, got {type(req).__name__}", field)
    msgs = check_messages(req.get("messages"), f"{field}.messages")
    opts = request_options(req)
    if msgs is None and "input" in req and "model" in req:
        msgs = _responses_messages(req, field)
        # the whole Responses body is counted by the Responses rules (advisor.tokens.responses)
        opts = {**(opts or {}), "responses_body": req}
    tools = check_tools(req.get("tools"), f"{field}.tools")
    if tools is None:
        tools = check_tools(req.get("functions"), f"{field}.functions")
    return text(req.get("model"), f"{field}.model"), msgs, tools, opts


_LATENCY = (("latency_s", 1.0), ("latency", 1.0), ("duration_s", 1.0), ("duration_ms", 1e-3),
            ("durationMs", 1e-3), ("delay_ms", 1e-3), ("latency_ms", 1e-3))
_LATENCY_KEYS = frozenset(k for k, _ in _LATENCY)


def _latency(o: Mapping) -> float | None:
    if o.keys().isdisjoint(_LATENCY_KEYS):
        return None
    for key, scale in _LATENCY:
        v = number(o.get(key), key, high=1e9)   # None: absent or empty
        if v is not None:
            return v * scale
    return None


def _span(o: Mapping, start_key: str, end_key: str) -> tuple[float | None, float | None, str | None]:
    """(start, latency, why the start time was ignored: see epoch_s)."""
    start, why = epoch_s(o.get(start_key), start_key)
    end = epoch_s(o.get(end_key), end_key)[0]
    return start, (end - start) if start is not None and end is not None and end >= start else None, why


def _hint(meta: Any) -> str | None:
    meta = maybe_json(meta)
    if not isinstance(meta, dict):
        return None
    for k in ("task", "prompt_id", "promptId"):
        if meta.get(k):
            return text(meta.get(k), f"metadata.{k}")
    return None


def _sample_weight(meta: Any, field: str = "metadata") -> float:
    """Requests one record stands for: ``1 / sample_rate`` when the log kept a known share of its requests
    (``metadata.sample_rate``, a fraction in (0, 1]: 0.005 = one request in 200, as Langfuse's SDK ``sample_rate``),
    else 1. The volume, token means and quantiles are weighted by it (``Raw.requests``).

    >>> _sample_weight({"sample_rate": 0.005}), _sample_weight({"task": "x"}), _sample_weight(None)
    (200.0, 1.0, 1.0)
    """
    meta = maybe_json(meta)
    if not isinstance(meta, dict) or meta.get("sample_rate") is None:
        return 1.0
    rate = number(meta.get("sample_rate"), f"{field}.sample_rate", low=1e-9, high=1.0)
    return 1.0 if rate is None else 1.0 / rate


def _need_text(usage, msgs, prompt_text=None, field: str = "usage") -> None:
    if usage is None and msgs is None and prompt_text is None:
        raise RecordProblem("no usage and no prompt to count", field)


def parse_openai(o: Mapping, line: int) -> Raw:
    if o.get("object") == "chat.completion.chunk" and not o.get("usage"):
        raise Ignored("streamed chunk without usage (the chunk with usage stands for its request)")
    if "request" in o or "response" in o:
        req = _obj(o.get("request", _request_beside(o, "response")), "request")
        resp = _obj(o.get("response"), "response")
        resp_field = "response"
    elif "choices" in o and "messages" not in o:
        req, resp, resp_field = {}, o, "choices"
    else:
        req, resp, resp_field = o, o, "response"
    model, msgs, tools, opts = _req_fields(req, "request")
    usage = openai_usage(resp.get("usage"), f"{resp_field}.usage" if resp is not o else "usage")
    completion = _first_choice_message(resp, resp_field if resp is not o else "response")
    _need_text(usage, msgs, field="request.messages")
    # Chat Completions answers carry "created", Responses API answers "created_at" (both epoch seconds)
    created = "created" if "created" in resp or "created_at" not in resp else "created_at"
    ts, why = epoch_s(o.get("timestamp", resp.get(created)), f"response.{created}")
    return Raw(line=line, request_id=text(resp.get("id") or o.get("id"), "id"), timestamp=ts, time_ignored=why,
               model=text(resp.get("model"), "response.model") or model or text(o.get("model"), "model"),
               messages=msgs, tools=tools, completion=completion, usage=usage, latency_s=_latency(o),
               task_hint=_hint(req.get("metadata")), request_options=opts,
               requests=_sample_weight(req.get("metadata"), "request.metadata" if req is not o else "metadata"))


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
    body = _obj(o.get("body"), "body", required=True)
    model, msgs, tools, opts = _req_fields(body, "body")
    if msgs is None:
        raise RecordProblem("no messages (only /v1/chat/completions and /v1/responses batches are supported)",
                            "body.messages")
    key = text(o.get("custom_id"), "custom_id")
    return Raw(line=line, request_id=key, model=model, messages=msgs, tools=tools,
               join_key=key, join_side="input", request_options=opts)


def parse_batch_output(o: Mapping, line: int) -> Raw:
    if o.get("error"):
        err = maybe_json(o["error"])
        code = text(err.get("code"), "error.code") if isinstance(err, dict) else None
        raise RecordProblem("request failed" + (f" ({code})" if code else ""), "error")
    resp = _obj(o.get("response"), "response", required=True)
    body = _obj(resp.get("body"), "response.body")
    status = resp.get("status_code")
    if status not in (None, 200, "200"):
        raise RecordProblem(f"status_code {_word(status)}", "response.status_code")
    usage = openai_usage(body.get("usage"), "response.body.usage")
    if usage is None:
        raise RecordProblem("no usage in the response body", "response.body.usage")
    key = text(o.get("custom_id"), "custom_id")
    ts, why = epoch_s(body.get("created"), "response.body.created")
    return Raw(line=line, request_id=key, timestamp=ts, time_ignored=why,
               model=text(body.get("model"), "response.body.model"),
               completion=_first_choice_message(body, "response.body"), usage=usage,
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
    model, msgs, tools, opts = _req_fields(o.get("input", _request_beside(o, "output")), "input")
    out = _obj(o.get("output"), "output")
    if out.get("error") and not out.get("choices"):
        raise RecordProblem("errored call", "output.error")
    usage = openai_usage(out.get("usage"), "output.usage")
    completion = _first_choice_message(out, "output")
    _need_text(usage, msgs, field="output.usage")
    tags = _obj(o.get("tags"), "tags")
    hint = tags.get("promptId") or tags.get("prompt_id")
    ts, why = epoch_s(out.get("created"), "output.created")
    return Raw(line=line, request_id=text(out.get("id"), "output.id"), timestamp=ts, time_ignored=why,
               model=text(out.get("model"), "output.model") or model, messages=msgs, tools=tools,
               completion=completion, usage=usage, latency_s=_latency(o), task_hint=text(hint, "tags.promptId"),
               request_options=opts)


def _tokens(o: Mapping, p_key: str, c_key: str, k_key: str | None) -> tuple | None:
    p, c = o.get(p_key), o.get(c_key)
    if p in (None, "") or c in (None, ""):
        return None
    p, c = _num(p, p_key), _num(c, c_key)
    assert p is not None and c is not None, "present (checked above): _num gives a number or a RecordProblem"
    k = (_num(o.get(k_key), k_key) if k_key else None) or 0.0
    if k > p:
        raise RecordProblem(f"cached {k:g} exceeds prompt {p:g}", k_key)
    return p, c, k


def parse_helicone(o: Mapping, line: int) -> Raw:
    if str(o.get("response_status", "200")).strip() not in ("200", "200.0", "", "None"):
        raise RecordProblem(f"status {_word(o.get('response_status'))}", "response_status")
    model, msgs, tools, opts = _req_fields(o.get("request_body"), "request_body")
    resp = _obj(o.get("response_body"), "response_body")
    usage = _tokens(o, "prompt_tokens", "completion_tokens", "prompt_cache_read_tokens")
    if usage is not None and usage[0] == 0 and usage[1] == 0 and msgs is not None:
        usage = None  # 0/0 columns with a body: the counts were not recorded; count the text
    if usage is None:
        usage = openai_usage(resp.get("usage"), "response_body.usage")
    completion = _first_choice_message(resp, "response_body")
    _need_text(usage, msgs, field="prompt_tokens")
    ts, why = epoch_s(o.get("request_created_at") or o.get("response_created_at"), "request_created_at")
    return Raw(line=line, request_id=text(o.get("request_id") or o.get("response_id"), "request_id"),
               timestamp=ts, time_ignored=why,
               model=text(o.get("model") or o.get("request_model") or o.get("response_model"), "model") or model,
               messages=msgs, tools=tools, completion=completion, usage=usage, latency_s=_latency(o),
               task_hint=text(o.get("prompt_id"), "prompt_id"), request_options=opts)


# ---------------------------------------------------------------------------------------------
# Langfuse


def _is_prompt_key(k: str) -> bool:
    return k.startswith(("input", "prompt"))


def _is_completion_key(k: str) -> bool:
    return k.startswith(("output", "completion"))


_BASE_KEYS = {"input", "output", "prompt_tokens", "completion_tokens", "input_tokens", "output_tokens",
              "promptTokens", "completionTokens", "inputTokens", "outputTokens"}


def langfuse_usage(details: Mapping, field: str) -> tuple[float, float, float] | None:
    """(prompt incl. cached, completion, cached) from Langfuse ``usageDetails`` (or the older ``usage``).

    Rule (documented in README): keys starting with ``input``/``prompt`` are prompt-side, ``output``/
    ``completion`` completion-side; the plain ``input``/``output`` are the base, the others details
    (``input_cached_tokens``, ``prompt_details.cache_read``, ``output_reasoning_tokens``,
    ``completion_details.reasoning``...). Langfuse's OpenAI ingestion SUBTRACTS details from the base, other
    integrations do not, so when ``total`` is given it arbitrates: base + details when that equals total,
    else base alone when that does; when neither does, the provider's total is trusted and the missing
    tokens are completion (reasoning/thinking tokens, e.g. Gemini's thoughts, are inside ``total`` and
    billed as output). Without ``total``, details are added (the Langfuse convention). Cached = prompt-side
    keys naming a cache READ (``cached``, ``cache_read``), never writes/creation.

    >>> langfuse_usage({"input": 200, "input_cached_tokens": 800, "output": 10, "total": 1010}, "u")
    (1000.0, 10.0, 800.0)
    >>> langfuse_usage({"input": 5, "output": 845, "total": 2023}, "u")   # Vertex: 1173 thinking tokens
    (5.0, 2018.0, 0.0)
    >>> langfuse_usage({"input": 1000, "prompt_details.cache_read": 800, "output": 10, "total": 1010}, "u")
    (1000.0, 10.0, 800.0)
    """
    vals: dict[str, float] = {}
    for k, v in details.items():
        if not isinstance(k, str) or v is None or v == "" or "cost" in k.lower() or k.lower() == "unit":
            continue  # the legacy usage object also holds unit ("TOKENS") and inputCost/outputCost/totalCost
        n = _num(v, f"{field}.{k}")
        if n is not None:
            vals[k] = n
    total = vals.pop("total", vals.pop("totalTokens", vals.pop("total_tokens", None)))
    p_base = sum(v for k, v in vals.items() if k in _BASE_KEYS and _is_prompt_key(k.lower()))
    c_base = sum(v for k, v in vals.items() if k in _BASE_KEYS and _is_completion_key(k.lower()))
    p_det = sum(v for k, v in vals.items() if k not in _BASE_KEYS and _is_prompt_key(k))
    c_det = sum(v for k, v in vals.items() if k not in _BASE_KEYS and _is_completion_key(k))
    cached = sum(v for k, v in vals.items() if _is_prompt_key(k) and ("cached" in k or "cache_read" in k))
    if not vals and total is None:
        return None
    if all(v == 0 for v in vals.values()) and not total:
        return None  # an empty usage object: nothing was recorded
    p, c = p_base + p_det, c_base + c_det
    if total is not None and p + c != total:
        if p_base + c_base == total:
            p, c = p_base, c_base
        elif p + c < total:
            c += total - p - c
        elif p_base + c_base < total:
            p, c = p_base, c_base + (total - p_base - c_base)
        else:
            p, c = p_base, c_base
    if p == 0 and c == 0:
        return None
    return float(p), float(c), float(min(cached, p))


_LF_MODEL_CALLS = ("GENERATION", "")


def _lf_messages(inp: Any, field: str) -> tuple[list | None, str | None, list | None, dict | None]:
    """(messages, prompt text, tools, options) from a Langfuse observation ``input``."""
    inp = maybe_json(inp)
    if inp is None or inp == "":
        return None, None, None, None
    if isinstance(inp, str):
        return None, inp, None, None
    if isinstance(inp, dict):
        if "messages" in inp:
            return (check_messages(inp.get("messages"), f"{field}.messages"),
                    None, check_tools(inp.get("tools"), f"{field}.tools"), request_options(inp))
        if "role" in inp:
            return check_messages([inp], field), None, None, None
        return None, None, None, None
    if isinstance(inp, list):
        if all(isinstance(m, dict) and "role" in m for m in inp):
            return check_messages(inp, field), None, None, None
        if all(isinstance(m, str) for m in inp):
            return None, "\n".join(inp), None, None
    return None, None, None, None


def parse_langfuse(o: Mapping, line: int) -> Raw:
    kind = str(o.get("type") or "").upper()
    if kind not in _LF_MODEL_CALLS:
        raise Ignored(f"Langfuse {_word(kind)} observation (not a model call)")
    if str(o.get("level") or "").upper() == "ERROR" and o.get("output") in (None, "", {}):
        raise RecordProblem("errored generation", "level")
    # with usage recorded, a part of a shape not read is a note, not a problem
    usage, unread = _lf_usage(o), cast(list[str], [])
    msgs, prompt_text, tools, opts = _beside_usage(usage, unread, lambda: _lf_messages(o.get("input"), "input"),
                                                   (None, None, None, None))
    params = maybe_json(o.get("modelParameters"))
    if isinstance(params, dict):
        opts = {**(request_options(params) or {}), **(opts or {})} or None
    completion = _beside_usage(usage, unread, lambda: _lf_completion(maybe_json(o.get("output"))), None)
    if usage is None and msgs is None and prompt_text is None:
        raise RecordProblem("no usage and no input to count", "usageDetails")
    start, latency, why = _span(o, "startTime", "endTime")
    return Raw(line=line, request_id=text(o.get("id"), "id"), timestamp=start, time_ignored=why,
               model=text(o.get("model") or o.get("providedModelName"), "model"), messages=msgs,
               prompt_text=prompt_text if msgs is None else None, tools=tools,
               completion=completion if usage is not None or completion is not None else None, usage=usage,
               latency_s=latency, task_hint=text(o.get("promptName"), "promptName"), request_options=opts,
               note="; ".join(unread) or None)


def _lf_usage(o: Mapping) -> tuple[float, float, float] | None:
    """The usage a Langfuse observation recorded: ``usageDetails``, the older ``usage``, or the export's
    ``inputUsage``/``outputUsage`` columns."""
    for key in ("usageDetails", "usage"):
        d = maybe_json(o.get(key))
        if isinstance(d, dict) and d and (usage := langfuse_usage(d, key)) is not None:
            return usage
    if o.get("inputUsage") in (None, "") or o.get("outputUsage") in (None, ""):
        return None
    return langfuse_usage({"input": o["inputUsage"], "output": o["outputUsage"], "total": o.get("totalUsage")},
                          "inputUsage")


def _lf_completion(out: Any) -> Any:
    if isinstance(out, dict) and "choices" in out:
        return _first_choice_message(out, "output")
    if out in (None, "") or (isinstance(out, dict) and "role" not in out and "content" not in out):
        return None
    return check_completion(out, "output")


def _beside_usage(usage: Any, unread: list[str], read: Callable[[], Any], empty: Any) -> Any:
    """``read()``; when it finds a shape the counter does not read and the record has its usage, ``empty`` and
    a note in ``unread`` (naming the field, never the text): the usage is counted, the record is not lost."""
    try:
        return read()
    except RecordProblem as p:
        if usage is None:
            raise
        where = f"field '{safe_field(p.field)}'" if p.field else "a field"
        unread.append(f"{where} of a shape not read ({p.reason}): its recorded usage counted, its text not "
                      "(7B tokens from the other records' ratio)")
        return empty


# ---------------------------------------------------------------------------------------------
# LangSmith

_LC_ROLES = {"SystemMessage": "system", "HumanMessage": "user", "AIMessage": "assistant", "ToolMessage": "tool",
             "FunctionMessage": "function", "ChatMessage": "user",
             "system": "system", "human": "user", "ai": "assistant", "tool": "tool", "function": "function"}


def _lc_message(m: Any) -> Any:
    """A LangChain message (serialized ``{"id": [..., "HumanMessage"], "kwargs": {...}}`` or
    ``{"type": "human", "content": ...}``) in the OpenAI chat shape."""
    if not isinstance(m, dict) or "role" in m:
        return m
    if isinstance(m.get("kwargs"), dict):
        ids = m.get("id")
        kind = ids[-1] if isinstance(ids, list) and ids and isinstance(ids[-1], str) else ""
        kw = m["kwargs"]
        out = {"role": _LC_ROLES.get(kind, "user"), "content": kw.get("content", "")}
        if isinstance(kw.get("tool_calls"), list):
            out["tool_calls"] = [{"type": "function", "id": c.get("id"), "function": {
                "name": c.get("name"), "arguments": _args_text(c.get("args"))}}
                for c in kw["tool_calls"] if isinstance(c, dict)]
        return out
    if isinstance(m.get("type"), str) and "content" in m:
        return {"role": _LC_ROLES.get(m["type"], "user"), "content": m.get("content")}
    return m


def _args_text(args: Any) -> str:
    """LangChain keeps tool-call arguments parsed; the API bills them as the JSON text the model wrote."""
    if isinstance(args, str):
        return args
    try:
        return json.dumps(args if args is not None else {})
    except (TypeError, ValueError):
        return str(args)


def _langsmith_messages(inputs: Mapping) -> tuple[list | None, str | None]:
    msgs = maybe_json(inputs.get("messages"))
    if isinstance(msgs, list) and msgs and isinstance(msgs[0], list):  # LangChain batches: [[...]]
        msgs = msgs[0]
    if isinstance(msgs, list):
        return check_messages([_lc_message(m) for m in msgs], "inputs.messages"), None
    prompts = inputs.get("prompts") or inputs.get("prompt")
    if isinstance(prompts, list) and prompts and isinstance(prompts[0], str):
        return None, prompts[0]
    if isinstance(prompts, str):
        return None, prompts
    if msgs is not None:
        raise RecordProblem(f"expected a list of messages, got {type(msgs).__name__}", "inputs.messages")
    return None, None


def _langsmith_usage(o: Mapping, outputs: Mapping) -> tuple | None:
    um = maybe_json(outputs.get("usage_metadata"))
    if isinstance(um, dict) and um:
        det = _obj(um.get("input_token_details"), "outputs.usage_metadata.input_token_details")
        cache = det.get("cache_read", det.get("priority_cache_read", det.get("flex_cache_read")))
        usage = openai_usage({"prompt_tokens": um.get("input_tokens"), "completion_tokens": um.get("output_tokens"),
                              "prompt_tokens_details": {"cached_tokens": cache}}, "outputs.usage_metadata")
        if usage is not None:
            return usage
    llm_output = maybe_json(outputs.get("llm_output"))
    if isinstance(llm_output, dict):
        usage = openai_usage(llm_output.get("token_usage"), "outputs.llm_output.token_usage")
        if usage is not None:
            return usage
    usage = openai_usage(outputs.get("usage"), "outputs.usage")
    if usage is not None:
        return usage
    p, c = o.get("prompt_tokens"), o.get("completion_tokens")
    if p not in (None, "") and c not in (None, "") and (_num(p, "prompt_tokens") or _num(c, "completion_tokens")):
        details = _obj(o.get("prompt_token_details"), "prompt_token_details")
        return openai_usage({"prompt_tokens": p, "completion_tokens": c,
                             "prompt_tokens_details": {"cached_tokens": details.get("cache_read")}}, "prompt_tokens")
    return None


def parse_langsmith(o: Mapping, line: int) -> Raw:
    run_type = str(o.get("run_type") or "llm").strip().lower()  # "LLM" from a hand-built export is a model call too
    if run_type != "llm":
        raise Ignored(f"LangSmith {_word(run_type)} run (not a model call)")
    if o.get("error"):
        raise RecordProblem("errored run", "error")
    outputs = _obj(o.get("outputs"), "outputs")
    inputs = _obj(o.get("inputs"), "inputs")
    usage = _langsmith_usage(o, outputs)
    msgs, prompt_text = _langsmith_messages(inputs)
    completion = None
    if outputs:
        completion = _first_choice_message(outputs, "outputs")
        gens = outputs.get("generations")
        if completion is None and isinstance(gens, list) and gens:
            g = gens[0][0] if isinstance(gens[0], list) and gens[0] else gens[0]
            if isinstance(g, dict):
                msg = g.get("message")
                completion = _lc_message(msg) if isinstance(msg, dict) and isinstance(
                    msg.get("kwargs"), Mapping) else g.get("text")
                completion = check_completion(completion, "outputs.generations[0]")
    _need_text(usage, msgs, prompt_text, "outputs.usage_metadata")
    extra = _obj(o.get("extra"), "extra")
    meta, inv = extra.get("metadata"), extra.get("invocation_params")
    meta = meta if isinstance(meta, Mapping) else {}
    inv = inv if isinstance(inv, Mapping) else {}
    tools = check_tools(inputs.get("tools"), "inputs.tools") or check_tools(inv.get("tools"),
                                                                             "extra.invocation_params.tools")
    opts = {**(request_options(inv) or {}), **(request_options(inputs) or {})} or None
    model = text(meta.get("ls_model_name") or inv.get("model") or inv.get("model_name") or inputs.get("model"),
                 "extra.metadata.ls_model_name")
    start, latency, why = _span(o, "start_time", "end_time")
    return Raw(line=line, request_id=text(o.get("id"), "id"), timestamp=start, time_ignored=why, model=model,
               messages=msgs,
               prompt_text=prompt_text if msgs is None else None, tools=tools, completion=completion,
               usage=usage, latency_s=latency, request_options=opts)


# ---------------------------------------------------------------------------------------------
# LiteLLM


def parse_litellm(o: Mapping, line: int) -> Raw:
    status = str(o.get("status") or "success").lower()
    if status not in ("success",):
        raise RecordProblem(f"status {_word(status)}", "status")
    if str(o.get("cache_hit") or "").lower() == "true":
        raise Ignored("LiteLLM cache hit (no model call)")
    usage = _tokens(o, "prompt_tokens", "completion_tokens", None)
    meta = _obj(o.get("metadata"), "metadata")
    uo = meta.get("usage_object")
    if isinstance(uo, dict) and usage is not None:
        full = openai_usage(uo, "metadata.usage_object")
        if full is not None:
            usage = (usage[0], usage[1], min(full[2], usage[0]))
    req = maybe_json(o.get("proxy_server_request"))
    req = req if isinstance(req, dict) else {}
    params = maybe_json(o.get("model_parameters"))
    params = params if isinstance(params, dict) else {}
    msgs = maybe_json(o.get("messages"))
    if isinstance(msgs, str) and msgs.strip():
        msgs = [{"role": "user", "content": msgs}]  # completion-style prompt logged as text
    msgs = check_messages(msgs, "messages") if isinstance(msgs, list) and msgs else None
    _, req_msgs, req_tools, req_opts = _req_fields(req, "proxy_server_request") if req else (None, None, None, None)
    msgs = msgs or req_msgs
    tools = check_tools(params.get("tools"), "model_parameters.tools") or req_tools
    opts = {**(req_opts or {}), **(request_options(params) or {})} or None
    resp = maybe_json(o.get("response"))
    completion = _first_choice_message(resp, "response") if isinstance(resp, dict) else None
    if usage is not None and usage[0] == 0 and usage[1] == 0 and msgs is not None:
        usage = None  # the 0 defaults of the spend-logs table: counts not recorded, count the text
    if usage is None and isinstance(resp, dict):
        usage = openai_usage(resp.get("usage"), "response.usage")
    _need_text(usage, msgs, field="prompt_tokens")
    start, latency, why = _span(o, "startTime", "endTime")
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
    usage = _tokens(o, "input_tokens", "output_tokens", "input_cached_tokens")
    if usage is None:
        raise RecordProblem("missing input_tokens/output_tokens", "input_tokens")
    per = tuple(x / n for x in usage)
    ts, why = epoch_s(o.get("start_time_iso") or o.get("start_time"), "start_time")
    return Raw(line=line, timestamp=ts, time_ignored=why,
               model=text(o.get("model"), "model"), usage=per, requests=n)


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
    ts, why = epoch_s(o.get(ts_key), ts_key) if ts_key else (None, None)
    return Raw(line=line, request_id=text(o.get("request_id") or o.get("id"), "request_id"),
               timestamp=ts, time_ignored=why, model=text(o.get("model"), "model"),
               usage=usage, latency_s=_latency(o), task_hint=text(o.get("task") or o.get("prompt_id"), "task"))


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

_LANGSMITH_PATCH = {"id", "end_time", "outputs", "error", "events", "extra", "tags", "trace_id", "dotted_order",
                    "parent_run_id", "session_id", "attachments", "status"}


def detect_record_format(o: Any) -> str | None:
    """The format a decoded record looks like, or None. Decided for each record on its own."""
    if not isinstance(o, dict):
        return None
    k = set(o)
    if "custom_id" in k:
        return "batch-output" if ("response" in k or "error" in k) and "body" not in k else "batch-input"
    if "traceId" in k or "usageDetails" in k or "inputUsage" in k or \
            ("type" in k and "startTime" in k and ("input" in k or "output" in k or "model" in k)):
        return "langfuse"
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
    return None


def _ends_with_assistant(msgs: Any) -> bool:
    return isinstance(msgs, list) and bool(msgs) and isinstance(msgs[-1], dict) and \
        msgs[-1].get("role") == "assistant"


def parse_record(fmt: str, o: Any, line: int) -> Raw:
    if not isinstance(o, dict):
        raise RecordProblem(f"expected a JSON object, got {type(o).__name__}")
    return FORMATS[fmt](o, line)
