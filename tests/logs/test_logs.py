import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from advisor import LogError
from advisor.logs import MemoryFile, read_logs

MSGS = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}]
ANSWER = {"role": "assistant", "content": "2 + 2 equals 4."}


def jsonl(*records) -> str:
    return "\n".join(json.dumps(r) for r in records) + "\n"


def row(result, i=0):
    return result.frame.iloc[i]


class TestFormats:
    def test_openai_pair_with_usage(self, write):
        rec = {"request": {"model": "gpt-4o-mini", "messages": MSGS},
               "response": {"id": "c1", "created": 1711475054, "model": "gpt-4o-mini", "choices": [{"message": ANSWER}],
                            "usage": {"prompt_tokens": 24, "completion_tokens": 15, "total_tokens": 39,
                                      "prompt_tokens_details": {"cached_tokens": 0}}}}
        path = write("a.jsonl", jsonl(rec))
        r = read_logs(path)
        x = row(r)
        assert (x.prompt_tokens, x.completion_tokens, x.tokens_source) == (24, 15, "usage")
        assert x.timestamp == pd.Timestamp(1711475054, unit="s", tz="UTC")
        assert r.formats == {str(path): "openai"}

    def test_openai_counted_matches_usage(self, write):
        # without usage we count: 24 prompt tokens (Batch API docs example) and the answer's tokens
        rec = {"request": {"model": "gpt-4o-mini", "messages": MSGS}, "response": {"choices": [{"message": ANSWER}]}}
        x = row(read_logs(write("a.jsonl", jsonl(rec))))
        assert (x.prompt_tokens, x.tokens_source) == (24, "counted")
        from advisor.tokens.counter import get_encoding
        assert x.completion_tokens == len(get_encoding("o200k_base").encode("2 + 2 equals 4."))

    def test_cached_tokens_are_part_of_prompt(self, write):
        rec = {"model": "gpt-4o", "messages": MSGS, "usage": {"prompt_tokens": 1000, "completion_tokens": 10,
               "prompt_tokens_details": {"cached_tokens": 800}}}
        x = row(read_logs(write("a.jsonl", jsonl(rec))))
        assert (x.prompt_tokens, x.cached_tokens) == (1000, 800)

    def test_batch_input_and_output_join(self, write):
        inp = {"custom_id": "request-2", "method": "POST", "url": "/v1/chat/completions",
               "body": {"model": "gpt-4o-mini", "messages": MSGS}}
        out = {"id": "batch_req_wnaDys", "custom_id": "request-2", "response": {"status_code": 200, "request_id": "r",
               "body": {"id": "chatcmpl-9758Iw", "object": "chat.completion", "created": 1711475054, "model": "gpt-4o-mini",
                        "choices": [{"index": 0, "message": ANSWER, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 24, "completion_tokens": 15, "total_tokens": 39}}}, "error": None}
        orphan = dict(inp, custom_id="request-3")
        r = read_logs([write("in.jsonl", jsonl(inp, orphan)), write("out.jsonl", jsonl(out))])
        assert len(r.frame) == 1
        x = row(r)
        assert (x.prompt_tokens, x.completion_tokens, x.tokens_source) == (24, 15, "usage")
        assert x.template != "unknown"  # the prompt came from the input file
        assert r.skipped == 1 and "batch output" in r.problems[0].reason

    def test_finetune_with_tools(self, write):
        rec = {"messages": [{"role": "user", "content": "What is the weather in San Francisco?"},
                            {"role": "assistant", "tool_calls": [{"id": "call_id", "type": "function", "function": {
                                "name": "get_current_weather", "arguments": "{\"location\": \"San Francisco, USA\"}"}}]}],
               "tools": [{"type": "function", "function": {"name": "get_current_weather", "description": "Get the weather",
                          "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}]}
        x = row(read_logs(write("ft.jsonl", jsonl(rec)), model="gpt-4o-mini"))
        assert x.tokens_source == "counted" and x.prompt_tokens > 10 and x.completion_tokens > 5
        assert x.ft_prompt_tokens > 0

    def test_finetune_last_message_must_be_assistant(self, write):
        r = read_logs(write("ft.jsonl", jsonl({"messages": MSGS + [ANSWER]}, {"messages": MSGS})), model="gpt-4o")
        assert r.skipped == 1 and "messages[-1].role" in r.problems[0].reason

    def test_openpipe(self, write):
        # OpenPipe docs example line (created in milliseconds)
        rec = {"input": {"model": "openpipe:test-content-ft", "messages": [{"role": "system", "content": "count to 3"}]},
               "output": {"id": "47116eaa", "model": "openpipe:test-content-ft", "usage": {"total_tokens": 38, "prompt_tokens": 29,
                          "completion_tokens": 9}, "object": "chat.completion",
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": "1, 2, 3"}, "finish_reason": "stop"}],
                          "created": 1702666036923},
               "tags": {"promptId": "test_sync_content_ft", "$sdk": "python"}}
        x = row(read_logs(write("op.jsonl", jsonl(rec))))
        assert (x.prompt_tokens, x.completion_tokens, x.task) == (29, 9, "test_sync_content_ft")
        assert x.timestamp.year == 2023

    def test_helicone_csv(self, write):
        body = json.dumps({"model": "gpt-4o", "messages": MSGS}).replace('"', '""')
        text = ('"response_id","response_created_at","response_status","request_created_at","request_body","request_properties",'
                '"request_user_id","model","prompt_tokens","completion_tokens","latency","cost_usd"\n'
                f'"r1","2025-01-02T10:00:01Z","200","2025-01-02T10:00:00Z","{body}","{{}}","u","gpt-4o","24","15","1200",""\n')
        x = row(read_logs(write("h.csv", text)))
        assert (x.prompt_tokens, x.completion_tokens) == (24, 15)
        assert x.template != "unknown"

    def test_langfuse_input_excludes_cached(self, write):
        # Langfuse stores {input: prompt - cached, input_cached_tokens: cached}: the prompt is their sum
        rec = {"id": "o1", "traceId": "t1", "type": "GENERATION", "startTime": "2025-01-02T10:00:00Z",
               "endTime": "2025-01-02T10:00:02.5Z", "model": "gpt-4o", "input": MSGS, "output": ANSWER,
               "usageDetails": {"input": 200, "input_cached_tokens": 800, "output": 10, "total": 1010}}
        x = row(read_logs(write("lf.jsonl", jsonl(rec))))
        assert (x.prompt_tokens, x.cached_tokens, x.completion_tokens) == (1000, 800, 10)
        assert x.latency_s == pytest.approx(2.5)

    def test_langsmith_input_includes_cache_read(self, write):
        rec = {"id": "r1", "run_type": "llm", "start_time": "2024-04-29T00:49:12.090000",
               "end_time": "2024-04-29T00:49:12.459000", "inputs": {"messages": MSGS, "model": "gpt-4o"},
               "outputs": {"usage_metadata": {"input_tokens": 1000, "output_tokens": 10,
                                              "input_token_details": {"cache_read": 800}}},
               "extra": {"metadata": {"ls_model_name": "gpt-4o"}}}
        chain = {"id": "r2", "run_type": "chain", "inputs": {}, "outputs": {}}
        r = read_logs(write("ls.jsonl", jsonl(rec, chain)))
        x = row(r)
        assert (x.prompt_tokens, x.cached_tokens, x.model) == (1000, 800, "gpt-4o")
        # a chain run is not a model call: counted as ignored, not listed as a problem (issue 8)
        assert r.skipped == 0 and r.ignored == {"LangSmith chain run (not a model call)": 1}

    def test_litellm_spend_logs(self, write):
        rec = {"request_id": "chatcmpl-9ZK", "call_type": "acompletion", "startTime": "2025-01-02 10:00:00",
               "endTime": "2025-01-02 10:00:01", "model": "gpt-4o", "prompt_tokens": 1000, "completion_tokens": 5,
               "metadata": json.dumps({"usage_object": {"prompt_tokens": 1000, "completion_tokens": 5,
                                                        "prompt_tokens_details": {"cached_tokens": 256}}}),
               "messages": MSGS, "cache_hit": "False"}
        x = row(read_logs(write("ll.jsonl", jsonl(rec))))
        assert (x.prompt_tokens, x.completion_tokens, x.cached_tokens, x.latency_s) == (1000, 5, 256, 1.0)

    def test_openai_usage_export_csv_aggregates(self, write):
        text = ("start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,model,input_tokens,"
                "output_tokens,input_cached_tokens,input_uncached_tokens\n"
                "1761523200,1761523260,2025-10-27T00:00:00+00:00,2025-10-27T00:01:00+00:00,proj,3.0,gpt-4o,7162,300,1280,5882\n")
        r = read_logs(write("completions_usage.csv", text))
        x = row(r)
        assert x.requests == 3 and r.summary()["requests"] == 3
        assert r.summary()["prompt_tokens"] == 7162 and r.summary()["cached_tokens"] == 1280

    def test_generic_tokens_csv(self, write):
        r = read_logs(write("t.csv", "timestamp,model,prompt_tokens,completion_tokens\n"
                                     "2025-01-01T00:00:00Z,gpt-4,100,20\n2025-01-01T01:00:00Z,gpt-4,x,20\n"))
        assert len(r.frame) == 1 and r.skipped == 1
        assert r.problems[0].line == 3 and "prompt_tokens" in r.problems[0].reason

    def test_gzip_and_json_array(self, write):
        rec = {"model": "gpt-4o", "messages": MSGS, "usage": {"prompt_tokens": 5, "completion_tokens": 1}}
        r = read_logs([write("a.jsonl.gz", gzip.compress(jsonl(rec, rec).encode())), write("b.json", json.dumps([rec]))])
        assert len(r.frame) == 3

    def test_json_array_streams_across_buffer_boundaries(self):
        import io

        from advisor.logs.jsonstream import _iter_json_doc
        recs = [{"prompt_tokens": i, "completion_tokens": 1, "pad": "x" * (i * 7 % 50)} for i in range(300)]
        text = " [ " + " ,\n".join(json.dumps(r) for r in recs) + " ] "
        got = list(_iter_json_doc(io.BytesIO(text.encode()), 1 << 20, chunk=64))
        assert [v for _, v in got] == recs
        assert [ln for ln, _ in got] == list(range(1, 301))  # element i starts on physical line i

    def test_json_array_broken_element(self, write):
        r = read_logs(write("a.json", '[{"prompt_tokens": 1, "completion_tokens": 1},\n {"prompt_tokens": ]'))
        assert len(r.frame) == 1 and r.skipped == 1
        assert r.problems[0].line == 2 and "not valid JSON" in r.problems[0].reason

    def test_parquet(self, tmp_path):
        pq = pytest.importorskip("pyarrow.parquet")
        import pyarrow as pa
        p = tmp_path / "t.parquet"
        pq.write_table(pa.table({"prompt_tokens": [10, 20], "completion_tokens": [1, 2], "model": ["gpt-4o", "gpt-4o"]}), p)
        assert read_logs(p).summary()["prompt_tokens"] == 30

    def test_memory_file(self):
        rec = {"model": "gpt-4o", "messages": MSGS, "usage": {"prompt_tokens": 5, "completion_tokens": 1}}
        assert len(read_logs(MemoryFile("upload.jsonl", jsonl(rec).encode())).frame) == 1

    def test_forced_format(self, write):
        p = write("x.jsonl", jsonl({"prompt_tokens": 5, "completion_tokens": 1}))
        assert read_logs(p, format="tokens").summary()["prompt_tokens"] == 5
        with pytest.raises(LogError, match="unknown format"):
            read_logs(p, format="nope")


class TestBadInput:
    def test_good_kept_bad_listed(self, write):
        good = {"model": "gpt-4o", "messages": MSGS, "usage": {"prompt_tokens": 5, "completion_tokens": 1}}
        text = jsonl(good) + "{not json\n" + jsonl({"hello": 1}) + jsonl({"model": "gpt-4o", "messages": MSGS,
                                                                           "usage": {"prompt_tokens": -3, "completion_tokens": 1}})
        r = read_logs(write("mixed.jsonl", text))
        assert len(r.frame) == 1 and r.skipped == 3
        lines = {p.line: p.reason for p in r.problems}
        assert "not valid JSON" in lines[2]
        assert "unknown shape" in lines[3] and "--format" in lines[3]
        assert "usage.prompt_tokens" in lines[4] and "-3" in lines[4]
        assert all(p.file.endswith("mixed.jsonl") for p in r.problems)

    @pytest.mark.parametrize("content, message", [
        (b"", "is empty"), (b"\x00\x01\x02binary", "binary file"), (b"   \n\n", "is empty"),
        (b"a,b\n1,2\n", "holds no usable record"),
        (b'{"unknown": 1}\n', "holds no usable record .*unknown shape"),
    ])
    def test_unusable_file_is_an_error(self, write, content, message):
        with pytest.raises(LogError, match=message):
            read_logs(write("bad.log", content))

    def test_missing_file(self, tmp_path):
        with pytest.raises(LogError, match="no such file"):
            read_logs(tmp_path / "missing.jsonl")

    def test_unknown_model_assumption_reported(self, write):
        rec = {"request": {"model": "claude-3-opus", "messages": MSGS}, "response": {"choices": [{"message": ANSWER}]}}
        r = read_logs(write("c.jsonl", jsonl(rec)))
        assert r.assumptions == ["1 requests of unknown model 'claude-3-opus' counted with o200k_base"]


    def test_model_flag_stands_in_for_unknown_model(self, write):
        # cookbook: "お誕生日おめでとう" is 9 tokens in cl100k_base, 8 in o200k_base;
        # prompt = 3 + 1 (role "user") + text + 3 priming
        msgs = [{"role": "user", "content": "お誕生日おめでとう"}]
        rec = {"request": {"model": "claude-3-opus", "messages": msgs}, "response": {"choices": [{"message": ANSWER}]}}
        path = write("c.jsonl", jsonl(rec))
        as_gpt4 = read_logs(path, model="gpt-4")
        assert as_gpt4.assumptions == [] and row(as_gpt4).prompt_tokens == 3 + 1 + 9 + 3
        assumed = read_logs(path)
        assert assumed.assumptions and row(assumed).prompt_tokens == 3 + 1 + 8 + 3


class TestPrivacy:
    def test_no_text_in_frame(self, write):
        secret = "my secret diagnosis is X"
        rec = {"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": secret}]},
               "response": {"choices": [{"message": ANSWER}]}}
        r = read_logs(write("p.jsonl", jsonl(rec)))
        dumped = r.frame.to_csv() + json.dumps(r.summary())
        assert "secret" not in dumped and "2 + 2" not in dumped


class TestSample:
    def test_counting_matches_usage_exactly(self, tmp_path):
        """The same records with and without usage give the same counts (usage = the API's rules)."""
        from advisor.samples import write_sample_logs
        a = read_logs(write_sample_logs(tmp_path / "a.jsonl", days=2, scale=0.05, no_usage_share=0.0))
        b = read_logs(write_sample_logs(tmp_path / "b.jsonl", days=2, scale=0.05, no_usage_share=1.0))
        assert set(a.frame.tokens_source) == {"usage"} and set(b.frame.tokens_source) == {"counted"}
        pd.testing.assert_series_equal(a.frame.prompt_tokens, b.frame.prompt_tokens)
        pd.testing.assert_series_equal(a.frame.completion_tokens, b.frame.completion_tokens)


class TestOneSevenBRule:
    def test_chunk_counts_equal_the_single_request_rule(self, write):
        # the per-chunk 7B counts and count_ft_request are one implementation: they must agree record by record
        from advisor.logs.counting import count_ft_request
        tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
        recs = [{"messages": MSGS + [ANSWER]}, {"messages": MSGS + [ANSWER], "tools": tools},
                {"prompt": "Say hi", "completion": " hi"}]
        r = read_logs(write("ft.jsonl", jsonl(*recs)), model="gpt-4o")
        got = [(x.ft_prompt_tokens, x.ft_completion_tokens) for x in r.frame.itertuples()]
        want = [count_ft_request(MSGS, ANSWER), count_ft_request(MSGS, ANSWER, tools=tools),
                count_ft_request(None, " hi", prompt_text="Say hi")]
        assert got == want

    def test_single_request_rule_by_hand(self):
        # mistral-v1: BOS + [INST] + [/INST] around one user turn; "</s>" after the answer
        from advisor.logs.counting import count_ft_request
        from advisor.tokens.counter import _ft_template_tokens, get_ft_tokenizer
        sp = get_ft_tokenizer("mistral-v1")
        inst, _ = _ft_template_tokens("mistral-v1")
        p, c = count_ft_request([{"role": "user", "content": "hello"}], "world")
        assert p == 1 + inst + len(sp.encode("hello"))
        assert c == len(sp.encode("world")) + 1


# ---------------------------------------------------------------------------------------------
# what tools really export (issue 8 item 1); the source of each shape is in the comment above it

USAGE = {"prompt_tokens": 24, "completion_tokens": 15, "total_tokens": 39}


def pretty(obj) -> str:
    return json.dumps(obj, indent=2)


class TestExportShapes:
    def test_pretty_printed_array_with_bom_reports_element_lines(self, write):
        recs = [{"model": "gpt-4o", "messages": MSGS, "usage": USAGE}, {"hello": 1},
                {"model": "gpt-4o", "messages": MSGS, "usage": USAGE}]
        text = pretty(recs)
        r = read_logs(write("a.json", b"\xef\xbb\xbf" + text.encode()))
        assert len(r.frame) == 2 and r.skipped == 1
        # each element is reported at the physical line of its "{" (indent=2 puts it alone on a line "  {")
        starts = [i + 1 for i, ln in enumerate(text.splitlines()) if ln == "  {"]
        assert starts[0] == 2 and len(starts) == 3
        assert list(r.frame["line"]) == [starts[0], starts[2]] and r.problems[0].line == starts[1]

    def test_bom_jsonl(self, write):
        rec = {"model": "gpt-4o", "messages": MSGS, "usage": USAGE}
        r = read_logs(write("a.jsonl", b"\xef\xbb\xbf" + jsonl(rec, rec).encode()))
        assert len(r.frame) == 2 and r.skipped == 0

    def test_pretty_printed_single_object(self, write):
        r = read_logs(write("one.json", pretty({"model": "gpt-4o", "messages": MSGS, "usage": USAGE})))
        assert r.summary()["prompt_tokens"] == 24

    def test_openai_usage_api_page(self, write):
        # OpenAI Usage API GET /v1/organization/usage/completions (openapi.yaml UsageResponse; live API names
        # the list "results", the spec "result"): a result inherits its bucket's start_time
        page = {"object": "page", "has_more": False, "next_page": None, "data": [
            {"object": "bucket", "start_time": 1730419200, "end_time": 1730505600, "results": [
                {"object": "organization.usage.completions.result", "input_tokens": 5000, "output_tokens": 1000,
                 "input_cached_tokens": 4000, "input_audio_tokens": 300, "output_audio_tokens": 200,
                 "num_model_requests": 5, "project_id": None, "user_id": None, "api_key_id": None,
                 "model": "gpt-4o-mini-2024-07-18", "batch": False}]},
            {"object": "bucket", "start_time": 1730505600, "end_time": 1730592000, "result": []}]}
        r = read_logs(write("usage.json", pretty(page)))
        s = r.summary()
        assert (s["requests"], s["prompt_tokens"], s["completion_tokens"], s["cached_tokens"]) == (5, 5000, 1000, 4000)
        assert r.frame["timestamp"][0] == pd.Timestamp(1730419200, unit="s", tz="UTC")
        assert s["ignored"] == 1 and r.skipped == 0  # the empty bucket

    def test_usage_csv_with_empty_buckets(self, write):
        # a dashboard export of minutes with no traffic has only the four time columns (issue 8)
        empty = ("start_time,end_time,start_time_iso,end_time_iso\n"
                 "1761523200,1761523260,2025-10-27T00:00:00+00:00,2025-10-27T00:01:00+00:00\n")
        full = ("start_time,end_time,start_time_iso,end_time_iso,num_model_requests,model,input_tokens,output_tokens\n"
                "1761523200,1761523260,2025-10-27T00:00:00+00:00,2025-10-27T00:01:00+00:00,,,,\n"
                "1761523260,1761523320,2025-10-27T00:01:00+00:00,2025-10-27T00:02:00+00:00,300,gpt-4o,30000,600\n")
        r = read_logs([write("empty.csv", empty), write("full.csv", full)])
        assert r.summary()["requests"] == 300 and r.skipped == 0 and r.summary()["ignored"] == 2

    def test_langfuse_trace_download(self, write):
        # Langfuse GET /api/public/traces/{id} (TraceWithFullDetails: observations are ObservationsView objects)
        gen = {"id": "o2", "traceId": "t1", "type": "GENERATION", "name": "chat", "startTime": "2025-01-02T10:00:00Z",
               "endTime": "2025-01-02T10:00:01Z", "model": "gpt-4o", "input": MSGS, "output": ANSWER,
               "usageDetails": {"input": 24, "output": 15, "total": 39}, "level": "DEFAULT"}
        trace = {"id": "t1", "timestamp": "2025-01-02T10:00:00Z", "name": "qa", "input": "q", "output": "a",
                 "htmlPath": "/project/p/traces/t1", "latency": 1.0, "totalCost": 0.001, "tags": [], "scores": [],
                 "observations": [
                     {"id": "o1", "traceId": "t1", "type": "SPAN", "name": "retrieve", "startTime": "2025-01-02T10:00:00Z"},
                     gen,
                     {"id": "o3", "traceId": "t1", "type": "TOOL", "name": "search", "startTime": "2025-01-02T10:00:00Z"},
                     {"id": "o4", "traceId": "t1", "type": "EVENT", "name": "log", "startTime": "2025-01-02T10:00:00Z"}]}
        r = read_logs(write("trace.json", pretty(trace)))
        assert len(r.frame) == 1 and r.skipped == 0
        assert r.summary()["ignored"] == 4  # the trace itself, SPAN, TOOL, EVENT: not model calls, not problems
        assert (row(r).prompt_tokens, row(r).completion_tokens) == (24, 15)

    def test_langfuse_usage_total_is_what_was_billed(self, write):
        # issue 8: a Vertex generation with usageDetails {input 5, output 845, total 2023}: the 1,173 tokens
        # missing from input+output are thinking tokens billed as output (our documented rule)
        base = {"traceId": "t", "type": "GENERATION", "startTime": "2025-01-02T10:00:00Z", "model": "gemini-2.5-pro"}
        recs = [dict(base, id="a", usageDetails={"input": 5, "output": 845, "total": 2023}),
                dict(base, id="b", usageDetails={"input": 1000, "prompt_details.cache_read": 800,
                                                 "completion_details.reasoning": 64, "output": 10, "total": 1010}),
                dict(base, id="c", usageDetails={"input": 200, "input_cached_tokens": 800, "output": 10})]
        r = read_logs(write("lf.jsonl", jsonl(*recs)))
        got = {x.request_id: (x.prompt_tokens, x.completion_tokens, x.cached_tokens) for x in r.frame.itertuples()}
        assert got == {"a": (5, 2018, 0), "b": (1000, 10, 800), "c": (1000, 10, 800)}

    def test_langfuse_empty_usage_with_text_is_counted(self, write):
        rec = {"id": "o", "traceId": "t", "type": "GENERATION", "startTime": "2025-01-02T10:00:00Z",
               "model": "gpt-4o-mini", "input": {"messages": MSGS}, "output": ANSWER,
               "usageDetails": {}, "usage": {"input": 0, "output": 0, "total": 0}}
        x = row(read_logs(write("lf.jsonl", jsonl(rec))))
        assert (x.prompt_tokens, x.tokens_source) == (24, "counted")  # 24: Batch API docs example, gpt-4o-mini

    def test_langsmith_post_patch_merged_by_run_id(self, write):
        # langsmith-sdk batch ingest body {"post": [RunCreate...], "patch": [RunUpdate...]}: the create carries
        # inputs, the update outputs with usage_metadata; merged by run id
        post = {"id": "run-1", "name": "ChatOpenAI", "run_type": "llm", "start_time": "2025-01-02T10:00:00.000000",
                "inputs": {"messages": MSGS, "model": "gpt-4o-mini"}, "trace_id": "run-1",
                "dotted_order": "20250102T100000000000Zrun-1", "extra": {"metadata": {"ls_model_name": "gpt-4o-mini"}}}
        patch = {"id": "run-1", "trace_id": "run-1", "dotted_order": "20250102T100000000000Zrun-1",
                 "end_time": "2025-01-02T10:00:02.000000",
                 "outputs": {"choices": [{"message": ANSWER}], "usage_metadata": {
                     "input_tokens": 24, "output_tokens": 15, "total_tokens": 39}}}
        chain = dict(post, id="run-0", run_type="chain", name="RunnableSequence")
        r = read_logs(write("ls.json", pretty({"post": [chain, post], "patch": [patch]})))
        x = row(r)
        assert (x.prompt_tokens, x.completion_tokens, x.model, x.latency_s) == (24, 15, "gpt-4o-mini", 2.0)
        assert r.skipped == 0 and r.summary()["ignored"] == 1
        # the halves as separate JSONL records (captured SDK traffic), patch first
        r2 = read_logs(write("ls.jsonl", jsonl(patch, post)))
        assert len(r2.frame) == 1 and row(r2).prompt_tokens == 24

    def test_litellm_standard_logging_payload(self, write):
        # LiteLLM StandardLoggingPayload (docs/my-website/docs/proxy/logging_spec.md): epoch-float times,
        # messages, response, model_parameters (the request's other keys)
        payload = {"id": "chatcmpl-1", "trace_id": "t", "call_type": "acompletion", "response_cost": 0.0001,
                   "status": "success", "total_tokens": 39, "prompt_tokens": 24, "completion_tokens": 15,
                   "startTime": 1735812000.0, "endTime": 1735812001.5, "completionStartTime": 1735812000.5,
                   "model": "gpt-4o-mini", "model_id": "abc", "model_group": "gpt-4o-mini", "api_base": "https://x",
                   "metadata": {"user_api_key_hash": "h", "spend_logs_metadata": None}, "cache_hit": None,
                   "request_tags": [], "messages": MSGS, "response": {"choices": [{"message": ANSWER}]},
                   "model_parameters": {"temperature": 0, "response_format": {"type": "json_object"}},
                   "hidden_params": {}}
        r = read_logs(write("slp.json", pretty(payload)))
        x = row(r)
        assert (x.prompt_tokens, x.completion_tokens, x.latency_s) == (24, 15, 1.5)
        assert r.formats == {str(r.frame.file[0]): "litellm"}

    def test_format_detected_per_record(self, write):
        # one odd record first cannot decide the format of the rest
        recs = [{"prompt_tokens": 1, "completion_tokens": 1},
                {"model": "gpt-4o", "messages": MSGS, "usage": USAGE},
                {"id": "o", "traceId": "t", "type": "GENERATION", "usageDetails": {"input": 10, "output": 2}}]
        r = read_logs(write("mixed.jsonl", jsonl(*recs)))
        assert list(r.frame["prompt_tokens"]) == [1, 24, 10]

    def test_streamed_chunks(self, write):
        # Chat Completions streaming with stream_options.include_usage: the last chunk carries the usage
        # (openapi.yaml: "choices will always be an empty array" in it; other chunks have usage null)
        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o",
                 "choices": [{"index": 0, "delta": {"content": "Hi"}}], "usage": None}
        last = dict(chunk, choices=[], usage=USAGE)
        r = read_logs(write("sse.jsonl", jsonl(chunk, chunk, last)))
        assert r.summary()["requests"] == 1 and r.summary()["prompt_tokens"] == 24 and r.summary()["ignored"] == 2

    def test_request_without_response(self, write):
        rec = {"model": "gpt-4o-mini", "messages": MSGS, "temperature": 0}
        p = write("req.jsonl", jsonl(rec, rec))
        with pytest.raises(LogError, match="--completion-tokens"):
            read_logs(p)
        r = read_logs(p, assumed_completion_tokens=100)
        assert list(r.frame["prompt_tokens"]) == [24, 24] and list(r.frame["completion_tokens"]) == [100, 100]
        assert any("100 completion tokens assumed" in a for a in r.assumptions)

    def test_batch_input_alone(self, write):
        inp = {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions",
               "body": {"model": "gpt-4o-mini", "messages": MSGS}}
        p = write("in.jsonl", jsonl(inp, dict(inp, custom_id="r2")))
        with pytest.raises(LogError, match="batch output"):
            read_logs(p)  # never a silent 0
        r = read_logs(p, assumed_completion_tokens=15)
        assert r.summary()["requests"] == 2 and r.summary()["prompt_tokens"] == 48
        assert r.summary()["completion_tokens"] == 30

    def test_duplicate_custom_ids_are_problems(self, write):
        out = {"id": "b", "custom_id": "r1", "response": {"status_code": 200, "body": {"model": "gpt-4o-mini",
               "choices": [{"message": ANSWER}], "usage": USAGE}}, "error": None}
        r = read_logs(write("out.jsonl", jsonl(out, out)))
        assert len(r.frame) == 1 and r.skipped == 1
        assert r.problems[0].line == 2 and "duplicate custom_id" in r.problems[0].reason

    def test_request_options_kept_for_counting(self):
        from advisor.logs.formats import parse_record
        body = {"model": "gpt-4o", "messages": MSGS, "response_format": {"type": "json_object"},
                "tool_choice": "auto", "temperature": 0}
        assert parse_record("openai", body, 1).request_options == {"response_format": {"type": "json_object"},
                                                                   "tool_choice": "auto"}
        inp = {"custom_id": "x", "body": body}
        assert parse_record("batch-input", inp, 1).request_options["tool_choice"] == "auto"


class TestPerRequest:
    def test_contract_columns_no_text(self, write, tmp_path):
        from advisor.cli.main import main
        rec = {"model": "gpt-4o", "messages": MSGS, "usage": USAGE}
        log = write("a.jsonl", jsonl(rec, rec))
        out = tmp_path / "per.csv"
        assert main(["count", str(log), "--per-request", str(out), "--ft-tokenizer", "none", "--json"]) == 0
        t = pd.read_csv(out)
        assert list(t.columns) == ["file", "line", "request_id", "timestamp", "model", "task", "prompt_tokens",
                                   "completion_tokens", "cached_tokens", "ft_prompt_tokens", "ft_completion_tokens",
                                   "tokens_source"]
        assert list(t["line"]) == [1, 2] and list(t["prompt_tokens"]) == [24, 24]
        assert "helpful" not in out.read_text()  # no prompt text

    def test_parquet_and_bad_suffix(self, write, tmp_path, capsys):
        pytest.importorskip("pyarrow")
        from advisor.cli.main import main
        log = write("a.jsonl", jsonl({"model": "gpt-4o", "messages": MSGS, "usage": USAGE}))
        assert main(["count", str(log), "--per-request", str(tmp_path / "p.parquet"), "--ft-tokenizer", "none"]) == 0
        assert len(pd.read_parquet(tmp_path / "p.parquet")) == 1
        assert main(["count", str(log), "--per-request", str(tmp_path / "p.txt")]) == 2
        assert "csv or .parquet" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# every real-shaped export collected by the fixtures (tests/fixtures/exports/*/SOURCE.md) loads

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"
# problems a record can legitimately have: the call failed, or the export lacks what counting needs
EXPECTED_PROBLEMS = ("errored", "request failed", "status", "without its response", "without a matching output",
                     "no usage and no input to count")


def _export_files():
    return sorted(p for p in EXPORTS.rglob("*") if p.is_file() and p.suffix.lower() not in (".md", ".txt", ".py"))


@pytest.mark.skipif(not EXPORTS.exists(), reason="no export fixtures")
@pytest.mark.parametrize("path", _export_files(), ids=lambda p: str(p.relative_to(EXPORTS)))
def test_every_export_fixture_loads(path):
    paths = [path]
    if path.name == "batch-input.jsonl" and (path.parent / "batch-output.jsonl").exists():
        paths.append(path.parent / "batch-output.jsonl")
    r = read_logs(paths, ft_tokenizer=None, assumed_completion_tokens=100)
    unexpected = [p for p in r.problems if not any(k in p.reason for k in EXPECTED_PROBLEMS)]
    assert unexpected == []
    assert r.summary()["requests"] > 0 or r.summary()["ignored"] > 0


@pytest.mark.skipif(not (EXPORTS / "langfuse" / "trace-api.json").exists(), reason="no Langfuse fixture")
def test_langfuse_trace_fixture_billed_numbers():
    # tests/fixtures/exports/langfuse/SOURCE.md: generations 1166/19 (input 142 + input_cached 1024), 1231/31,
    # Vertex 4/(13 + 1374 thinking), OpenInference 1536/14 with prompt_details.cache_read 1280
    r = read_logs(EXPORTS / "langfuse" / "trace-api.json", ft_tokenizer=None)
    usage = r.frame[r.frame["tokens_source"] == "usage"]
    assert sorted(zip(usage["prompt_tokens"], usage["completion_tokens"])) == [(4, 1387), (1166, 19), (1231, 31),
                                                                             (1536, 14)]
    assert sorted(usage["cached_tokens"]) == [0, 0, 1024, 1280]


# ---------------------------------------------------------------------------------------------
# broken and hostile inputs (issue 9): a listed problem naming the field, never a traceback, good records kept

CHAT = '"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]'
ANSWERED = CHAT + ', "choices": [{"message": {"role": "assistant", "content": "y"}}]'
GOOD_LINE = '{"prompt_tokens": 1, "completion_tokens": 1}\n'


class TestHostile:
    @pytest.mark.parametrize("record, field", [
        ('{' + CHAT + ', "usage": {"prompt_tokens": Infinity, "completion_tokens": 1}}', "usage.prompt_tokens"),
        ('{' + CHAT + ', "usage": {"prompt_tokens": 1e309, "completion_tokens": 1}}', "usage.prompt_tokens"),
        ('{' + CHAT + ', "usage": {"prompt_tokens": ' + "9" * 400 + ', "completion_tokens": 1}}', "usage.prompt_tokens"),
        ('{' + CHAT + ', "choices": ["x"]}', "response.choices[0]"),
        ('{"model": "gpt-4o", "messages": ["hi"], "choices": [{"message": {"role": "assistant", "content": "y"}}]}',
         "request.messages[0]"),
        ('{' + ANSWERED + ', "tools": "get_weather"}', "request.tools"),
        ('{"model": "gpt-4o", "messages": [{"role": "assistant", "tool_calls": "f"}], "choices": []}',
         "request.messages[0].tool_calls"),
        ('{"custom_id": "a", "response": "x"}', "response"),
        ('{"traceId": "t", "type": "GENERATION", "usageDetails": {"input": "12", "output": "many"}}',
         "usageDetails.output"),
        ('{"model": ["gpt-4o"], "messages": [{"role": "user", "content": "x"}], "usage": {"prompt_tokens": 1, '
         '"completion_tokens": 1}}', "request.model"),
        ('{"model": {"name": "gpt-4o"}, "prompt_tokens": 1, "completion_tokens": 1}', "model"),
        ('{"prompt_tokens": 1, "completion_tokens": 1, "timestamp": 1e400}', "timestamp"),
        ('{"prompt_tokens": 1, "completion_tokens": 1, "latency_ms": -5}', "latency_ms"),
    ])
    def test_bad_values_are_problems_naming_the_field(self, write, record, field):
        r = read_logs(write("h.jsonl", GOOD_LINE + record + "\n" + GOOD_LINE))
        assert len(r.frame) == 2 and r.skipped == 1
        assert r.problems[0].line == 2 and f"'{field}'" in r.problems[0].reason

    def test_reasons_never_echo_record_content(self, write):
        secret = "SECRET-PROMPT-TEXT"
        recs = [f'{{"model": "gpt-4o", "messages": [{{"role": "user", "content": "{secret}"}}], "usage": {{"prompt_tokens": "{secret}", '
                '"completion_tokens": 1}}',
                f'{{"{secret[:6]}": 1}}', f'{{"prompt_tokens": 1, "completion_tokens": 1, "timestamp": "{secret}"}}']
        r = read_logs(write("h.jsonl", GOOD_LINE + "\n".join(recs) + "\n"))
        assert r.skipped == 3 and not any(secret in p.reason for p in r.problems)

    def test_deep_nesting_surrogates_and_nul(self, write):
        deep = "[" * 100_000 + "]" * 100_000
        surrogate = '{' + CHAT.replace('"x"', '"a\\udc80b"') + ', "choices": [{"message": {"role": "assistant", ' \
                    '"content": "\\ud800"}}]}'
        r = read_logs(write("h.jsonl", GOOD_LINE + deep + "\n" + surrogate + "\n\x00\n" + GOOD_LINE))
        assert len(r.frame) == 3  # the surrogate record is counted (lone surrogates replaced), the others kept
        assert {p.line: p.reason for p in r.problems}.keys() == {2, 4}
        assert "nested too deeply" in r.problems[0].reason

    @pytest.mark.parametrize("first", ["null", "[]", "0", '"text"', "[1, 2]"])
    def test_odd_first_line_does_not_decide_the_file(self, write, first):
        r = read_logs(write("h.jsonl", first + "\n" + GOOD_LINE + GOOD_LINE))
        assert len(r.frame) == 2

    def test_first_line_array_of_records_keeps_the_rest(self, write):
        r = read_logs(write("h.jsonl", "[" + GOOD_LINE.strip() + ", " + GOOD_LINE.strip() + "]\n" + GOOD_LINE))
        assert len(r.frame) == 3 and list(r.frame["line"]) == [1, 1, 2]

    def test_truncated_gzip_keeps_what_was_read(self, write):
        data = gzip.compress("".join(f'{{"prompt_tokens": {i}, "completion_tokens": 1}}\n'
                                     for i in range(20_000)).encode())
        r = read_logs(write("h.jsonl.gz", data[: len(data) // 2]))
        assert 1000 < len(r.frame) < 20_000
        assert "truncated" in r.problems[-1].reason and "rest of the file was not read" in r.problems[-1].reason

    @pytest.mark.parametrize("data, message", [
        (b"\x1f\x8bgarbage" * 20, "corrupt or truncated"), (b"PAR1" + b"\x00" * 64 + b"PAR1", "not a readable Parquet"),
        (b"PK\x03\x04rest", "zip archive"),
    ])
    def test_unreadable_containers_are_one_line_errors(self, write, data, message):
        with pytest.raises(LogError, match=message):
            read_logs(write("h.log", data))

    def test_utf16_with_bom(self, write):
        # Windows PowerShell's Out-File writes UTF-16LE with a BOM
        text = GOOD_LINE + '{"model": "gpt-4o", "prompt_tokens": 2, "completion_tokens": 1, "note": "é"}\n'
        r = read_logs(write("ps.jsonl", "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")))
        assert r.summary()["prompt_tokens"] == 3 and r.skipped == 0

    def test_bz2_and_xz(self, write):
        import bz2
        import lzma
        r = read_logs([write("a.jsonl.bz2", bz2.compress(GOOD_LINE.encode())),
                       write("b.jsonl.xz", lzma.compress(GOOD_LINE.encode()))])
        assert len(r.frame) == 2

    def test_record_size_limit(self, write):
        big = '{"prompt_tokens": 1, "completion_tokens": 1, "pad": "' + "x" * 5000 + '"}\n'
        for name, text, line in (
                ("h.jsonl", GOOD_LINE + big + GOOD_LINE, 2),
                ("h.json", "[" + GOOD_LINE.strip() + ",\n" + big.strip() + ",\n" + GOOD_LINE.strip() + "]", 2),
                ("h.csv", "prompt_tokens,completion_tokens,pad\n1,1,a\n1,1," + "x" * 5000 + "\n1,1,b\n", 3)):
            r = read_logs(write(name, text), max_record_bytes=4096)
            assert len(r.frame) == 2 and r.skipped == 1, name
            assert r.problems[0].line == line and "larger than the 0.00391 MB limit" in r.problems[0].reason, name

    def test_csv_physical_lines(self, write):
        # blank lines and a quoted cell over three lines: each record is reported at the line it starts on
        text = ('model,prompt_tokens,completion_tokens,note\n\n'
                'gpt-4o,1,1,"one\ntwo\nthree"\n'
                '\n'
                'gpt-4o,x,1,bad\n'
                'gpt-4o,2,1,ok\n')
        r = read_logs(write("h.csv", text))
        assert list(r.frame["line"]) == [3, 8]
        assert [p.line for p in r.problems] == [7]

    def test_tab_and_semicolon_separated(self, write):
        for sep in ("\t", ";"):
            r = read_logs(write("t.csv", f"model{sep}prompt_tokens{sep}completion_tokens\ngpt-4o{sep}10{sep}2\n"))
            assert r.summary()["prompt_tokens"] == 10

    def test_parquet_native_timestamps(self, tmp_path):
        pq = pytest.importorskip("pyarrow.parquet")
        import pyarrow as pa
        ts = pd.to_datetime(["2025-01-02T10:00:00Z", "2025-01-02T11:00:00Z"])
        p = tmp_path / "t.parquet"
        pq.write_table(pa.table({"timestamp": ts, "prompt_tokens": [10, 20], "completion_tokens": [1, 2]}), p)
        r = read_logs(p)
        assert r.skipped == 0 and list(r.frame["timestamp"]) == list(ts)

    def test_two_uploads_with_the_same_name(self):
        usage = MemoryFile("log.jsonl", GOOD_LINE.encode())
        chat = MemoryFile("log.jsonl", jsonl({"model": "gpt-4o", "messages": MSGS, "usage": USAGE}).encode())
        r = read_logs([usage, chat])
        assert sorted(r.frame["prompt_tokens"]) == [1, 24]
        assert set(r.frame["file"]) == {"log.jsonl", "log.jsonl (2)"}
        assert r.formats == {"log.jsonl": "tokens", "log.jsonl (2)": "openai"}

    def test_count_json_is_strict(self, write, capsys):
        from advisor.cli.main import main
        log = write("h.jsonl", GOOD_LINE + '{"prompt_tokens": NaN, "completion_tokens": 1}\n')
        assert main(["count", str(log), "--json", "--ft-tokenizer", "none"]) == 0
        out = capsys.readouterr().out
        json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))


@pytest.mark.parametrize("module", ["formats", "records", "files", "containers", "reader", "template"])
def test_doctests(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(f"advisor.logs.{module}"))
    assert result.failed == 0


class TestBigDocuments:
    def test_big_top_level_object_is_streamed_by_its_records_lists(self, write):
        # a Langfuse observations page / Helicone query result bigger than the record limit: its records are read
        # one by one (each at its own line) instead of the whole document being one oversized record
        recs = [{"prompt_tokens": i, "completion_tokens": 1, "pad": "x" * 300} for i in range(1, 41)]
        doc = {"meta": {"page": 1}, "data": recs, "total": 40}
        text = json.dumps(doc, indent=2)
        r = read_logs(write("page.json", text), max_record_bytes=4096)
        assert r.skipped == 0 and r.summary()["prompt_tokens"] == sum(range(1, 41))
        starts = [i + 1 for i, ln in enumerate(text.splitlines()) if ln == "    {"]
        assert sorted(r.frame["line"]) == starts
        assert r.summary()["ignored"] == 1  # the envelope

    def test_big_usage_page_and_trace(self, write):
        bucket = {"object": "bucket", "start_time": 1730419200, "end_time": 1730505600, "results": [
            {"object": "organization.usage.completions.result", "input_tokens": 50, "output_tokens": 10,
             "num_model_requests": 5, "model": "gpt-4o-mini", "project_id": "p" * 500}]}
        page = {"object": "page", "data": [bucket] * 20, "has_more": False}
        r = read_logs(write("usage.json", json.dumps(page, indent=1)), max_record_bytes=4096)
        assert r.summary()["requests"] == 100 and r.skipped == 0
        gen = {"id": "g", "traceId": "t", "type": "GENERATION", "usageDetails": {"input": 7, "output": 3},
               "input": "q" * 400}
        trace = {"id": "t", "htmlPath": "/t", "observations": [gen] * 20 + [{"id": "s", "traceId": "t", "type": "SPAN"}]}
        r = read_logs(write("trace.json", json.dumps(trace)), max_record_bytes=4096)
        assert r.summary()["prompt_tokens"] == 140 and r.summary()["ignored"] == 2  # the trace and the span

    def test_minified_big_document_on_one_line(self, write):
        recs = [{"prompt_tokens": 2, "completion_tokens": 1, "pad": "x" * 2000} for _ in range(700)]
        r = read_logs(write("helicone.json", json.dumps({"data": recs})), max_record_bytes=1 << 20)
        assert r.summary()["requests"] == 700 and r.skipped == 0  # 1.4 MB on one line, no newline to sniff


def test_problem_list_is_bounded(write, monkeypatch):
    import advisor.logs.gather as gather
    monkeypatch.setattr(gather, "MAX_PROBLEMS_KEPT", 5)
    r = read_logs(write("h.jsonl", GOOD_LINE + "{bad\n" * 12))
    assert r.skipped == 12 and len(r.problems) == 5 and any("7 more records skipped" in a for a in r.assumptions)


def test_langsmith_waiting_halves_are_bounded(write, monkeypatch):
    import advisor.logs.reader as reader
    monkeypatch.setattr(reader, "_MAX_PENDING", 2)
    post = {"id": "r", "run_type": "llm", "inputs": {"messages": MSGS}, "extra": {"metadata": {"ls_model_name": "gpt-4o"}}}
    recs = [dict(post, id=f"r{i}") for i in range(6)]
    r = read_logs(write("ls.jsonl", jsonl(*recs)), assumed_completion_tokens=1, ft_tokenizer=None)
    assert len(r.frame) == 6  # every create counted once, whether it waited or went on alone


def test_a_record_that_trips_the_counter_is_isolated(write, monkeypatch):
    # whatever a counting rule may raise on one record, only that record becomes a problem
    from advisor.logs import counting
    real = counting.ChunkCounter.rows

    def rows(self, file, raws, problems):
        if any(r.request_id == "evil" for r in raws):
            raise TypeError("boom")
        return real(self, file, raws, problems)

    monkeypatch.setattr(counting.ChunkCounter, "rows", rows)
    recs = [{"id": "evil" if i == 7 else f"ok{i}", "model": "gpt-4o", "messages": MSGS, "usage": USAGE} for i in range(20)]
    r = read_logs(write("a.jsonl", jsonl(*recs)), ft_tokenizer=None)
    assert len(r.frame) == 19 and [(p.line, p.reason) for p in r.problems] == [(8, "could not be counted (TypeError)")]


def test_langsmith_halves_in_two_files(write):
    # the create in one file, the update in another: one run, reported at the half read last (its file and line)
    post = {"id": "run-9", "run_type": "llm", "inputs": {"messages": MSGS}, "start_time": "2025-01-02T10:00:00",
            "extra": {"metadata": {"ls_model_name": "gpt-4o-mini"}}}
    patch = {"id": "run-9", "end_time": "2025-01-02T10:00:01", "outputs": {"usage_metadata": {
        "input_tokens": 24, "output_tokens": 15}}}
    alone = dict(post, id="run-10")
    a, b = write("posts.jsonl", jsonl(alone, post)), write("patches.jsonl", jsonl(patch))
    r = read_logs([a, b], assumed_completion_tokens=7, ft_tokenizer=None)
    got = sorted((str(x.file).rsplit("/", 1)[-1], x.line, x.completion_tokens) for x in r.frame.itertuples())
    assert got == [("patches.jsonl", 1, 15), ("posts.jsonl", 1, 7)]


@pytest.mark.skipif(not (EXPORTS / "langsmith" / "run-post.json").exists(), reason="no LangSmith fixture")
def test_langsmith_post_and_patch_files_count_as_one_run():
    # issue 23: `count run-post.json run-patch.json` exited 2 ("holds no usable record") for the file whose only
    # half joined a run reported under the other file; the run is counted once, with the patch's usage (1,106)
    r = read_logs([EXPORTS / "langsmith" / "run-post.json", EXPORTS / "langsmith" / "run-patch.json"], ft_tokenizer=None)
    assert len(r.frame) == 1 and r.summary()["prompt_tokens"] == 1106 and not r.problems
    assert {Path(n).name: f for n, f in r.formats.items()} == {"run-post.json": "langsmith", "run-patch.json": "langsmith"}


def test_lower_bound_requests_are_counted(write):
    # issue 23: a request with a part the log cannot show (an image by URL) is counted as a stated lower bound
    url = {"role": "user", "content": [{"type": "text", "text": "What is it?"},
                                       {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}
    recs = [{"model": "gpt-4o", "messages": [url], "response": {"choices": [{"message": {"content": "A cat."}}]}},
            {"model": "gpt-4o", "messages": MSGS, "response": {"choices": [{"message": {"content": "Hi."}}]}}]
    s = read_logs(write("lb.jsonl", jsonl(*recs)), ft_tokenizer=None).summary()
    assert s["requests"] == 2 and s["lower_bound_requests"] == 1
    assert any("image given by URL" in a and "(a lower bound)" in a for a in s["assumptions"])

class TestResponsesApi:
    """A Responses API log without usage: the answer's output items are the completion; a text answer
    bills its text + 1 (+ 1 more when tools were offered), a function call the chat rules' count + 1
    (advisor.tokens.responses.responses_completion_parts, measured on recorded calls)."""

    def _frame(self, response_output, tools=None):
        req = {"model": "gpt-4o-mini", "input": [{"role": "user", "content": "Weather in Paris?"}]}
        if tools:
            req["tools"] = tools
        rec = {"request": req, "response": {"object": "response", "id": "resp_1", "model": "gpt-4o-mini",
                                             "output": response_output}}
        return read_logs(MemoryFile("r.jsonl", jsonl(rec).encode()))

    def test_text_answer(self):
        from advisor.tokens.counter import TokenCounter

        text = "It is sunny in Paris today."
        out = [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}]
        r = row(self._frame(out))
        assert r["tokens_source"] == "counted"
        assert r["completion_tokens"] == TokenCounter("o200k_base").count(text) + 1
        tool = [{"type": "function", "name": "weather", "parameters": {"type": "object", "properties": {}}}]
        assert row(self._frame(out, tool))["completion_tokens"] == r["completion_tokens"] + 1

    def test_function_call_answer_is_kept_and_counted(self):
        from advisor.tokens.counter import count_completion

        call = {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": '{"city":"Paris"}'}
        tool = [{"type": "function", "name": "weather", "parameters": {"type": "object", "properties": {}}}]
        res = self._frame([call], tool)
        assert res.skipped == 0
        chat = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}]}
        assert row(res)["completion_tokens"] == count_completion(chat, "gpt-4o-mini") + 1


class TestEachFileOnce:
    """A file given twice (its name and a glob that matches it) or a copy of it (an export downloaded twice) is
    read once, with a note: the CLI, the report and the notebooks count what the page counts."""

    REC = {"model": "gpt-4o", "messages": MSGS, "usage": {"prompt_tokens": 24, "completion_tokens": 15}}

    def test_the_same_path_twice_and_by_a_glob(self, write):
        path = write("a.jsonl", jsonl(self.REC, self.REC))
        r = read_logs([path, path, str(path.parent / "*.jsonl")])
        assert len(r.frame) == 2   # two records, not six
        assert r.assumptions[:2] == [f"{path} was given twice: counted once."] * 2

    def test_a_copy_under_another_name(self, write):
        a = write("a.jsonl", jsonl(self.REC))
        b = write("a (1).jsonl", jsonl(self.REC))
        other = write("b.jsonl", jsonl(dict(self.REC, usage={"prompt_tokens": 30, "completion_tokens": 15})))
        r = read_logs([a, b, other])
        assert sorted(r.frame.prompt_tokens) == [24, 30]
        assert r.assumptions[0] == f"{b} is the same file as {a}: counted once."

    def test_uploads_of_the_same_bytes(self):
        data = jsonl(self.REC).encode()
        r = read_logs([MemoryFile("x.jsonl", data), MemoryFile("y.jsonl", data)])
        assert len(r.frame) == 1 and r.assumptions[0] == "y.jsonl is the same file as x.jsonl: counted once."

    def test_objects_in_storage_are_compared_by_url_only(self):
        # a second GET of every object of a common size is not spent on finding copies: the same URL twice is one
        from advisor.logs.sources import Source, unique_sources
        a, b = Source("s3://b/a.jsonl", 10, url="s3://b/a.jsonl"), Source("s3://b/b.jsonl", 10, url="s3://b/b.jsonl")
        kept, notes = unique_sources([a, b, a])   # nothing is opened: no storage options, no server
        assert kept == [a, b] and notes == ["s3://b/a.jsonl was given twice: counted once."]

    def test_files_of_one_size_but_other_bytes_are_both_read(self, write):
        a = write("a.jsonl", jsonl(dict(self.REC, model="gpt-4o")))
        b = write("b.jsonl", jsonl(dict(self.REC, model="gpt-4x")))   # same length, other bytes
        assert a.stat().st_size == b.stat().st_size
        r = read_logs([a, b])
        assert len(r.frame) == 2 and not any("counted once" in n for n in r.assumptions)
