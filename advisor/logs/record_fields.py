"""What the log formats' parsers share: reading an object, a first choice, a chat request body, a latency, a time
span or token columns out of a decoded record, each checked for its type (a wrong shape is a
:class:`~advisor.errors.RecordProblem` naming the field, never echoing the value)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from advisor.logs.records import (
    RecordProblem,
    _num,
    check_completion,
    check_messages,
    check_tools,
    epoch_s,
    maybe_json,
    number,
    request_options,
    text,
)

__all__ = ["short_word", "object_field", "first_choice_message", "responses_completion", "responses_messages",
           "gemini_messages",
           "anthropic_completion", "anthropic_system",
           "request_fields", "latency_of", "time_span", "metadata_task_hint", "sample_weight", "need_text",
           "token_columns"]


_WORD = re.compile(r"[A-Za-z0-9_.-]{1,24}")


def short_word(value: Any) -> str:
    """A status or type value for a message: shown when it is a short code (``400``, ``SPAN``), never free text.

    >>> short_word(400), short_word("SPAN"), short_word("Tell me about my account")
    ('400', 'SPAN', 'unexpected value')
    """
    v = str(value).strip()
    return v if _WORD.fullmatch(v) else "unexpected value"


def object_field(value: Any, field: str, *, required: bool = False) -> Mapping:
    """A JSON object (JSON text decoded); {} when absent; a problem when it is something else."""
    if type(value) is dict:
        return value
    value = maybe_json(value)
    if value is None or value == "" or (value == [] and not required):
        if required:
            raise RecordProblem("missing", field)
        return {}
    if not isinstance(value, dict):
        raise RecordProblem(f"expected an object, got {type(value).__name__}", field)
    return value


def first_choice_message(resp: Mapping, field: str) -> Any:
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
    if resp.get("type") == "message" and isinstance(resp.get("content"), list):  # an Anthropic Messages response
        return anthropic_completion(resp["content"], f"{field}.content")
    out = resp.get("output")
    if isinstance(out, list) and resp.get("object") == "response":  # Responses API output items
        return responses_completion(out)
    return None


def anthropic_completion(blocks: list, field: str) -> dict:
    """An Anthropic Messages response's content blocks as one assistant message: text blocks as its content,
    ``tool_use`` blocks as tool calls (their input as JSON arguments, counted with the chat rules). Thinking blocks
    carry no countable text (their tokens are in the usage's output tokens).

    >>> anthropic_completion([{"type": "text", "text": "Hi"}], "content")
    {'role': 'assistant', 'content': 'Hi'}
    >>> anthropic_completion([{"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}}], "c")["tool_calls"]
    [{'id': 't1', 'type': 'function', 'function': {'name': 'f', 'arguments': '{"a": 1}'}}]
    """
    texts, calls = [], []
    for i, b in enumerate(blocks):
        if not isinstance(b, dict):
            raise RecordProblem(f"expected a content block object, got {type(b).__name__}", f"{field}[{i}]")
        if b.get("type") == "text" and isinstance(b.get("text"), str):
            texts.append(b["text"])
        elif b.get("type") == "tool_use":
            calls.append({"id": text(b.get("id"), f"{field}[{i}].id"), "type": "function",
                          "function": {"name": text(b.get("name"), f"{field}[{i}].name") or "",
                                       "arguments": json.dumps(b.get("input"), default=str)}})
    msg: dict = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if calls:
        msg["tool_calls"] = calls
    return msg


def responses_completion(out: list) -> Any:
    """Responses API output items as one assistant message: text parts as content, ``function_call``
    items as tool calls (counted with the chat rules). Reasoning items carry no countable text: a
    response of reasoning only is an empty completion (reasoning models' counts are noted as lower bounds).

    >>> responses_completion([{"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}])
    {'role': 'assistant', 'content': 'Hi'}
    >>> responses_completion([{"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}])["tool_calls"]
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


def responses_messages(req: Mapping, field: str) -> list | None:
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


def request_fields(req: Any, field: str) -> tuple[str | None, list | None, list | None, dict | None]:
    """(model, messages, tools, request options) of a chat request body."""
    req = maybe_json(req)
    if req is None or req == "":
        return None, None, None, None
    if not isinstance(req, dict):
        raise RecordProblem(f"expected the request object, got {type(req).__name__}", field)
    msgs = check_messages(req.get("messages"), f"{field}.messages")
    if msgs is not None and _anthropic_system_beside(req, msgs):  # an Anthropic Messages (or Converse) request
        msgs = [{"role": "system", "content": anthropic_system(req["system"], f"{field}.system")}, *msgs]
    if msgs is None and isinstance(req.get("contents"), list):  # a Gemini API / Vertex AI generateContent request
        msgs = gemini_messages(req, field)
    opts = request_options(req)
    if msgs is None and "input" in req and "model" in req:
        msgs = responses_messages(req, field)
        # the whole Responses body is counted by the Responses rules (advisor.tokens.responses)
        opts = {**(opts or {}), "responses_body": req}
    tools = check_tools(req.get("tools"), f"{field}.tools")
    if tools is None:
        tools = check_tools(req.get("functions"), f"{field}.functions")
    return text(req.get("model"), f"{field}.model"), msgs, tools, opts


def _parts_text(content: Any, field: str) -> str:
    """The text parts of a Gemini ``Content`` (``{"role", "parts": [{"text"}, ...]}``), joined; other parts (inline
    data, function calls) carry no text to count."""
    if not isinstance(content, dict):
        raise RecordProblem(f"expected a content object, got {type(content).__name__}", field)
    parts = content.get("parts")
    if not isinstance(parts, list):
        raise RecordProblem("expected a list of parts", f"{field}.parts")
    return "".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))


def gemini_messages(req: Mapping, field: str) -> list:
    """A Gemini ``generateContent`` request (``contents``, ``system_instruction`` / ``systemInstruction``) as chat
    messages: the role ``model`` is the assistant's.

    >>> gemini_messages({"contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
    ...                  "system_instruction": {"parts": [{"text": "Be brief."}]}}, "request")
    [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hello'}]
    """
    system_key = "system_instruction" if "system_instruction" in req else "systemInstruction"
    msgs = [{"role": "system", "content": _parts_text(req[system_key], f"{field}.{system_key}")}] \
        if req.get(system_key) is not None else []
    for i, c in enumerate(req["contents"]):
        text_ = _parts_text(c, f"{field}.contents[{i}]")
        msgs.append({"role": "assistant" if c.get("role") == "model" else "user", "content": text_})
    return msgs


def _anthropic_system_beside(req: Mapping, msgs: list) -> bool:
    """Whether a request's top-level ``system`` is an Anthropic (or Bedrock Converse) system prompt: text blocks, or
    text in a request that names Claude or an ``anthropic_version``; never beside a system message of its own (a
    logger's ``system`` field naming the provider is no prompt).

    >>> _anthropic_system_beside({"model": "claude-3-5-haiku", "system": "Be brief."}, [])
    True
    >>> _anthropic_system_beside({"model": "gpt-4o", "system": "openai"}, [])
    False
    """
    system = req.get("system")
    if system in (None, "", []) or any(isinstance(m, dict) and m.get("role") in ("system", "developer") for m in msgs):
        return False
    if isinstance(system, list):
        return all(isinstance(b, dict) and "text" in b for b in system)
    return isinstance(system, str) and (bool(req.get("anthropic_version")) or
                                        "claude" in str(req.get("model") or "").lower())


def anthropic_system(system: Any, field: str) -> str:
    """An Anthropic request's top-level ``system``: text, or a list of text blocks (joined).

    >>> anthropic_system([{"type": "text", "text": "You are "}, {"type": "text", "text": "terse."}], "system")
    'You are terse.'
    """
    if isinstance(system, str):
        return system
    if isinstance(system, list) and all(isinstance(b, dict) for b in system):
        return "".join(b["text"] for b in system if isinstance(b.get("text"), str))
    raise RecordProblem(f"expected text or a list of text blocks, got {type(system).__name__}", field)


_LATENCY = (("latency_s", 1.0), ("latency", 1.0), ("duration_s", 1.0), ("duration_ms", 1e-3),
            ("durationMs", 1e-3), ("delay_ms", 1e-3), ("latency_ms", 1e-3))
_LATENCY_KEYS = frozenset(k for k, _ in _LATENCY)


def latency_of(o: Mapping) -> float | None:
    if o.keys().isdisjoint(_LATENCY_KEYS):
        return None
    for key, scale in _LATENCY:
        v = number(o.get(key), key, high=1e9)   # None: absent or empty
        if v is not None:
            return v * scale
    return None


def time_span(o: Mapping, start_key: str, end_key: str) -> tuple[float | None, float | None, str | None]:
    """(start, latency, why the start time was ignored: see epoch_s)."""
    start, why = epoch_s(o.get(start_key), start_key)
    end = epoch_s(o.get(end_key), end_key)[0]
    return start, (end - start) if start is not None and end is not None and end >= start else None, why


def sample_weight(meta: Any, field: str = "metadata") -> float:
    """Requests one record stands for: ``1 / sample_rate`` when the log kept a known share of its requests
    (``metadata.sample_rate``, a fraction in (0, 1]: 0.005 = one request in 200, as Langfuse's SDK ``sample_rate``),
    else 1. The volume, token means and quantiles are weighted by it (``Raw.requests``).

    >>> sample_weight({"sample_rate": 0.005}), sample_weight({"task": "x"}), sample_weight(None)
    (200.0, 1.0, 1.0)
    """
    if type(meta) is not dict:  # (a dict, most often: nothing to decode)
        meta = maybe_json(meta)
    rate = meta.get("sample_rate") if isinstance(meta, dict) else None
    if rate is None:
        return 1.0
    if type(rate) is float and 1e-9 <= rate <= 1.0:  # a fraction (most): what number() makes of it, without its checks
        return 1.0 / rate
    rate = number(rate, f"{field}.sample_rate", low=1e-9, high=1.0)
    return 1.0 if rate is None else 1.0 / rate


def metadata_task_hint(meta: Any) -> str | None:
    meta = maybe_json(meta)
    if not isinstance(meta, dict):
        return None
    for k in ("task", "prompt_id", "promptId"):
        if meta.get(k):
            return text(meta.get(k), f"metadata.{k}")
    return None


def need_text(usage, msgs, prompt_text=None, field: str = "usage") -> None:
    if usage is None and msgs is None and prompt_text is None:
        raise RecordProblem("no usage and no prompt to count", field)


def token_columns(o: Mapping, p_key: str, c_key: str, k_key: str | None) -> tuple | None:
    p, c = o.get(p_key), o.get(c_key)
    if p in (None, "") or c in (None, ""):
        return None
    p, c = _num(p, p_key), _num(c, c_key)
    assert p is not None and c is not None, "present (checked above): _num gives a number or a RecordProblem"
    k = (_num(o.get(k_key), k_key) if k_key else None) or 0.0
    if k > p:
        raise RecordProblem(f"cached {k:g} exceeds prompt {p:g}", k_key)
    return p, c, k


