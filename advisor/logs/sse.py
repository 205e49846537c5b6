"""Server-sent events (SSE) text, a streamed API answer saved raw: ``event: NAME`` / ``data: {...}`` lines, events
separated by blank lines (Anthropic Messages streams; OpenAI's, ending in ``data: [DONE]``; Vertex AI's
``streamGenerateContent?alt=sse``). Field rules from the WHATWG HTML standard, "Server-sent events", 9.2.6
(one leading space after the colon dropped; the data lines of one event joined by newlines; a line starting with a
colon is a comment).

Each event's data is one JSON record, reported at the physical line of its first ``data:`` line; ``event:``,
``id:`` and ``retry:`` lines and comments carry no record. An event whose data is not JSON is a problem naming its
line; ``[DONE]`` is counted as ignored. The records are then read as any (the stream's events grouped into requests
by :mod:`advisor.logs.streamed`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from advisor.logs.jsonstream import decode_record
from advisor.logs.records import Ignored, RecordProblem
from advisor.logs.streams import _physical_lines, _too_big

__all__ = ["looks_like_sse", "iter_sse"]

_FIELDS = (b"data:", b"event:", b"id:", b"retry:", b":")
_DONE = b"[DONE]"


def looks_like_sse(text: bytes) -> bool:
    """SSE text: the first non-blank line starts with an SSE field or a comment colon, as do most of the first 10
    (a stray line among them is a problem of its own, not another format), one of them a ``data:`` line.

    >>> looks_like_sse(b'event: ping\\ndata: {"type": "ping"}\\n\\n'), looks_like_sse(b'model,tokens\\n')
    (True, False)
    >>> looks_like_sse(b': keep-alive\\n\\ndata: {}\\n'), looks_like_sse(b'id: 1\\n'), looks_like_sse(b'data: 1\\nx\\n')
    (True, False, True)
    """
    lines = [ln.strip() for ln in text[:65536].split(b"\n")[:100] if ln.strip()][:10]
    fields = [ln for ln in lines if ln.startswith(_FIELDS)]
    return bool(lines) and lines[0].startswith(_FIELDS) and 2 * len(fields) >= len(lines) and \
        any(ln.startswith(b"data:") for ln in fields)


def iter_sse(src, limit: int) -> Iterator[tuple[int, Any]]:
    """(physical line, decoded record | RecordProblem | Ignored) for each event of SSE text read from ``src``;
    an event's data larger than ``limit`` bytes is a problem, never held whole."""
    data: list[tuple[int, bytes]] = []  # (line, value) of the current event's data lines
    first, size = 0, 0  # the event's first data line; its data's bytes (past ``limit``: no longer kept)
    for line_no, raw, n in _physical_lines(src, limit):
        if raw is None:
            yield line_no, _too_big(n, limit)
            continue
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            yield from _event(data, first, size, limit)
            data, size = [], 0
        elif line.startswith(b"data:"):
            value = line[5:]
            value = value[1:] if value.startswith(b" ") else value
            first = first if size else line_no
            size += len(value) + 1
            if size > limit:
                data = []  # the event's data is too large: listed at its end, never held
            else:
                data.append((line_no, value))
        elif not line.startswith(_FIELDS):
            yield line_no, RecordProblem("line of an SSE stream that is no field (expected event:, data:, id:, "
                                         "retry: or a comment)")
    yield from _event(data, first, size, limit)


def _event(data: list[tuple[int, bytes]], first: int, size: int, limit: int) -> Iterator[tuple[int, Any]]:
    """The record of one event's data lines: joined by newlines (the standard's rule); when that is no JSON and
    each line is (an event's records written without the blank line between them), one record a line."""
    if size > limit:
        yield first, _too_big(size, limit)
        return
    if not data:
        return
    if len(data) > 1:
        joined = _decoded(b"\n".join(v for _, v in data))
        if not isinstance(joined, RecordProblem):
            yield data[0][0], joined
            return
    for line_no, value in data:
        yield line_no, _decoded(value)


def _decoded(value: bytes) -> Any:
    """A data value decoded: JSON, ``[DONE]`` ignored, anything else a problem naming what is wrong.

    >>> _decoded(b'{"a": 1}'), _decoded(b"[DONE]").reason, _decoded(b"hello").reason[:14]
    ({'a': 1}, 'end of an SSE stream (data: [DONE])', 'not valid JSON')
    """
    if value.strip() == _DONE:
        return Ignored("end of an SSE stream (data: [DONE])")
    out = decode_record(value.decode("utf-8", "replace"))
    if isinstance(out, RecordProblem):
        return RecordProblem(out.reason, "data")
    return out
