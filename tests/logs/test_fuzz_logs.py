"""Seeded property tests of every reader and the ``count`` CLI (issue 9).

Oracle, for any bytes a user may hand us:
- no exception escapes but the project's own (:class:`AdvisorError`);
- every record written is accounted for: in the frame, in the problems, or ignored, at its PHYSICAL line;
- no line is invented; ``count --json`` prints strict JSON (no NaN/Infinity).
Fast in CI (derandomized, few examples); ``bench/fuzz.py`` runs the long campaign and the resource bombs.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import AdvisorError
from advisor.logs import MemoryFile, read_logs
from advisor.logs.reader import finalize_frame, iter_chunks
from advisor.logs.record_fields import _LATENCY_KEYS

N = int(os.environ.get("ADVISOR_FUZZ_EXAMPLES", "30"))  # bench/fuzz.py raises it for the long campaign
SETTINGS = settings(derandomize=True, max_examples=N, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# scalars that broke readers before: huge ints, inf/nan, lone surrogates, special tokens, NUL
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30), st.sampled_from([10**400, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["\udc80", "\ud800x", "<|endoftext|>", "\x00", "", "12", "1e309", "x" * 300]),
)
json_values = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                           max_leaves=12)

MESSAGE = st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant", "tool", 5, None]),
                                 "content": st.one_of(st.text(max_size=30), json_values)})
KEYS = {
    "model": st.one_of(st.sampled_from(["gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo", "o3-mini", "mystery"]), json_values),
    "messages": st.one_of(st.lists(MESSAGE, max_size=3), json_values),
    "usage": st.one_of(st.fixed_dictionaries({"prompt_tokens": json_values, "completion_tokens": json_values}),
                       json_values),
    "choices": st.one_of(st.lists(st.fixed_dictionaries({"message": st.one_of(MESSAGE, json_values)}), max_size=2),
                         json_values),
    "tools": json_values, "custom_id": st.one_of(st.sampled_from(["a", "b"]), json_values),
    "response": json_values, "body": json_values, "request": json_values, "traceId": json_values,
    "type": st.sampled_from(["GENERATION", "SPAN", "EVENT", "TOOL", "assistant", "result", "turn_context", "event_msg"]), "usageDetails": json_values,
    "startTime": json_values, "run_type": st.sampled_from(["llm", "chain"]), "inputs": json_values,
    "outputs": json_values, "id": json_values, "call_type": json_values, "num_model_requests": json_values,
    "prompt_tokens": json_values, "completion_tokens": json_values, "input_tokens": json_values,
    "output_tokens": json_values, "timestamp": json_values, "created": json_values, "latency_ms": json_values,
    "object": st.sampled_from(["page", "bucket", "response"]), "data": json_values, "observations": json_values,
    "post": json_values, "patch": json_values, "end_time": json_values, "tags": json_values,
    # OpenTelemetry spans (advisor/logs/otel.py): OTLP nesting, attribute lists or objects, span identity
    "resourceSpans": json_values, "scopeSpans": json_values, "spans": json_values, "spanId": json_values,
    "context": json_values, "status": json_values, "startTimeUnixNano": json_values,
    "attributes": st.one_of(json_values, st.lists(st.fixed_dictionaries({"key": st.sampled_from(
        ["gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.operation.name", "llm.token_count.prompt",
         "gen_ai.input.messages", "openinference.span.kind"]), "value": json_values}), max_size=4),
        # the Vercel AI SDK's (wrapper and model-call spans, their answer) and MLflow's (JSON text values)
        st.dictionaries(st.sampled_from(["ai.operationId", "ai.usage.promptTokens", "ai.usage.completionTokens",
                                         "ai.prompt", "ai.response.text", "ai.response.toolCalls", "ai.response.object",
                                         "mlflow.spanType", "mlflow.chat.tokenUsage", "mlflow.spanOutputs", "model"]),
                        st.one_of(st.sampled_from(["ai.streamText", "ai.streamText.doStream", '"CHAT_MODEL"', 12,
                                                   '{"model": "m", "choices": [{"message": {"content": "x"}}]}',
                                                   '[{"toolCallId": "c", "toolName": "f", "args": {}}]']),
                                  json_values), max_size=5)),
    "parentSpanId": st.one_of(st.sampled_from(["w", "x"]), json_values), "databricks_output": json_values,
    "info": json_values, "content_parts": json_values, "role": json_values,
    "attributes.llm.token_count.prompt": json_values,
    # Braintrust events (advisor/logs/braintrust.py)
    "span_attributes": st.one_of(st.fixed_dictionaries({"type": st.sampled_from(["llm", "task", "tool"])}), json_values),
    "metrics": st.one_of(st.fixed_dictionaries({"prompt_tokens": json_values, "completion_tokens": json_values,
                                                "prompt_cache_creation_tokens": json_values}),
                         st.fixed_dictionaries({"_dd.llmobs.input_tokens": json_values,
                                                "_dd.llmobs.output_tokens": json_values}), json_values),
    "root_span_id": json_values, "input": json_values, "output": json_values, "error": json_values,
    # Bedrock invocation logs, Anthropic batches, Jaeger/Zipkin spans, CloudWatch results and events
    "schemaType": st.sampled_from(["ModelInvocationLog", "other"]), "modelId": json_values, "operation": json_values,
    "errorCode": json_values, "params": json_values, "result": st.one_of(st.fixed_dictionaries({
        "type": st.sampled_from(["succeeded", "errored", "expired"]), "message": json_values, "error": json_values}),
        json_values),
    "spanID": json_values, "operationName": json_values, "duration": json_values, "localEndpoint": json_values,
    "logs": json_values, "events": st.one_of(st.lists(st.fixed_dictionaries({"message": st.one_of(
        st.sampled_from(['{"modelId": "m", "operation": "Converse", "input": {"inputTokenCount": 3}}', "{", "x"]),
        json_values)}), max_size=3), json_values),
    "results": st.one_of(st.lists(st.lists(st.fixed_dictionaries({"field": st.sampled_from(["@message", "@timestamp"]),
                                                                  "value": json_values}), max_size=2), max_size=2),
                         json_values),
    "statistics": json_values, "span_type": st.sampled_from(["LLM", "Function"]), "system": json_values,
    # OpenRouter generation stats, LiteLLM daily activity, Langfuse OTel attributes
    "native_tokens_prompt": json_values, "native_tokens_completion": json_values, "tokens_prompt": json_values,
    "date": json_values, "breakdown": json_values, "parent_span_id": json_values,
    # Datadog APM spans (advisor/logs/datadog.py)
    "meta": st.one_of(st.fixed_dictionaries({"_dd.llmobs.span_kind": st.sampled_from(["llm", "workflow", 3]),
                                             "error.type": json_values}), json_values),
    "span_id": json_values, "resource": st.sampled_from(["createChatCompletion", "createEmbedding", "x"]),
    "start": json_values,
    # llm logs --json rows, Ollama API responses (advisor/logs/clients.py)
    "datetime_utc": json_values, "conversation_id": json_values, "prompt_json": json_values, "prompt": json_values,
    "token_details": json_values, "done": st.one_of(st.booleans(), json_values), "created_at": json_values,
    "prompt_eval_count": json_values, "eval_count": json_values, "message": json_values,
    # Claude Code transcripts and result messages, Codex rollouts (advisor/logs/agents.py)
    "sessionId": json_values, "num_turns": json_values, "payload": json_values,
    "modelUsage": st.one_of(st.dictionaries(st.sampled_from(["m1", "m2"]), st.one_of(st.fixed_dictionaries(
        {"inputTokens": json_values, "outputTokens": json_values}), json_values), max_size=2), json_values),
    # OpenAI Evals output items, Anthropic's usage report, Gemini requests (contents)
    "sample": st.one_of(st.fixed_dictionaries({"usage": json_values, "input": json_values}), json_values),
    "starting_at": json_values, "uncached_input_tokens": json_values, "cache_creation": json_values,
    "contents": json_values, "system_instruction": json_values,
}
records = st.one_of(
    st.dictionaries(st.sampled_from(sorted(KEYS)), st.just(None), min_size=1, max_size=6).flatmap(
        lambda d: st.fixed_dictionaries({k: KEYS[k] for k in d})),
    json_values,
)


def _jsonl(recs) -> tuple[bytes, list[int]]:
    lines, where = [], []
    for i, r in enumerate(recs):
        lines.append(json.dumps(r))
        where.append(len(lines))
        if i % 3 == 1:
            lines.append("")  # blank lines do not shift the physical numbering
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"), where


def _json_array(recs) -> tuple[bytes, list[int]]:
    parts, where, line = ["["], [], 2
    for i, r in enumerate(recs):
        text = json.dumps(r, indent=1)
        where.append(line)
        parts.append(text + ("," if i < len(recs) - 1 else ""))
        line += text.count("\n") + 1
    parts.append("]")
    return "\n".join(parts).encode("utf-8", "surrogatepass"), where


def _csv(recs) -> tuple[bytes, list[int]]:
    cols = sorted({k for r in recs if isinstance(r, dict) for k in r if isinstance(k, str)}) or ["x"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    where, line = [], 1 + buf.getvalue().count("\n")  # a quoted column name may hold newlines too
    for r in recs:
        r = r if isinstance(r, dict) else {}
        cells = [v if isinstance(v, str) else json.dumps(v) for v in (r.get(c, "") for c in cols)]
        if not any(cells):
            continue
        mark = io.StringIO()
        csv.writer(mark, lineterminator="\n").writerow(cells)
        where.append(line)
        line += mark.getvalue().count("\n")  # a quoted cell may hold newlines: the next record starts lower
        w.writerow(cells)
    return buf.getvalue().encode("utf-8", "surrogatepass"), where


def _jsonl_pretty(recs) -> tuple[bytes, list[int]]:
    """Objects pretty-printed among compact lines, one after another (``jq .`` output saved as .jsonl)."""
    parts, where, line = [], [], 1
    for i, r in enumerate(recs):
        text = json.dumps(r, indent=2) if isinstance(r, dict) and i % 3 != 1 else json.dumps(r)
        where.append(line)
        parts.append(text)
        line += text.count("\n") + 1
    return ("\n".join(parts) + "\n").encode("utf-8", "surrogatepass"), where


def _sse(recs) -> tuple[bytes, list[int]]:
    """SSE text (advisor/logs/sse.py): an ``event:`` line, then each record on its ``data:`` line, a blank line after."""
    lines, where = [], []
    for r in recs:
        lines += ["event: x", "data: " + json.dumps(r), ""]
        where.append(len(lines) - 1)
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"), where


SHAPES = {"jsonl": _jsonl, "json": _json_array, "csv": _csv, "jsonl-pretty": _jsonl_pretty, "sse": _sse}


def _accounted(name: str, data: bytes, expect_lines: list[int], **kw) -> None:
    """The oracle: own errors only; every written record's line is in the work frames; none invented."""
    try:
        work = list(iter_chunks([MemoryFile(name, data)], ft_tokenizer=kw.get("ft_tokenizer")))
    except AdvisorError:
        return
    if not any(len(w) for w in work):  # nothing read (e.g. a lone quoted string is a CSV header): a clear error
        with pytest.raises(AdvisorError):
            read_logs([MemoryFile(name, data)], ft_tokenizer=None)
        return
    seen = set()
    for w in work:
        seen |= set(int(x) for x in w["line"].dropna())
    assert set(expect_lines) <= seen, f"records lost at lines {sorted(set(expect_lines) - seen)[:5]}"
    if seen and expect_lines:
        assert max(seen) <= max(expect_lines) + 1  # +1: a truncation note after the last record
    frame_all = pd.concat(work, ignore_index=True) if work else None
    if frame_all is not None and len(frame_all):
        frame, problems, _ = finalize_frame(frame_all)
        assert all(pd.isna(m) or isinstance(m, str) for m in frame["model"])  # text or missing: hashable for advise


@SETTINGS
@given(recs=st.lists(records, min_size=1, max_size=6), shape=st.sampled_from(sorted(SHAPES)),
       bom=st.booleans(), gz=st.booleans())
def test_any_records_any_shape_are_accounted_for(recs, shape, bom, gz):
    data, where = SHAPES[shape](recs)
    if bom:
        data = b"\xef\xbb\xbf" + data
    if gz:
        data = gzip.compress(data)
    _accounted(f"f.{shape}", data, where)


@settings(derandomize=True, max_examples=max(N // 2, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recs=st.lists(records, min_size=1, max_size=4))
def test_seven_b_counting_never_crashes(recs):
    data, where = _jsonl(recs)
    _accounted("f.jsonl", data, where, ft_tokenizer="mistral-v1")


@pytest.mark.slow
@SETTINGS
@given(data=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=400))
def test_arbitrary_and_truncated_bytes(data, cut):
    good = b'{"prompt_tokens": 1, "completion_tokens": 1}\n'
    for blob in (data, good + data, gzip.compress(good * 50 + data)[:cut], b"PAR1" + data, b"\x1f\x8b" + data):
        try:
            r = read_logs(MemoryFile("x.log", blob), ft_tokenizer=None)
        except AdvisorError:
            continue
        json.dumps(r.summary(), allow_nan=False)


def _strict(text: str):
    def bad(c):
        raise ValueError(f"non-strict JSON constant {c}")
    return json.loads(text, parse_constant=bad)


@settings(derandomize=True, max_examples=max(N // 2, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recs=st.lists(records, min_size=1, max_size=5), shape=st.sampled_from(sorted(SHAPES)))
def test_count_cli_exit_codes_and_strict_json(recs, shape):
    import contextlib
    import tempfile
    from pathlib import Path

    from advisor.cli.main import main
    data, _ = SHAPES[shape](recs)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"log.{shape}"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["count", str(path), "--json", "--ft-tokenizer", "none", "--completion-tokens", "10"])
    assert code in (0, 2)
    if code == 0:
        s = _strict(out.getvalue())
        assert s["requests"] >= 0 and isinstance(s["problems"], list)
    else:
        e = err.getvalue()
        assert e.startswith("error: ") and e.count("\n") == 1 and "Traceback" not in e


@pytest.mark.parametrize("name, data", [
    ("deep.jsonl", b"[" * 50_000 + b"]" * 50_000 + b"\n" + b'{"prompt_tokens": 1, "completion_tokens": 1}\n'),
    ("surrogate.jsonl", b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "a\\udc80"}], '
                        b'"choices": [{"message": {"role": "assistant", "content": "\\ud800"}}]}\n'),
    ("nul.jsonl", b'{"prompt_tokens": 1, "completion_tokens": 1}\n\x00\n{"prompt_tokens": 1, "completion_tokens": 1}\n'),
])
def test_known_crashers_keep_the_good_records(name, data):
    r = read_logs(MemoryFile(name, data))
    assert len(r.frame) >= 1
    for p in r.problems:
        assert "udc80" not in p.reason and "\x00" not in p.reason  # reasons never echo record content


# Issue 24 item 1: a response (with usage) and its chat request under a key of its own, in one record, is ONE request
_OTHER_KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(
    lambda k: k not in KEYS and k not in _LATENCY_KEYS  # (a duration key beside is read: "duration_s": -1 is a problem)
    and k not in ("input", "output", "messages", "tags", "prompt", "completion"))
_CHAT_REQUEST = st.fixed_dictionaries(
    {"model": st.sampled_from(["gpt-4o", "gpt-4o-mini", "mystery"]),
     "messages": st.lists(st.fixed_dictionaries({"role": st.sampled_from(["system", "user"]),
                                                 "content": st.text(max_size=30)}), min_size=1, max_size=3)})
_COMPLETION = st.fixed_dictionaries(
    {"id": st.just("chatcmpl-x"), "object": st.just("chat.completion"), "model": st.just("gpt-4o"),
     "choices": st.lists(st.fixed_dictionaries({"message": st.fixed_dictionaries(
         {"role": st.just("assistant"), "content": st.text(max_size=30)})}), min_size=0, max_size=1),
     "usage": st.fixed_dictionaries({"prompt_tokens": st.integers(1, 10**6), "completion_tokens": st.integers(0, 10**5)})})


@st.composite
def request_beside_response(draw) -> tuple[dict, tuple[int, int]]:
    """(record, (prompt, completion) usage): the openai shape (``response``) or the openpipe one (``output``), the
    request under an unknown key (``params``, ``request_x``...), or under ``input``, with other fields beside."""
    resp = draw(_COMPLETION)
    response_key = draw(st.sampled_from(["response", "output"]))
    request_key = draw(st.one_of(st.just("input"), _OTHER_KEY)) if response_key == "output" else draw(_OTHER_KEY)
    rec = {request_key: draw(_CHAT_REQUEST), response_key: resp}
    for k, v in draw(st.dictionaries(_OTHER_KEY, st.one_of(st.integers(), st.text(max_size=5)), max_size=2)).items():
        rec.setdefault(k, v)
    order = draw(st.permutations(list(rec)))
    return {k: rec[k] for k in order}, (resp["usage"]["prompt_tokens"], resp["usage"]["completion_tokens"])


@SETTINGS
@given(case=request_beside_response(), assumed=st.sampled_from([None, 300.0]))
def test_request_beside_a_response_is_one_request(case, assumed):
    rec, (p, c) = case
    r = read_logs(MemoryFile("one.jsonl", (json.dumps(rec) + "\n").encode()), ft_tokenizer=None,
                  assumed_completion_tokens=assumed)
    s = r.summary()
    assert (s["requests"], s["prompt_tokens"], s["completion_tokens"], s["problems"]) == (1, p, c, [])
