"""JSON in any layout, streamed: JSONL lines (pretty-printed values among them), and whole documents (an object
or an array, one or more in a row) scanned value by value in linear time, each record reported at the PHYSICAL
line where it starts; a broken value is a problem, and reading resumes at the next value it can find."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

from advisor.logs.records import RecordProblem, clean_surrogates, fast_loads, json_loads, json_raw_decode
from advisor.logs.streams import _CHUNK, NotSplittable, ReadStats, _physical_lines, _too_big

__all__ = ["decode_record", "STREAM_KEYS"]

def decode_record(text: str) -> Any:
    """Decoded JSON, or a RecordProblem that names what is wrong (never the record's content)."""
    try:
        value = json_loads(text)
    except RecursionError:
        return RecordProblem("JSON nested too deeply")
    except ValueError as exc:
        return _bad_json(exc)
    if "\\ud" in text or "\\uD" in text:
        value = clean_surrogates(value)
    return value


def _opens_value(line: str, exc: ValueError) -> bool:
    """Whether a line that is not valid JSON opens a value it does not close: it starts with '{' or '[' and the
    decoder ran out of text at its end (``{`` alone, ``{"usage": {``: pretty-printed or concatenated JSON, as
    ``jq .`` writes it), rather than finding something wrong inside it.

    >>> def err(s):
    ...     try:
    ...         json.loads(s)
    ...     except ValueError as e:
    ...         return e
    >>> [_opens_value(s, err(s)) for s in ('{', '  [', '{"a": [', '{"a": 1} x', '{"a": "b', 'null x')]
    [True, True, True, False, False, False]
    """
    return line.lstrip(_BLANK)[:1] in ("{", "[") and getattr(exc, "pos", -1) >= len(line.rstrip(_BLANK))


_DECODER = json.JSONDecoder()


def _line_values(text: str) -> list | None:
    """The objects (or arrays) of a line that holds several, one after another or comma-separated (records
    written without a newline between them, or array elements without their brackets); None when it does not.

    >>> _line_values('{"a": 1}{"b": 2}'), _line_values('{"a": 1}, {"b": 2},'), _line_values('{"a": 1} x')
    ([{'a': 1}, {'b': 2}], [{'a': 1}, {'b': 2}], None)
    """
    out, pos, end = [], _past(_WS, text), len(text.rstrip(_BLANK))
    try:
        while pos < end:
            value, pos = json_raw_decode(_DECODER, text, pos)
            if not isinstance(value, (dict, list)):
                return None
            out.append(value)
            pos = _past(_WS_COMMA, text, pos)
    except (ValueError, RecursionError):
        return None
    return out if len(out) > 1 or (out and text.rstrip(_BLANK).endswith(",")) else None


def _bad_json(exc: ValueError) -> RecordProblem:
    return RecordProblem(f"not valid JSON ({getattr(exc, 'msg', 'bad text')}, column {getattr(exc, 'colno', '?')})")


# orjson nests up to 1,024 levels where json gives up sooner ("nested too deeply"): a line with this many brackets
# (no ordinary record has) is left to json, so both read the same lines the same way
_FAST_BRACKETS = 400


def _iter_jsonl(src, limit: int, *, stop: int | None = None, stats: ReadStats | None = None, bom: bool = True,
                strict: bool = False, first_line: int = 1) -> Iterator[tuple[int, Any]]:
    """JSONL, line by line. From the first line that opens a JSON value it does not close (pretty-printed or
    concatenated JSON in a ``.jsonl`` file: ``jq .`` output, a pretty array) the rest of the file is read by
    :func:`_iter_lines`, which reads such values on over their lines; ``strict`` (a byte range of the file, see
    :func:`~advisor.logs.streams._physical_lines` for ``stop``) raises :class:`NotSplittable` there instead.

    Each line is decoded by orjson when it is installed (several times faster); a line orjson refuses (NaN,
    a lone surrogate, deep nesting, text that is not UTF-8) is decoded by :func:`json_loads` as before.
    """
    fast = fast_loads()
    for line_no, data, n in _physical_lines(src, limit, stop=stop, stats=stats, bom=bom, first_line=first_line):
        if data is None:
            yield line_no, _too_big(n, limit)
            continue
        if fast is not None and data.count(b"[") + data.count(b"{") < _FAST_BRACKETS:
            try:
                yield line_no, fast(data)
                continue
            except ValueError:
                pass
        if not data.strip():
            continue
        text = data.decode("utf-8", "replace")
        try:
            value = json_loads(text)
        except RecursionError:
            yield line_no, RecordProblem("JSON nested too deeply")
            continue
        except ValueError as exc:
            if _opens_value(text, exc):
                if strict:
                    raise NotSplittable(line_no) from None
                yield from _iter_lines(src, limit, text, line_no)
                return
            several = _line_values(text)
            if several is None:
                yield line_no, _bad_json(exc)
            for value in several or ():
                yield line_no, clean_surrogates(value) if "\\ud" in text or "\\uD" in text else value
            continue
        if "\\ud" in text or "\\uD" in text:
            value = clean_surrogates(value)
        yield line_no, value


def _iter_lines(src, limit: int, first: str, line: int, chunk: int = _CHUNK) -> Iterator[tuple[int, Any]]:
    """JSONL from ``first`` (the text of physical line ``line``) on, where a line that opens a JSON value it
    does not close starts a multi-line record, read on as the document reader does and reported at the
    physical line where it starts.

    When such a record is broken: on its first line alone (a JSONL line cut short) that line is the
    problem and reading goes on with the next; spread over lines, the problem is at its first line and
    reading goes on at the next line that starts with '{' or '[' (the message says which). A region
    where a multi-line record failed is retried as one at most once more, so hostile text costs linear time.
    """
    t = _Text(src, line, chunk, first)
    decoder = json.JSONDecoder()
    failed_to, retry = 0, False  # lines before failed_to were read by a multi-line record that failed
    # line: the physical line at t.pos
    while True:
        end = t.buf.find("\n", t.pos)
        if end < 0 or end - t.pos > limit:  # the line goes on past what was read (or is too long)
            t.mark(t.pos, line)
            if t.pos >= len(t.buf) and not t.more():
                return
            found = _line_end(t, limit)
            if found is None or found - t.pos > limit:
                yield line, _too_big(_skip_line(t), limit)
                line = t.line_at(t.pos)
                continue
            end = found
        seg = t.buf[t.pos:end]
        t.pos = end + 1
        bare = seg.strip(_BLANK)
        if not bare:  # a blank line
            line += 1
            continue
        if bare != "{" and bare != "[":  # alone on its line (jq's way), they surely open a value
            try:
                value = json_loads(seg)
            except RecursionError:
                yield line, RecordProblem("JSON nested too deeply")
                line += 1
                continue
            except ValueError as exc:
                if not _opens_value(seg, exc) or not (line >= failed_to or retry):
                    several = _line_values(seg)
                    if several is None:
                        yield line, _bad_json(exc)
                    for value in several or ():
                        yield line, clean_surrogates(value) if "\\ud" in seg or "\\uD" in seg else value
                    line += 1
                    continue
            else:
                if "\\ud" in seg or "\\uD" in seg:
                    value = clean_surrogates(value)
                yield line, value
                line += 1
                continue
        elif not (line >= failed_to or retry):
            yield line, decode_record(seg)
            line += 1
            continue
        fresh = line >= failed_to
        retry = retry and fresh  # inside a failed region: its one retry is used now
        t.pos = end - len(seg.lstrip(_BLANK))
        t.mark(t.pos, line)
        failed = yield from _multi_line(t, decoder, limit, line, seg)
        if failed is False:
            return
        if failed:
            failed_to, retry = max(failed, failed_to), fresh
        line = t.line_at(t.pos)


def _multi_line(t: _Text, decoder: json.JSONDecoder, limit: int, line: int, seg: str):
    """Read the value that starts at t.pos on ``line`` (whose text is ``seg``) and goes on over the next lines.
    Returns None when it was read (or was broken on its first line alone: that line is the problem), the line
    where it turned out broken when it spanned lines, False when the file cannot go on."""
    if t.buf[t.pos] == "[":
        return None if (yield from _stream_array(t, decoder, limit)) else False
    status, value = _next_value(t, decoder, limit)
    if status == "ok":
        yield line, value
        return None
    if status == "big":
        return None if (yield from _stream_object(t, decoder, limit, line)) else False
    if status == "deep":
        _skip_value(t)
        yield line, RecordProblem(value)
        return t.line_at(t.pos)
    nl = t.buf.find("\n", t.pos)
    after = len(t.buf) if nl < 0 else nl + 1
    if t.err_line == line or (t.eof and _past(_WS, t.buf, after) == len(t.buf)):
        t.pos = after  # a JSONL record cut short: the line alone is the problem, as for any broken line
        yield line, decode_record(seg)
        return None
    err_line = t.err_line
    resumed = _resync(t, seg[:len(seg) - len(seg.lstrip(_BLANK))])
    if resumed == line + 1:  # cut short, and the next line starts a record: the line alone, as above
        yield line, decode_record(seg)
    else:
        yield line, RecordProblem(value + (f"; skipped to line {resumed}" if resumed else
                                           "; the rest of the file was not read"))
    return err_line if resumed else False


def _line_end(t: _Text, limit: int) -> int | None:
    """Index of the newline ending the line at t.pos (or of the end of the file), reading on as needed (the
    read-ahead doubles: linear time for a long line); None when the line is longer than ``limit``."""
    seen = t.pos
    while True:
        nl = t.buf.find("\n", seen)
        if nl >= 0 or t.eof:
            return nl if nl >= 0 else len(t.buf)
        have = len(t.buf) - t.pos
        if have > limit:
            return None
        t.more(min(max(t.chunk, have), limit + t.chunk - have))
        seen = t.pos + have


def _skip_line(t: _Text) -> int:
    """Move past the next newline without keeping the line (small reads); the characters skipped."""
    n = 0
    while True:
        nl = t.buf.find("\n", t.pos)
        if nl >= 0:
            n += nl + 1 - t.pos
            t.pos = nl + 1
            return n
        n += len(t.buf) - t.pos
        t.pos = len(t.buf)
        if not t.more():
            return n


_BLANK = " \t\r\n\x0b\x0c"  # what a blank line holds (bytes.strip's whitespace)
_WS = re.compile(r"[ \t\r\n]*")
_WS_COMMA = re.compile(r"[ \t\r\n,]*")


def _past(pattern: re.Pattern[str], text: str, pos: int = 0) -> int:
    """Where ``pattern``, one that matches the empty string (a run of blanks), stops matching from ``pos``."""
    m = pattern.match(text, pos)
    assert m is not None, "the pattern matches the empty string"
    return m.end()
_RESYNC = re.compile(r"\n(?=[\[{])")
_IN_STRING = re.compile(r'["\\]')
_STRUCT = re.compile(r'["\[\]{}]')
_SCALAR_END = re.compile(r"[\s,\]}]")


class _Text:
    """A growing window of decoded text over a binary stream, with the line number of its start."""

    def __init__(self, src, line: int, chunk: int = _CHUNK, text: str = ""):
        self.src, self.chunk = src, chunk
        self.dec = codecs.getincrementaldecoder("utf-8")("replace")
        self.buf, self.pos, self.eof = text, 0, False  # text: already read from src (whole lines)
        self._at, self._line = 0, line  # the line number at buf[_at] (counted forward, never from 0 again)
        self.err_line = 0  # where the last value found broken by _next_value turned out so
        self.hint, self.calm = 0, 0  # see _in_window: its window (0: none), good values since a broken one
        self.indent = ""  # the deepest indentation of a top-level object (see _bad)

    def more(self, n: int = 0) -> bool:
        """Read about n (default: one chunk) more bytes, dropping what is before pos; False at end of file."""
        if self.eof:
            return False
        self.drop()
        data = self.src.read(n or self.chunk)
        self.eof = not data
        self.buf += self.dec.decode(data or b"", final=self.eof)
        return bool(data)

    def drop(self) -> None:
        if self.pos:
            self._line = self.line_at(self.pos)
            self.buf, self.pos, self._at = self.buf[self.pos:], 0, 0

    def mark(self, pos: int, line: int) -> None:
        """Tell the line of buf[pos] (known to a caller that counts lines itself): nothing is counted twice."""
        self._at, self._line = pos, line

    def line_at(self, pos: int) -> int:
        """Physical line of buf[pos]; amortised O(1) for positions that move forward."""
        if pos >= self._at:
            self._line += self.buf.count("\n", self._at, pos)
        else:
            self._line -= self.buf.count("\n", pos, self._at)
        self._at = pos
        return self._line

    def skip(self, pattern: re.Pattern) -> bool:
        """Advance past what pattern matches, reading on; False when the file ends first."""
        while True:
            self.pos = _past(pattern, self.buf, self.pos)
            if self.pos < len(self.buf):
                return True
            if not self.more():
                return False


# lists inside a top-level object that hold records (see containers.py): streamed when the object is too big
STREAM_KEYS = frozenset(("data", "observations", "post", "patch", "items", "runs", "records", "logs", "rows", "results",
                         "resourceSpans"))  # the last: OpenTelemetry OTLP/JSON (containers.py)


class Part:
    """An element of a records list inside a top-level object too big to decode whole (streamed).

    ``head``: the object's fields read before the list (e.g. ``{"object": "page"}``)."""

    __slots__ = ("key", "index", "value", "head")

    def __init__(self, key: str, index: int, value: Any, head: dict):
        self.key, self.index, self.value, self.head = key, index, value, head


class Head:
    """The fields of a streamed top-level object other than its records lists (its envelope)."""

    __slots__ = ("fields", "lists")

    def __init__(self, fields: dict, lists: tuple[str, ...]):
        self.fields, self.lists = fields, lists


def _next_value(t: _Text, decoder: json.JSONDecoder, limit: int) -> tuple[str, Any]:
    """Decode the value at t.pos: ("ok", value) and t.pos past it; ("big", n) with t.pos unchanged;
    ("bad", reason) or ("deep", reason). Reads ahead as needed, doubling (linear time), up to the limit."""
    quick = _in_window(t, decoder) if t.hint else None
    if quick is not None:
        status, value = quick
        if status == "ok" and value[1] > limit:
            return "big", value[1]
        if status != "ok":
            return status, value
        t.pos += value[1]
        return "ok", value[0]
    while True:
        try:
            value, end = json_raw_decode(decoder, t.buf, t.pos)
            if end < len(t.buf) or t.eof:
                break
        except RecursionError:
            t.hint, t.calm = max(t.hint, _WINDOW_MIN), 0
            return "deep", "JSON nested too deeply"
        except ValueError as exc:
            pos, msg = getattr(exc, "pos", len(t.buf)), getattr(exc, "msg", "bad value")
            truncated = pos >= len(t.buf) - 1 or msg.startswith("Unterminated string")
            if not truncated or t.eof:
                t.hint, t.calm = max(t.hint, _WINDOW_MIN), 0  # broken values: the next ones in windows
                t.err_line = t.line_at(min(pos, len(t.buf)))
                return "bad", f"not valid JSON ({msg}, line {t.err_line})"
        have = len(t.buf) - t.pos
        if have > limit:
            return "big", have
        # double the read-ahead (linear time for one huge value), never past the limit by more than a chunk
        t.more(min(max(t.chunk, have), limit + t.chunk - have))
    if end - t.pos > limit:  # decoded within one read-ahead, but over the limit all the same
        return "big", end - t.pos
    if t.buf.find("\\ud", t.pos, end) >= 0 or t.buf.find("\\uD", t.pos, end) >= 0:
        value = clean_surrogates(value)
    t.pos = end
    return "ok", value


_WINDOW_MIN, _WINDOW_MAX = 1 << 10, 1 << 20
_CALM = 1000  # good values in a row after which windows stop


def _in_window(t: _Text, decoder: json.JSONDecoder) -> tuple[str, Any] | None:
    """Decode the value at t.pos in a window of the text twice the last value's size: ("ok", (value, size)),
    ("bad", reason), ("deep", reason); None when the value goes on past the window (or the buffer ends
    first), for the reader that reads on.

    Why: json counts an error's line from the start of the text it is given, so a broken value in a 1 MB
    buffer costs O(1 MB) (a hostile file of a million broken lines: minutes); in its window, its own size.
    Windows cost a copy of each value, so they are used only after a broken value, until _CALM good ones.
    """
    w = t.hint
    if t.pos + w >= len(t.buf):
        return None
    text = t.buf[t.pos:t.pos + w]
    try:
        value, end = json_raw_decode(decoder, text)
    except RecursionError:
        t.calm = 0
        return "deep", "JSON nested too deeply"
    except ValueError as exc:
        pos, msg = getattr(exc, "pos", w), getattr(exc, "msg", "bad value")
        if pos < w - 1 and not msg.startswith("Unterminated string"):
            t.calm = 0
            t.err_line = t.line_at(t.pos + pos)
            return "bad", f"not valid JSON ({msg}, line {t.err_line})"
        t.hint = min(2 * w, _WINDOW_MAX)
        return None
    if end >= w:  # it may go on (a number cut at the window's end)
        t.hint = min(2 * w, _WINDOW_MAX)
        return None
    t.calm += 1
    t.hint = 0 if t.calm >= _CALM else min(max(2 * end, _WINDOW_MIN), _WINDOW_MAX)
    if text.find("\\ud", 0, end) >= 0 or text.find("\\uD", 0, end) >= 0:
        value = clean_surrogates(value)
    return "ok", (value, end)


def _indent_at(t: _Text) -> str:
    """The blanks before t.pos when the value there starts its line (its indentation), else ''."""
    i = t.pos
    while i > 0 and t.buf[i - 1] in " \t":
        i -= 1
    return t.buf[i:t.pos] if i == 0 or t.buf[i - 1] == "\n" else ""


def _bad(t: _Text, start_line: int, reason: str, indent: str = "") -> tuple[tuple[int, RecordProblem], bool]:
    """The problem for a broken value, after moving to the next line that starts a record (at most as indented as
    ``indent``: pretty-printed records are indented, the lines inside them more); (item, resumed)."""
    resumed = _resync(t, indent)
    return (start_line, RecordProblem(reason + (f"; skipped to line {resumed}" if resumed else
                                                "; the rest of the file was not read"))), bool(resumed)


def _iter_json_doc(src, limit: int, chunk: int = _CHUNK) -> Iterator[tuple[int, Any]]:
    """JSON values one after another; the elements of a top-level array are streamed one by one, and so are
    the records lists of a top-level object too big to decode whole."""
    t = _Text(src, 1, chunk)
    t.more()
    if t.buf.startswith("\ufeff"):
        t.pos = 1
    decoder = json.JSONDecoder()
    while t.skip(_WS):
        if t.buf[t.pos] == "[":
            ok = yield from _stream_array(t, decoder, limit)
        else:
            ok = yield from _top_value(t, decoder, limit)
        if not ok:
            return


def _top_value(t: _Text, decoder: json.JSONDecoder, limit: int):
    """The top-level value at t.pos (not an array): decoded, or streamed by its records lists when it is a big
    object. Returns False when the file cannot go on."""
    start_line = t.line_at(t.pos)
    c = t.buf[t.pos]
    indent = _indent_at(t) if t.pos and t.buf[t.pos - 1] in " \t" else ""
    if c == "{" and len(indent) > len(t.indent):
        t.indent = indent  # records start at most this indented: where to look for the next, should one be broken
    status, value = _next_value(t, decoder, limit)
    if status == "ok":
        yield start_line, value
    elif status == "big" and c == "{":
        return (yield from _stream_object(t, decoder, limit, start_line))
    elif status == "big":
        yield start_line, _too_big(_skip_value(t), limit)
    elif status == "deep":
        _skip_value(t)  # by its brackets, in linear time: a resync would decode each nested line again
        yield start_line, RecordProblem(value)
    elif c == "{":  # broken: field by field, so that a broken record in its lists costs only itself
        return (yield from _stream_object(t, decoder, limit, start_line, broken=True))
    else:
        item, resumed = _bad(t, start_line, value, max(indent, t.indent, key=len))
        yield item
        return resumed
    return True


def _stream_array(t: _Text, decoder: json.JSONDecoder, limit: int):
    """The elements of the array that opens at t.pos, one by one, each at the line where it starts.
    Returns False when the file cannot go on."""
    opened = t.line_at(t.pos)
    t.pos += 1
    empty = True
    while True:
        if not t.skip(_WS_COMMA):
            yield opened, RecordProblem("the JSON array that opens here is not closed: the file ends first")
            return False
        if t.buf[t.pos] == "]":
            t.pos += 1
            if empty:  # accounted for, as the same array on a JSONL line is (containers.expand: ignored)
                yield opened, []
            return True
        if empty:
            indent = _indent_at(t)  # of the first element: where the next start, should one be broken
        empty = False
        start_line = t.line_at(t.pos)
        status, value = _next_value(t, decoder, limit)
        if status == "ok":
            yield start_line, value
        elif status == "big":
            yield start_line, _too_big(_skip_value(t), limit)
        elif status == "deep":
            _skip_value(t)
            yield start_line, RecordProblem(value)
        else:
            item, resumed = _bad(t, start_line, value, max(_indent_at(t), indent, t.indent, key=len))
            yield item
            if not resumed:
                return False


def _stream_object(t: _Text, decoder: json.JSONDecoder, limit: int, start_line: int, *, broken: bool = False):
    """Read a top-level object field by field: its records lists (STREAM_KEYS) element by element. For an object
    too big to decode whole, or ``broken`` (not valid JSON as a whole: a broken element then costs only
    itself, and an export cut short keeps the elements before the cut).

    Yields (line, Part) per element and finally (line, Head); returns False when the file cannot go on.
    """
    buf0, pos0 = t.buf, t.pos
    head: dict = {}
    lists: list[str] = []

    def head_bad(reason: str) -> tuple[tuple[int, RecordProblem], bool]:
        if broken and not lists and t.buf is buf0:  # no element read yet: resync from its start, as for any value
            t.pos = pos0
        return _bad(t, start_line, reason, t.indent)

    t.pos += 1
    while True:
        if not t.skip(_WS_COMMA):
            yield start_line, RecordProblem("the JSON object is not closed: the file ends first")
            return False
        if t.buf[t.pos] == "}":
            t.pos += 1
            break
        status, key = _next_value(t, decoder, 1 << 16)
        if status != "ok" or not isinstance(key, str) or not t.skip(_WS) or t.buf[t.pos] != ":":
            item, resumed = head_bad("not valid JSON (a field name was expected)")
            yield item
            return resumed
        t.pos += 1
        if not t.skip(_WS):
            yield start_line, RecordProblem("the JSON object is not closed: the file ends first")
            return False
        if t.buf[t.pos] == "[" and key in STREAM_KEYS:
            t.pos += 1
            lists.append(key)
            i = 0
            while True:
                if not t.skip(_WS_COMMA):
                    yield t.line_at(t.pos), RecordProblem(f"the '{key}' list is not closed: the file ends first")
                    return False
                if t.buf[t.pos] == "]":
                    t.pos += 1
                    break
                line = t.line_at(t.pos)
                if i == 0:
                    indent = _indent_at(t)
                status, value = _next_value(t, decoder, limit)
                if status == "ok":
                    yield line, Part(key, i, value, dict(head))
                elif status == "big":
                    yield line, _too_big(_skip_value(t), limit)
                else:  # the next element, as indented as the first: the list goes on
                    item, resumed = _bad(t, line, value, max(_indent_at(t), indent, key=len))
                    yield item
                    if not resumed:
                        return False
                i += 1
            continue
        status, value = _next_value(t, decoder, limit)
        if status == "ok":
            head[key] = value
        elif status == "big":
            _skip_value(t)
            head[key] = None
        else:
            item, resumed = head_bad(value)
            yield item
            return resumed
    if not lists:  # big because of one huge field, not because of many records (broken: cannot be, all read)
        yield start_line, head if broken else _too_big(limit + 1, limit)
    else:
        yield start_line, Head(head, tuple(lists))
    return True


def _resync(t: _Text, indent: str = "") -> int | None:
    """Move to the next line that starts with '{' or '[' after at most as much space as ``indent`` (a record
    after a broken one that was so indented: the lines inside a record are indented deeper); its line."""
    pattern = _RESYNC if not indent else re.compile(rf"\n[ \t]{{0,{len(indent)}}}(?=[\[{{])")
    while True:
        m = pattern.search(t.buf, t.pos + 1)
        if m:
            t.pos = m.end()
            return t.line_at(t.pos)
        t.pos = max(t.pos, len(t.buf) - 1 - len(indent))  # a match may straddle the next read
        if not t.more():
            return None


def _skip_value(t: _Text) -> int:
    """Skip the JSON value at t.pos without keeping it (bounded memory); the characters skipped."""
    skipped, depth, in_str = 0, 0, False
    c = t.buf[t.pos] if t.pos < len(t.buf) else ""
    if c not in '[{"':  # a huge scalar: ends at whitespace, ',', ']' or '}'
        while True:
            m = _SCALAR_END.search(t.buf, t.pos)
            if m:
                skipped += m.start() - t.pos
                t.pos = m.start()
                return skipped
            skipped += len(t.buf) - t.pos
            t.pos = len(t.buf)
            if not t.more():
                return skipped
    while True:
        pat = _IN_STRING if in_str else _STRUCT
        m = pat.search(t.buf, t.pos)
        if not m:
            skipped += len(t.buf) - t.pos
            t.pos = len(t.buf)
            if not t.more():
                return skipped
            continue
        ch = m.group()
        if in_str:
            if ch == "\\":
                if m.end() >= len(t.buf):  # the escaped character is in the next read
                    skipped += m.start() - t.pos
                    t.pos = m.start()
                    if not t.more():
                        return skipped
                    continue
                skipped += m.end() + 1 - t.pos
                t.pos = m.end() + 1
                continue
            in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
        else:
            depth -= 1
        skipped += m.end() - t.pos
        t.pos = m.end()
        if depth <= 0 and not in_str:
            return skipped


# ---------------------------------------------------------------------------------------------
# CSV and Parquet
