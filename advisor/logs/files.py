"""Opening log files and cutting them into decoded records, each with its PHYSICAL line number.

Accepted: JSONL, whole-document JSON (an object or an array, pretty-printed or not, one or more
documents in a row), JSONL with pretty-printed values among its lines (``jq .`` output saved as .jsonl),
CSV, Parquet; optionally gzip/bz2/xz compressed; a UTF-8 BOM is skipped. A record spread over lines is
reported at the physical line where it starts.

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
from advisor.logs.jsonstream import _iter_json_doc, _iter_jsonl, _opens_value, decode_record
from advisor.logs.records import RecordProblem, json_loads
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
                 stats: ReadStats | None = None) -> Iterator[tuple[int, Any]]:
    """(physical line, decoded value or RecordProblem) for every record of a file (a path, a
    :class:`~advisor.logs.sources.Source` or a :class:`MemoryFile`).

    ``start``/``end``: a byte range of a plain JSONL file (:mod:`advisor.logs.pieces` checked that it is one):
    the lines that start inside it, numbered from 1 at the range's first line. ``stats``: decompressed bytes
    read so far, and the physical lines a range owns."""
    raw, size = _open_raw(path, storage_options)
    if end is not None:
        yield from _iter_range(raw, start, end, max_record_bytes, progress, stats or ReadStats())
        return
    counter = _Counting(raw)
    src: io.BufferedReader = io.BufferedReader(counter, _CHUNK)   # then over each decoding layer
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

        first = src.peek(_CHUNK)[:_CHUNK]
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
        shape = _shape(stripped) if stripped else "jsonl"
        if shape != "csv" and len(first) < _CHUNK and _named_table(path) and not _json_throughout(stripped):
            shape = "csv"   # a whole .csv/.tsv file that only starts like JSON (a header cell "{"): its rows, each
            #                 used or listed, rather than one broken JSON document and the rest not read
        if stats is not None:  # decompressed bytes read, for chunks bounded by bytes
            src = io.BufferedReader(_Counting(src, stats), _CHUNK)
        if shape == "csv":
            it = _iter_csv(src, path, max_record_bytes)
        elif shape == "jsonl":
            it = _iter_jsonl(src, max_record_bytes)
        else:
            it = _iter_json_doc(src, max_record_bytes)
        last = 0
        for n, (line, rec) in enumerate(it, 1):
            last = line
            yield line, rec
            if progress and n % 2000 == 0:
                progress(counter.n, size)  # bytes read from disk (compressed), against the size on disk
        if guard is not None and guard.error:
            yield last + 1, RecordProblem(f"the {kind} data is corrupt or truncated after line {last} "
                                          f"({guard.error}); the rest of the file was not read")
        if progress:
            progress(size, size)
    finally:
        src.close()


def _iter_range(raw, start: int, end: int, limit: int, progress: Progress | None,
                stats: ReadStats) -> Iterator[tuple[int, Any]]:
    """The records of the lines that START in bytes [start, end) of a plain JSONL file: the line the range starts
    inside of belongs to the range before, the line running past ``end`` to this one."""
    try:
        if start:
            raw.seek(start - 1)
            raw.readline()  # the rest of a line that started before the range ('\n' alone when one ends there)
        at = raw.tell()
        src = io.BufferedReader(_Counting(raw, stats), _CHUNK)
        for n, item in enumerate(_iter_jsonl(src, limit, stop=end - at, stats=stats, bom=not start, strict=True), 1):
            yield item
            if progress and n % 2000 == 0:
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


def _shape(text: bytes) -> str:
    """jsonl | json | csv from the first bytes (BOM and leading whitespace removed).

    JSONL when the first line is a complete JSON value, or one broken inside (a corrupt first record); a whole
    document when it opens a value it does not close (object or array over several lines), or is too long to check.
    """
    c = text[:1]
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
                    return "jsonl"
                every_json = False
                continue
            if isinstance(value, dict):
                return "jsonl"
        return "jsonl" if every_json else "csv"
    nl = text.find(b"\n")
    if nl < 0:  # one long first line: a minified document (streamed) or a JSONL record; the document reader does both
        return "json"
    first = text[:nl].decode("utf-8", "replace")
    try:
        json_loads(first)
        return "jsonl"
    except RecursionError:
        return "json"
    except ValueError as exc:  # a document opens on it; or it is a JSONL record broken inside (that line alone)
        return "json" if _opens_value(first, exc) else "jsonl"
