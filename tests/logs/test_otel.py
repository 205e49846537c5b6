"""OpenTelemetry spans (format ``otel``, advisor/logs/otel.py): the export shapes of tests/fixtures/exports/otel/
(SOURCE.md there), and a property over drawn spans in every shape: each model call's usage counted once, every other
span ignored, every span accounted for."""

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.logs import MemoryFile, read_logs
from advisor.logs.formats import detect_record_format
from advisor.logs.otel import span_attributes

OTEL = Path(__file__).parents[1] / "fixtures" / "exports" / "otel"


def _usage(r) -> list[tuple[float, float, float]]:
    f = r.frame
    return list(zip(f["prompt_tokens"], f["completion_tokens"], f["cached_tokens"]))


class TestFixtures:
    def test_collector_file_exporter(self):
        # otel/SOURCE.md: gen_ai chat 2410 (incl. cache read 2048) / 38 and 120 / 23; OpenInference 1310 (cached 1152)
        # / 2; Traceloop 17 / 6; the agent, tool and chain spans ignored; the errored span without usage listed
        r = read_logs(OTEL / "otlp-file-exporter.jsonl", ft_tokenizer=None)
        assert _usage(r) == [(2410, 38, 2048), (120, 23, 0), (1310, 2, 1152), (17, 6, 0)]
        assert list(r.frame["model"]) == ["claude-sonnet-4-5-20250929"] * 2 + ["gpt-4o-mini-2024-07-18"] * 2
        assert r.summary()["ignored"] == 3
        assert [(p.line, p.reason) for p in r.problems] == [
            (2, "resourceSpans[0].scopeSpans[1].spans[1]: field 'status': errored span")]
        first = r.frame["timestamp"].min() - pd.Timestamp("2025-12-02T06:00:00.1", tz="UTC")  # startTimeUnixNano
        assert abs(first) < pd.Timedelta(microseconds=1)  # epoch seconds as a float: ~0.1 us at 2025

    def test_semconv_messages_counted_without_usage(self):
        r = read_logs(OTEL / "otlp-trace.json", ft_tokenizer=None)
        assert list(r.frame["tokens_source"]) == ["counted"] and r.frame["prompt_tokens"].iloc[0] > 10
        assert r.summary()["ignored_by_reason"] == {"OpenTelemetry embeddings span (not a model call)": 1}

    @pytest.mark.parametrize("name, usage, ignored", [
        ("console-exporter.json", [(1480, 42, 0)], 0),
        ("phoenix-spans-api.json", [(2200, 310, 1920)], 1),
        ("phoenix-spans-dataframe.csv", [(1062, 24, 1024), (88, 9, 0)], 1),
        ("logfire-query-rows.json", [(27, 8, 0)], 1),   # pydantic-ai's agent run span repeats its call's usage
        ("vercel-ai-sdk.json", [(1650, 18, 0), (52, 13, 0)], 2),  # ai.generateText repeats its calls' sum
        ("mlflow-trace.json", [(1210, 18, 0), (80, 29, 0)], 3),  # the trace, its AGENT and TOOL spans
    ])
    def test_other_tools(self, name, usage, ignored):
        r = read_logs(OTEL / name, ft_tokenizer=None)
        assert _usage(r) == usage and r.summary()["ignored"] == ignored
        assert r.frame["timestamp"].notna().all()

    def test_phoenix_dataframe_as_parquet(self, tmp_path):
        # get_spans_dataframe().to_parquet(): numbers as floats, empty cells NaN, times as timestamps
        df = pd.read_csv(OTEL / "phoenix-spans-dataframe.csv")
        df["start_time"] = pd.to_datetime(df["start_time"])
        df["end_time"] = pd.to_datetime(df["end_time"])
        df.to_parquet(tmp_path / "spans.parquet")
        r = read_logs(tmp_path / "spans.parquet", ft_tokenizer=None)
        assert _usage(r) == [(1062, 24, 1024), (88, 9, 0)] and r.skipped == 0
        assert r.frame["latency_s"].round(3).tolist() == [1.2, 0.8]

    def test_reasoning_tokens_read(self):
        r = read_logs(OTEL / "phoenix-spans-api.json", ft_tokenizer=None)
        assert list(r.frame["reasoning_tokens"]) == [0]


def test_attribute_shapes():
    # OTLP AnyValue kinds, nested objects and lists of objects as dotted keys, NaN cells dropped
    a = span_attributes({"attributes": [
        {"key": "n", "value": {"intValue": "12"}}, {"key": "d", "value": {"doubleValue": 0.5}},
        {"key": "b", "value": {"boolValue": True}}, {"key": "kv", "value": {"kvlistValue": {"values": [
            {"key": "x", "value": {"stringValue": "y"}}]}}}]})
    assert a == {"n": 12, "d": 0.5, "b": True, "kv.x": "y"}
    assert span_attributes({"attributes": {"llm": {"input_messages": [{"message": {"role": "user"}}]}},
                            "attributes.z": float("nan")}) == {"llm.input_messages.0.message.role": "user"}


@pytest.mark.parametrize("record, fmt", [
    ({"traceId": "t", "spanId": "s", "name": "x", "attributes": []}, "otel"),
    ({"traceId": "t", "type": "GENERATION", "usageDetails": {}}, "langfuse"),   # a Langfuse observation stays one
    ({"context": {"span_id": "s"}, "attributes": {}}, "otel"),
    ({"span_kind": "LLM", "attributes.llm.token_count.prompt": 3}, "otel"),
])
def test_detection(record, fmt):
    assert detect_record_format(record) == fmt


@pytest.mark.parametrize("attrs, field", [
    ({"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": "many", "gen_ai.usage.output_tokens": 1},
     "attributes.gen_ai.usage.input_tokens"),
    ({"gen_ai.operation.name": "chat"}, "attributes.gen_ai.usage.input_tokens"),
    ({"gen_ai.operation.name": "chat", "gen_ai.request.model": ["a", "b"], "gen_ai.usage.input_tokens": 1,
      "gen_ai.usage.output_tokens": 1}, "attributes.gen_ai.request.model"),
])
def test_bad_spans_are_problems_naming_the_field(write, attrs, field):
    span = {"spanId": "s", "attributes": attrs, "startTimeUnixNano": "1764655200000000000"}
    good = {"spanId": "g", "attributes": {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 5,
                                          "gen_ai.usage.output_tokens": 1}}
    r = read_logs(write("s.jsonl", json.dumps(good) + "\n" + json.dumps(span) + "\n"), ft_tokenizer=None)
    assert len(r.frame) == 1 and [p.line for p in r.problems] == [2]
    assert f"'{field}'" in r.problems[0].reason


# ---------------------------------------------------------------------------------------------
# property: drawn spans in drawn export shapes

KINDS = {  # attributes naming the span's kind -> is it a model call
    ("gen_ai.operation.name", "chat"): True, ("gen_ai.operation.name", "text_completion"): True,
    ("gen_ai.operation.name", "invoke_agent"): False, ("gen_ai.operation.name", "execute_tool"): False,
    ("gen_ai.operation.name", "embeddings"): False, ("openinference.span.kind", "LLM"): True,
    ("openinference.span.kind", "CHAIN"): False, ("llm.request.type", "chat"): True,
    ("traceloop.span.kind", "workflow"): False, ("ai.operationId", "ai.streamText.doStream"): True,
    ("ai.operationId", "ai.generateText"): False, ("gen_ai.agent.name", "support"): False,
    ("mlflow.spanType", '"CHAT_MODEL"'): True, ("mlflow.spanType", '"AGENT"'): False, None: True,
}
USAGE_KEYS = [("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens"),
              ("llm.token_count.prompt", "llm.token_count.completion", "llm.token_count.prompt_details.cache_read"),
              ("gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "gen_ai.usage.cache_read_input_tokens")]


@st.composite
def spans(draw):
    kind = draw(st.sampled_from(list(KINDS)))
    p_key, c_key, k_key = draw(st.sampled_from(USAGE_KEYS))
    p = draw(st.integers(1, 200_000))
    c = draw(st.integers(0, 5_000))
    k = draw(st.integers(0, p))
    attrs = {p_key: p, c_key: c, k_key: k, "gen_ai.request.model": "gpt-4o-mini"}
    if kind is not None:
        attrs[kind[0]] = kind[1]
    start = draw(st.integers(1_700_000_000, 1_800_000_000))
    return attrs, start, KINDS[kind], (float(p), float(c), float(k))


def _wrapper_at(drawn: list) -> int | None:
    """The position of the first AI SDK wrapper span drawn: the parent of every AI SDK model call drawn."""
    return next((i for i, (a, _, _, _) in enumerate(drawn) if a.get("ai.operationId") == "ai.generateText"), None)


def _parent(drawn: list, i: int) -> int | None:
    w = _wrapper_at(drawn)
    return w if w is not None and drawn[i][0].get("ai.operationId", "").endswith(".doStream") else None


def _expected_calls(drawn: list, shape: str) -> list:
    """The usage of the spans counted: the model calls, and an AI SDK wrapper (ai.generateText) when none of its
    model calls is in the file (the Phoenix table keeps no parent ids: there every wrapper is counted)."""
    covered = shape != "phoenix-csv" and any(_parent(drawn, i) is not None for i in range(len(drawn)))
    w = _wrapper_at(drawn)
    return [u for i, (a, _, is_call, u) in enumerate(drawn)
            if is_call or (a.get("ai.operationId") == "ai.generateText" and not (covered and i == w))]


def _otlp(attrs: dict, start: int, i: int, int_as_text: bool, parent: int | None = None) -> dict:
    def value(v):
        if isinstance(v, int):
            return {"intValue": str(v) if int_as_text else v}
        return {"stringValue": v}
    return {"traceId": "ab" * 16, "spanId": f"{i:016x}", "name": "span", "kind": 3,
            **({"parentSpanId": f"{parent:016x}"} if parent is not None else {}),
            "startTimeUnixNano": str(start * 10**9), "endTimeUnixNano": str((start + 1) * 10**9),
            "attributes": [{"key": k, "value": value(v)} for k, v in attrs.items()], "status": {}}


def _console(attrs: dict, start: int, i: int, parent: int | None = None) -> dict:
    return {"name": "span", "context": {"trace_id": "0x" + "ab" * 16, "span_id": f"0x{i:016x}"},
            "parent_id": f"0x{parent:016x}" if parent is not None else None,
            "kind": "SpanKind.CLIENT", "start_time": pd.Timestamp(start, unit="s", tz="UTC").isoformat(),
            "end_time": pd.Timestamp(start + 1, unit="s", tz="UTC").isoformat(), "status": {"status_code": "UNSET"},
            "attributes": attrs}


def _encode(drawn: list, shape: str) -> tuple[str, bytes]:
    if shape in ("otlp-lines", "otlp-text-ints"):
        lines = [json.dumps({"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [
            {"scope": {"name": "s"}, "spans": [_otlp(a, t, i, shape == "otlp-text-ints", _parent(drawn, i))]}]}]})
            for i, (a, t, _, _) in enumerate(drawn)]
        return "spans.jsonl", ("\n".join(lines) + "\n").encode()
    if shape == "otlp-document":
        doc = {"resourceSpans": [{"scopeSpans": [{"spans": [_otlp(a, t, i, True, _parent(drawn, i))
                                                            for i, (a, t, _, _) in enumerate(drawn)]}]}]}
        return "trace.json", json.dumps(doc, indent=2).encode()
    if shape == "console":
        return "console.json", "\n".join(json.dumps(_console(a, t, i, _parent(drawn, i)), indent=4)
                                         for i, (a, t, _, _) in enumerate(drawn)).encode()
    rows = [{"context.span_id": f"{i:016x}", "span_kind": "LLM", "start_time": pd.Timestamp(t, unit="s", tz="UTC"),
             **{f"attributes.{k}": v for k, v in a.items()}} for i, (a, t, _, _) in enumerate(drawn)]
    return "spans.csv", pd.DataFrame(rows).to_csv(index=False).encode()


@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=st.lists(spans(), min_size=1, max_size=6),
       shape=st.sampled_from(["otlp-lines", "otlp-text-ints", "otlp-document", "console", "phoenix-csv"]))
def test_each_model_call_counted_once_every_other_span_ignored(drawn, shape):
    name, data = _encode(drawn, shape)
    r = read_logs([MemoryFile(name, data)], ft_tokenizer=None)
    calls = _expected_calls(drawn, shape)
    assert sorted(_usage(r)) == sorted(calls)
    assert r.skipped == 0 and r.summary()["ignored"] == len(drawn) - len(calls)
    assert r.frame["timestamp"].notna().all()


def test_a_trace_document_larger_than_a_record_is_streamed(write):
    # a whole OTLP/JSON document over --max-record-mb: its resourceSpans are read one by one, at their own lines
    def resource_span(i):
        return {"resource": {"attributes": []}, "scopeSpans": [{"scope": {"name": "s"}, "spans": [
            {"spanId": f"{i:016x}", "startTimeUnixNano": str(1764655200 * 10**9 + i), "attributes": [
                {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "10"}},
                {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "2"}},
                {"key": "pad", "value": {"stringValue": "x" * 500}}]}]}]}
    text = json.dumps({"resourceSpans": [resource_span(i) for i in range(40)]}, indent=1)
    r = read_logs(write("trace.json", text), ft_tokenizer=None, max_record_bytes=8192)
    assert len(r.frame) == 40 and r.skipped == 0 and r.summary()["prompt_tokens"] == 400
    assert r.frame["line"].is_monotonic_increasing and r.frame["line"].nunique() == 40


@pytest.mark.parametrize("name", ["vercel-ai-sdk.json", "mlflow-trace.json"])
def test_prompt_text_read_for_the_7b_counts(name):
    # the AI SDK's ai.prompt.messages and MLflow's mlflow.spanInputs (JSON text): the first call's prompt is counted
    # for the 7B model (the second call logged no text)
    r = read_logs(OTEL / name, ft_tokenizer="mistral-v1")
    assert r.frame["ft_prompt_tokens"].iloc[0] > 5 and r.skipped == 0
