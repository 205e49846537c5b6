"""Opening log files and cutting them into decoded records, each with its PHYSICAL line number.

Accepted: JSONL, whole-document JSON (an object or an array, pretty-printed or not, one or more
documents in a row), JSONL with pretty-printed values among its lines (``jq .`` output saved as .jsonl),
CSV, Parquet, SSE text (a stream saved raw: :mod:`advisor.logs.sse`); optionally gzip/bz2/xz compressed; a UTF-8
BOM is skipped. A record spread over lines is reported at the physical line where it starts.

Memory is bounded whatever the file: records are read one at a time, a record (a JSONL line, a
JSON value, a CSV line) larger than ``max_record_bytes`` of DECOMPRESSED data is skipped with a
problem, never held; a top-level JSON array is streamed element by element in linear time (the
read-ahead doubles while one element is incomplete, so a 200 MB element costs O(200 MB), not
O(n^2)). Truncated or corrupt compressed data ends the file with a problem after the records
already read, which are kept.

``iter_records`` yields ``(line, value)`` where value is the decoded JSON value, a CSV row (dict),
a Parquet row (dict) or a :class:`RecordProblem`. It raises :class:`LogError` only when the file
cannot be used at all (missing, a directory, empty, binary, an unreadable Parquet footer).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from collections.abc import Callable, Iterator
from typing import Any

from advisor.errors import LogError
from advisor.logs.fastlines import FLUSH, Taker, iter_jsonl_taking
from advisor.logs.jsonstream import _FAST_BRACKETS, _iter_json_doc, _iter_jsonl, _opens_value, decode_record
from advisor.logs.records import RecordProblem, fast_loads, json_loads
from advisor.logs.sse import iter_sse, looks_like_sse
from advisor.logs.streams import (
    _BOM,
    _CHUNK,
    DEFAULT_MAX_RECORD_BYTES,
    MemoryFile,
    Progress,
    ReadStats,
    _Counting,
    _CrToLf,
    _Guarded,
    _kind,
    _looks_binary,
    _open_raw,
    _Utf16,
    _utf16_without_bom,
)
from advisor.logs.tables import _iter_csv, _iter_parquet

__all__ = ["MemoryFile", "Progress", "iter_records", "decode_record", "DEFAULT_MAX_RECORD_BYTES"]


def iter_records(path, progress: Progress | None = None, *, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
                 storage_options: dict | None = None, start: int = 0, end: int | None = None,
                 stats: ReadStats | None = None, taker: Taker | None = None) -> Iterator[tuple[int, Any]]:
    """(physical line, decoded value or RecordProblem) for every record of a file (a path, a
    :class:`~advisor.logs.sources.Source` or a :class:`MemoryFile`).

    ``start``/``end``: a byte range of a plain JSONL file (:mod:`advisor.logs.pieces` checked that it is one):
    the lines that start inside it, numbered from 1 at the range's first line. ``stats``: decompressed bytes
    read so far, and the physical lines a range owns. ``taker``: offered each JSONL line first
    (:mod:`advisor.logs.fastlines`); the lines it takes are reported as ``FLUSH`` items."""
    if end is not None:
        raw, size = _open_raw(path, storage_options)
        yield from _iter_range(raw, start, end, max_record_bytes, progress, stats or ReadStats(), taker)
        return
    raw, size = _open_raw(path, storage_options, read_below=_CHUNK - 1)  # what _buffer_for reads whole
    try:
        yield from _iter_file(path, raw, size, progress, max_record_bytes, storage_options, stats,
                              _buffer_for(size), taker)
    except _Grew:  # bigger than its size said (written to since, or a stale listing): read again, as any file
        raw.close()
        raw, size = _open_raw(path, storage_options)
        yield from _iter_file(path, raw, size, progress, max_record_bytes, storage_options, stats, _CHUNK, taker)


_SMALL_BUFFER = 1 << 16  # the least buffer of a small file: every peek of a reader (64 KB at most) sees all of it


def _buffer_for(size: int) -> int:
    """The read buffer of a file of ``size`` bytes: ``_CHUNK``, or for a file smaller than that, its size and a byte
    (at least ``_SMALL_BUFFER``), so that its first read holds it all and shows its end. A buffer of a megabyte for a
    file of 4 KB cost ~50 us a file in allocation (10,000 small files: half a second).

    >>> _buffer_for(4000), _buffer_for(200_000), _buffer_for(5 << 20) == _CHUNK, _buffer_for(0) == _CHUNK
    (65536, 200001, True, True)
    """
    return _CHUNK if size <= 0 or size + 1 >= _CHUNK else max(_SMALL_BUFFER, size + 1)


class _Grew(Exception):
    """A file whose first read filled the small buffer chosen from its size: read it again with ``_CHUNK``."""


def _iter_file(path, raw, size: int, progress: Progress | None, max_record_bytes: int, storage_options,
               stats: ReadStats | None, buffer: int, taker: Taker | None = None) -> Iterator[tuple[int, Any]]:
    """:func:`iter_records` of a whole file opened as ``raw``, read through buffers of ``buffer`` bytes (decoded
    layers: ``_CHUNK``). Raises :class:`_Grew` (before any record) when the file is not smaller than ``buffer``."""
    counter = _Counting(raw)
    src: io.BufferedReader = io.BufferedReader(counter, buffer)   # then over each decoding layer
    try:
        head = src.peek(8)[:8]
        kind = _kind(head)
        if kind == "parquet":
            src.close()
            yield from _iter_parquet(path, progress, size, storage_options, stats)
            return
        if kind in ("zip", "zstd"):
            raise LogError(f"is a {kind} archive: decompress it first (gzip, bz2 and xz are read directly)",
                           file=str(path))
        guard = None
        if kind != "plain":
            openers: dict[str, Callable[[io.BufferedReader], io.BufferedIOBase]] = {
                "gzip": lambda f: gzip.GzipFile(fileobj=f), "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}
            opener = openers[kind]
            guard = _Guarded(opener(src))
            src = io.BufferedReader(guard, _CHUNK)
            buffer = _CHUNK  # decompressed: its size is not known
        first = src.peek(_CHUNK)[:_CHUNK]
        if len(first) >= buffer < _CHUNK:
            raise _Grew
        whole = src  # the file's (decompressed) bytes: all in ``first`` when shorter than the buffer
        if guard is not None and guard.error and not first:
            raise LogError(f"the {kind} data is corrupt or truncated ({guard.error}); nothing could be read",
                           file=str(path))
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM (Windows PowerShell's Out-File)
            src = io.BufferedReader(_Utf16(src), _CHUNK)
            first = src.peek(_CHUNK)[:_CHUNK]
        elif order := _utf16_without_bom(first):  # UTF-16 saved without a BOM: ASCII with a NUL after every byte
            src = io.BufferedReader(_Utf16(src, order), _CHUNK)
            first = src.peek(_CHUNK)[:_CHUNK]
        if b"\r" in first and b"\n" not in first:  # lines end in a lone CR
            src = io.BufferedReader(_CrToLf(src), _CHUNK)
            first = src.peek(_CHUNK)[:_CHUNK]
        body = first[3:] if first.startswith(_BOM) else first
        if _looks_binary(body[:8192]):
            raise LogError("is a binary file, not a log export (JSONL, JSON, CSV, Parquet, optionally gzipped)",
                           file=str(path))
        stripped = body.lstrip()
        if not stripped and len(first) < _CHUNK:
            raise LogError("is empty: no records to read", file=str(path))
        shape, value = _shape_and_value(stripped) if stripped else ("jsonl", _NONE)
        if shape != "csv" and len(first) < _CHUNK and _named_table(path) and not _json_throughout(stripped):
            shape = "csv"   # a whole .csv/.tsv file that only starts like JSON (a header cell "{"): its rows, each
            #                 used or listed, rather than one broken JSON document and the rest not read
        it: Iterator[tuple[int, Any]]
        if shape == "jsonl" and value is not _NONE and src is whole and len(first) < min(buffer, max_record_bytes) \
                and len(stripped) == len(body) and body.find(b"\n") == len(body) - 1:
            # a file of one JSON line (an export of one call), decoded once: what _iter_jsonl yields for it
            if stats is not None:
                stats.bytes += len(first)
            it = iter(((1, value),))
        else:
            if stats is not None:  # decompressed bytes read, for chunks bounded by bytes
                src = io.BufferedReader(_Counting(src, stats), buffer)
            if shape == "csv":
                it = _iter_csv(src, path, max_record_bytes)
            elif shape == "sse":
                it = iter_sse(src, max_record_bytes)
            elif shape == "jsonl":
                it = _iter_jsonl(src, max_record_bytes) if taker is None else \
                    iter_jsonl_taking(src, max_record_bytes, taker)
            else:
                it = _iter_json_doc(src, max_record_bytes)
        last = 0
        for n, (line, rec) in enumerate(it, 1):
            last = line
            yield line, rec
            if progress and (n % 2000 == 0 or rec is FLUSH):
                progress(counter.n, size)  # bytes read from disk (compressed), against the size on disk
        if guard is not None and guard.error:
            yield last + 1, RecordProblem(f"the {kind} data is corrupt or truncated after line {last} "
                                          f"({guard.error}); the rest of the file was not read")
        if progress:
            progress(size, size)
    finally:
        src.close()


def _iter_range(raw, start: int, end: int, limit: int, progress: Progress | None,
                stats: ReadStats, taker: Taker | None = None) -> Iterator[tuple[int, Any]]:
    """The records of the lines that START in bytes [start, end) of a plain JSONL file: the line the range starts
    inside of belongs to the range before, the line running past ``end`` to this one."""
    try:
        if start:
            raw.seek(start - 1)
            raw.readline()  # the rest of a line that started before the range ('\n' alone when one ends there)
        at = raw.tell()
        src = io.BufferedReader(_Counting(raw, stats), _CHUNK)
        lines = _iter_jsonl(src, limit, stop=end - at, stats=stats, bom=not start, strict=True) if taker is None \
            else iter_jsonl_taking(src, limit, taker, stop=end - at, stats=stats, bom=not start, strict=True)
        for n, item in enumerate(lines, 1):
            yield item
            if progress and (n % 2000 == 0 or item[1] is FLUSH):
                progress(min(stats.bytes, end - start), end - start)
        if progress:
            progress(end - start, end - start)
    finally:
        raw.close()


def _named_table(path) -> bool:
    """A .csv or .tsv file name (under .gz/.bz2/.xz).

    >>> from pathlib import Path
    >>> _named_table(Path("usage.CSV.gz")), _named_table(Path("log.jsonl")), _named_table(MemoryFile("a.tsv", b""))
    (True, False, True)
    """
    name = str(getattr(path, "name", path)).lower()
    for ext in (".gz", ".bz2", ".xz"):
        name = name.removesuffix(ext)
    return name.endswith((".csv", ".tsv"))


def _json_throughout(text: bytes) -> bool:
    """The whole text is one JSON value, or every non-blank line is one (JSONL).

    >>> _json_throughout(b'{"a": 1}'), _json_throughout(b'{"a": 1}\\n[2]\\n'), _json_throughout(b'{\\nnull\\n')
    (True, True, False)
    """
    decoded = text.decode("utf-8", "replace")
    try:
        json_loads(decoded)
        return True
    except (ValueError, RecursionError):
        pass
    for line in decoded.splitlines():
        if line.strip():
            try:
                json_loads(line)
            except (ValueError, RecursionError):
                return False
    return True


_NONE = object()  # no value decoded


def _shape(text: bytes) -> str:
    """jsonl | json | csv | sse from the first bytes (BOM and leading whitespace removed).

    JSONL when the first line is a complete JSON value, or one broken inside (a corrupt first record); a whole
    document when it opens a value it does not close (object or array over several lines), or is too long to check.

    >>> _shape(b'{"a": 1}\\n{"a": 2}\\n'), _shape(b'{\\n  "a": 1\\n}\\n'), _shape(b'model,tokens\\ngpt-4o,3\\n')
    ('jsonl', 'json', 'csv')
    """
    return _shape_and_value(text)[0]


def _shape_and_value(text: bytes) -> tuple[str, Any]:
    """:func:`_shape`, and the first line's value when orjson decoded it there (``_NONE`` otherwise): a file of one
    line is not decoded twice."""
    c = text[:1]
    if c not in (b"{", b"[") and looks_like_sse(text):  # a stream saved raw (advisor.logs.sse)
        return "sse", _NONE
    if c not in (b"{", b"["):
        # JSONL whose first record is not an object (null, 0, "x", or a comment/garbage line before the records):
        # that line is a problem, not the file. JSONL as soon as one of the first lines is a JSON object (no CSV
        # writer leaves a row with quotes unquoted); else CSV when a line of the first few is not JSON (a header
        # "model" over rows gpt-4o); complete lines of the peek only
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
                if _opens_value(line, exc):  # pretty-printed JSON after a comment line: no CSV line opens a value
                    return "jsonl", _NONE
                every_json = False
                continue
            if isinstance(value, dict):
                return "jsonl", _NONE
        return ("jsonl" if every_json else "csv"), _NONE
    nl = text.find(b"\n")
    if nl < 0:  # one long first line: a minified document (streamed) or a JSONL record; the document reader does both
        return "json", _NONE
    fast = fast_loads()
    if fast is not None and text.count(b"[", 0, nl) + text.count(b"{", 0, nl) < _FAST_BRACKETS:
        try:  # what orjson reads json reads too (not the reverse: NaN, lone surrogates), ~2x faster on a record
            return "jsonl", fast(text[:nl])
        except ValueError:
            pass
    first = text[:nl].decode("utf-8", "replace")
    try:
        json_loads(first)
        return "jsonl", _NONE
    except RecursionError:
        return "json", _NONE
    except ValueError as exc:  # a document opens on it; or it is a JSONL record broken inside (that line alone)
        return ("json" if _opens_value(first, exc) else "jsonl"), _NONE
