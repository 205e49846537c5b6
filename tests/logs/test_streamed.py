"""Streamed answers logged as their chunks or events (2026-12-08 check of exports6, REPORT.md sections 1, 5 and 6):
OpenAI Chat Completions chunks with and without ``stream_options.include_usage``, Anthropic Messages stream events,
Gemini / Vertex AI ``streamGenerateContent`` chunks, one a line, as a JSON array or as raw SSE text. The records are
written by hand in those shapes (made-up values, the shapes of the real files); each expected figure is worked out
beside it. Every test of a new rule failed on the code before advisor/logs/streamed.py."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import AdvisorError, LogError
from advisor.logs import MemoryFile, read_logs
from advisor.logs.reader import iter_chunks
from advisor.logs.records import Raw
from advisor.logs.streamed import Settled, Streams

N = int(os.environ.get("ADVISOR_FUZZ_EXAMPLES", "60"))  # bench/fuzz.py raises it for the long campaign


def _jsonl(*records) -> bytes:
    return ("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n").encode()


def _sse(*events: tuple[str | None, object]) -> bytes:
    """SSE text: each event's ``event:`` line (when named) and ``data:`` line, a blank line after it."""
    out = []
    for name, data in events:
        if name:
            out.append(f"event: {name}")
        out += [f"data: {data if isinstance(data, str) else json.dumps(data)}", ""]
    return ("\n".join(out) + "\n").encode()


def _read(name: str, data: bytes, **kw):
    return read_logs([MemoryFile(name, data)], ft_tokenizer=kw.pop("ft_tokenizer", None), **kw)


def _settled(*records: tuple[str, dict]) -> list[Settled]:
    """What :class:`Streams` makes of (kind, record) pairs read one a line, then of the end of the file."""
    streams = Streams()
    out = [s for i, (kind, rec) in enumerate(records, 1) for s in streams.feed(kind, i, "", rec)]
    return out + list(streams.end())


def _usage_record() -> dict:
    """A plain usage record beside a stream that is a problem (a file with no usable record is an error)."""
    return {"model": "gpt-4o-mini", "prompt_tokens": 5, "completion_tokens": 2}


# --- OpenAI Chat Completions chunks -------------------------------------------------------------------------------

def _chunk(cid: str, delta: dict, finish=None, **kw) -> dict:
    return {"id": cid, "object": "chat.completion.chunk", "created": 1694268190, "model": "gpt-4o-mini",
            "system_fingerprint": "fp_44709d6fcb",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **kw}


_NO_USAGE = [_chunk("chatcmpl-123", {"role": "assistant", "content": ""}), _chunk("chatcmpl-123", {"content": "Hello"}),
             _chunk("chatcmpl-123", {}, "stop")]


class TestOpenAIChunks:
    def test_a_stream_without_usage_is_a_problem_that_names_the_fix(self):
        # REPORT.md 1: before, exit 0 with 0 requests (all three chunks "ignored"); now the stream is one problem at its
        # first chunk, the other two chunks ignored as its chunks
        res = _read("chunks.jsonl", _jsonl(*_NO_USAGE, _usage_record()))
        [p] = res.problems
        assert p.line == 1
        assert "prompt tokens are unknown" in p.reason and '"include_usage": true' in p.reason
        # "Hello" is one o200k_base token (gpt-4o-mini's encoding): counted from the text, not billed
        assert "(1 completion token counted from its text, not billed usage)" in p.reason
        assert res.ignored == {"streamed chunk of a stream without usage (listed at its first chunk)": 2}
        assert len(res.frame) == 1 and res.frame["line"].tolist() == [4]

    def test_a_file_of_such_streams_is_refused_not_empty(self):
        with pytest.raises(LogError, match="include_usage"):
            _read("chunks.jsonl", _jsonl(*_NO_USAGE))

    def test_interleaved_streams_are_told_apart_by_id(self):
        a, b = "chatcmpl-a", "chatcmpl-b"
        recs = [_chunk(a, {"role": "assistant", "content": ""}), _chunk(b, {"role": "assistant", "content": ""}),
                _chunk(a, {"content": "Hello"}), _chunk(b, {"content": "Hello Hello"}), _chunk(a, {}, "stop"),
                _chunk(b, {}, "stop")]
        res = _read("chunks.jsonl", _jsonl(*recs, _usage_record()))
        # one problem a stream, at its first chunk; "Hello" 1 token, "Hello Hello" 2 (o200k_base)
        assert [(p.line, "(1 completion token " in p.reason, "(2 completion tokens " in p.reason)
                for p in res.problems] == [(1, True, False), (2, False, True)]
        assert sum(res.ignored.values()) == 4

    def test_streamed_tool_call_counts_as_the_same_answer_given_whole(self):
        args = '{"city": "Paris", "unit": "celsius"}'
        call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": args}}
        recs = [_chunk("c", {"role": "assistant", "content": None, "tool_calls": [
                    {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}),
                _chunk("c", {"tool_calls": [{"index": 0, "function": {"arguments": args[:9]}}]}),
                _chunk("c", {"tool_calls": [{"index": 0, "function": {"arguments": args[9:]}}]}),
                _chunk("c", {}, "tool_calls")]
        res = _read("chunks.jsonl", _jsonl(*recs, _usage_record()))
        whole = _read("whole.jsonl", _jsonl({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}],
                                             "choices": [{"message": {"role": "assistant", "content": None,
                                                                      "tool_calls": [call]}}]}))
        n = int(whole.frame["completion_tokens"].iloc[0])
        [p] = res.problems
        assert f"({n} completion tokens counted from its text" in p.reason

    def test_with_include_usage_the_usage_chunk_stands_for_the_request_as_before(self):
        # (a guard: the same result as before the stream grouping)
        usage = {"id": "chatcmpl-123", "object": "chat.completion.chunk", "created": 1694268190, "model": "gpt-4o-mini",
                 "choices": [], "usage": {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23}}
        res = _read("chunks.jsonl", _jsonl(*_NO_USAGE, usage))
        row = res.frame.iloc[0]
        assert len(res.frame) == 1 and not res.problems and row["line"] == 4
        assert (row["prompt_tokens"], row["completion_tokens"], row["tokens_source"]) == (20, 3, "usage")
        assert res.ignored == {"streamed chunk without usage (the chunk with usage stands for its request)": 3}


# --- Anthropic Messages stream events -----------------------------------------------------------------------------

_START = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [],
                                               "model": "claude-sonnet-4-5", "stop_reason": None,
                                               "usage": {"input_tokens": 25, "cache_read_input_tokens": 1000,
                                                         "output_tokens": 1}}}
_TEXT = [{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
         {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
         {"type": "content_block_stop", "index": 0}]
_DELTA = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
          "usage": {"output_tokens": 15}}
_STOP = {"type": "message_stop"}
_EVENTS = [_START, *_TEXT, {"type": "ping"}, _DELTA, _STOP]


class TestAnthropicEvents:
    def test_output_is_the_last_message_delta_not_message_starts_placeholder(self):
        # REPORT.md 5's example: prompt 25 + 1000 cache reads = 1025, cached 1000, completion 15 (the cumulative
        # message_delta count; before: 1, message_start's placeholder, and the other events listed as problems)
        res = _read("events.jsonl", _jsonl(*_EVENTS))
        row = res.frame.iloc[0]
        assert len(res.frame) == 1 and not res.problems
        assert (row["prompt_tokens"], row["cached_tokens"], row["completion_tokens"]) == (1025, 1000, 15)
        assert (row["model"], row["request_id"], row["line"]) == ("claude-sonnet-4-5", "msg_1", 1)
        assert res.ignored == {"Anthropic stream event (its message_start line stands for the message)": 5,
                               "Anthropic stream ping": 1}
        assert res.formats == {"events.jsonl": "anthropic-stream"}

    def test_message_delta_counts_update_message_starts(self):
        # newer API versions repeat the input counts in message_delta: the last value of each wins (30, not 25)
        delta = {**_DELTA, "usage": {"input_tokens": 30, "cache_read_input_tokens": 0, "output_tokens": 15}}
        row = _read("events.jsonl", _jsonl(_START, delta, _STOP)).frame.iloc[0]
        assert (row["prompt_tokens"], row["cached_tokens"], row["completion_tokens"]) == (30, 0, 15)

    def test_messages_one_after_another_an_error_and_a_cut_stream(self):
        second = {**_START, "message": {**_START["message"], "id": "msg_2"}}
        third = {**_START, "message": {**_START["message"], "id": "msg_3"}}
        error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded: secret words"}}
        res = _read("events.jsonl", _jsonl(*_EVENTS, second, error, third, *_TEXT))
        assert len(res.frame) == 1   # msg_1 only
        # msg_2 failed (listed at its error event, line 9), msg_3 was cut before its message_delta (line 10)
        assert [(p.line, p.reason.split(": ", 1)[1][:22]) for p in res.problems] == [
            (9, "request failed (overlo"), (10, "message cut before its")]
        assert all("secret" not in p.reason for p in res.problems)
        # 7 events of msg_1 (6 + the ping), msg_2's start, msg_3's 3 block events
        assert sum(res.ignored.values()) == 6 + 1 + 3

    def test_a_streamed_tool_call_is_read_from_its_input_json_deltas(self):
        tool = [{"type": "content_block_start", "index": 0,
                 "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}},
                {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"ci'}},
                {"type": "content_block_delta", "index": 0,
                 "delta": {"type": "input_json_delta", "partial_json": 'ty": "Paris"}'}},
                {"type": "content_block_stop", "index": 0}]
        res = _read("events.jsonl", _jsonl(_START, *tool, _DELTA, _STOP))
        assert not res.problems and res.frame["completion_tokens"].tolist() == [15]
        [raw] = [s.what for s in _settled(*(("anthropic", e) for e in (_START, *tool, _DELTA, _STOP)))
                 if isinstance(s.what, Raw)]
        assert raw.completion == {"role": "assistant", "content": None, "tool_calls": [
            {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]}

    def test_an_anthropic_error_body_alone_is_a_failed_request(self):
        res = _read("errors.jsonl", _jsonl({"type": "error", "error": {"type": "rate_limit_error", "message": "x"}},
                                           _usage_record()))
        assert [p.reason for p in res.problems] == ["field 'error': request failed (rate_limit_error)"]


# --- raw SSE text ---------------------------------------------------------------------------------------------------

class TestSSE:
    def test_anthropic_sse_text_is_read_as_its_events(self):
        # REPORT.md 5: before, read as a CSV and refused. Each record sits at its data: line (2, 5, ...)
        events = [(e["type"], e) for e in _EVENTS]
        res = _read("stream.sse", _sse(*events))
        row = res.frame.iloc[0]
        assert (row["prompt_tokens"], row["completion_tokens"], row["line"]) == (1025, 15, 2)
        assert not res.problems and sum(res.ignored.values()) == 6

    def test_openai_sse_with_done_a_bad_data_line_and_a_stray_line(self):
        usage = {"id": "c", "object": "chat.completion.chunk", "created": 1694268190, "model": "gpt-4o-mini",
                 "choices": [], "usage": {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23}}
        data = _sse((None, _chunk("c", {"content": "Hi"})), (None, usage), (None, "[DONE]"), (None, "{broken")) + \
            b"stray text\n"
        res = _read("stream.sse", data)
        assert res.frame["prompt_tokens"].tolist() == [20] and res.frame["line"].tolist() == [3]
        # the bad data line (7) and the stray line (9), by line; nothing of their text echoed
        assert [(p.line, p.reason[:30]) for p in res.problems] == [
            (7, "field 'data': not valid JSON ("), (9, "line of an SSE stream that is ")]
        assert all("broken" not in p.reason and "stray" not in p.reason for p in res.problems)
        assert res.ignored == {"streamed chunk without usage (the chunk with usage stands for its request)": 1,
                               "end of an SSE stream (data: [DONE])": 1}

    def test_an_event_over_several_data_lines_is_one_record(self):
        # the standard joins an event's data lines with newlines: a JSON record spread over two data: lines
        data = b'data: {"model": "gpt-4o-mini",\ndata:  "prompt_tokens": 5, "completion_tokens": 2}\n\n'
        res = _read("stream.sse", data)
        assert res.frame["prompt_tokens"].tolist() == [5] and res.frame["line"].tolist() == [1]


# --- Gemini / Vertex AI streamGenerateContent chunks ----------------------------------------------------------------

def _gem(text: str, *, counts: dict | None = None, finish: str | None = None, rid: str | None = "r1") -> dict:
    cand: dict = {"content": {"role": "model", "parts": [{"text": text}]}}
    if finish:
        cand["finishReason"] = finish
    out = {"candidates": [cand], "usageMetadata": {**(counts or {}), "trafficType": "ON_DEMAND"},
           "modelVersion": "gemini-3.1-flash-lite-preview", "createTime": "2026-03-10T14:54:45.066123Z"}
    return {**out, "responseId": rid} if rid else out


_VERTEX = [_gem("Hello!"), _gem(" How can I help you today"), _gem("?"),
           _gem("", counts={"promptTokenCount": 1, "candidatesTokenCount": 9, "totalTokenCount": 10}, finish="STOP")]


class TestGeminiChunks:
    def test_vertex_chunks_one_request_from_the_last_with_counts(self):
        # REPORT.md 6: before, the 3 chunks without counts were problems
        for name, data in (("chunks.jsonl", _jsonl(*_VERTEX)), ("stream.sse", _sse(*((None, c) for c in _VERTEX)))):
            res = _read(name, data)
            row = res.frame.iloc[0]
            assert len(res.frame) == 1 and not res.problems
            assert (row["prompt_tokens"], row["completion_tokens"], row["model"]) == (
                1, 9, "gemini-3.1-flash-lite-preview")
            assert row["timestamp"].timestamp() == pytest.approx(pd.Timestamp("2026-03-10T14:54:45.066123Z").timestamp())
            assert sum(res.ignored.values()) == 3

    def test_the_answer_is_the_text_of_all_chunks(self):
        # the record standing for the response holds the text of every chunk (the last one's is empty)
        [final] = [s for s in _settled(*(("gemini", c) for c in _VERTEX)) if isinstance(s.what, dict)]
        assert final.line == 4
        assert final.what["candidates"] == [{"content": {"role": "model", "parts": [
            {"text": "Hello! How can I help you today?"}]}, "finishReason": "STOP"}]

    def test_cumulative_counts_on_every_chunk_are_one_request(self):
        # the Gemini API repeats usageMetadata on each chunk, counts so far: 1 request (7 / 4), not 3 (21 / 7)
        chunks = [_gem("Hel", counts={"promptTokenCount": 7, "candidatesTokenCount": 1}),
                  _gem("lo", counts={"promptTokenCount": 7, "candidatesTokenCount": 2}),
                  _gem(" you", counts={"promptTokenCount": 7, "candidatesTokenCount": 4}, finish="STOP")]
        res = read_logs([MemoryFile("array.json", json.dumps(chunks, indent=1).encode())], ft_tokenizer=None)
        assert (res.requests, res.summary()["prompt_tokens"], res.summary()["completion_tokens"]) == (1, 7, 4)

    def test_chunks_without_response_id_group_by_their_order(self):
        c = {"promptTokenCount": 3, "candidatesTokenCount": 2}
        res = _read("chunks.jsonl", _jsonl(_gem("a", rid=None), _gem("b", counts=c, finish="STOP", rid=None),
                                           _gem("c", rid=None), _gem("d", counts=c, finish="STOP", rid=None)))
        assert res.frame["line"].tolist() == [2, 4] and sum(res.ignored.values()) == 2

    def test_a_response_without_counts_is_a_problem(self):
        res = _read("chunks.jsonl", _jsonl(*_VERTEX[:3], _usage_record()))
        [p] = res.problems
        assert p.line == 1 and "without usage counts" in p.reason and "completion tokens counted" in p.reason


# --- byte ranges and the oracle -----------------------------------------------------------------------------------

def test_a_stream_file_read_in_byte_ranges_gives_the_same_totals(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(_jsonl(*[{**e, "message": {**e["message"], "id": f"msg_{i}"}} if e is _START else e
                              for i in range(300) for e in _EVENTS]))
    one = read_logs([str(path)], ft_tokenizer=None, processes=1).summary()
    ranged = read_logs([str(path)], ft_tokenizer=None, processes=2, task_bytes=4096).summary()
    assert one == ranged and one["requests"] == 300 and one["completion_tokens"] == 300 * 15


def _lines_accounted(name: str, data: bytes, n_records: int) -> None:
    """Own errors only, and every record once: a row, a problem or an ignored record (counted)."""
    try:
        work = list(iter_chunks([MemoryFile(name, data)], ft_tokenizer=None))
    except AdvisorError:
        return
    rows = sum(len(w) for w in work)
    assert rows == n_records, f"{rows} rows for {n_records} records"


_ids = st.sampled_from(["a", "b", None, 3])
_text = st.one_of(st.text(max_size=8), st.none(), st.integers())
_counts = st.one_of(st.integers(-2, 10**6), st.none(), st.text(max_size=3), st.floats())
stream_records = st.one_of(
    st.builds(lambda i, t, fin, u: {"id": i, "object": "chat.completion.chunk", "model": "gpt-4o-mini",
                                    "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": fin}],
                                    **({"usage": {"prompt_tokens": u, "completion_tokens": u}} if u != -2 else {})},
              _ids, _text, st.sampled_from([None, "stop"]), _counts),
    st.builds(lambda i, u: {"type": "message_start", "message": {"id": i, "model": "claude-sonnet-4-5",
                                                                 "usage": {"input_tokens": u, "output_tokens": 1}}},
              _ids, _counts),
    st.builds(lambda t, ix: {"type": "content_block_delta", "index": ix, "delta": {"type": "text_delta", "text": t}},
              _text, st.one_of(st.integers(0, 2), st.text(max_size=2))),
    st.builds(lambda u: {"type": "message_delta", "delta": {}, "usage": u},
              st.one_of(st.fixed_dictionaries({"output_tokens": _counts}), _counts)),
    st.sampled_from([{"type": "message_stop"}, {"type": "ping"}, {"type": "error", "error": {"type": "x"}},
                     {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "name": 3}},
                     {"type": "message_start", "message": 5}]),
    st.builds(lambda t, c, fin, rid: _gem(t if isinstance(t, str) else "", finish=fin, rid=rid,
                                          counts={"promptTokenCount": c, "candidatesTokenCount": 1}),
              _text, _counts, st.sampled_from([None, "STOP"]), st.sampled_from(["r1", "r2", None])),
)


def test_a_type_that_is_no_text_is_a_record_of_its_own():
    # found by mutating the real files: {"type": [...]} raised TypeError (unhashable) in the event test
    res = _read("events.jsonl", _jsonl({"type": ["message_start"], "index": 0}, {"type": {}}, *_EVENTS))
    assert len(res.frame) == 1 and [p.line for p in res.problems] == [1, 2]


@settings(derandomize=True, max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recs=st.lists(stream_records, min_size=1, max_size=10), sse=st.booleans())
def test_any_stream_records_are_each_accounted_for_once(recs, sse):
    data = _sse(*((None, r) for r in recs)) if sse else _jsonl(*recs)
    _lines_accounted("s.sse" if sse else "s.jsonl", data, len(recs))


@settings(derandomize=True, max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(st.sampled_from(["", "event: x", ": ping", "id: 3", "retry: 10", "data: [DONE]",
                                                 "data: {", "data:", "data: null", "x"]),
                                st.text(max_size=12).map(lambda t: "data: " + t),
                                st.builds(lambda r: "data: " + json.dumps(r), stream_records)), max_size=12))
def test_the_sse_reader_never_fails_on_any_lines(lines):
    data = ("data: {}\n" + "\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    try:
        res = read_logs([MemoryFile("s.sse", data)], ft_tokenizer=None)
    except AdvisorError:
        return
    json.dumps(res.summary(), allow_nan=False)
    assert all(1 <= p.line <= data.count(b"\n") for p in res.problems)  # a physical line of the file
