"""Whole-document exports that WRAP records: unwrapped into the records they hold.

Shapes (sources in the comments of each rule and in tests/logs/test_logs.py):
- OpenAI Usage API page ``{"object": "page", "data": [{"object": "bucket", "start_time", "end_time",
  "results": [...]}]}`` (the spec names the list ``result``, the live API ``results``: both read);
  each result gets its bucket's times; a bucket with no results is an ignored empty bucket.
- Langfuse trace download (``GET /api/public/traces/{id}``, ``TraceWithFullDetails``): a trace with
  ``observations: [...]``; the trace itself is ignored, its observations are records.
- LangSmith batch ingest payload ``{"post": [...], "patch": [...]}``: the runs (merged by id later).
- Lists under ``data``/``items``/``runs``/``records``/``logs``/``rows`` of an object that is not a record
  itself (Langfuse ``GET /api/public/observations`` pages, Helicone query results, LiteLLM ``/spend/logs/v2``),
  and OpenTelemetry's ``resourceSpans``/``scopeSpans``/``spans`` (OTLP/JSON), level by level.
- Anthropic's Admin usage report ``{"data": [{"starting_at", "ending_at", "results": [...]}], "has_more",
  "next_page"}``: each result gets its bucket's times; a bucket with no results is an ignored empty bucket.
- An MLflow trace ``{"info": {...}, "data": {"spans": [...]}}``: the trace is ignored, its spans are records (a trace
  with no model-call span: its summed usage in ``info.trace_metadata``, :mod:`advisor.logs.mlflow`); a Databricks
  agent endpoint's response ``{"object": "response", "databricks_output": {"trace": ...}}``: the trace inside.
- CloudWatch Logs: a Logs Insights query result ``{"results": [[{"field", "value"}, ...]], "statistics", "status"}``
  (each row a record: its ``@message`` decoded when it holds one, as model invocation logs do) and log events
  ``{"events": [{"timestamp", "message", ...}]}`` (each ``message`` decoded when it is a JSON record).
- Claude Code's ``result`` message of several models (``modelUsage``): one record a model
  (:func:`advisor.logs.agents.split_session_result`).
- A JSON array (a JSONL line holding an array, or an array nested in a document): its elements.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.logs.agents import split_session_result
from advisor.logs.formats import detect_record_format
from advisor.logs.jsonstream import Head, Part
from advisor.logs.mlflow import is_trace, trace_usage_span, wrapped_trace
from advisor.logs.records import Ignored, RecordProblem, maybe_json, safe_field

__all__ = ["expand"]

# the last four: OpenTelemetry's OTLP/JSON nesting (resourceSpans > scopeSpans, or the older
# instrumentationLibrarySpans, > spans), unwrapped level by level
_LIST_KEYS = ("data", "items", "runs", "records", "logs", "rows", "results", "resourceSpans", "scopeSpans",
              "instrumentationLibrarySpans", "spans")


def expand(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """(path inside the document, record | Ignored | RecordProblem) for what a decoded JSON value holds."""
    if isinstance(value, (RecordProblem, Ignored)):
        yield where, value
        return
    if isinstance(value, Part):  # an element streamed out of a big top-level object
        here = f"{value.key}[{value.index}]"
        if value.key == "data" and value.head.get("object") == "page":
            yield from _bucket(value.value, here)
        else:
            yield from _one(value.value, here)
        return
    if isinstance(value, Head):
        yield where, Ignored("Langfuse trace (its observations are read one by one)" if "observations" in value.lists
                             else "export envelope (paging fields around the records)")
        return
    if isinstance(value, list):
        if not value:
            yield where, Ignored("empty JSON array")
        for i, v in enumerate(value):
            yield from _one(v, f"{where}[{i}]")
        return
    yield from _one(value, where)


_CONTAINER_KEYS = frozenset(("object", "post", "patch", "observations", "events", "breakdown", "modelUsage",
                             "databricks_output") + _LIST_KEYS)


def _one(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value.keys().isdisjoint(_CONTAINER_KEYS):  # the common case: a plain record
        yield where, value
        return
    if isinstance(value, (RecordProblem, Ignored)):  # a cell or a log event found unreadable on the way
        yield where, value
        return
    if not isinstance(value, dict):
        what = "null" if value is None else type(value).__name__
        yield where, RecordProblem(f"expected a record (a JSON object), got {what}")
        return
    if value.get("object") == "page" and isinstance(value.get("data"), list):
        yield from _usage_page(value, where)
        return
    models = value.get("modelUsage")
    if isinstance(models, dict) and len(models) > 1 and value.get("type") == "result" and \
            all(isinstance(u, dict) for u in models.values()):  # Claude Code's result: one bucket a model
        for model, rec in split_session_result(value):
            yield f"{where}.modelUsage.{safe_field(model)}" if where else f"modelUsage.{safe_field(model)}", rec
        return
    if isinstance(value.get("post"), list) or isinstance(value.get("patch"), list):
        if set(value) <= {"post", "patch"}:
            if not value.get("post") and not value.get("patch"):
                yield where, Ignored("LangSmith batch with no runs")
            for key in ("post", "patch"):
                runs = value.get(key)
                if runs is not None and not isinstance(runs, list):   # its other half is a list: this one is broken
                    yield f"{where}.{key}" if where else key, RecordProblem("expected a list of runs", key)
                    continue
                for i, run in enumerate(runs or ()):
                    yield from _one(run, f"{where}.{key}[{i}]" if where else f"{key}[{i}]")
            return
    results = value.get("results")
    if isinstance(results, list) and results and ("statistics" in value or "status" in value) and \
            _insights_cells(results):  # a CloudWatch Logs Insights query's result (GetQueryResults)
        for i, row in enumerate(_insights_rows(results)):
            yield from _one(_logged_record(row, "@message"), f"{where}.results[{i}]" if where else f"results[{i}]")
        return
    if "date" in value and isinstance(value.get("metrics"), dict) and isinstance(value.get("breakdown"), dict):
        yield from _daily_activity(value, where)  # LiteLLM's /user/daily/activity (and team, tag) results
        return
    events = value.get("events")
    if isinstance(events, list) and events and all(isinstance(e, dict) and "message" in e for e in events) and \
            detect_record_format(value) is None:  # CloudWatch Logs' events (filter-log-events, get-log-events)
        for i, e in enumerate(events):
            yield from _one(_logged_record(e, "message"), f"{where}.events[{i}]" if where else f"events[{i}]")
        return
    if "starting_at" in value and isinstance(value.get("results"), list):  # Anthropic's usage report: a bucket
        if not value["results"]:
            yield where, Ignored("usage bucket with no requests")
        times = {k: value[k] for k in ("starting_at", "ending_at") if k in value}
        for j, r in enumerate(value["results"]):
            yield from _one({**times, **r} if isinstance(r, dict) else r,
                            f"{where}.results[{j}]" if where else f"results[{j}]")
        return
    if is_trace(value):  # an MLflow trace
        yield from _mlflow_trace(value, where)
        return
    trace = wrapped_trace(value) if "databricks_output" in value else None
    if trace is not None:  # a Databricks agent endpoint's response: its usage is in its MLflow trace
        here = f"{where}.databricks_output.trace" if where else "databricks_output.trace"
        yield where, Ignored("Databricks agent response (its MLflow trace's spans are read one by one)")
        yield from _mlflow_trace(trace, here)
        return
    obs = value.get("observations")
    if isinstance(obs, list) and "traceId" not in value:  # a Langfuse trace with its observations
        if obs and all(isinstance(o, str) for o in obs):
            yield where, RecordProblem("Langfuse trace listing observation ids only: download each trace "
                                       "(GET /api/public/traces/{id}) to get its observations", "observations")
            return
        yield where, Ignored("Langfuse trace (its observations are read one by one)")
        for i, o in enumerate(obs):
            yield from _one(o, f"{where}.observations[{i}]" if where else f"observations[{i}]")
        return
    if any(isinstance(value.get(k), list) for k in _LIST_KEYS) and detect_record_format(value) is None:
        for key in _LIST_KEYS:
            items = value.get(key)
            if isinstance(items, list):
                if not items and not _paging_around(value, key):
                    break  # an empty list inside a record of its own (a span's "logs": []): the record is listed
                if not items:
                    yield where, Ignored(f"empty '{key}' list")
                for i, v in enumerate(items):
                    yield from _one(v, f"{where}.{key}[{i}]" if where else f"{key}[{i}]")
                return
    yield where, value


def _mlflow_trace(trace: Mapping, where: str) -> Iterator[tuple[str, Any]]:
    """An MLflow trace: ignored itself, its spans read one by one; a trace with no model-call span but its summed
    usage in ``info.trace_metadata`` gives that as one span (:func:`advisor.logs.mlflow.trace_usage_span`)."""
    yield where, Ignored("MLflow trace (its spans are read one by one)")
    summed = trace_usage_span(trace)
    if summed is not None:
        yield f"{where}.info" if where else "info", summed
    for i, sp in enumerate(trace["data"]["spans"]):
        yield from _one(sp, f"{where}.data.spans[{i}]" if where else f"data.spans[{i}]")


def _paging_around(value: Mapping, key: str) -> bool:
    """Whether the object around an empty list is an export envelope: its other values are paging fields (counts,
    cursors, flags, a ``meta`` object), not the fields of a record (lists of objects such as a span's tags).

    >>> _paging_around({"data": [], "total": 0, "meta": {"page": 1}}, "data")
    True
    >>> _paging_around({"spanID": "a", "logs": [], "tags": [{"key": "k", "value": 1}]}, "logs")
    False
    """
    return not any(isinstance(v, list) and v for k, v in value.items() if k != key)


def _daily_activity(day: Mapping, where: str) -> Iterator[tuple[str, Any]]:
    """A LiteLLM daily activity result ``{date, metrics, breakdown: {models: {name: {metrics}}, providers, ...}}`` as
    one usage bucket a model (``api_requests`` requests; prompt tokens include the cache reads, as in OpenAI's usage
    buckets), read as ``usage-export``; the day's own ``metrics`` when it names no model. The other breakdowns
    (providers, API keys, endpoints) repeat the same requests: not read.

    >>> day = {"date": "2026-06-01", "metrics": {"api_requests": 2}, "breakdown": {"models": {"m": {"metrics": {
    ...     "api_requests": 2, "prompt_tokens": 10, "completion_tokens": 4, "cache_read_input_tokens": 3}}}}}
    >>> [(r["model"], r["num_model_requests"], r["input_tokens"], r["input_cached_tokens"])
    ...  for _, r in _daily_activity(day, "")]
    [('m', 2, 10, 3)]
    """
    models = day["breakdown"].get("models")
    rows = [(name, m.get("metrics")) for name, m in models.items() if isinstance(m, dict)] \
        if isinstance(models, dict) and models else [(None, day["metrics"])]
    for name, m in rows:
        here = f"{where}.breakdown.models.{name}" if name is not None else f"{where}.metrics"
        if not isinstance(m, dict):
            yield here, RecordProblem("expected the model's metrics object", "metrics")
            continue
        yield here, {"start_time": day["date"], "model": name,
                     "num_model_requests": m.get("api_requests", m.get("successful_requests")),
                     "input_tokens": m.get("prompt_tokens"), "output_tokens": m.get("completion_tokens"),
                     "input_cached_tokens": m.get("cache_read_input_tokens")}


def _is_cell(c: Any) -> bool:
    """A Logs Insights cell: ``{"field": name, "value": ...}`` (the name text, as the API writes it).

    >>> _is_cell({"field": "@message", "value": "{}"}), _is_cell({"field": ["@message"], "value": "{}"})
    (True, False)
    """
    return isinstance(c, dict) and len(c) == 2 and isinstance(c.get("field"), str) and "value" in c


def _insights_cells(results: list) -> bool:
    """Whether a ``results`` list holds CloudWatch Logs Insights cells: rows of ``{"field", "value"}`` (as the API
    gives them), or the cells of all rows in one list."""
    first = results[0]
    return _is_cell(first) or (isinstance(first, list) and bool(first) and _is_cell(first[0]))


def _insights_rows(results: list) -> Iterator[dict | RecordProblem]:
    """Each row of a Logs Insights result as ``{field: value}``; cells written in one list are cut into rows where a
    field comes again.

    >>> list(_insights_rows([{"field": "@timestamp", "value": "t1"}, {"field": "@timestamp", "value": "t2"}]))
    [{'@timestamp': 't1'}, {'@timestamp': 't2'}]
    """
    row: dict = {}
    for item in results:
        if isinstance(item, list):
            yield {c["field"]: c["value"] for c in item if _is_cell(c)} if all(_is_cell(c) for c in item) \
                else RecordProblem("expected a row of {field, value} cells")
        elif _is_cell(item):
            if item["field"] in row:
                yield row
                row = {}
            row[item["field"]] = item["value"]
        else:
            yield RecordProblem("expected a {field, value} cell")
    if row:
        yield row


def _logged_record(event: Any, key: str) -> Any:
    """The record a log event carries as JSON text under ``key`` (CloudWatch's ``message``, Insights' ``@message``),
    decoded; the event itself when its text is no JSON object.

    >>> _logged_record({"timestamp": 1, "message": '{"modelId": "m"}'}, "message")
    {'modelId': 'm'}
    >>> _logged_record({"message": "START RequestId: 1"}, "message")
    {'message': 'START RequestId: 1'}
    """
    if not isinstance(event, dict):
        return event
    msg = event.get(key)
    if isinstance(msg, str) and msg.lstrip()[:1] == "{":
        try:
            decoded = maybe_json(msg)
        except RecordProblem as p:
            return p
        if isinstance(decoded, dict):
            return decoded
    return event


def _usage_page(page: Mapping, where: str) -> Iterator[tuple[str, Any]]:
    """OpenAI Usage API: ``data`` buckets with ``results`` (or ``result``) that inherit the bucket's times."""
    if not page["data"]:  # a page with no buckets (a period with no use): accounted for, not a silent nothing
        yield where, Ignored("usage page with no buckets")
    for i, bucket in enumerate(page["data"]):
        yield from _bucket(bucket, f"{where}.data[{i}]" if where else f"data[{i}]")


def _bucket(bucket: Any, here: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(bucket, dict):
        yield here, RecordProblem(f"expected a bucket object, got {type(bucket).__name__}")
        return
    results = bucket.get("results", bucket.get("result"))
    if results is None and "num_model_requests" in bucket:
        yield here, bucket
        return
    if not isinstance(results, list):
        yield here, RecordProblem("expected a list of results", "results")
        return
    if not results:
        yield here, Ignored("usage bucket with no requests")
    times = {k: bucket[k] for k in ("start_time", "end_time") if k in bucket}
    for j, r in enumerate(results):
        yield from _one({**times, **r} if isinstance(r, dict) else r, f"{here}.results[{j}]")
