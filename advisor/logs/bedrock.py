"""Amazon Bedrock model invocation logs (format ``bedrock``): what Bedrock writes to CloudWatch Logs or S3 for each
model call when model invocation logging is on (``schemaType: ModelInvocationLog``; sources in
shared/facts/log-formats.md).

A record: ``timestamp`` (ISO text), ``requestId``, ``operation`` (``InvokeModel``, ``Converse``, their stream
forms), ``modelId`` (a model id, or the ARN of an inference profile or a provisioned model: its last path part is
kept), ``input`` (``inputBodyJson``: the request body; ``inputTokenCount``; ``cacheReadInputTokenCount``,
``cacheWriteInputTokenCount`` where prompt caching ran) and ``output`` (``outputBodyJson``: the response body;
``outputTokenCount``). A failed call carries ``errorCode`` and no output.

Counts are Bedrock's own (``inputTokenCount``, ``outputTokenCount``): what it bills. As with Anthropic's API, the
input count EXCLUDES the prompt-cache reads and writes, so the prompt here is the three added (cached: the reads);
where the log lacks the cache counts, the response body's usage gives them (Anthropic Messages'
``cache_read_input_tokens``, Converse's ``cacheReadInputTokens``). The text is read from the bodies: a Messages or
Converse request (``messages``, top-level ``system``), or a text-completion prompt (``prompt``, Titan's
``inputText``); the answer from an Anthropic Messages response, a Converse ``output.message``, or the text fields
of the other model families' bodies (``generation``, ``outputText``, ``outputs[0].text``, ``choices``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.logs.record_fields import first_choice_message, object_field, request_fields, short_word
from advisor.logs.records import Raw, RecordProblem, _num, epoch_s, openai_usage, text

__all__ = ["looks_like_bedrock", "parse_bedrock", "bedrock_model"]


def looks_like_bedrock(o: Mapping) -> bool:
    """A model invocation log record.

    >>> looks_like_bedrock({"schemaType": "ModelInvocationLog"}), looks_like_bedrock({"modelId": "m", "input": {}})
    (True, False)
    >>> looks_like_bedrock({"modelId": "m", "operation": "Converse", "input": {}, "output": {}})
    True
    """
    return o.get("schemaType") == "ModelInvocationLog" or \
        ("modelId" in o and "operation" in o and isinstance(o.get("input"), dict))


def bedrock_model(model_id: Any) -> str | None:
    """The model a ``modelId`` names: a model id as it is, the last part of an inference profile's or a
    provisioned model's ARN.

    >>> bedrock_model("arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0")
    'us.anthropic.claude-sonnet-4-20250514-v1:0'
    >>> bedrock_model("anthropic.claude-3-haiku-20240307-v1:0")
    'anthropic.claude-3-haiku-20240307-v1:0'
    """
    m = text(model_id, "modelId")
    if m and m.startswith("arn:") and "/" in m:
        return m.rsplit("/", 1)[1] or m
    return m


def _object(value: Any) -> dict:
    """``value`` when it is an object, else an empty one (an optional part of a body)."""
    return value if isinstance(value, dict) else {}


def _count(block: Mapping, key: str, field: str) -> float | None:
    return _num(block.get(key), f"{field}.{key}")


def _usage(inp: Mapping, out: Mapping, body: Mapping) -> tuple[float, float, float] | None:
    """(prompt incl. cached, completion, cached) from the log's counts, the cache counts from the body where the
    log has none."""
    p = _count(inp, "inputTokenCount", "input")
    c = _count(out, "outputTokenCount", "output")
    if p is None and c is None:
        return openai_usage(body.get("usage"), "output.outputBodyJson.usage")  # the body's own, if any
    read = _count(inp, "cacheReadInputTokenCount", "input")
    write = _count(inp, "cacheWriteInputTokenCount", "input")
    u = _object(body.get("usage"))
    if read is None:  # Anthropic Messages' name, then Converse's
        read = _num(u.get("cache_read_input_tokens", u.get("cacheReadInputTokens")),
                    "output.outputBodyJson.usage.cache_read_input_tokens")
    if write is None:
        write = _num(u.get("cache_creation_input_tokens", u.get("cacheWriteInputTokens")),
                     "output.outputBodyJson.usage.cache_creation_input_tokens")
    read, write = read or 0.0, write or 0.0
    return (p or 0.0) + read + write, c or 0.0, read


def _prompt_text(body: Mapping) -> str | None:
    """A text-completion request's prompt (Llama, Mistral: ``prompt``; Titan: ``inputText``)."""
    for key in ("prompt", "inputText"):
        if isinstance(body.get(key), str):
            return body[key]
    return None


def _answer(body: Mapping) -> Any:
    """The answer of a response body of any family Bedrock serves, or None."""
    if "choices" in body or body.get("type") == "message":  # OpenAI-compatible models, Anthropic Messages
        return first_choice_message(body, "output.outputBodyJson")
    msg = body.get("output", {}).get("message") if isinstance(body.get("output"), dict) else None
    if isinstance(msg, dict) and isinstance(msg.get("content"), list):  # Converse
        return {"role": "assistant", "content": "".join(b["text"] for b in msg["content"]
                                                        if isinstance(b, dict) and isinstance(b.get("text"), str))}
    if isinstance(body.get("generation"), str):  # Llama
        return body["generation"]
    for key, inner in (("results", "outputText"), ("outputs", "text"), ("generations", "text")):  # Titan, Mistral
        items = body.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict) and isinstance(items[0].get(inner), str):
            return items[0][inner]
    return None


def parse_bedrock(o: Mapping, line: int) -> Raw:
    if o.get("errorCode") not in (None, ""):
        raise RecordProblem(f"request failed ({short_word(o['errorCode'])})", "errorCode")
    inp = object_field(o.get("input"), "input")
    out = object_field(o.get("output"), "output")
    req = object_field(inp.get("inputBodyJson"), "input.inputBodyJson")
    body = object_field(out.get("outputBodyJson"), "output.outputBodyJson")
    usage = _usage(inp, out, body)
    _, msgs, tools, opts = request_fields(req, "input.inputBodyJson") if "messages" in req else (None, None, None, None)
    prompt_text = _prompt_text(req) if msgs is None else None
    if usage is None and msgs is None and prompt_text is None:
        raise RecordProblem("no token counts (input.inputTokenCount) and no request text to count",
                            "input.inputTokenCount")
    ts, why = epoch_s(o.get("timestamp"), "timestamp")
    metrics = _object(body.get("metrics"))
    latency_ms = _num(metrics.get("latencyMs"), "output.outputBodyJson.metrics.latencyMs")
    return Raw(line=line, request_id=text(o.get("requestId"), "requestId"), timestamp=ts, time_ignored=why,
               model=bedrock_model(o.get("modelId")), messages=msgs, prompt_text=prompt_text, tools=tools,
               completion=_answer(body), usage=usage, request_options=opts,
               latency_s=latency_ms / 1000 if latency_ms is not None and 0 <= latency_ms <= 1e12 else None)
