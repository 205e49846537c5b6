"""Braintrust logs (format ``braintrust``): project-log events as the UI download, ``GET /v1/project_logs/{id}/fetch``
(``{"events": [...]}``) and BTQL (``{"data": [...]}``) give them (sources in tests/fixtures/exports/braintrust/SOURCE.md).

An event is a span: ``span_attributes.type`` ``llm`` is a model call, other types (``task``, ``function``, ``tool``,
``eval``, ``score``) are ignored. Usage is ``metrics``: ``prompt_tokens``, ``completion_tokens``,
``prompt_cached_tokens``, ``completion_reasoning_tokens``, times ``metrics.start``/``end`` (epoch seconds). The SDK's
OpenAI wrappers copy OpenAI's usage (``prompt_tokens`` INCLUDES the cached tokens); its Anthropic wrappers copy
Anthropic's (``input_tokens`` as ``prompt_tokens`` EXCLUDES ``prompt_cached_tokens`` and
``prompt_cache_creation_tokens``), told apart by ``prompt_cache_creation_tokens``, which only they write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.logs.langfuse import _beside_usage
from advisor.logs.record_fields import object_field, short_word, time_span
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

__all__ = ["parse_braintrust", "looks_like_braintrust"]


def looks_like_braintrust(k: set) -> bool:
    """A Braintrust event: its span attributes, or its metrics beside the span tree's ids.

    >>> looks_like_braintrust({"id", "span_attributes", "metrics"}), looks_like_braintrust({"input", "output", "tags"})
    (True, False)
    """
    return "span_attributes" in k or ("metrics" in k and "root_span_id" in k)


def braintrust_usage(m: Mapping) -> tuple[tuple[float, float, float] | None, float | None]:
    """((prompt incl. cached, completion, cached), reasoning tokens) from an event's ``metrics``.

    >>> braintrust_usage({"prompt_tokens": 1062, "completion_tokens": 2, "prompt_cached_tokens": 1024})
    ((1062.0, 2.0, 1024.0), None)
    >>> braintrust_usage({"prompt_tokens": 12, "completion_tokens": 9, "prompt_cached_tokens": 2048,
    ...                   "prompt_cache_creation_tokens": 300})   # Anthropic: input without the cache
    ((2360.0, 9.0, 2048.0), None)
    """
    p, c = _num(m.get("prompt_tokens"), "metrics.prompt_tokens"), _num(m.get("completion_tokens"),
                                                                          "metrics.completion_tokens")
    if p is None and c is None or not (p or c):
        return None, None
    p, c = p or 0.0, c or 0.0
    cached = _num(m.get("prompt_cached_tokens"), "metrics.prompt_cached_tokens") or 0.0
    written = _num(m.get("prompt_cache_creation_tokens"), "metrics.prompt_cache_creation_tokens")
    if written is not None:
        p += cached + written
    reasoning = _num(m.get("completion_reasoning_tokens"), "metrics.completion_reasoning_tokens")
    return (p, c, min(cached, p)), reasoning


def _completion(out: Any) -> Any:
    """The answer of an ``llm`` event: OpenAI choices (``[{"message": ...}]``), a message, or text."""
    out = maybe_json(out)
    if isinstance(out, list) and out and isinstance(out[0], dict) and "message" in out[0]:
        return check_completion(out[0]["message"], "output[0].message")
    if isinstance(out, dict) and "role" not in out:
        return None  # an object that is no message (a parsed structured output): its text is not read
    return check_completion(out, "output")


def _messages(inp: Any) -> list | None:
    inp = maybe_json(inp)
    if isinstance(inp, list):
        return check_messages(inp, "input")
    if isinstance(inp, dict) and "messages" in inp:
        return check_messages(inp.get("messages"), "input.messages")
    return None


def parse_braintrust(o: Mapping, line: int) -> Raw:
    attrs = object_field(o.get("span_attributes"), "span_attributes")
    kind = str(attrs.get("type") or o.get("type") or "").strip().lower()
    if kind != "llm":
        raise Ignored(f"Braintrust {short_word(kind or 'untyped')} span (not a model call)")
    metrics = object_field(o.get("metrics"), "metrics")
    usage, reasoning = braintrust_usage(metrics)
    if usage is None and o.get("error"):
        raise RecordProblem("errored call", "error")
    unread: list[str] = []
    msgs = _beside_usage(usage, unread, lambda: _messages(o.get("input")), None)
    completion = _beside_usage(usage, unread, lambda: _completion(o.get("output")), None)
    if usage is None and msgs is None:
        raise RecordProblem("no usage (metrics.prompt_tokens) and no input messages to count", "metrics.prompt_tokens")
    meta = object_field(o.get("metadata"), "metadata")
    start, latency, why = time_span(metrics, "start", "end")
    if start is None and why is None:
        start, why = epoch_s(o.get("created"), "created")
    return Raw(line=line, request_id=text(o.get("span_id") or o.get("id"), "span_id"), timestamp=start,
               time_ignored=why, model=text(meta.get("model"), "metadata.model"), messages=msgs,
               completion=completion, usage=usage, latency_s=latency, reasoning_tokens=reasoning,
               note="; ".join(unread) or None)
