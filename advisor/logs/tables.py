"""Tabular logs: CSV/TSV (delimiter sniffed, Excel's ``sep=`` line, title-case headers) and Parquet rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from advisor.errors import LogError
from advisor.logs.records import RecordProblem
from advisor.logs.sources import Source, open_source
from advisor.logs.streams import _BOM, MemoryFile, ReadStats, _physical_lines, _too_big


def _bounded_lines(src, limit: int, oversize: list[int]) -> Iterator[str]:
    """Text lines for the csv module; a line over the limit is replaced by an empty line and noted."""
    for line_no, data, _ in _physical_lines(src, limit):
        if data is None:
            oversize.append(line_no)
            yield "\n"
        else:
            yield data.decode("utf-8", "replace")


_SEP_LINE = re.compile(r"\s*sep=(.)\s*$")  # Excel's delimiter hint, a first line such as "sep=;"


def _delimiter(src) -> str:
    """The delimiter an Excel ``sep=`` first line names; else ',' unless the header line (the first that holds
    any of , TAB ;: a title line above it has none) has more tabs or semicolons than commas (TSV, European CSV)."""
    lines = [ln for ln in src.peek(1 << 16)[:1 << 16].removeprefix(_BOM).split(b"\n")[:6] if ln.strip()]
    hint = _SEP_LINE.match(lines[0].decode("utf-8", "replace")) if lines else None
    if hint:
        return hint.group(1)
    head = next((ln for ln in lines if any(d in ln for d in (b",", b"\t", b";"))), b"")
    counts = {d: head.count(d.encode()) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


_TITLE_CASE = re.compile(r"[A-Z][a-z]*(?:[ _][A-Za-z][a-z]*)*")


def _column_name(cell: str) -> str:
    """A CSV column name as the formats spell it: spreadsheet Title Case ("Prompt Tokens", "Model") in snake case;
    any other name (camelCase ``traceId``, ``ID``) as written, trimmed.

    >>> [_column_name(c) for c in [" Prompt Tokens ", "Model", "traceId", "ID", "completion_tokens"]]
    ['prompt_tokens', 'model', 'traceId', 'ID', 'completion_tokens']
    """
    name = cell.strip()
    return name.lower().replace(" ", "_") if _TITLE_CASE.fullmatch(name) else name


def _iter_csv(src, path, limit: int) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(max(limit, 1 << 17))
    oversize: list[int] = []
    reader = csv.reader(_bounded_lines(src, limit, oversize), delimiter=_delimiter(src))
    pushed: list = []  # a row read ahead that is not a header after all: the first record
    try:
        header = next(reader, None)
        while header == []:  # blank lines before the header
            header = next(reader, None)
        header_end = reader.line_num
        # preamble lines of one cell above the header (Excel's "sep=;" hint, an export's title line): not records
        delimiter = reader.dialect.delimiter
        if header is not None and _SEP_LINE.match(delimiter.join(header)):
            header = []
            while header == []:
                header = next(reader, None)
            header_end = reader.line_num
        while header is not None and len(header) <= 1:
            following = next(reader, None)
            while following == []:
                following = next(reader, None)
            if following is None or len(following) <= 1:
                pushed = [] if following is None else [(following, reader.line_num)]
                break
            header, header_end = following, reader.line_num
    except csv.Error:
        header = None
    if not header:
        raise LogError("CSV has no header row", file=str(path))
    header = [_column_name(h) for h in header]
    end = header_end  # physical line where the previous record ended
    while True:
        try:
            if pushed:  # its first line: where it ended, less the newlines inside its cells
                row, at = pushed.pop()
                end = at - 1 - sum(c.count("\n") for c in row)
            else:
                row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            start, end = end + 1, reader.line_num
            yield start, RecordProblem(f"not valid CSV ({str(exc).split(' (')[0]})")
            continue
        start, end = end + 1, reader.line_num
        big = [n for n in oversize if n <= end]
        if big:
            oversize[:] = [n for n in oversize if n > end]
            yield big[0], _too_big(limit + 1, limit)
            continue
        if not row:
            continue  # a blank line
        if len(row) > len(header):
            yield start, RecordProblem(f"{len(row) - len(header)} more cells than the header has columns")
            continue
        yield start, dict(zip(header, row))
    for n in oversize:
        yield n, _too_big(limit + 1, limit)


def _iter_parquet(path, progress, size, storage_options=None, stats: ReadStats | None = None
                  ) -> Iterator[tuple[int, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise LogError("is Parquet: install pyarrow (pip install pyarrow) to read it", file=str(path)) from None
    try:
        if isinstance(path, MemoryFile):
            data = io.BytesIO(path.data)
        elif isinstance(path, Source):
            data = open_source(path, storage_options)
        else:
            data = path
        pf = pq.ParquetFile(data)
        total = max(pf.metadata.num_rows, 1)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ValueError... for a bad footer
        raise LogError(f"is not a readable Parquet file ({type(exc).__name__})", file=str(path)) from None
    line = 0
    batches = pf.iter_batches(batch_size=10_000)
    while True:
        try:
            batch = next(batches)
            rows = batch.to_pylist()
        except StopIteration:
            break
        except Exception as exc:  # a corrupt row group: keep what was read, say where it stopped
            yield line + 1, RecordProblem(f"Parquet data unreadable after row {line} ({type(exc).__name__}); "
                                          "the rest of the file was not read")
            return
        if stats is not None:  # decoded bytes: about the file's share of the rows read so far
            stats.bytes += int(size * len(rows) / total)
        for rec in rows:
            line += 1
            yield line, rec
        if progress:
            progress(int(size * line / total), size)
