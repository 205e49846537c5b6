"""MLflow 3 traces: what a model-call span's JSON attributes say beyond its usage, and the traces other exports wrap.

An MLflow trace (``Trace.to_dict()``, ``mlflow.get_trace(...).to_json()``) is ``{"info": {"trace_id",
"request_time", "state", "trace_metadata": {...}}, "data": {"spans": [...]}}``; each span's attribute values are
JSON text (``"mlflow.spanType": "\\"CHAT_MODEL\\""``). Its spans are read as OpenTelemetry spans
(:mod:`advisor.logs.otel`); this module reads:

- the model of a model-call span: ``mlflow.llm.model`` (newer MLflow), else the answer's ``model`` in
  ``mlflow.spanOutputs`` (the provider's answer: ``"gpt-4.1-2025-04-14"``), else the ``model`` argument the call
  was made with (a deployment name, on Azure);
- its answer: ``mlflow.spanOutputs`` in the OpenAI chat shape (``choices[0].message``) or the Responses shape
  (``output[].content[].text``);
- its cached prompt tokens: ``mlflow.spanOutputs.usage.prompt_tokens_details.cached_tokens`` (``mlflow.chat.tokenUsage``
  has none; its ``input_tokens`` is the provider's prompt count, which for OpenAI includes them);
- a Databricks Mosaic AI Gateway (agent endpoint) response, ``{"object": "response", "output": [...],
  "databricks_output": {"trace": <MLflow trace>}}``: its outer ``output`` carries no usage, the trace does
  (:func:`wrapped_trace`);
- a trace with no model-call span: its ``info.trace_metadata["mlflow.trace.tokenUsage"]`` (the trace's summed usage)
  as one request (:func:`trace_usage_span`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.logs.records import maybe_json

__all__ = ["MODEL_SPAN_TYPES", "outputs_model", "outputs_completion", "outputs_cached", "wrapped_trace",
           "is_trace", "trace_usage_span", "SUMMED", "SUMMED_NOTE"]

MODEL_SPAN_TYPES = ("LLM", "CHAT_MODEL")  # mlflow.entities.SpanType's model calls
SUMMED = "advisor.trace_usage"  # marks the span made of a trace's summed usage (not an MLflow attribute)
SUMMED_NOTE = "an MLflow trace with no model-call span counted as one request from its summed usage " \
    "(info.trace_metadata mlflow.trace.tokenUsage; a lower bound: it may sum several calls)"


def _outputs(a: Mapping) -> dict | None:
    out = maybe_json(a.get("mlflow.spanOutputs"))
    return out if isinstance(out, dict) else None


def outputs_model(a: Mapping) -> tuple[str, Any]:
    """(attribute, model) of an MLflow model-call span: the answer's ``model`` in ``mlflow.spanOutputs``, else the
    ``model`` argument of the call; (key, None) when neither.

    >>> outputs_model({"mlflow.spanOutputs": '{"model": "gpt-4.1-2025-04-14"}', "model": "my-deployment"})
    ('mlflow.spanOutputs.model', 'gpt-4.1-2025-04-14')
    >>> outputs_model({"model": "my-deployment"})
    ('model', 'my-deployment')
    """
    out = _outputs(a)
    if out is not None and isinstance(out.get("model"), str) and out["model"].strip():
        return "mlflow.spanOutputs.model", out["model"]
    return "model", a.get("model")


def outputs_completion(a: Mapping) -> tuple[str, Any]:
    """(field, answer) of an MLflow model-call span: ``choices[0].message`` (OpenAI chat), the ``output_text`` of a
    Responses-style ``output``, or text outputs; (field, None) when none.

    >>> outputs_completion({"mlflow.spanOutputs": '{"choices": [{"message": {"role": "assistant", "content": "Hi"}}]}'})
    ('attributes.mlflow.spanOutputs.choices[0].message', {'role': 'assistant', 'content': 'Hi'})
    >>> out = '{"output": [{"type": "message", "content": [{"type": "output_text", "text": "Yo"}]}]}'
    >>> outputs_completion({"mlflow.spanOutputs": out})[1]
    'Yo'
    """
    field = "attributes.mlflow.spanOutputs"
    raw = a.get("mlflow.spanOutputs")
    out = maybe_json(raw)
    if isinstance(out, str):
        return field, out
    if not isinstance(out, dict):
        return field, None
    choices = out.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict) and "message" in choices[0]:
        return f"{field}.choices[0].message", choices[0]["message"]
    output = out.get("output")
    if isinstance(output, list):
        texts = [str(c["text"]) for item in output if isinstance(item, dict) and isinstance(item.get("content"), list)
                 for c in item["content"] if isinstance(c, dict) and isinstance(c.get("text"), str)]
        if texts:
            return f"{field}.output", "".join(texts)
    return field, None


def outputs_cached(a: Mapping) -> tuple[str, Any]:
    """(field, cached prompt tokens) from the provider's usage in ``mlflow.spanOutputs`` (OpenAI's
    ``prompt_tokens_details.cached_tokens``, or the Responses API's ``input_tokens_details``).

    >>> outputs_cached({"mlflow.spanOutputs": '{"usage": {"prompt_tokens_details": {"cached_tokens": 5}}}'})
    ('attributes.mlflow.spanOutputs.usage.prompt_tokens_details.cached_tokens', 5)
    """
    out = _outputs(a)
    usage = out.get("usage") if out is not None else None
    if isinstance(usage, dict):
        for key in ("prompt_tokens_details", "input_tokens_details"):
            details = usage.get(key)
            if isinstance(details, dict) and details.get("cached_tokens") is not None:
                return f"attributes.mlflow.spanOutputs.usage.{key}.cached_tokens", details["cached_tokens"]
    return "attributes.mlflow.spanOutputs.usage", None


def is_trace(value: Mapping) -> bool:
    """An MLflow trace: ``info`` beside ``data.spans`` (a list).

    >>> is_trace({"info": {}, "data": {"spans": []}}), is_trace({"data": {"spans": []}})
    (True, False)
    """
    data = value.get("data")
    return "info" in value and isinstance(data, dict) and isinstance(data.get("spans"), list)


def wrapped_trace(value: Mapping) -> dict | None:
    """The MLflow trace a Databricks agent endpoint's response carries in ``databricks_output.trace`` (the inference
    table's ``response`` column; JSON text decoded), or None.

    >>> wrapped_trace({"object": "response", "databricks_output": {"trace": {"info": {}, "data": {"spans": []}}}})
    {'info': {}, 'data': {'spans': []}}
    >>> wrapped_trace({"object": "response", "output": []}) is None
    True
    """
    out = maybe_json(value.get("databricks_output"))
    trace = maybe_json(out.get("trace")) if isinstance(out, dict) else None
    return trace if isinstance(trace, dict) and is_trace(trace) else None


def _span_type(span: Any) -> str | None:
    attrs = maybe_json(span.get("attributes")) if isinstance(span, dict) else None
    kind = attrs.get("mlflow.spanType") if isinstance(attrs, dict) else None
    kind = maybe_json(kind) if not (isinstance(kind, str) and kind[:1] == '"') else kind.strip('"')
    return kind if isinstance(kind, str) else None


def trace_usage_span(trace: Mapping) -> dict | None:
    """When a trace has no model-call span but its ``info.trace_metadata`` records the trace's summed usage
    (``mlflow.trace.tokenUsage``): that usage as one model-call span (a lower bound of the calls it sums), timed by
    ``info.request_time``; else None (the spans stand for the calls).

    >>> sp = trace_usage_span({"info": {"trace_id": "t", "request_time": "2025-12-02T16:52:20Z", "trace_metadata": {
    ...     "mlflow.trace.tokenUsage": '{"input_tokens": 27, "output_tokens": 641}'}}, "data": {"spans": []}})
    >>> sp["attributes"]["mlflow.chat.tokenUsage"], sp["span_id"]
    ('{"input_tokens": 27, "output_tokens": 641}', 't')
    """
    spans = trace["data"]["spans"]
    if any(_span_type(sp) in MODEL_SPAN_TYPES for sp in spans):
        return None
    info = trace.get("info")
    if not isinstance(info, dict):
        return None
    meta = info.get("trace_metadata")
    usage = meta.get("mlflow.trace.tokenUsage") if isinstance(meta, dict) else None
    if not isinstance(usage, (str, dict)) or not usage:
        return None
    return {"span_id": info.get("trace_id"), "start_time": info.get("request_time"),
            "attributes": {"mlflow.spanType": '"LLM"', "mlflow.chat.tokenUsage": usage,
                           SUMMED: True}}
