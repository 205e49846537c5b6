"""Records that carry their usage, taken as they are read (advisor.logs.usage_rows, advisor.logs.fastlines), give
what the general path gives: the same frame, problems, summary and notes, for records of the shape and for every
record near it (a wrong type, a value out of range, a key more, a placeholder), among lines of every other kind
(blank, broken, arrays, deep nesting, many brackets, lone surrogates, a BOM, CRLF), read whole or in byte ranges,
in blocks smaller than a line and flushed every few rows (issue 20)."""

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import LogError
from advisor.logs import fastlines, read_logs
from advisor.logs import usage_rows as usage_rows_module
from advisor.logs.answer import measure_answer, measure_text
from advisor.logs.fastlines import FLUSH, iter_jsonl_taking
from advisor.logs.jsonstream import _iter_jsonl
from advisor.logs.streams import ReadStats
from advisor.logs.usage_rows import UsageRows

pytest.importorskip("msgspec")

_SYSTEM = ["You are agent 7 of ACME-42. Answer in JSON.", "Classify the ticket dated 2024-05-01 into one label.",
           "Summarise 'the text' for https://a.b/c in 3 bullets."]
_TEXT = st.sampled_from(["hi", "Contract between Zoe Ltd and Ines GmbH dated 2024-09-22.", "", "  two  spaces \n",
                         "é ß İ", "step by step", "1. a\n2. b\n3. c", '{"a": 1}', "x" * 300])
_ANSWER = _TEXT | st.sampled_from(['{"party_a": "Zoe", "renewal": false}', '```json\n{"b": 2}\n```', "[1, 2]",
                                   "Billing - charged twice", "Let's think: 4", "label", "\t\n", "\ud800x",
                                   "Step 1: a\n2. b\n3. c", "Think  twice\tthen\r\nanswer ", "a" * 40 + " b"])
_ROLE = st.sampled_from(["system", "developer", "user", "assistant", "tool", "function", None, 5])


def _message(role, content, extra):
    m = {} if role is None else {"role": role}
    m["content"] = content
    m.update(extra)
    return m


_MESSAGE = st.builds(_message, _ROLE, _TEXT | st.sampled_from([None, 3, [{"type": "text", "text": "p"}]]),
                     st.sampled_from([{}, {}, {}, {"name": "bob"}, {"name": 3}, {"tool_calls": []},
                                      {"tool_calls": "x"}, {"function_call": {"name": "f"}}]))
# each field: values of the shape (first) and values near it that the general path reads otherwise (second)
_FIELDS = {
    "model": (["gpt-4o-2024-08-06", "gpt-4o-mini", " gpt-4o ", "no-such-model", None, ""], [5, ["m"]]),
    "messages": (["system+user", "user", "multi", "none-role", "empty"], [None, "text", {}, "odd"]),
    "metadata": (["absent", {"task": "contract-fields"}, {"task": " t "}, {"task": ""}, {"prompt_id": "p1"},
                  {"sample_rate": 0.5}, {"task": "x", "sample_rate": 1}, {"flag": True, "n": 3}],
                 [{"task": 5}, {"promptId": 7}, {"sample_rate": 0}, {"sample_rate": "0.25"}, {"sample_rate": 2},
                  {"nested": {"a": 1}}, '{"task": "json-text"}', 3]),
    "knobs": ([{}, {"temperature": 0.7, "max_tokens": 64}, {"stop": ["\n"]}, {"stream": False, "seed": 1, "user": "u"},
               {"temperature": 1}], [{"temperature": "hot"}, {"n": 1.0}, {"tools": [{"type": "function",
                                     "function": {"name": "f"}}]}, {"response_format": {"type": "json_object"}},
                                     {"functions": [{"name": "f"}]}, {"input": "x"}, {"unknown": 1}]),
    "prompt": ([1, 12, 1738, 10**12, 0], [-1, 10**12 + 1, 10**30, 1.5, 2.0, "12", "1,234", None, True, "absent",
                                          "input"]),
    "completion": ([1, 54, 0, 10**12], [-1, 1.5, "3", None, True, "absent", "output"]),
    "cached": (["absent", None, {}, {"cached_tokens": 0}, {"cached_tokens": 5}, {"cached_tokens": None},
                {"audio_tokens": 0}], [{"cached_tokens": 10**6}, {"cached_tokens": -1}, {"cached_tokens": "3"}, "x", 4,
                                       "input"]),
    "reasoning": (["absent", None, {}, {"reasoning_tokens": 640}, {"reasoning_tokens": 0}, {"reasoning_tokens": 10**9},
                   {"reasoning_tokens": None}], [{"reasoning_tokens": -1}, {"reasoning_tokens": True},
                                                 {"reasoning_tokens": 1.5}, "x", "output"]),
    "usage": (["object"], [None, "{}", {"prompt_tokens": 0, "completion_tokens": 0}, "zero"]),
    "answer": (["message", "message", "refusal"], ["none", "calls", "text", "two", "empty", "bare", "list"]),
    "created": ([1740964067, 1740964067000, 1740964067000000, None, 1262304000, 4102444799],
                [0, 1262303999, 253402300799, "2024-05-01T00:00:00Z", -5, 1.5e9, True, 10**20, "soon", 4102444800]),
    "id": (["chatcmpl-1", "", "  ", None, " id-2 "], [7, ["x"]]),
    "response_model": (["gpt-4o-2024-08-06", None, "", "gpt-4o-mini"], [3]),
    "response_extra": ([{}, {"system_fingerprint": "fp", "object": "chat.completion"}, {"service_tier": "default"}],
                       [{"body": {}}, {"created_at": 1740964067}, {"extra": [1]}]),
    "latency": (["absent", 1.362, 0, 3, None, 1e9], [-1, 2e9, "1.5", True]),
    "top_extra": ([{}], [{"timestamp": 1740964000}, {"id": "top"}, {"model": "gpt-4o"}, {"duration_ms": 12},
                         {"user": "u"}, {"object": "chat.completion"}]),
}


def _messages(kind, system, draw):
    if kind == "system+user":
        return [{"role": "system", "content": system}, {"role": "user", "content": draw(_TEXT)}]
    if kind == "user":
        return [{"role": "user", "content": draw(_TEXT)}]
    if kind == "multi":
        return [{"role": "developer", "content": system}, {"role": "user", "content": "q"},
                {"role": "assistant", "content": draw(_TEXT)}, {"role": "tool", "content": "r"},
                {"role": "user", "content": "q2", "name": "bob"}]
    if kind == "none-role":
        return [{"content": draw(_TEXT)}, {"role": "system", "content": system}]
    if kind == "empty":
        return []
    if kind == "odd":
        return [draw(_MESSAGE)]
    return kind


@st.composite
def _record(draw):
    bad = {draw(st.sampled_from(sorted(_FIELDS)))} if draw(st.booleans()) else set()  # one field off the shape
    f = {k: draw(st.sampled_from(_FIELDS[k][k in bad])) for k in _FIELDS}
    request = {"model": f["model"], "messages": _messages(f["messages"], draw(st.sampled_from(_SYSTEM)), draw)}
    if f["metadata"] != "absent":
        request["metadata"] = f["metadata"]
    request.update(f["knobs"])
    content = draw(_ANSWER)
    message = {"role": "assistant", "content": content}
    choices = [{"index": 0, "message": message, "finish_reason": "stop"}]
    answer = f["answer"]
    if answer == "refusal":
        message["refusal"] = None
    elif answer == "none":
        message["content"] = None
    elif answer == "calls":
        message.update(content=None, tool_calls=[{"id": "c", "type": "function",
                                                  "function": {"name": "f", "arguments": "{}"}}])
    elif answer == "text":
        choices = [{"index": 0, "text": content}]
    elif answer == "two":
        choices = choices * 2
    elif answer == "empty":
        choices = []
    elif answer == "bare":
        choices = [message]
    elif answer == "list":
        message["content"] = [{"type": "text", "text": content}]
    usage: dict = {}
    for key, other in (("prompt_tokens", "input"), ("completion_tokens", "output")):
        value = f[key.split("_")[0]]
        if value == other:
            usage[key.replace("prompt", "input").replace("completion", "output")] = 3
        elif value != "absent":
            usage[key] = value
    for key, value in (("prompt_tokens_details", f["cached"]), ("completion_tokens_details", f["reasoning"])):
        if value in ("input", "output"):
            usage[key.replace("prompt", "input").replace("completion", "output")] = {"cached_tokens": 1} \
                if value == "input" else {"reasoning_tokens": 9}
        elif value != "absent":
            usage[key] = value
    response = {"id": f["id"], "object": "chat.completion", "created": f["created"], "model": f["response_model"],
                "choices": choices}
    if f["usage"] == "object":
        response["usage"] = usage
    elif f["usage"] != "zero":
        response["usage"] = f["usage"]
    response.update(f["response_extra"])
    record = {"request": request, "response": response}
    if f["latency"] != "absent":
        record["latency_s"] = f["latency"]
    record.update(f["top_extra"])
    return record


def _deep(n: int) -> bytes:
    """A record of the shape but for a list nested ``n`` deep in its metadata."""
    return (b'{"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "metadata": {"task": '
            b'"deep", "x": ' + b"[" * n + b"]" * n + b'}}, "response": {"created": 1740964067, "choices": [{"message":'
            b' {"role": "assistant", "content": "y"}}], "usage": {"prompt_tokens": 3, "completion_tokens": 1}}}')


def _many(n: int) -> bytes:
    """A record of the shape with ``n`` messages: many brackets (the line reader uses json), little nesting."""
    return json.dumps({"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}] * n},
                       "response": {"created": 1740964067, "choices": [{"message": {"content": "y"}}],
                                    "usage": {"prompt_tokens": 3, "completion_tokens": 1}}}).encode()


_OTHER_LINES = st.sampled_from([b"", b"   ", b"not json", b"{", b"[1, 2]", b"null", b'{"a": NaN}', b'{"a": 1} x',
                                b"[" + b",".join([b'{"prompt_tokens": 3, "completion_tokens": 1}'] * 2) + b"]",
                                _deep(450), _deep(1500), _many(250), _many(3),
                                json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant",
                                                                                             "content": "a"}]}).encode()])


def _line(record) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")


_LINES = st.lists(st.one_of(_record().map(_line), _record().map(_line), _OTHER_LINES), min_size=1, max_size=12)


def _read(path, taken: bool, **kw):
    """(frame, problems, summary, formats) or the error's text, with or without the taker."""
    try:
        if taken:
            r = read_logs(path, ft_tokenizer=None, **kw)
        else:
            before = usage_rows_module.UsageRows.for_read
            usage_rows_module.UsageRows.for_read = classmethod(lambda cls, *a: None)  # type: ignore[method-assign]
            try:
                r = read_logs(path, ft_tokenizer=None, **kw)
            finally:
                usage_rows_module.UsageRows.for_read = before  # type: ignore[method-assign]
    except LogError as exc:
        return str(exc)
    return r.frame, r.problems, r.summary(max_problems=10_000), r.formats, r.assumptions, r.read_notes


def _assert_same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    assert a[1:] == b[1:]


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks shorter than most lines, a FLUSH every 2 rows, a frame every 3, plain answers measured two at a time:
    every boundary is met."""
    monkeypatch.setattr(fastlines, "BLOCK", 300)
    monkeypatch.setattr(fastlines, "FLUSH_EVERY", 2)
    monkeypatch.setattr(usage_rows_module, "FLUSH_EVERY", 2)
    monkeypatch.setattr(usage_rows_module, "_PLAIN_BATCH", 2)  # plain answers measured two at a time


class TestSameAsTheGeneralPath:
    @settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
    @given(_LINES, st.sampled_from([b"\n", b"\r\n"]), st.booleans(), st.booleans())
    def test_whole_file(self, tmp_path, lines, newline, bom, last_newline):
        path = tmp_path / "log.jsonl"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + newline.join(lines) + (newline if last_newline else b""))
        _assert_same(_read(path, True, processes=1), _read(path, False, processes=1))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
    @given(_LINES, st.integers(1, 4))
    def test_byte_ranges_small_blocks_and_chunks(self, tmp_path, small_blocks, lines, ranges):
        path = tmp_path / "log.jsonl"
        data = b"\n".join(lines) + b"\n"
        path.write_bytes(data)
        kw = dict(processes=1, chunk_records=3, task_bytes=max(1, len(data) // ranges))
        _assert_same(_read(path, True, **kw), _read(path, False, **kw))

    def test_the_sample_with_usage_is_taken_and_equal(self, tmp_path, monkeypatch):
        from advisor.samples import write_sample_logs
        path = tmp_path / "usage.jsonl"
        write_sample_logs(path, days=3, no_usage_share=0.0, seed=5)
        taken = []
        columns = UsageRows.columns
        monkeypatch.setattr(UsageRows, "columns", lambda self: taken.append(len(self.rows)) or columns(self))
        got = _read(path, True, processes=1)
        assert sum(taken) == len(got[0]) > 100  # every record of the sample took the lean path
        _assert_same(got, _read(path, False, processes=1))
        _assert_same(_read(path, True, processes=2, task_bytes=200_000), got)

    def test_iter_chunks_gives_the_same_work_rows(self, tmp_path):
        from advisor.logs import iter_chunks
        from advisor.samples import write_sample_logs
        path = tmp_path / "usage.jsonl"
        write_sample_logs(path, days=1, no_usage_share=0.2, seed=3)

        def rows(taken: bool) -> pd.DataFrame:
            before = usage_rows_module.UsageRows.for_read
            if not taken:
                usage_rows_module.UsageRows.for_read = classmethod(lambda cls, *a: None)  # type: ignore[method-assign]
            try:
                frame = pd.concat(list(iter_chunks([path], ft_tokenizer=None)), ignore_index=True)
            finally:
                usage_rows_module.UsageRows.for_read = before  # type: ignore[method-assign]
            return frame.sort_values("line", kind="stable").reset_index(drop=True)

        pd.testing.assert_frame_equal(rows(True), rows(False), check_exact=True)

    def test_without_msgspec_every_record_takes_the_general_path(self, monkeypatch):
        monkeypatch.setattr(usage_rows_module, "msgspec", None)
        assert UsageRows.for_read(None, None, None) is None  # type: ignore[arg-type]

    def test_only_without_7b_counts_and_for_openai_records(self):
        counter = object()
        assert UsageRows.for_read(None, None, counter) is not None  # type: ignore[arg-type]
        assert UsageRows.for_read(None, "openai", counter) is not None  # type: ignore[arg-type]
        assert UsageRows.for_read("mistral-v1", None, counter) is None  # type: ignore[arg-type]
        assert UsageRows.for_read(None, "langsmith", counter) is None  # type: ignore[arg-type]


class _Every:
    """Takes the lines whose text holds ``mark``."""

    def __init__(self, mark: bytes):
        self.mark, self.lines = mark, []

    def take(self, line, data):
        if self.mark in data:
            self.lines.append(line)
            return True
        return False


_RAW_LINE = st.sampled_from([b'{"t": 1}', b'{"k": 2}', b"", b"  ", b"{", b'  "a": 1', b"}", b"[", b"]", b"x",
                             b'{"t": NaN}', b'{"t": "\\ud800"}', b"\xef\xbb\xbf{}", b"\xff", b"[" * 401 + b"]" * 401,
                             b'{"t": "' + b"y" * 700 + b'"}', b'{"k": "' + b"z" * 700 + b'"}'])


class TestLinesTaken:
    @settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(_RAW_LINE, max_size=14), st.sampled_from([b"\n", b"\r\n"]), st.booleans(),
           st.sampled_from([None, 0, 5, 40, 10**6]), st.sampled_from([64, 10**6]), st.sampled_from([3, 10**6]))
    def test_the_rest_is_what_the_line_reader_yields(self, monkeypatch, lines, newline, last, stop, block, flush):
        """Lines taken are those the taker took, at their physical line; every other item is the line reader's,
        also after a hand-over (orjson refusal, many brackets, a line longer than a block or than the limit)."""
        import io
        monkeypatch.setattr(fastlines, "BLOCK", block)
        monkeypatch.setattr(fastlines, "FLUSH_EVERY", flush)
        data = newline.join(lines) + (newline if last else b"")
        limit = 500
        want_stats, got_stats = ReadStats(), ReadStats()
        want = list(_iter_jsonl(io.BufferedReader(io.BytesIO(data)), limit, stop=stop, stats=want_stats))
        taker = _Every(b'"t"')
        got = list(iter_jsonl_taking(io.BufferedReader(io.BytesIO(data)), limit, taker, stop=stop, stats=got_stats))
        items = [(n, v) for n, v in got if v is not FLUSH]
        taken = set(taker.lines)
        assert [(n, repr(v)) for n, v in items] == [(n, repr(v)) for n, v in want if n not in taken]
        assert all(isinstance(v, dict) and "t" in v for n, v in want if n in taken)  # what was taken decodes
        assert taken <= {n for n, _ in want}
        assert got_stats.lines == want_stats.lines
        if want:  # the last item's line is the line reader's (a truncated gzip is reported after it)
            assert got[-1][0] == want[-1][0]


class TestMeasureText:
    @settings(max_examples=500, deadline=None)
    @given(st.lists(_ROLE.filter(lambda r: r != 5), max_size=5), st.booleans(), st.none() | _ANSWER)
    def test_equals_measure_answer(self, roles, offered, text):
        messages = [{"content": "x"} if r is None else {"role": r, "content": "x"} for r in roles]
        want = measure_answer(messages, [{"type": "function"}] if offered else None, {"content": text})
        got = measure_text(["" if r is None else r for r in roles], offered, text)
        assert repr(got) == repr(want)
