"""Opening log files: plain or gzip, sniffing JSONL / JSON / CSV / Parquet, records with their lines."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import LogError
from .records import RecordProblem

__all__ = ["MemoryFile", "Progress", "iter_records"]

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class MemoryFile:
    """An in-memory log (a dashboard upload): never written to disk."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def __str__(self) -> str:
        return self.name


def _open_bytes(path) -> tuple[io.BufferedReader, int, str]:
    """(raw binary stream, size on disk, kind) where kind is gzip | parquet | plain."""
    try:
        if isinstance(path, MemoryFile):
            size, fh = len(path.data), io.BufferedReader(io.BytesIO(path.data))
        else:
            size = path.stat().st_size
            fh = open(path, "rb")
    except FileNotFoundError:
        raise LogError("no such file; check the path", file=str(path)) from None
    except IsADirectoryError:
        raise LogError("is a directory; pass the log files inside it", file=str(path)) from None
    except OSError as exc:
        raise LogError(f"cannot open ({exc.strerror})", file=str(path)) from None
    head = fh.peek(8)[:8]
    kind = "gzip" if head[:2] == b"\x1f\x8b" else "parquet" if head[:4] == b"PAR1" else "plain"
    return fh, size, kind


class _Counting(io.RawIOBase):
    """Counts the compressed bytes read, for progress."""

    def __init__(self, raw):
        self.raw, self.n = raw, 0

    def readable(self):
        return True

    def readinto(self, b):
        n = self.raw.readinto(b)
        self.n += n or 0
        return n


def _sniff(first: bytes, path: Path) -> str:
    if b"\x00" in first:
        raise LogError("is a binary file, not a log export (JSONL, JSON, CSV, Parquet, optionally gzipped)",
                       file=str(path))
    text = first.lstrip()
    if not text:
        raise LogError("is empty: no records to read", file=str(path))
    if text[:1] == b"[":
        return "json-array"
    if text[:1] == b"{":
        return "jsonl"
    return "csv"


def iter_records(path: Path, progress: Progress | None) -> Iterator[tuple[int, Any]]:
    """(line, decoded record or RecordProblem) for every record of a file."""
    stream, size, kind = _open_bytes(path)
    if kind == "parquet":
        stream.close()
        yield from _iter_parquet(path, progress, size)
        return
    counter = _Counting(stream)  # counts bytes on disk (compressed), for progress
    src = gzip.GzipFile(fileobj=io.BufferedReader(counter)) if kind == "gzip" else io.BufferedReader(counter)
    try:
        first = src.peek(8192)[:8192]
        shape = _sniff(first, path)
        if shape == "json-array":
            text = io.TextIOWrapper(src, encoding="utf-8", errors="replace")
            for i, rec in enumerate(_iter_json_array(text, path), 1):
                yield i, rec
                if progress and i % 2000 == 0:
                    progress(counter.n, size)
            if progress:
                progress(size, size)
            return
        if shape == "csv":
            yield from _iter_csv(src, path, progress, counter, size)
            return
        text = io.TextIOWrapper(src, encoding="utf-8", errors="replace", newline="\n")
        loads = json.loads
        for i, line in enumerate(text, 1):
            if not line.strip():
                continue
            try:
                yield i, loads(line)
            except ValueError as exc:
                yield i, RecordProblem(f"not valid JSON ({exc.msg} at column {exc.colno})")
            if progress and i % 2000 == 0:
                progress(counter.n, size)
        if progress:
            progress(size, size)
    finally:
        src.close()


def _iter_json_array(text: io.TextIOBase, path: Path, chunk_chars: int = 1 << 20) -> Iterator[Any]:
    """Elements of a top-level JSON array, decoded one by one from a bounded buffer.

    A malformed element cannot be skipped safely (its end is unknown): it is yielded as a
    RecordProblem that says the rest of the file was not read, and reading stops there.
    """
    decoder = json.JSONDecoder()
    buf = text.read(chunk_chars).lstrip()
    if not buf.startswith("["):
        raise LogError("a JSON file must hold an array of records", file=str(path))
    pos, eof, n = 1, False, 0
    while True:
        while True:  # skip separators, reading more when the buffer runs out
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) or eof:
                break
            more = text.read(chunk_chars)
            eof = not more
            buf, pos = buf[pos:] + more, 0
        if pos >= len(buf):
            yield RecordProblem(f"the JSON array is not closed after element {n}")
            return
        if buf[pos] == "]":
            return
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except ValueError as exc:
            if eof:
                yield RecordProblem(f"element {n + 1} of the JSON array is not valid JSON ({exc.msg}); "
                                    "the rest of the file was not read")
                return
            more = text.read(chunk_chars)
            eof = not more
            buf, pos = buf[pos:] + more, 0
            continue
        n += 1
        yield obj
        buf, pos = buf[end:], 0


def _iter_csv(src, path: Path, progress, counter, size) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(1 << 30)
    text = io.TextIOWrapper(src, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.DictReader(text)
    if not reader.fieldnames:
        raise LogError("CSV has no header row", file=str(path))
    for i, row in enumerate(reader, 2):
        if None in row:
            yield i, RecordProblem(f"{len(row[None])} more cells than the header has columns")
            continue
        yield i, row
        if progress and i % 2000 == 0:
            progress(counter.n, size)
    if progress:
        progress(size, size)


def _iter_parquet(path: Path, progress, size) -> Iterator[tuple[int, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise LogError("is Parquet: install pyarrow (pip install pyarrow) to read it", file=str(path)) from None
    pf = pq.ParquetFile(io.BytesIO(path.data) if isinstance(path, MemoryFile) else path)
    line = 0
    total = max(pf.metadata.num_rows, 1)
    for batch in pf.iter_batches(batch_size=10_000):
        for rec in batch.to_pylist():
            line += 1
            yield line, rec
        if progress:
            progress(int(size * line / total), size)


