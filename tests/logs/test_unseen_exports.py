"""Export shapes met in real files the readers had not seen (2026-12-07 check of 14 public exports): LangSmith's SDK
run ops, Jaeger and Zipkin traces, a Batch API pair's text, Anthropic Message Batches, Amazon Bedrock invocation logs
(as JSONL, as CloudWatch Logs events and as a Logs Insights result), Prompt flow spans. The records here are written
by hand in those shapes (made-up values); each expected figure is worked out beside it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from advisor.logs import MemoryFile, read_logs
from advisor.logs.containers import _insights_rows
from advisor.workload import WHOLE_LOG, profile_tasks
from pricing.catalog import cloud_model_name, load_catalog


def _whole(frame):
    """The workload of the whole log (advisor.workload.profile_tasks)."""
    return profile_tasks(frame)[WHOLE_LOG]


def _read(name: str, *records, ft_tokenizer=None, **kw):
    body = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"
    return read_logs([MemoryFile(name, body.encode())], ft_tokenizer=ft_tokenizer, **kw)


# --- LangSmith: the SDK's run ops (post, then patch) -------------------------------------------------------------

_LLM_POST = {"id": "r1", "name": "ChatOpenAI", "run_type": "llm", "trace_id": "t", "dotted_order": "1", "tags": [],
             "start_time": "2025-03-01T10:00:00Z", "extra": {}, "events": [], "serialized": {},
             "inputs": {"messages": [[{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages",
                                                                                 "HumanMessage"],
                                       "kwargs": {"content": "Classify: refund please", "type": "human"}}]]}}
_LLM_PATCH = {"id": "r1", "name": "ChatOpenAI", "end_time": "2025-03-01T10:00:02Z", "error": None,
              "outputs": {"generations": [[{"text": "refund", "message": {"lc": 1, "type": "constructor",
                                                                            "id": ["langchain", "schema", "messages",
                                                                                   "AIMessage"],
                                                                            "kwargs": {"content": "refund"}}}]]}}


def test_langsmith_run_ops_with_named_patches_are_merged():
    # the patch names its run ({id, name, end_time, error, outputs}): still a patch, merged with its post
    chain_post = {**_LLM_POST, "id": "c1", "run_type": "chain", "name": "Agent", "inputs": {"q": "x"}}
    chain_patch = {"id": "c1", "name": "Agent", "end_time": "2025-03-01T10:00:03Z", "error": None,
                   "outputs": {"output": "refund"}}
    res = _read("ops.jsonl", _LLM_POST, chain_post, _LLM_PATCH, chain_patch)
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    assert row["tokens_source"] == "counted" and row["completion_tokens"] > 0
    assert row["latency_s"] == pytest.approx(2.0)  # end_time - start_time of the merged run
    assert sum(res.ignored.values()) == 1  # the chain run


def test_langsmith_post_with_empty_outputs_waits_for_its_patch():
    # wrap_openai's post carries outputs: {} before the run ends; its patch brings the answer and the usage
    post = {**_LLM_POST, "outputs": {}}
    patch = {**_LLM_PATCH, "outputs": {**_LLM_PATCH["outputs"],
                                       "llm_output": {"token_usage": {"prompt_tokens": 12, "completion_tokens": 2}}}}
    res = read_logs([MemoryFile("wrap.json", json.dumps({"post": [post], "patch": [patch]}).encode())],
                    ft_tokenizer=None)
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    assert row["task"] is not None  # the text of the post: a task, not usage alone
    assert row["completion_tokens"] > 0


# --- Jaeger and Zipkin traces (OpenTelemetry GenAI attributes as tags) -------------------------------------------

def _jaeger_span(span_id: str, tags: list, start_us: int = 1_735_689_600_000_000, duration_us: int = 230_892) -> dict:
    return {"traceID": "tr", "spanID": span_id, "operationName": "chat", "references": [], "startTime": start_us,
            "duration": duration_us, "tags": tags, "logs": [], "processID": "p1", "warnings": None}


def test_jaeger_trace_download_reads_its_model_call_spans():
    call = _jaeger_span("s1", [{"key": "gen_ai.operation.name", "type": "string", "value": "chat"},
                               {"key": "gen_ai.request.model", "type": "string", "value": "gpt-4o-mini"},
                               {"key": "gen_ai.usage.input_tokens", "type": "int64", "value": 10},
                               {"key": "gen_ai.usage.output_tokens", "type": "int64", "value": 14}])
    other = _jaeger_span("s2", [{"key": "span.kind", "type": "string", "value": "internal"}])
    doc = {"data": [{"traceID": "tr", "spans": [call, other], "processes": {"p1": {"serviceName": "api"}}}],
           "total": 0, "limit": 0, "offset": 0, "errors": None}
    res = read_logs([MemoryFile("traces.json", json.dumps(doc).encode())], ft_tokenizer=None)
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"], row["model"]) == (10, 14, "gpt-4o-mini")
    assert row["timestamp"].timestamp() == 1_735_689_600.0  # startTime in µs
    assert row["latency_s"] == pytest.approx(0.230892)  # duration in µs
    assert sum(res.ignored.values()) == 1  # the span without model-call attributes


def test_zipkin_span_list_is_read_as_spans_not_as_langfuse():
    span = {"traceId": "t1", "id": "s1", "name": "chat gpt-4o", "timestamp": 1_735_689_600_000_000,
            "duration": 1_500_000, "localEndpoint": {"serviceName": "api"},
            "tags": {"gen_ai.operation.name": "chat", "gen_ai.response.model": "gpt-4o",
                     "gen_ai.usage.input_tokens": "21", "gen_ai.usage.output_tokens": "5"}}
    res = read_logs([MemoryFile("zipkin.json", json.dumps([span]).encode())], ft_tokenizer=None)
    assert len(res.frame) == 1 and not res.problems
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"], row["latency_s"]) == (21, 5, pytest.approx(1.5))


def test_an_empty_list_inside_an_unknown_record_is_no_empty_envelope():
    # a record with logs: [] beside other fields (a span of a shape no reader knows) is listed, never hidden as
    # "empty 'logs' list"; an envelope around an empty page (paging fields only) is still ignored
    odd = {"span": "a", "logs": [], "labels": [{"k": "v"}]}
    with pytest.raises(Exception, match="no model calls|unknown shape"):
        _read("odd.jsonl", odd)
    empty_page = {"data": [], "total": 0, "meta": {"page": 1}}
    res = _read("page.jsonl", empty_page, {"model": "gpt-4o", "usage": {"prompt_tokens": 3, "completion_tokens": 1}})
    assert len(res.frame) == 1 and res.ignored == {"empty 'data' list": 1}


# --- Batch API pairs: the output's answer counted for the 7B model -----------------------------------------------

_BATCH_IN = {"custom_id": "q1", "method": "POST", "url": "/v1/chat/completions",
             "body": {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Label the ticket."},
                                                           {"role": "user", "content": "My card was charged twice."}]}}
_BATCH_OUT = {"id": "b1", "custom_id": "q1", "error": None,
              "response": {"status_code": 200, "body": {"id": "c1", "object": "chat.completion", "created": 1735689600,
                                                        "model": "gpt-4o-mini-2024-07-18",
                                                        "choices": [{"index": 0, "message": {
                                                            "role": "assistant", "content": "billing"}}],
                                                        "usage": {"prompt_tokens": 21, "completion_tokens": 1}}}}


def test_a_batch_pair_gives_the_7b_model_both_sides():
    res = read_logs([MemoryFile("in.jsonl", (json.dumps(_BATCH_IN) + "\n").encode()),
                     MemoryFile("out.jsonl", (json.dumps(_BATCH_OUT) + "\n").encode())], ft_tokenizer="mistral-v1")
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"]) == (21, 1)
    assert np.isfinite(row["ft_prompt_tokens"]) and np.isfinite(row["ft_completion_tokens"])
    assert row["ft_completion_tokens"] >= 2  # "billing" and </s>
    assert _whole(res.frame).text_logged is True  # not "usage only: nothing to train on"


def test_a_batch_output_alone_has_no_7b_prompt():
    res = read_logs([MemoryFile("out.jsonl", (json.dumps(_BATCH_OUT) + "\n").encode())], ft_tokenizer="mistral-v1")
    row = res.frame.iloc[0]
    assert np.isnan(row["ft_prompt_tokens"]) and np.isfinite(row["ft_completion_tokens"])


def test_an_unknown_models_batch_input_is_no_assumption_once_joined():
    inp = {**_BATCH_IN, "body": {**_BATCH_IN["body"], "model": "acme-9b"}}
    out = json.loads(json.dumps(_BATCH_OUT))
    out["response"]["body"]["model"] = "acme-9b"
    joined = read_logs([MemoryFile("in.jsonl", (json.dumps(inp) + "\n").encode()),
                        MemoryFile("out.jsonl", (json.dumps(out) + "\n").encode())], ft_tokenizer=None)
    assert not any("unknown model" in a for a in joined.assumptions)  # the usage is what counts
    alone = read_logs([MemoryFile("in.jsonl", (json.dumps(inp) + "\n").encode())], ft_tokenizer=None,
                      assumed_completion_tokens=5)
    assert any("unknown model 'acme-9b'" in a for a in alone.assumptions)  # its prompt as counted


# --- Anthropic Message Batches ----------------------------------------------------------------------------------

_A_IN = {"custom_id": "a1", "params": {"model": "claude-3-5-haiku-20241022", "max_tokens": 64,
                                       "system": [{"type": "text", "text": "Answer in one word."}],
                                       "messages": [{"role": "user", "content": "Capital of France?"}]}}
_A_OK = {"custom_id": "a1", "result": {"type": "succeeded", "message": {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022",
    "content": [{"type": "text", "text": "Paris"}], "stop_reason": "end_turn",
    "usage": {"input_tokens": 20, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 0,
              "output_tokens": 3}}}}
_A_ERR = {"custom_id": "a2", "result": {"type": "errored", "error": {
    "type": "error", "error": {"type": "invalid_request_error", "message": "secret prompt text here"}}}}


def test_anthropic_message_batches_are_joined_on_custom_id():
    res = read_logs([MemoryFile("requests.jsonl", (json.dumps(_A_IN) + "\n").encode()),
                     MemoryFile("results.jsonl", (json.dumps(_A_OK) + "\n" + json.dumps(_A_ERR) + "\n").encode())],
                    ft_tokenizer=None)
    row = res.frame.iloc[0]
    # Anthropic's input_tokens excludes the cache reads: prompt = 20 + 100, of which 100 cached
    assert (row["prompt_tokens"], row["cached_tokens"], row["completion_tokens"]) == (120, 100, 3)
    assert row["answer_kind"] == 1  # "Paris": text, measured from the content blocks
    assert row["task"] is not None
    [p] = res.problems
    assert (p.file, p.line) == ("results.jsonl", 2)
    assert "invalid_request_error" in p.reason and "secret" not in p.reason


@pytest.mark.parametrize("kind", ["canceled", "expired"])
def test_anthropic_batch_requests_that_never_ran_are_listed(kind):
    with pytest.raises(Exception, match=kind):
        _read("results.jsonl", {"custom_id": "a3", "result": {"type": kind}})


def test_an_anthropic_requests_top_level_system_is_its_first_message():
    # the system prompt makes the task: two requests under one system prompt are one task
    a = {**_A_IN, "custom_id": "x1"}
    b = {**_A_IN, "custom_id": "x2", "params": {**_A_IN["params"], "messages": [{"role": "user", "content": "Rome?"}]}}
    res = _read("in.jsonl", a, b, assumed_completion_tokens=1)
    assert res.frame["task"].nunique() == 1


# --- Amazon Bedrock model invocation logs ------------------------------------------------------------------------

def _bedrock(**over) -> dict:
    rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": "2025-08-22T09:41:06Z",
           "accountId": "1", "region": "us-east-1", "requestId": "req-1", "operation": "InvokeModel",
           "modelId": "arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
           "input": {"inputContentType": "application/json", "inputTokenCount": 219,
                     "inputBodyJson": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512,
                                       "system": "You grade essays.",
                                       "messages": [{"role": "user", "content": [{"type": "text", "text": "Essay"}]}]}},
           "output": {"outputContentType": "application/json", "outputTokenCount": 109,
                      "outputBodyJson": {"id": "msg_1", "type": "message", "role": "assistant",
                                         "content": [{"type": "text", "text": "B+"}],
                                         "usage": {"input_tokens": 219, "output_tokens": 109,
                                                   "cache_read_input_tokens": 0,
                                                   "cache_creation_input_tokens": 0}}}}
    rec.update(over)
    return rec


def test_bedrock_invocation_logs_are_read_with_bedrocks_counts():
    res = _read("bedrock.jsonl", _bedrock())
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"], row["cached_tokens"]) == (219, 109, 0)
    assert row["model"] == "us.anthropic.claude-sonnet-4-20250514-v1:0"  # the ARN's last part
    assert row["timestamp"].isoformat().startswith("2025-08-22T09:41:06")
    assert row["task"] is not None and row["answer_kind"] == 1


def test_bedrock_cache_counts_are_added_to_the_prompt():
    # inputTokenCount excludes the cache: prompt = 40 + 1,000 read + 200 written = 1,240, cached 1,000
    rec = _bedrock()
    rec["input"] = {**rec["input"], "inputTokenCount": 40, "cacheReadInputTokenCount": 1000,
                    "cacheWriteInputTokenCount": 200}
    row = _read("bedrock.jsonl", rec).frame.iloc[0]
    assert (row["prompt_tokens"], row["cached_tokens"]) == (1240, 1000)


def test_bedrock_converse_titan_and_failed_calls():
    converse = _bedrock(operation="Converse", modelId="amazon.nova-lite-v1:0", requestId="req-2")
    converse["input"] = {"inputTokenCount": 30, "inputBodyJson": {
        "system": [{"text": "Be brief."}], "messages": [{"role": "user", "content": [{"text": "Hi"}]}]}}
    converse["output"] = {"outputTokenCount": 4, "outputBodyJson": {
        "output": {"message": {"role": "assistant", "content": [{"text": "Hello!"}]}}, "stopReason": "end_turn",
        "usage": {"inputTokens": 30, "outputTokens": 4}, "metrics": {"latencyMs": 350}}}
    titan = _bedrock(modelId="amazon.titan-text-express-v1", requestId="req-3")
    titan["input"] = {"inputTokenCount": 7, "inputBodyJson": {"inputText": "Summarise: ..."}}
    titan["output"] = {"outputTokenCount": 9, "outputBodyJson": {"results": [{"outputText": "A summary."}]}}
    failed = {k: v for k, v in _bedrock(requestId="req-4").items() if k != "output"}
    failed["errorCode"] = "ThrottlingException"
    res = _read("bedrock.jsonl", converse, titan, failed)
    by_id = res.frame.set_index("request_id")
    assert (by_id.loc["req-2", "prompt_tokens"], by_id.loc["req-2", "latency_s"]) == (30, pytest.approx(0.35))
    assert by_id.loc["req-2", "model"] == "amazon.nova-lite-v1:0"
    assert (by_id.loc["req-3", "prompt_tokens"], by_id.loc["req-3", "completion_tokens"]) == (7, 9)
    [p] = res.problems
    assert p.line == 3 and "ThrottlingException" in p.reason


def test_bedrock_logs_from_cloudwatch_events_and_logs_insights():
    rec = _bedrock()
    events = {"events": [{"logStreamName": "s", "timestamp": 1, "message": json.dumps(rec), "eventId": "e1"},
                         {"logStreamName": "s", "timestamp": 2, "message": json.dumps(_bedrock(requestId="req-9")),
                          "eventId": "e2"}], "searchedLogStreams": []}
    res = read_logs([MemoryFile("events.json", json.dumps(events).encode())], ft_tokenizer=None)
    assert sorted(res.frame["request_id"]) == ["req-1", "req-9"]
    insights = {"results": [[{"field": "@timestamp", "value": "2025-08-22 09:41:06.000"},
                             {"field": "@message", "value": json.dumps(rec)}]],
                "statistics": {"recordsMatched": 1}, "status": "Complete"}
    res = read_logs([MemoryFile("insights.json", json.dumps(insights).encode())], ft_tokenizer=None)
    assert list(res.frame["prompt_tokens"]) == [219]


def test_insights_cells_in_one_list_are_cut_into_rows():
    cells = [{"field": "@timestamp", "value": "t1"}, {"field": "@message", "value": "m1"},
             {"field": "@timestamp", "value": "t2"}, {"field": "@message", "value": "m2"}]
    assert list(_insights_rows(cells)) == [{"@timestamp": "t1", "@message": "m1"},
                                           {"@timestamp": "t2", "@message": "m2"}]


def test_a_bedrock_model_is_priced_as_its_makers_model_and_says_so():
    assert cloud_model_name("us.anthropic.claude-sonnet-4-20250514-v1:0") == "claude-sonnet-4-20250514"
    cat = load_catalog("2026-12-07")
    assert cat.api_model("us.anthropic.claude-sonnet-4-20250514-v1:0").id == "claude-sonnet-4-20250514"
    assert any("maker's list price" in n for n in cat.notes_for("us.anthropic.claude-sonnet-4-20250514-v1:0"))


# --- Prompt flow spans --------------------------------------------------------------------------------------------

def test_prompt_flow_llm_span_reads_its_request_and_answer():
    span = {"name": "openai_chat", "context": {"trace_id": "0x1", "span_id": "0x2"}, "kind": "SpanKind.INTERNAL",
            "start_time": "2024-05-01T10:00:00.000000Z", "end_time": "2024-05-01T10:00:01.000000Z",
            "status": {"status_code": "OK"}, "events": [], "links": [],
            "attributes": {"span_type": "LLM", "framework": "promptflow",
                           "inputs": json.dumps({"messages": [{"role": "system", "content": "Be kind."},
                                                              {"role": "user", "content": "hello"}]}),
                           "llm.generated_message": json.dumps({"role": "assistant", "content": "Hi there"}),
                           "llm.usage.prompt_tokens": 450, "llm.usage.completion_tokens": 17,
                           "llm.response.model": "gpt-35-turbo"}}
    tool = {**span, "attributes": {"span_type": "Function", "inputs": "{}"}}
    res = read_logs([MemoryFile("spans.json", (json.dumps(span, indent=2) + "\n" + json.dumps(tool, indent=2)).encode())],
                    ft_tokenizer=None)
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"]) == (450, 17)
    assert row["task"] is not None and row["answer_kind"] == 1
    assert sum(res.ignored.values()) == 1


# --- what the advice says of a short sample and of its baseline ----------------------------------------------------

def test_a_sample_under_a_day_says_its_volume_is_extrapolated():
    res = _read("batch.jsonl", *[{**_BATCH_OUT, "custom_id": f"q{i}",
                                  "response": {**_BATCH_OUT["response"],
                                               "body": {**_BATCH_OUT["response"]["body"], "created": 1735689600 + i}}}
                                 for i in range(3)])
    w = _whole(res.frame)
    assert w.requests_per_day == 72  # 3 requests in 1 hour (spans are counted in whole hours) x 24
    assert any("3 requests in 1 hour of logs, extrapolated to 72 a day" in a for a in w.assumptions)


def test_a_typed_volume_drops_the_extrapolation_note_on_every_surface():
    # the page measures once and rescales (scale_workloads); advise profiles at the typed volume: the same notes
    from advisor.workload import WHOLE_LOG, profile_tasks, scale_workloads

    res = _read("batch.jsonl", *[{**_BATCH_OUT, "custom_id": f"q{i}",
                                  "response": {**_BATCH_OUT["response"],
                                               "body": {**_BATCH_OUT["response"]["body"], "created": 1735689600 + i}}}
                                 for i in range(3)])
    typed = profile_tasks(res.frame, requests_per_day=5000)[WHOLE_LOG]
    scaled = scale_workloads(profile_tasks(res.frame), 5000)[WHOLE_LOG]
    assert scaled.assumptions == typed.assumptions
    assert not any("extrapolated" in a for a in scaled.assumptions)
    kept = scale_workloads(profile_tasks(res.frame), 72.0)[WHOLE_LOG]   # the measured volume: the note stays
    assert any("extrapolated to 72 a day" in a for a in kept.assumptions)


def test_the_advice_says_first_when_the_logs_model_has_no_price():
    from advisor.recommend import recommend
    from advisor.scenario import Scenario

    rows = [{"model": "acme-llm-9", "created": 1735689600 + 3600 * i,
             "usage": {"prompt_tokens": 500, "completion_tokens": 50}} for i in range(30)]
    w = _whole(_read("acme.jsonl", *rows).frame)
    rec = recommend(Scenario(w, as_of="2026-12-07"), draws=200, seed=1)
    assert rec.assumptions[0].startswith("the logs' model 'acme-llm-9' has no price in the catalog on 2026-12-07: "
                                         f"compared against {rec.baseline} instead")
    given = recommend(Scenario(w, as_of="2026-12-07", baseline="gpt-4o-2024-08-06"), draws=200, seed=1)
    assert not any("has no price" in a for a in given.assumptions)  # the user named the baseline


def test_a_loggers_system_field_naming_the_provider_is_no_prompt():
    rec = {"model": "gpt-4o", "system": "openai", "messages": [{"role": "user", "content": "hi"}],
           "usage": {"prompt_tokens": 8, "completion_tokens": 1}}
    plain = {k: v for k, v in rec.items() if k != "system"}
    a, b = _read("a.jsonl", rec).frame.iloc[0], _read("b.jsonl", plain).frame.iloc[0]
    assert (a["task"], a["template"]) == (b["task"], b["template"])


def test_advise_says_the_baseline_note_under_its_headline_and_in_json(tmp_path, capsys):
    from advisor.cli.main import main

    path = tmp_path / "bedrock.jsonl"
    path.write_text("\n".join(json.dumps(_bedrock(requestId=f"r{i}", timestamp=f"2025-08-{10 + i:02d}T09:00:00Z"))
                              for i in range(10)) + "\n")
    main(["advise", str(path), "--draws", "200"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  (best option") and "vs claude-sonnet-4-20250514" in lines[1]
    assert lines[2].startswith("  note: 'us.anthropic.claude-sonnet-4-20250514-v1:0' is priced as "
                               "claude-sonnet-4-20250514 at its maker's list price")
    main(["advise", str(path), "--draws", "200", "--json"])
    assert "maker's list price" in json.loads(capsys.readouterr().out)["baseline_note"]


def test_the_report_says_the_baseline_note_by_its_headline(tmp_path):
    from advisor.cli.main import main

    path = tmp_path / "bedrock.jsonl"
    path.write_text("\n".join(json.dumps(_bedrock(requestId=f"r{i}", timestamp=f"2025-08-{10 + i:02d}T09:00:00Z"))
                              for i in range(10)) + "\n")
    for name in ("report.md", "report.html"):
        main(["report", str(path), "--draws", "200", "-o", str(tmp_path / name)])
        text = (tmp_path / name).read_text()
        note_at, why_at = text.find("maker"), text.find("Why")
        assert 0 < note_at < why_at, name  # under the title, before the reasons


# --- second round (2026-12-08): OpenRouter generation stats, LiteLLM's daily activity and Langfuse OTel spans -------

_OPENROUTER = {"id": "gen-1", "model": "openai/gpt-4o-mini", "created_at": "2025-08-16T13:55:18.378595+00:00",
               "streamed": True, "cancelled": False, "latency": 343, "generation_time": 418,
               "tokens_prompt": 280, "tokens_completion": 30, "native_tokens_prompt": 285,
               "native_tokens_completion": 25, "native_tokens_reasoning": 0, "native_tokens_cached": 200,
               "usage": 0.000164, "total_cost": 0.000164, "provider_name": "OpenAI"}


def test_openrouter_generation_stats_bill_the_providers_own_counts():
    # native_tokens_*: what the provider billed (tokens_* are OpenRouter's normalised counts); usage is a cost
    for doc in ({"data": _OPENROUTER}, {"data": {"data": _OPENROUTER}, "timestamp": 1755352518}):
        res = read_logs([MemoryFile("gen.json", json.dumps(doc).encode())], ft_tokenizer=None)
        row = res.frame.iloc[0]
        assert (row["prompt_tokens"], row["completion_tokens"], row["cached_tokens"]) == (285, 25, 200)
        assert row["model"] == "openai/gpt-4o-mini" and row["request_id"] == "gen-1"


def test_litellm_daily_activity_is_one_bucket_a_model():
    # /user/daily/activity: the day's requests by model (api_requests), never the day's total beside them (the
    # providers breakdown repeats the same requests): 1 + 4 = 5 requests, 1,000 + 14 prompt tokens, 1 + 5 cached
    def m(requests, prompt, completion, cached):
        return {"metrics": {"spend": 1.0, "prompt_tokens": prompt, "completion_tokens": completion,
                            "cache_read_input_tokens": cached, "api_requests": requests,
                            "successful_requests": requests}, "metadata": {}}
    day = {"date": "2026-06-01", "metrics": m(5, 1014, 10, 6)["metrics"],
           "breakdown": {"models": {"gpt-4o": m(1, 1000, 2, 1), "gpt-4o-mini": m(4, 14, 8, 5), "idle": m(0, 0, 0, 0)},
                         "providers": {"openai": m(5, 1014, 10, 6)}}}
    res = read_logs([MemoryFile("activity.json", json.dumps({"results": [day], "metadata": {}}).encode())],
                    ft_tokenizer=None)
    f = res.frame
    assert f["requests"].sum() == 5 and (f["prompt_tokens"] * f["requests"]).sum() == 1014
    assert (f["cached_tokens"] * f["requests"]).sum() == 6 and set(f["model"]) == {"gpt-4o", "gpt-4o-mini"}
    assert not res.problems and sum(res.ignored.values()) == 1  # the idle model


def test_langfuse_otel_generation_span_as_litellm_sends_it():
    span = {"name": "litellm-acompletion", "parent_span_id": None, "attributes": {
        "langfuse.observation.type": "generation", "langfuse.observation.model.name": "gpt-4o-mini",
        "langfuse.observation.input": {"messages": [{"role": "system", "content": "Be terse."},
                                                    {"role": "user", "content": "Hello!"}]},
        "langfuse.observation.output": {"role": "assistant", "content": "Hi."},
        "langfuse.observation.usage_details": {"input": 10, "output": 20, "total": 30, "cache_read_input_tokens": 0}}}
    other = {**span, "attributes": {**span["attributes"], "langfuse.observation.type": "span"}}
    res = _read("spans.jsonl", span, other)
    row = res.frame.iloc[0]
    assert (row["prompt_tokens"], row["completion_tokens"], row["model"]) == (10, 20, "gpt-4o-mini")
    assert row["task"] is not None and row["answer_kind"] == 1
    assert sum(res.ignored.values()) == 1  # the non-generation span
