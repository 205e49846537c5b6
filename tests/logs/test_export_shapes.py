"""Export shapes of newer tool versions (tests/fixtures/exports/*/SOURCE.md names where each comes from): each record
used with the right token fields, or listed (failed calls) or ignored (no model call) with its reason."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.logs import MemoryFile, read_logs
from advisor.logs.langfuse import langfuse_usage

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"


def _usage(r) -> list[tuple[float, float, float]]:
    f = r.frame
    return list(zip(f["prompt_tokens"], f["completion_tokens"], f["cached_tokens"]))


class TestOpenAI:
    def test_responses_objects(self):
        # openai/SOURCE.md: input_tokens 1310 includes cached 1152; output 203 includes reasoning 192
        r = read_logs(EXPORTS / "openai" / "responses-objects.jsonl", ft_tokenizer=None)
        assert _usage(r) == [(1310, 203, 1152), (88, 64, 0)]
        assert list(r.frame["reasoning_tokens"]) == [192, 64]
        assert r.frame["timestamp"].notna().all()
        assert [(p.line, p.reason) for p in r.problems] == [(3, "field 'error': request failed (server_error)")]

    def test_batch_output_of_responses_and_embeddings(self):
        r = read_logs(EXPORTS / "openai" / "batch-output-responses.jsonl", ft_tokenizer=None)
        assert _usage(r) == [(412, 5, 256)]
        assert r.frame["timestamp"].notna().all()  # the Responses body's created_at
        assert {p.line: p.reason for p in r.problems} == {
            2: "field 'error': request failed (batch_expired)", 4: "field 'response.status_code': status_code 429"}
        assert r.summary()["ignored_by_reason"] == {"embeddings batch result (not a chat or text generation call)": 1}

    def test_responses_stream_events(self):
        # openai/SOURCE.md: only response.completed counts (640 incl. 512 cached / 4); failed and error events listed
        r = read_logs(EXPORTS / "openai" / "responses-stream-events.jsonl", ft_tokenizer=None)
        assert _usage(r) == [(640, 4, 512)] and r.summary()["ignored"] == 9
        assert {p.line: p.reason for p in r.problems} == {11: "field 'response.error': request failed (server_error)",
                                                         12: "field 'code': request failed (rate_limit_exceeded)"}

    def test_stored_completions_list(self):
        r = read_logs(EXPORTS / "openai" / "stored-completions-list.json", ft_tokenizer=None)
        assert _usage(r) == [(1062, 32, 1024), (65, 12, 0)]
        assert r.skipped == 0 and list(r.frame["model"]) == ["gpt-4o-mini-2024-07-18"] * 2

    def test_azure_filter_chunk_and_errors(self):
        r = read_logs(EXPORTS / "openai" / "azure-chat.jsonl", ft_tokenizer=None)
        assert _usage(r) == [(1480, 6, 1280)]
        assert {p.line: p.reason for p in r.problems} == {3: "field 'error': request failed (content_filter)",
                                                         4: "field 'response.error': request failed (content_filter)"}
        assert r.summary()["ignored"] == 1

    @pytest.mark.parametrize("code, shown", [("rate_limit_exceeded", " (rate_limit_exceeded)"),
                                             ("Tell me the secret plan", " (unexpected value)"), (None, "")])
    def test_error_codes_never_echo_text(self, write, code, shown):
        err = {"message": "text", "code": code}
        r = read_logs(write("e.jsonl", '{"prompt_tokens": 1, "completion_tokens": 1}\n' +
                            json.dumps({"error": err}) + "\n"))
        assert [p.reason for p in r.problems] == [f"field 'error': request failed{shown}"]


class TestLangfuse:
    def test_legacy_columns_and_anthropic_cache_keys(self):
        # langfuse/SOURCE.md: v2 usage 31/7; v2 promptTokens 412/23; Mastra input 12 + cache read 2048 + write 300
        # = 2360 (total 2369 - output 9); input 15 + cache read 2048 + creation 0 = 2063
        r = read_logs(EXPORTS / "langfuse" / "observations-api-legacy-cache-keys.json", ft_tokenizer=None)
        assert _usage(r) == [(31, 7, 0), (412, 23, 0), (2360, 9, 2048), (2063, 6, 2048)]
        assert r.skipped == 0

    @pytest.mark.parametrize("details, expected", [
        # Mastra's exporter before its fix: input WITH the cache, total = input + output (the base wins)
        ({"input": 1000, "cache_read_input_tokens": 800, "output": 10, "total": 1010}, (1000, 10, 800)),
        # no total: details are added to the base (the Langfuse convention)
        ({"input": 200, "cache_read_input_tokens": 800, "output": 10}, (1000, 10, 800)),
        # camelCase keys name the same sides
        ({"input": 200, "cacheReadInputTokens": 800, "output": 10, "total": 1010}, (1000, 10, 800)),
        # a key naming neither side (reasoning beside output, which holds it) is left out
        ({"input": 5, "output": 40, "reasoning": 30, "total": 45}, (5, 40, 0)),
    ])
    def test_usage_keys(self, details, expected):
        assert langfuse_usage(details, "usageDetails") == expected


class TestLangSmith:
    def test_usage_on_the_generation_message(self):
        # langsmith/SOURCE.md: usage_metadata input 1522 includes cache_read 1500; o4-mini 14/75 (64 reasoning)
        r = read_logs(EXPORTS / "langsmith" / "runs-langchain-usage-metadata.jsonl", ft_tokenizer=None)
        assert _usage(r) == [(1522, 5, 1500), (14, 75, 0)]
        assert list(r.frame["tokens_source"]) == ["usage", "usage"]


class TestLiteLLM:
    def test_responses_and_anthropic_payloads(self):
        # litellm/SOURCE.md: Responses 1410 (cached 1280) / 336 (reasoning 320); Anthropic 12 + 2048 read + 300 written
        # = 2360 (cached 2048) / 9; the cache hit ignored
        r = read_logs(EXPORTS / "litellm" / "standard_logging_payloads.jsonl", ft_tokenizer=None)
        assert _usage(r) == [(1410, 336, 1280), (2360, 9, 2048)]
        assert list(r.frame["reasoning_tokens"].fillna(-1)) == [320, -1]
        assert r.summary()["ignored_by_reason"] == {"LiteLLM cache hit (no model call)": 1}

    def test_standard_logging_payload_cached_from_its_response(self):
        # litellm/SOURCE.md: 1062 prompt tokens, 1024 of them cached (response.usage.prompt_tokens_details)
        r = read_logs(EXPORTS / "litellm" / "standard_logging_payload.json", ft_tokenizer=None)
        assert _usage(r) == [(1062, 2, 1024)]


def test_anthropic_message_logged_alone(write):
    # Anthropic Messages usage: input_tokens excludes the cache reads and writes
    msg = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
           "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
           "usage": {"input_tokens": 40, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 0,
                     "output_tokens": 3}}
    r = read_logs(write("a.jsonl", json.dumps(msg) + "\n"), ft_tokenizer=None)
    assert _usage(r) == [(1040, 3, 1000)]


def test_langsmith_reasoning_tokens():
    r = read_logs(EXPORTS / "langsmith" / "runs-langchain-usage-metadata.jsonl", ft_tokenizer=None)
    assert list(r.frame["reasoning_tokens"].fillna(-1)) == [-1, 64]


class TestBraintrust:
    @pytest.mark.parametrize("name", ["project-logs-fetch.json", "logs-download.jsonl"])
    def test_events(self, name):
        # braintrust/SOURCE.md: OpenAI 1062 (cached 1024) / 2; Anthropic 12 + 2048 read + 300 written = 2360 / 19
        r = read_logs(EXPORTS / "braintrust" / name, ft_tokenizer=None)
        assert sorted(_usage(r)) == [(1062, 2, 1024), (2360, 19, 2048)]
        assert r.frame["timestamp"].notna().all() and r.frame["latency_s"].round(1).tolist() in ([1.3, 3.1], [3.1, 1.3])
        assert [p.reason.endswith("field 'error': errored call") for p in r.problems] == [True]
        assert r.summary()["ignored"] == 2

    def test_not_taken_for_openpipe(self):
        from advisor.logs.formats import detect_record_format
        assert detect_record_format({"input": [], "output": None, "tags": None, "span_attributes": {"type": "llm"},
                                     "metrics": {}}) == "braintrust"
        assert detect_record_format({"input": {}, "output": {}, "tags": {}}) == "openpipe"


@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(st.tuples(st.sampled_from(["llm", "task", "tool", "function"]), st.integers(1, 10**6),
                                 st.integers(0, 10**4), st.integers(0, 10**6), st.none() | st.integers(0, 10**5)),
                       min_size=1, max_size=6),
       as_lines=st.booleans())
def test_braintrust_events_counted_by_their_provider_rule(events, as_lines):
    rows, expected = [], []
    for i, (kind, p, c, k, written) in enumerate(events):
        metrics = {"start": 1764900000 + i, "end": 1764900001 + i, "prompt_tokens": p, "completion_tokens": c}
        if written is None:  # OpenAI: prompt includes the cached tokens
            k = min(k, p)
            metrics["prompt_cached_tokens"] = k
            billed = (p, c, k)
        else:  # Anthropic: prompt, cache reads and cache writes are apart
            metrics.update(prompt_cached_tokens=k, prompt_cache_creation_tokens=written)
            billed = (p + k + written, c, k)
        rows.append({"id": str(i), "span_id": str(i), "root_span_id": "r", "span_attributes": {"type": kind},
                     "metrics": metrics, "input": None, "output": None, "tags": None})
        if kind == "llm":
            expected.append(billed)
    text = "\n".join(json.dumps(r) for r in rows) if as_lines else json.dumps({"events": rows})
    name = "bt.jsonl" if as_lines else "bt.json"
    r = read_logs([MemoryFile(name, text.encode())], ft_tokenizer=None) if expected else None
    if r is not None:
        assert sorted(_usage(r)) == sorted(expected) and r.skipped == 0
        assert r.summary()["ignored"] == len(events) - len(expected)


def test_gemini_generate_content():
    # google/SOURCE.md: 1350 (incl. 1024 cached) / 9 + 252 thinking; 14 / 1; 31 / 2 with Vertex's createTime
    r = read_logs(EXPORTS / "google" / "generate-content.jsonl", ft_tokenizer=None)
    f = r.frame.sort_values("line")
    assert list(zip(f["prompt_tokens"], f["completion_tokens"], f["cached_tokens"])) == [(1350, 261, 1024), (14, 1, 0),
                                                                                       (31, 2, 0)]
    assert list(f["model"]) == ["gemini-2.5-flash", "gemini-2.0-flash", "gemini-2.0-flash-001"]
    assert f["reasoning_tokens"].iloc[0] == 252 and f["timestamp"].notna().sum() == 1
