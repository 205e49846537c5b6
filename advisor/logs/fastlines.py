"""JSONL read in blocks, each line offered first to a taker that turns the common record straight into a row.

A taker (:class:`Taker`) is given each line's bytes; what it takes never becomes an item. Every other line
is what :func:`~advisor.logs.jsonstream._iter_jsonl` makes of it: a line orjson decodes with fewer than
``_FAST_BRACKETS`` brackets is yielded as its value (what that reader yields for it), and at any other line (orjson
refuses it, deep nesting, a line longer than a block or than the record limit) the rest of the stream is handed
to that reader, from that line, with its physical line number. So every line is used, listed or skipped as the
line reader would, and the line numbers, ``stop`` and ``stats.lines`` stay the line reader's.

While it takes lines it yields ``(line, FLUSH)`` every ``FLUSH_EVERY`` lines taken and once at the end (``line``:
the last line taken), so that the caller can turn the rows taken into a frame while memory is bounded, and can
report progress. Blocks of ``BLOCK`` bytes are read into one buffer and each line is a view of it, found in C
(``bytearray.find``): splitting a fresh block into new objects cost 6 us a line of 4 KB, more than decoding it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, Protocol

from advisor.logs.jsonstream import _FAST_BRACKETS, _iter_jsonl
from advisor.logs.records import fast_loads
from advisor.logs.streams import _BOM, _CHUNK, ReadStats

__all__ = ["FLUSH", "FLUSH_EVERY", "BLOCK", "Taker", "iter_jsonl_taking"]

BLOCK = 1 << 20  # bytes read at once; a longer line goes to the line reader
FLUSH_EVERY = 2000  # lines taken between two FLUSH items


class _Flush:
    def __repr__(self) -> str:
        return "FLUSH"


FLUSH: Any = _Flush()  # the item "rows were taken": never a record


class Taker(Protocol):
    def take(self, line: int, data: bytes | memoryview) -> bool:
        """Whether the line (its bytes, without the newline and a first line's BOM) became a row."""


class _Rest(io.RawIOBase):
    """The bytes not yet used (``head``), then the rest of ``src``: a stream for the line reader."""

    def __init__(self, head: bytes, src):
        self.head, self.src = memoryview(head), src

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.head:
            n = min(len(b), len(self.head))
            b[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        return self.src.readinto(b) or 0


def iter_jsonl_taking(src, limit: int, taker: Taker, *, stop: int | None = None, stats: ReadStats | None = None,
                      bom: bool = True, strict: bool = False) -> Iterator[tuple[int, Any]]:
    """The items of :func:`~advisor.logs.jsonstream._iter_jsonl` over ``src`` (same arguments), but for the lines
    ``taker`` took, which are reported by ``FLUSH`` items instead (see the module's docstring)."""
    loads = fast_loads()
    if loads is None:  # without orjson the line reader decodes every line as before
        yield from _iter_jsonl(src, limit, stop=stop, stats=stats, bom=bom, strict=strict)
        return
    take = taker.take
    buf = bytearray(BLOCK)  # read into again and again: a fresh megabyte per block cost more than splitting it
    view = memoryview(buf)
    line_no = 0  # the last line read
    done = 0  # bytes of the lines read (where the next line starts, for ``stop``)
    tail = b""  # the start of a line that goes on in the next block
    taken, last_taken, pending = 0, 0, False  # pending: a line was taken after the last item yielded
    head = None  # what was read of the rest of the stream, from the line handed over to the line reader
    data: bytes | memoryview  # a line: a view of the block, or bytes joined from two blocks
    rest: bytes | memoryview | None  # after a joined line: the rest of the block, from its newline
    while True:
        n = src.readinto(buf)
        pos = 0  # where the next line starts in the block
        while True:
            start = pos
            if not n:  # the end of the stream: its last line has no newline
                if not tail:
                    break
                data, tail, rest = tail, b"", b""
            else:
                end = buf.find(b"\n", pos, n)
                if end < 0:  # a line that goes on in the next block
                    tail += view[pos:n]
                    if len(tail) > BLOCK:  # longer than a block: the line reader reads it on
                        head = tail
                    break
                pos = end + 1
                if tail:
                    data, tail = tail + view[start:end], b""
                    rest = view[end:n]
                else:
                    data = view[start:end]
                    rest = None
            if stop is not None and done >= stop:
                break
            size = len(data) + 1
            if len(data) > limit or len(data) > BLOCK:  # the line reader says why (or reads it on)
                head = _rest(data, rest, view, start, n)
                break
            line = line_no + 1
            line_data = data[3:] if line == 1 and bom and data[:3] == _BOM else data
            if take(line, line_data):
                line_no, done = line, done + size
                taken += 1
                last_taken, pending = line, True
                if taken % FLUSH_EVERY == 0:
                    if stats is not None:
                        stats.lines = line_no
                    pending = False
                    yield line, FLUSH
                continue
            try:
                value = loads(line_data)
            except ValueError:
                if bytes(line_data).strip():  # not a blank line
                    head = _rest(data, rest, view, start, n)
                    break
                line_no, done = line, done + size  # a blank line
                continue
            whole = bytes(line_data)
            if whole.count(b"[") + whole.count(b"{") >= _FAST_BRACKETS:
                head = _rest(data, rest, view, start, n)
                break
            line_no, done = line, done + size
            if stats is not None:
                stats.lines = line_no
            pending = False
            yield line, value
        if not n or head is not None or (stop is not None and done >= stop):
            break
    if stats is not None:
        stats.lines = line_no
    if pending:
        yield last_taken, FLUSH
    if head is None or (stop is not None and done >= stop):  # the end of the stream, or of the range
        return
    reader = io.BufferedReader(_Rest(bytes(head), src), _CHUNK)
    yield from _iter_jsonl(reader, limit, stop=None if stop is None else stop - done, stats=stats,
                           bom=bom and line_no == 0, strict=strict, first_line=line_no + 1)


def _rest(data, rest, view: memoryview, start: int, n: int) -> bytes:
    """The bytes read from a line on: a line within the block (``rest`` None: from ``start`` to the block's end), a
    line joined from the block before (``data``, then from its newline on: ``rest``), or the stream's last line."""
    if rest is None:
        return bytes(view[start:n])
    return bytes(data) + bytes(rest)
