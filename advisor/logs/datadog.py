"""Datadog APM traces of model calls (format ``datadog``): the spans ddtrace's LLM integrations write (OpenAI,
Anthropic, Vertex AI, Bedrock, LangChain), as the trace agent receives them or a test agent snapshots them: a list of
traces, each a list of spans (``[[span, ...], ...]``; sources in shared/facts/log-formats.md).

A span: ``name`` (``openai.request``, ``anthropic.request``, ...), ``resource``, ``trace_id``, ``span_id``,
``parent_id``, ``error`` (0/1), ``meta`` (text tags), ``metrics`` (number tags), ``start`` and ``duration`` in
nanoseconds.

- A span is a model call when LLM Observability marks it so (``meta["_dd.llmobs.span_kind"] == "llm"``; any other
  kind, such as ``workflow``, ``agent``, ``tool``, ``embedding``, is ignored, not a problem), or, from integrations
  older than LLM Observability, when it carries the integration's usage metrics (``openai.response.usage.*``,
  ``anthropic.response.usage.*``). Spans of neither kind are ignored; a call of a chat or completion resource without
  usage is a problem, never ignored.
- Tokens: ``metrics["_dd.llmobs.input_tokens"]`` is read as the whole prompt, cache INCLUDED (it is OpenAI's
  ``prompt_tokens``; for Anthropic spans that ddtrace adds the cache reads and writes is not verified: none of the
  spans checked had a cache), ``_dd.llmobs.cache_read_input_tokens`` the cached part, ``_dd.llmobs.output_tokens``
  the completion. Older spans: ``openai.response.usage.prompt_tokens`` / ``completion_tokens`` (a request with
  ``n`` > 1 has them summed over its choices, as billed).
- Model: ``meta["_dd.llmobs.model_name"]``, else the integration's ``*.response.model`` / ``*.request.model`` tag.
- A span with ``error: 1`` and no usage is a failed request: a problem naming the error's class (``error.type``),
  never its message (which may hold the prompt).
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.logs.record_fields import short_word
from advisor.logs.records import Ignored, Raw, RecordProblem, _num, epoch_s, number, text

__all__ = ["looks_like_datadog", "parse_datadog"]

_LLMOBS = "_dd.llmobs."
# (prompt, completion, cached) metric names: LLM Observability's, then the older integrations' own
_USAGE_KEYS = ((_LLMOBS + "input_tokens", _LLMOBS + "output_tokens", _LLMOBS + "cache_read_input_tokens"),
               ("openai.response.usage.prompt_tokens", "openai.response.usage.completion_tokens", None),
               ("anthropic.response.usage.input_tokens", "anthropic.response.usage.output_tokens", None))
_MODEL_KEYS = (_LLMOBS + "model_name", "openai.response.model", "openai.request.model", "openai.model",
               "anthropic.request.model", "vertexai.request.model", "bedrock.request.model", "langchain.request.model")
# resources of the older openai integration that are model calls (others: embeddings, files, models lists)
_CALL_RESOURCES = ("createChatCompletion", "createCompletion", "createResponse", "chat.completions.create",
                   "completions.create", "responses.create")

_CALL_NAMES = ("anthropic.request", "vertexai.request", "bedrock-runtime.command")  # spans of one model call each


def looks_like_datadog(o: Mapping) -> bool:
    """A Datadog APM span: ``meta`` and ``metrics`` maps beside the span's identity (neither OpenTelemetry's
    ``attributes`` nor Jaeger's ``tags``).

    >>> looks_like_datadog({"name": "openai.request", "span_id": 1, "meta": {}, "metrics": {}})
    True
    >>> looks_like_datadog({"meta": {}, "metrics": {}}), looks_like_datadog({"span_id": 1, "meta": "x", "metrics": {}})
    (False, False)
    """
    return isinstance(o.get("meta"), dict) and isinstance(o.get("metrics"), dict) and \
        ("span_id" in o or "resource" in o) and "attributes" not in o


def _usage(metrics: Mapping) -> tuple[float, float, float] | None:
    for p_key, c_key, k_key in _USAGE_KEYS:
        p, c = _num(metrics.get(p_key), f"metrics.{p_key}"), _num(metrics.get(c_key), f"metrics.{c_key}")
        if p is None and c is None:
            continue
        p, c = p or 0.0, c or 0.0
        k = (_num(metrics.get(k_key), f"metrics.{k_key}") if k_key else None) or 0.0
        return p, c, min(k, p)
    return None


def _error_class(meta: Mapping) -> str:
    """`` (BadRequestError)``: the class of a span's error (``error.type``, module dropped), never its message."""
    kind = meta.get("error.type")
    if not isinstance(kind, str) or not kind.strip():
        return ""
    word = short_word(kind.rsplit(".", 1)[-1])
    return f" ({word})" if word != "unexpected value" else ""


def _model(meta: Mapping) -> str | None:
    for key in _MODEL_KEYS:
        if meta.get(key) not in (None, ""):
            return text(meta[key], f"meta.{key}")
    return None


def parse_datadog(o: Mapping, line: int) -> Raw:
    if not looks_like_datadog(o):
        raise RecordProblem("not a Datadog span (expected 'meta' and 'metrics' objects beside 'span_id')", "meta")
    meta, metrics = o["meta"], o["metrics"]
    kind = meta.get(_LLMOBS + "span_kind")
    if kind not in (None, "") and str(kind).strip().lower() != "llm":
        raise Ignored(f"Datadog {short_word(kind)} span (not a model call)")
    if kind is None and "embedding" in str(o.get("resource") or "").lower():
        raise Ignored("Datadog embeddings span (not a chat or text generation call)")
    usage = _usage(metrics)
    call = kind is not None or o.get("resource") in _CALL_RESOURCES or o.get("name") in _CALL_NAMES
    if usage is None:
        if call and o.get("error") in (1, "1", True):
            raise RecordProblem("request failed" + _error_class(meta), "error")
        if call:  # a model call that logged no usage: listed, never ignored
            raise RecordProblem("model call without token usage", f"metrics.{_LLMOBS}input_tokens")
        raise Ignored("Datadog span without model-call tags")
    start, why = epoch_s(o.get("start"), "start")  # ns since the epoch
    d = number(o.get("duration"), "duration", high=1e18)  # ns
    return Raw(line=line, request_id=text(o.get("span_id"), "span_id"), timestamp=start, time_ignored=why,
               model=_model(meta), usage=usage, latency_s=d / 1e9 if d is not None else None)

