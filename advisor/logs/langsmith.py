"""LangSmith runs: ``llm`` runs are model calls, other run types are ignored. ``usage_metadata.input_tokens``
INCLUDES ``cache_read``; LangChain messages are read in the OpenAI chat shape (sources in
shared/facts/log-formats.md). SDK post/patch halves are merged by run id before parsing (:mod:`advisor.logs.reader`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from advisor.logs.record_fields import (
    first_choice_message,
    need_text,
    object_field,
    short_word,
    time_span,
)
from advisor.logs.records import (
    Ignored,
    Raw,
    RecordProblem,
    _num,
    check_completion,
    check_messages,
    check_tools,
    maybe_json,
    openai_usage,
    request_options,
    text,
)

__all__ = ["parse_langsmith"]

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


def _usage_metadata(um: Any, field: str) -> tuple | None:
    """(prompt incl. cached, completion, cached) of a LangChain/LangSmith ``usage_metadata`` (``input_tokens``
    INCLUDES ``input_token_details.cache_read``), or None."""
    um = maybe_json(um)
    if not isinstance(um, dict) or not um:
        return None
    det = object_field(um.get("input_token_details"), f"{field}.input_token_details")
    cache = det.get("cache_read", det.get("priority_cache_read", det.get("flex_cache_read")))
    return openai_usage({"prompt_tokens": um.get("input_tokens"), "completion_tokens": um.get("output_tokens"),
                         "prompt_tokens_details": {"cached_tokens": cache}}, field)


def _generation_message(outputs: Mapping) -> Any:
    """The first generation of a LangChain ``LLMResult`` (``generations[0][0]``), or None."""
    gens = outputs.get("generations")
    if isinstance(gens, list) and gens:
        g = gens[0][0] if isinstance(gens[0], list) and gens[0] else gens[0]
        return g if isinstance(g, dict) else None
    return None


def _reasoning(outputs: Mapping) -> float | None:
    """Hidden reasoning tokens a LangChain ``usage_metadata`` reports (``output_token_details.reasoning``), or None.

    >>> _reasoning({"usage_metadata": {"output_token_details": {"reasoning": 64}}}), _reasoning({})
    (64.0, None)
    """
    msg = (_generation_message(outputs) or {}).get("message")
    kw = (msg["kwargs"] if isinstance(msg.get("kwargs"), dict) else msg) if isinstance(msg, dict) else {}
    for um in (maybe_json(outputs.get("usage_metadata")), kw.get("usage_metadata")):
        det = um.get("output_token_details") if isinstance(um, dict) else None
        v = det.get("reasoning") if isinstance(det, dict) else None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e9:
            return float(v)
    return None


def _langsmith_usage(o: Mapping, outputs: Mapping) -> tuple | None:
    usage = _usage_metadata(outputs.get("usage_metadata"), "outputs.usage_metadata")
    if usage is not None:
        return usage
    msg = (_generation_message(outputs) or {}).get("message")
    if isinstance(msg, dict):  # a LangChain chat run: the AIMessage's usage_metadata (also when llm_output is null)
        kw = msg["kwargs"] if isinstance(msg.get("kwargs"), dict) else msg
        usage = _usage_metadata(kw.get("usage_metadata"), "outputs.generations[0].message.usage_metadata")
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
        details = object_field(o.get("prompt_token_details"), "prompt_token_details")
        return openai_usage({"prompt_tokens": p, "completion_tokens": c,
                             "prompt_tokens_details": {"cached_tokens": details.get("cache_read")}}, "prompt_tokens")
    return None


def parse_langsmith(o: Mapping, line: int) -> Raw:
    run_type = str(o.get("run_type") or "llm").strip().lower()  # "LLM" from a hand-built export is a model call too
    if run_type != "llm":
        raise Ignored(f"LangSmith {short_word(run_type)} run (not a model call)")
    if o.get("error"):
        raise RecordProblem("errored run", "error")
    outputs = object_field(o.get("outputs"), "outputs")
    inputs = object_field(o.get("inputs"), "inputs")
    usage = _langsmith_usage(o, outputs)
    msgs, prompt_text = _langsmith_messages(inputs)
    completion = None
    if outputs:
        completion = first_choice_message(outputs, "outputs")
        g = _generation_message(outputs)
        if completion is None and g is not None:
            msg = g.get("message")
            completion = _lc_message(msg) if isinstance(msg, dict) and isinstance(
                msg.get("kwargs"), Mapping) else g.get("text")
            completion = check_completion(completion, "outputs.generations[0]")
    need_text(usage, msgs, prompt_text, "outputs.usage_metadata")
    extra = object_field(o.get("extra"), "extra")
    meta, inv = extra.get("metadata"), extra.get("invocation_params")
    meta = meta if isinstance(meta, Mapping) else {}
    inv = inv if isinstance(inv, Mapping) else {}
    tools = check_tools(inputs.get("tools"), "inputs.tools") or check_tools(inv.get("tools"),
                                                                             "extra.invocation_params.tools")
    opts = {**(request_options(inv) or {}), **(request_options(inputs) or {})} or None
    model = text(meta.get("ls_model_name") or inv.get("model") or inv.get("model_name") or inputs.get("model"),
                 "extra.metadata.ls_model_name")
    start, latency, why = time_span(o, "start_time", "end_time")
    return Raw(line=line, request_id=text(o.get("id"), "id"), timestamp=start, time_ignored=why, model=model,
               messages=msgs,
               prompt_text=prompt_text if msgs is None else None, tools=tools, completion=completion,
               usage=usage, latency_s=latency, request_options=opts, reasoning_tokens=_reasoning(outputs))


