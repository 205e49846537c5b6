"""Logs of local clients: simonw/llm's ``llm logs --json`` (format ``llm-logs``) and Ollama's native API responses
(format ``ollama``). Sources in shared/facts/log-formats.md.

``llm logs --json``: a JSON array of rows of llm's SQLite log, one row a prompt and its response: ``id``, ``model``
(may carry a plugin's prefix: ``anthropic/claude-3-haiku-20240307``), ``resolved_model``, ``prompt``, ``system``,
``prompt_json`` (the provider request, ``{"messages": [...]}`` for OpenAI models, or null), ``response`` (the answer's
text), ``response_json``, ``conversation_id``, ``duration_ms``, ``datetime_utc`` (ISO; rows before 2024 are naive
UTC), ``input_tokens`` / ``output_tokens`` (llm 0.19 and later: the provider's usage as it gave it; for OpenAI models
``prompt_tokens``, cache INCLUDED) and ``token_details`` (the provider's extras as JSON text, such as
``prompt_tokens_details.cached_tokens``). A row is ONE record: without token columns its text is counted
(``prompt_json.messages``, else ``system`` and ``prompt``; the answer ``response``), never its JSON cells read as
records of their own.

Ollama (``/api/generate``, ``/api/chat``): ``model`` (``name:tag``), ``created_at`` (ISO, to the nanosecond),
``response`` (generate) or ``message`` (chat), ``done``, ``total_duration`` (ns), ``prompt_eval_count`` (the prompt
tokens Ollama evaluated: it has no cache count, and a prompt served from its cache may be counted short or left out),
``eval_count`` (the answer's tokens). A streamed chunk (``done: false``) is ignored: the last one, ``done: true``,
carries the counts of its request.
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.logs.record_fields import latency_of, object_field, token_columns
from advisor.logs.records import (
    Ignored,
    Raw,
    RecordProblem,
    _num,
    check_completion,
    check_messages,
    epoch_s,
    maybe_json,
    number,
    text,
)

__all__ = ["looks_like_llm_logs", "parse_llm_logs", "looks_like_ollama", "parse_ollama"]


def looks_like_llm_logs(k: set) -> bool:
    """A row of ``llm logs --json``.

    >>> looks_like_llm_logs({"id", "model", "prompt", "response", "datetime_utc", "conversation_id"})
    True
    """
    return "datetime_utc" in k and "conversation_id" in k


def _llm_messages(o: Mapping) -> list | None:
    """The prompt of an llm row as chat messages: the provider request's, else its system prompt and prompt."""
    req = object_field(o.get("prompt_json"), "prompt_json")
    if req.get("messages") is not None:
        return check_messages(req["messages"], "prompt_json.messages")
    msgs = [{"role": role, "content": o[key]} for key, role in (("system", "system"), ("prompt", "user"))
            if isinstance(o.get(key), str) and o[key]]
    return msgs or None


def _llm_cached(o: Mapping) -> float:
    """Cached prompt tokens from ``token_details`` (OpenAI's ``prompt_tokens_details.cached_tokens``), else 0."""
    details = object_field(o.get("token_details"), "token_details")
    inner = details.get("prompt_tokens_details")
    inner = maybe_json(inner) if inner is not None else None
    if not isinstance(inner, dict):
        return 0.0
    return _num(inner.get("cached_tokens"), "token_details.prompt_tokens_details.cached_tokens") or 0.0


def parse_llm_logs(o: Mapping, line: int) -> Raw:
    usage = token_columns(o, "input_tokens", "output_tokens", None)
    if usage is not None:
        cached = _llm_cached(o)
        if cached > usage[0]:
            raise RecordProblem(f"cached_tokens {cached:g} exceed input_tokens {usage[0]:g}",
                                "token_details.prompt_tokens_details.cached_tokens")
        usage = (usage[0], usage[1], cached)
    msgs = _llm_messages(o)
    if usage is None and msgs is None:
        raise RecordProblem("no token counts (input_tokens) and no prompt text to count", "input_tokens")
    resp = object_field(o.get("response_json"), "response_json")
    ts, why = epoch_s(o.get("datetime_utc"), "datetime_utc")
    answer = o.get("response")
    return Raw(line=line, request_id=text(o.get("id"), "id"), timestamp=ts, time_ignored=why,
               model=text(resp.get("model"), "response_json.model") or text(o.get("resolved_model"), "resolved_model")
               or text(o.get("model"), "model"), messages=msgs,
               completion=check_completion(answer, "response") if answer is not None else None,
               usage=usage, latency_s=latency_of(o))


def looks_like_ollama(k: set) -> bool:
    """An Ollama ``/api/generate`` or ``/api/chat`` response (or a streamed chunk of one).

    >>> looks_like_ollama({"model", "created_at", "response", "done"}), looks_like_ollama({"model", "created_at"})
    (True, False)
    """
    return "done" in k and "created_at" in k and "model" in k and \
        ("response" in k or "message" in k or "eval_count" in k or "prompt_eval_count" in k)


def parse_ollama(o: Mapping, line: int) -> Raw:
    if o.get("done") is False:
        raise Ignored("Ollama stream chunk (the last chunk, done: true, carries its request's counts)")
    p = _num(o.get("prompt_eval_count"), "prompt_eval_count")
    c = _num(o.get("eval_count"), "eval_count")
    if p is None:  # unknown, never read as 0
        raise RecordProblem("missing: the prompt's token count is unknown", "prompt_eval_count")
    if c is None:
        raise RecordProblem("missing: the answer's token count is unknown", "eval_count")
    answer = o["message"] if "message" in o else o.get("response")
    ts, why = epoch_s(o.get("created_at"), "created_at")
    total_ns = number(o.get("total_duration"), "total_duration", high=1e18)
    return Raw(line=line, timestamp=ts, time_ignored=why, model=text(o.get("model"), "model"),
               completion=check_completion(answer, "message" if "message" in o else "response"),
               usage=(p, c, 0.0), latency_s=total_ns / 1e9 if total_ns is not None else None)
