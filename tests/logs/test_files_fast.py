"""The per-file fast paths of reading give what the plain ones give (issue 20: 10,000 one-record files cost little
more than the same records in one file).

- control bytes and UTF-16 without a BOM are found in C: the same answers as the loops they replace;
- the shape check decodes a first line with orjson when it can: the same shape as json alone, and its value is the
  one the JSONL reader would decode;
- a small file is read through a buffer of its size (a file that turns out bigger is read again with the usual
  one), and a file of one JSON line is decoded once: every record, problem, line and byte count as before;
- a glob stats each file once: the same files and sizes as ``isfile`` and ``getsize``.
"""

import gzip
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import LogError
from advisor.logs import files, read_logs, streams
from advisor.logs.jsonstream import _iter_jsonl, _opens_value
from advisor.logs.records import RecordProblem, json_loads
from advisor.logs.sources import Source, expand_sources
from advisor.logs.streams import _CHUNK, MemoryFile, ReadStats, _looks_binary, _utf16_without_bom

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------------------------------------
# the plain definitions the fast paths replace (as they were before issue 20's per-file work)


def _looks_binary_plain(first: bytes) -> bool:
    if not first:
        return False
    ctrl = sum(1 for b in first if b < 32 and b not in (9, 10, 12, 13))
    return ctrl > 0.1 * len(first)


def _utf16_plain(first: bytes) -> str | None:
    sample = first[:8192]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    odd_nul, even_nul = sample[1::2].count(0), sample[0::2].count(0)
    if odd_nul > 0.9 * half and even_nul < 0.1 * half:
        return "utf-16-le"
    if even_nul > 0.9 * half and odd_nul < 0.1 * half:
        return "utf-16-be"
    return None


def _shape_plain(text: bytes) -> str:
    """The shape check with json alone."""
    if text[:1] not in (b"{", b"["):
        lines = [ln for ln in text.split(b"\n")[:-1][:20] if ln.strip()] or [text]
        every_json = True
        for ln in lines:
            line = ln.decode("utf-8", "replace")
            try:
                value = json_loads(line)
            except RecursionError:
                every_json = False
                continue
            except ValueError as exc:
                if _opens_value(line, exc):
                    return "jsonl"
                every_json = False
                continue
            if isinstance(value, dict):
                return "jsonl"
        return "jsonl" if every_json else "csv"
    nl = text.find(b"\n")
    if nl < 0:
        return "json"
    first = text[:nl].decode("utf-8", "replace")
    try:
        json_loads(first)
        return "jsonl"
    except RecursionError:
        return "json"
    except ValueError as exc:
        return "json" if _opens_value(first, exc) else "jsonl"


@pytest.fixture
def plain_reading(monkeypatch):
    """Reading as before: buffers of _CHUNK for every file, and no value handed over by the shape check."""
    def use() -> None:
        monkeypatch.setattr(files, "_buffer_for", lambda size: _CHUNK)
        monkeypatch.setattr(files, "_shape_and_value", lambda text: (_shape_plain(text), files._NONE))
    return use


# ---------------------------------------------------------------------------------------------
# file contents: every layout the first-bytes checks branch on


_LINES = st.one_of(
    st.dictionaries(st.sampled_from(["model", "messages", "usage", "id", "x"]),
                    st.one_of(st.integers(-2**70, 2**70), st.text(max_size=8), st.floats(allow_nan=False),
                              st.lists(st.integers(), max_size=3)), max_size=4).map(json.dumps),
    st.sampled_from([
        '{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "usage": {"prompt_tokens": 3, '
        '"completion_tokens": 1}}',
        '{"a": NaN}', '{"a": "\\ud800 lone"}', '{"a": "\\ud83d\\ude00 pair"}', '{"n": ' + "9" * 30 + "}",
        "[1, 2]", "[]", "{}", "null", "3", '"text"', "{broken", "not json", "{", "}", '{"a": [', "model,tokens",
        "gpt-4o,3", "  ", "", "[" * 450 + "]" * 450, '{"a": ' + "[" * 420 + "]" * 420 + "}", "{\"a\": 1} x",
        '{"a": 1}{"b": 2}', '{"a": 1}, {"b": 2},', "\x00\x01\x02", "caf\xe9", '{"k": "\xe9t\xe9"}']),
)


@st.composite
def log_bytes(draw) -> bytes:
    lines = draw(st.lists(_LINES, min_size=1, max_size=4))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = draw(st.sampled_from(["", "\n", "  ", "\n\n"])) + ending.join(lines) + draw(st.sampled_from([ending, ""]))
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:
        data = data.replace(b"\xc3\xa9", b"\xe9")  # not UTF-8
    return data


def _normal(items) -> list:
    out = []
    for line, value in items:
        if isinstance(value, RecordProblem):
            out.append((line, "problem", value.reason, value.field))
        else:
            out.append((line, repr(value)))
    return out


def _read(path, **kw) -> tuple:
    stats = ReadStats()
    try:
        items = _normal(files.iter_records(path, stats=stats, **kw))
    except LogError as exc:
        return ("error", str(exc))
    return items, stats.bytes, stats.lines


# ---------------------------------------------------------------------------------------------


class TestFirstBytes:
    @SETTINGS
    @given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
    def test_control_bytes_as_the_loop_counts_them(self, data):
        assert _looks_binary(data) == _looks_binary_plain(data)

    @SETTINGS
    @given(st.binary(max_size=64) | st.text("ab{}\x00", max_size=64).map(lambda t: t.encode("latin-1"))
           | st.text(max_size=40).map(lambda t: t.encode("utf-16-le", "surrogatepass"))
           | st.text(max_size=40).map(lambda t: t.encode("utf-16-be", "surrogatepass")))
    def test_utf16_without_a_bom_as_the_counts_say(self, data):
        assert _utf16_without_bom(data) == _utf16_plain(data)

    @SETTINGS
    @given(log_bytes())
    def test_shape_as_json_alone_decides_it(self, data):
        text = data.removeprefix(b"\xef\xbb\xbf").lstrip()
        if text:
            shape, value = files._shape_and_value(text)
            assert shape == files._shape(text) == _shape_plain(text)
            if value is not files._NONE:  # the first line's value, as the JSONL reader decodes it
                line = io.BufferedReader(io.BytesIO(text[:text.find(b"\n") + 1]))
                assert _normal(_iter_jsonl(line, 1 << 20)) == [(1, repr(value))]


class TestSmallFiles:
    @SETTINGS
    @given(data=log_bytes(), name=st.sampled_from(["a.jsonl", "a.json", "a.csv", "a.jsonl.gz"]),
           cut=st.sampled_from([0, 0, 4, 9]))
    def test_records_problems_lines_and_bytes_as_before(self, tmp_path_factory, data, name, cut):
        path = tmp_path_factory.mktemp("f") / name
        gz = gzip.compress(data)  # cut: truncated (a problem after the records read)
        path.write_bytes(gz[:len(gz) - cut] if name.endswith(".gz") else data)
        fast = _read(path)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(files, "_buffer_for", lambda size: _CHUNK)
            mp.setattr(files, "_shape_and_value", lambda text: (_shape_plain(text), files._NONE))
            plain = _read(path)
        assert fast == plain
        assert _read(MemoryFile(str(path), path.read_bytes())) == fast

    @pytest.mark.parametrize("size", [10, 70_000, 300_000])
    def test_a_file_bigger_than_its_buffer_is_read_again_whole(self, write, monkeypatch, size):
        line = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "w " * 40}]}) + "\n"
        path = write("a.jsonl", line * (size // len(line) + 1))
        before = _read(path)
        monkeypatch.setattr(files, "_buffer_for", lambda n: 1 << 16)  # as if it had been 60 KB when listed
        assert _read(path) == before
        assert len(before[0]) == size // len(line) + 1

    def test_a_file_that_grew_since_its_size_was_taken_is_streamed(self, write, monkeypatch):
        line = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}) + "\n"
        path = write("a.jsonl", line * 50)
        before = _read(path)
        real = os.fstat

        def smaller(fd):  # as if the file had been 100 bytes when opened, and written to since
            st = real(fd)
            return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 100,
                                   st.st_atime, st.st_mtime, st.st_ctime))
        monkeypatch.setattr(streams.os, "fstat", smaller)
        raw, size = streams._open_raw(str(path), read_below=_CHUNK)
        assert size == 100 and not isinstance(raw, io.BytesIO) and raw.read() == path.read_bytes()
        raw.close()
        assert _read(path) == before and len(before[0]) == 50

    def test_a_small_file_is_read_at_once(self, write):
        raw, size = streams._open_raw(str(write("a.jsonl", "{}\n")), read_below=_CHUNK)
        assert isinstance(raw, io.BytesIO) and size == 3 and raw.read() == b"{}\n"
        raw, _ = streams._open_raw(str(write("b.jsonl", "{}\n" * 10)), read_below=30)
        assert not isinstance(raw, io.BytesIO)
        raw.close()

    def test_a_one_line_file_is_decoded_once(self, write, monkeypatch):
        calls = []
        real = files._iter_jsonl
        monkeypatch.setattr(files, "_iter_jsonl", lambda *a, **k: calls.append(1) or real(*a, **k))
        record = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
        text = json.dumps(record) + "\n"
        assert _read(write("one.jsonl", text)) == ([(1, repr(record))], len(text), 0)
        assert not calls
        _read(write("two.jsonl", (json.dumps(record) + "\n") * 2))
        assert calls

    def test_buffer_sizes(self):
        assert files._buffer_for(0) == _CHUNK and files._buffer_for(_CHUNK) == _CHUNK
        assert files._buffer_for(100) == 1 << 16 and files._buffer_for(500_000) == 500_001


class TestManySmallFiles:
    def test_problems_keep_their_file_and_line(self, tmp_path, plain_reading):
        ok = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}],
                         "usage": {"prompt_tokens": 8, "completion_tokens": 2}})
        lone = ok.replace("hello", "hello \\ud800")  # json reads a lone surrogate, orjson does not
        contents = [ok + "\n", "{broken\n" + ok + "\n", lone + "\n", "\n\n" + ok + "\n", "\ufeff" + ok + "\r\n",
                    ok + "\n" + "not json\n", ok, ok + "\n" + '{"model": "x"}\n', "[" + ok + "]\n", " " + ok + "\n"]
        for i, text in enumerate(contents):
            (tmp_path / f"call-{i:02d}.jsonl").write_bytes(text.encode())
        fast = read_logs([str(tmp_path / "call-*.jsonl")], processes=1, ft_tokenizer=None).summary()
        plain_reading()
        plain = read_logs([str(tmp_path / "call-*.jsonl")], processes=1, ft_tokenizer=None).summary()
        assert fast == plain
        where = {(os.path.basename(p["file"]), p["line"]) for p in fast["problems"]}
        assert where == {("call-01.jsonl", 1), ("call-05.jsonl", 2), ("call-07.jsonl", 2)}
        assert fast["requests"] == 10

    def test_a_glob_stats_each_file_once_and_skips_what_is_not_a_file(self, tmp_path):
        (tmp_path / "a.jsonl").write_text("{}\n")
        (tmp_path / "b.jsonl").mkdir()
        os.symlink(tmp_path / "missing", tmp_path / "c.jsonl")
        (tmp_path / "d.jsonl").write_text("{}\n{}\n")
        found = expand_sources([str(tmp_path / "*.jsonl")])
        assert [(os.path.basename(s.name), s.size) for s in found] == [("a.jsonl", 3), ("d.jsonl", 6)]
        assert all(isinstance(s, Source) and s.path == os.path.abspath(s.name) for s in found)
