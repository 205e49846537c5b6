"""Langfuse observations: GENERATIONs are model calls; other observation types (SPAN, EVENT, TOOL, AGENT, CHAIN,
...) are ignored, not problems. The usage rule is :func:`langfuse_usage`'s (sources in shared/facts/log-formats.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from advisor.logs.record_fields import (
    first_choice_message,
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
    request_options,
    safe_field,
    text,
)

__all__ = ["parse_langfuse", "langfuse_usage"]


_WORDS = re.compile(r"[a-z]+|[A-Z][a-z]*")


def _words(k: str) -> set[str]:
    """The words of a usage key, whatever its case style (``cache_read_input_tokens``, ``cacheReadInputTokens``)."""
    return {w.lower() for w in _WORDS.findall(k)}


def _is_prompt_key(k: str) -> bool:
    """A prompt-side usage key: one naming the input or prompt anywhere (``input_cached_tokens``,
    ``prompt_details.cache_read``, and Anthropic-style ``cache_read_input_tokens``)."""
    return not _words(k).isdisjoint(("input", "prompt"))


def _is_completion_key(k: str) -> bool:
    return not _is_prompt_key(k) and not _words(k).isdisjoint(("output", "completion"))


def _is_cache_read(k: str) -> bool:
    flat = k.lower().replace("_", "").replace(".", "")
    return "cached" in flat or "cacheread" in flat


_BASE_KEYS = {"input", "output", "prompt_tokens", "completion_tokens", "input_tokens", "output_tokens",
              "promptTokens", "completionTokens", "inputTokens", "outputTokens"}


def langfuse_usage(details: Mapping, field: str) -> tuple[float, float, float] | None:
    """(prompt incl. cached, completion, cached) from Langfuse ``usageDetails`` (or the older ``usage``).

    Rule (documented in README): keys naming ``input``/``prompt`` (as a word, anywhere) are prompt-side,
    ``output``/``completion`` completion-side; the plain ``input``/``output`` are the base, the others details
    (``input_cached_tokens``, ``prompt_details.cache_read``, ``output_reasoning_tokens``,
    ``completion_details.reasoning``, and the Anthropic-style ``cache_read_input_tokens`` /
    ``cache_creation_input_tokens`` that Mastra's Langfuse exporter sends); other keys (``reasoning`` beside
    ``output``, which already holds it) are left out. Langfuse's OpenAI ingestion SUBTRACTS details from the base, other
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
    >>> langfuse_usage({"input": 12, "cache_read_input_tokens": 2048, "cache_write_input_tokens": 300, "output": 9,
    ...                 "reasoning": 4, "total": 2369}, "u")   # Mastra: input without the cache; total with it
    (2360.0, 9.0, 2048.0)
    """
    vals: dict[str, float] = {}
    for k, v in details.items():
        if not isinstance(k, str) or v is None or v == "" or "cost" in k.lower() or k.lower() == "unit":
            continue  # the legacy usage object also holds unit ("TOKENS") and inputCost/outputCost/totalCost
        n = _num(v, f"{field}.{k}")
        if n is not None:
            vals[k] = n
    total = vals.pop("total", vals.pop("totalTokens", vals.pop("total_tokens", None)))
    p_base = sum(v for k, v in vals.items() if k in _BASE_KEYS and _is_prompt_key(k))
    c_base = sum(v for k, v in vals.items() if k in _BASE_KEYS and _is_completion_key(k))
    p_det = sum(v for k, v in vals.items() if k not in _BASE_KEYS and _is_prompt_key(k))
    c_det = sum(v for k, v in vals.items() if k not in _BASE_KEYS and _is_completion_key(k))
    cached = sum(v for k, v in vals.items() if _is_prompt_key(k) and _is_cache_read(k))
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
        raise Ignored(f"Langfuse {short_word(kind)} observation (not a model call)")
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
    start, latency, why = time_span(o, "startTime", "endTime")
    return Raw(line=line, request_id=text(o.get("id"), "id"), timestamp=start, time_ignored=why,
               model=text(o.get("model") or o.get("providedModelName"), "model"), messages=msgs,
               prompt_text=prompt_text if msgs is None else None, tools=tools,
               completion=completion if usage is not None or completion is not None else None, usage=usage,
               latency_s=latency, task_hint=text(o.get("promptName"), "promptName"), request_options=opts,
               note="; ".join(unread) or None)


def _lf_usage(o: Mapping) -> tuple[float, float, float] | None:
    """The usage a Langfuse observation recorded: ``usageDetails``, the older ``usage``, the export's
    ``inputUsage``/``outputUsage`` columns, or Langfuse v2's ``promptTokens``/``completionTokens``."""
    for key in ("usageDetails", "usage"):
        d = maybe_json(o.get(key))
        if isinstance(d, dict) and d and (usage := langfuse_usage(d, key)) is not None:
            return usage
    for p_key, c_key, t_key in (("inputUsage", "outputUsage", "totalUsage"),
                                ("promptTokens", "completionTokens", "totalTokens")):  # Langfuse v2 columns
        if o.get(p_key) not in (None, "") and o.get(c_key) not in (None, ""):
            return langfuse_usage({"input": o[p_key], "output": o[c_key], "total": o.get(t_key)}, p_key)
    return None


def _lf_completion(out: Any) -> Any:
    if isinstance(out, dict) and "choices" in out:
        return first_choice_message(out, "output")
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


