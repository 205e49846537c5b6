"""JSONL read in blocks, each line offered first to a taker that turns the common record straight into a row.

A taker (:class:`Taker`) is given each line's bytes; what it takes never becomes an item. Every other line
is what :func:`~advisor.logs.jsonstream._iter_jsonl` makes of it: a line orjson decodes with fewer than
``_FAST_BRACKETS`` brackets is yielded as its value (what that reader yields for it), and at any other line (orjson
refuses it, deep nesting, a line longer than a block or than the record limit) the rest of the stream is handed
to that reader, from that line, with its physical line number. So every line is used, listed or skipped as the
line reader would, and the line numbers, ``stop`` and ``stats.lines`` stay the line reader's.

While it takes lines it yields ``(line, FLUSH)`` every ``FLUSH_EVERY`` lines taken and once at the end (``line``:
the last line taken), so that the caller can turn the rows taken into a frame while memory is bounded, and can
report progress. Lines are split in C (``bytes.split``) from blocks of ``BLOCK`` bytes.
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
    def take(self, line: int, data: bytes) -> bool:
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
    line_no = 0  # the last line read
    done = 0  # bytes of the lines read (where the next line starts, for ``stop``)
    tail = b""  # the start of a line that goes on in the next block
    taken, last_taken, pending = 0, 0, False  # pending: a line was taken after the last item yielded
    while True:
        block = src.read(BLOCK)
        ended = not block
        open_end = ended  # the last of ``parts`` has no newline after it (yet)
        if block:
            parts = block.split(b"\n")
            parts[0] = tail + parts[0]
            tail = parts.pop()
            if len(tail) > BLOCK:  # a line longer than a block: handed over to the line reader (below)
                parts.append(tail)
                tail, open_end = b"", True
        else:  # the end of the stream: its last line has no newline
            parts = [tail] if tail else []
            tail = b""
        at = -1  # the index of the line handed over
        for i, data in enumerate(parts):
            if stop is not None and done >= stop:
                break
            if len(data) > limit or len(data) > BLOCK:  # the line reader says why (or reads it on)
                at = i
                break
            line = line_no + 1
            if line == 1 and bom and data.startswith(_BOM):
                data = data[3:]
            if take(line, data):
                line_no, done = line, done + len(parts[i]) + 1
                taken += 1
                last_taken, pending = line, True
                if taken % FLUSH_EVERY == 0:
                    if stats is not None:
                        stats.lines = line_no
                    pending = False
                    yield line, FLUSH
                continue
            try:
                value = loads(data)
            except ValueError:
                if data.strip():
                    at = i
                    break
                line_no, done = line, done + len(parts[i]) + 1  # a blank line
                continue
            if data.count(b"[") + data.count(b"{") >= _FAST_BRACKETS:
                at = i
                break
            line_no, done = line, done + len(parts[i]) + 1
            if stats is not None:
                stats.lines = line_no
            pending = False
            yield line, value
        else:
            if not ended:
                continue
        if stats is not None:
            stats.lines = line_no
        if pending:
            yield last_taken, FLUSH
        if at < 0:  # the end of the stream, or of the range
            return
        # the rest of the stream from line ``at``: what was read of it, then the stream
        head = b"\n".join(parts[at:]) + (b"" if open_end else b"\n" + tail)
        reader = io.BufferedReader(_Rest(head, src), _CHUNK)
        yield from _iter_jsonl(reader, limit, stop=None if stop is None else stop - done, stats=stats,
                               bom=bom and line_no == 0, strict=strict, first_line=line_no + 1)
        return
