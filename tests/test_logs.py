import gzip
import json

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
        from advisor.tokens import get_encoding
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
        from advisor.logs.files import _iter_json_doc
        import io
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
        from advisor.tokens import _ft_template_tokens, get_ft_tokenizer
        sp = get_ft_tokenizer("mistral-v1")
        inst, _ = _ft_template_tokens("mistral-v1")
        p, c = count_ft_request([{"role": "user", "content": "hello"}], "world")
        assert p == 1 + inst + len(sp.encode("hello"))
        assert c == len(sp.encode("world")) + 1
