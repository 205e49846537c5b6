"""Read exported logs into the normalized requests frame, streaming in chunks.

While reading, string columns are kept as categories (a few bytes a row); the frame returned has text columns.

Frame columns (one row per request; ``requests`` > 1 only for aggregated usage exports):
``request_id, timestamp, model, task, template, prompt_tokens, completion_tokens, cached_tokens,
latency_s, tokens_source, ft_prompt_tokens, ft_completion_tokens, static_prompt_tokens, requests, file, line``.
``tokens_source`` is ``usage`` when the log recorded the API's usage, ``counted`` when we counted.
Prompt and completion text never leave this package: they are counted and dropped per chunk.

Pipeline: :mod:`.files` cuts a file into decoded values with physical lines; :mod:`.containers`
unwraps whole-document exports; each record's format is detected on its own (:mod:`.formats`);
LangSmith post/patch halves are merged by run id; :mod:`.counting` turns a chunk of records into rows.
Every record ends up in the frame, in ``problems`` (file, line, reason) or in ``ignored`` (records
that are not model calls, counted by reason). A file with no usable record is a :class:`LogError`.
"""

from __future__ import annotations

import os
from collections import Counter as Tally
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import pandas as pd

from advisor.errors import LogError
from advisor.logs import gather as gather_module
from advisor.logs.agents import TRANSCRIPT_FORMATS, Transcripts
from advisor.logs.answer import reasoning_tokens
from advisor.logs.containers import _CONTAINER_KEYS as CONTAINER_KEYS  # what makes a dict a container
from advisor.logs.containers import expand
from advisor.logs.counting import ChunkCounter
from advisor.logs.dispatch import ReadOptions, choose_processes, old_objects_frozen, run_tasks, task_bytes_for
from advisor.logs.fastlines import FLUSH
from advisor.logs.files import DEFAULT_MAX_RECORD_BYTES, MemoryFile, Progress, decode_record, iter_records
from advisor.logs.formats import FORMATS, detect_record_format, parse_record
from advisor.logs.gather import Gather, Problem, finish, time_note
from advisor.logs.pieces import DEFAULT_TASK_BYTES, Piece, Task, plan_tasks, taper
from advisor.logs.records import FRAME_COLUMNS, WORK_COLUMNS, Ignored, Raw, RecordProblem, safe_field
from advisor.logs.sources import expand_sources, unique_sources
from advisor.logs.stored import STORED_MESSAGE, looks_like_stored_message
from advisor.logs.streamed import STREAMED_FORMATS, Settled, Streams
from advisor.logs.streams import NotSplittable, ReadStats
from advisor.logs.usage_rows import UsageRows, work_frame

__all__ = ["MemoryFile", "Problem", "LogResult", "read_logs", "iter_chunks", "normalize_partition", "finalize_frame",
           "FRAME_COLUMNS", "DEFAULT_CHUNK_RECORDS", "PER_REQUEST_COLUMNS", "per_request_frame"]

DEFAULT_CHUNK_RECORDS = 20_000
DEFAULT_CHUNK_BYTES = 16 << 20  # decompressed bytes of records counted at once (memory bounded by bytes too)
_MAX_PENDING = 50_000  # LangSmith halves waiting for their other half
PER_REQUEST_COLUMNS = ["file", "line", "request_id", "timestamp", "model", "task", "prompt_tokens", "completion_tokens",
                       "cached_tokens", "ft_prompt_tokens", "ft_completion_tokens", "tokens_source"]


@dataclass
class LogResult:
    """What reading gave: the frame, and everything that was not used, with reasons."""

    frame: pd.DataFrame
    problems: list[Problem]
    skipped: int
    formats: dict[str, str]
    assumptions: list[str] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)  # records that are not model calls, by reason
    timestamps_ignored: dict[str, int] = field(default_factory=dict)  # records whose time was a placeholder, by reason
    lower_bound_requests: int = 0  # counted requests with parts the log cannot show (advisor.tokens.media.is_lower_bound)

    @property
    def requests(self) -> float:
        return float(self.frame["requests"].sum())

    @property
    def read_notes(self) -> list[str]:
        """What reading set aside without skipping a record, one sentence each, for a summary line: records whose
        timestamp was a placeholder (also among the assumptions, which ``count`` and ``advise`` print)."""
        return [time_note(n, why) for why, n in self.timestamps_ignored.items()]

    def summary(self, *, max_problems: int = 100) -> dict[str, Any]:
        """The ``count`` command's JSON object (strict JSON: no NaN)."""
        f = self.frame
        w = f["requests"]
        src = f.groupby("tokens_source")["requests"].sum() if len(f) else pd.Series(dtype=float)
        return {
            "requests": _int(w.sum()),
            "records": len(f),   # rows read; each stands for its ``requests`` weight (sampled logs, usage buckets)
            "prompt_tokens": _int((f["prompt_tokens"] * w).sum()),
            "completion_tokens": _int((f["completion_tokens"] * w).sum()),
            "cached_tokens": _int((f["cached_tokens"] * w).sum()),
            "ft_prompt_tokens": _int_or_none((f["ft_prompt_tokens"] * w).sum(min_count=1)),
            "ft_completion_tokens": _int_or_none((f["ft_completion_tokens"] * w).sum(min_count=1)),
            "skipped": self.skipped,
            "problems": [{"file": p.file, "line": p.line, "reason": p.reason} for p in self.problems[:max_problems]],
            "problems_shown": min(len(self.problems), max_problems),
            "ignored": sum(self.ignored.values()),
            "ignored_by_reason": dict(self.ignored),
            "tokens_source": {"usage": _int(src.get("usage", 0)), "counted": _int(src.get("counted", 0))},
            # the tasks advise, the report and the page advise: requests without a task label are one ("unknown")
            "tasks": int(f["task"].nunique()),
            "formats": self.formats,
            "timestamps_ignored": sum(self.timestamps_ignored.values()),
            "timestamps_ignored_by_reason": dict(self.timestamps_ignored),
            "assumptions": self.assumptions,
            "lower_bound_requests": self.lower_bound_requests,
        }


def _int(x) -> int:
    v = float(x)
    return int(round(v)) if np.isfinite(v) else 0


def _int_or_none(x) -> int | None:
    return None if pd.isna(x) or not np.isfinite(float(x)) else int(round(float(x)))


# ---------------------------------------------------------------------------------------------
# records -> Raw


Item = tuple[int, "Raw | str | Ignored"]  # (line, parsed record | problem reason | ignored)


def _reason(p: RecordProblem, where: str) -> str:
    text = f"field '{safe_field(p.field)}': {p.reason}" if p.field else p.reason
    return f"{where}: {text}" if where else text


def _key(k: Any) -> str:
    """A field name fit for a one-line message: name-like keys as written, any other by its length (a key may
    hold record text)."""
    return safe_field(k)


def _wrapped_records(rec: dict, depth: int = 1) -> list[tuple[str, Any]]:
    """(path, element) for the records an unknown object wraps: the elements of its lists of objects, or its values
    when they are objects, provided one of them is a record of a known format, or (``depth``) wraps one itself (an
    API's ``{"data": ...}`` saved inside an app's own ``{"data": ..., "timestamp"}``); else [] (the object is the
    record).

    >>> _wrapped_records({"generations": [{"model": "m", "prompt_tokens": 1, "completion_tokens": 1}, 3]})
    [('generations[0]', {'model': 'm', 'prompt_tokens': 1, 'completion_tokens': 1}), ('generations[1]', 3)]
    >>> _wrapped_records({"a": 1, "b": [1, 2]})
    []
    >>> [k for k, _ in _wrapped_records({"data": {"data": {"prompt_tokens": 1, "completion_tokens": 1}}, "t": 0})]
    ['data']
    """
    lists = [(k, v) for k, v in rec.items() if isinstance(v, list) and any(isinstance(x, dict) for x in v)]
    if lists:
        out = [(f"{k}[{i}]", x) for k, v in lists for i, x in enumerate(v)]
    else:
        out = [(str(k), v) for k, v in rec.items() if isinstance(v, dict)]
    return out if any(isinstance(x, dict) and (detect_record_format(x) or (depth and _wrapped_records(x, depth - 1)))
                      for _, x in out) else []


class _Parser:
    """Detects each record's format on its own, parses it, merges LangSmith post/patch halves by run id."""

    def __init__(self, fmt: str | None):
        self.fmt = fmt
        self.formats: Tally = Tally()
        self.pending: dict[str, tuple[str, int, str, dict]] = {}  # LangSmith run id -> (file, line, where, half)
        self.spill: list[tuple[str, int, str, dict]] = []  # halves going on alone, with their own file
        self.file = ""  # the file being read
        self.merged_from: set[str] = set()  # files whose halves joined a run reported under another file
        self.transcripts = Transcripts()  # what a coding agent's transcript lines say of each other (in one piece)
        self.streams = Streams()  # streamed chunks and events of one piece, grouped into requests
        self.ranged = False  # the piece is a byte range of its file (a stream met in it: the file is read whole)

    def items(self, values: Iterable[tuple[int, Any]]) -> Iterator[Item]:
        fmt = self.fmt
        for line, value in values:
            # a plain record of a known format other than LangSmith's (whose halves wait): parsed at once, as
            # expand and _record would parse it
            if type(value) is dict and value.keys().isdisjoint(CONTAINER_KEYS):
                f = fmt or detect_record_format(value)
                if f is not None and f != "langsmith":
                    if f in STREAMED_FORMATS and (kind := self.streams.kind(value, f)):
                        yield from self._stream(kind, line, "", value)
                    elif f in TRANSCRIPT_FORMATS:
                        yield from self.transcripts.feed(f, line, value, self._parse(f, line, "", value)[1])
                    else:
                        yield self._parse(f, line, "", value)
                    continue
            elif value is FLUSH:  # rows taken by the reader (advisor.logs.usage_rows)
                yield line, value
                continue
            for where, rec in expand(value):
                yield from self._record(line, where, rec)

    def _record(self, line: int, where: str, rec: Any, depth: int = 0) -> Iterator[Item]:
        if isinstance(rec, RecordProblem):
            yield line, _reason(rec, where)
            return
        if isinstance(rec, Ignored):
            yield line, rec
            return
        f = self.fmt or detect_record_format(rec)
        if f is None and isinstance(rec, dict) and depth < 3:
            inner = _wrapped_records(rec)
            if inner:  # a wrapper under a key we do not know ({"generations": [...]}, {"id1": {...}, "id2": {...}})
                for key, value in inner:
                    yield from self._record(line, f"{where}.{_key(key)}" if where else _key(key), value, depth + 1)
                return
        if f is None and looks_like_stored_message(rec):
            yield line, Ignored(STORED_MESSAGE)  # (a problem would refuse the completions list uploaded beside)
            return
        if f is None:
            keys = ", ".join(_key(k) for k in list(rec)[:8]) if isinstance(rec, dict) else type(rec).__name__
            yield line, _reason(RecordProblem(f"record of an unknown shape (keys: {keys}); pass --format with one "
                                              f"of {', '.join(FORMATS)}"), where)
            return
        if f == "langsmith" and isinstance(rec, dict):
            for m_line, m_where, m_rec in self._merge_langsmith(line, where, rec):
                yield self._parse(f, m_line, m_where, m_rec)
            return
        if f in TRANSCRIPT_FORMATS:
            yield from self.transcripts.feed(f, line, rec, self._parse(f, line, where, rec)[1])
            return
        if f in STREAMED_FORMATS and isinstance(rec, dict) and (kind := self.streams.kind(rec, f)):
            yield from self._stream(kind, line, where, rec)
            return
        yield self._parse(f, line, where, rec)

    def _stream(self, kind: str, line: int, where: str, rec: dict) -> Iterator[Item]:
        """A streamed chunk or event: grouped with the rest of its stream (advisor.logs.streamed)."""
        if self.ranged:  # a stream may run over the range's ends: its file is read whole
            raise NotSplittable
        for s in self.streams.feed(kind, line, where, rec):
            yield self._settled(s)

    def _settled(self, s: Settled) -> Item:
        """The item a stream's record came to: a record standing for its stream is parsed here."""
        if isinstance(s.what, dict):
            return self._parse(s.fmt, s.line, s.where, s.what)
        if isinstance(s.what, Ignored):
            return s.line, s.what
        self.formats[s.fmt] += 1
        return s.line, (_reason(s.what, s.where) if isinstance(s.what, RecordProblem) else s.what)

    def _parse(self, f: str, line: int, where: str, rec: Any) -> Item:
        try:
            raw = parse_record(f, rec, line)
            if raw.reasoning_tokens is None:  # a parser may have read them (OpenTelemetry attributes)
                raw.reasoning_tokens = reasoning_tokens(rec)
            self.formats[f] += 1
            return line, raw
        except RecordProblem as p:
            self.formats[f] += 1
            return line, _reason(p, where)
        except Ignored as ig:
            return line, ig
        except RecursionError:
            return line, _reason(RecordProblem("nested too deeply to read"), where)
        except Exception as exc:  # a shape no rule foresaw: listed, never a traceback (the type, not the content)
            return line, _reason(RecordProblem(f"unreadable record ({type(exc).__name__})"), where)

    def _merge_langsmith(self, line: int, where: str, rec: dict) -> Iterator[tuple[int, str, dict]]:
        """A complete run passes through; a create (post) or update (patch) half waits for the other half.

        A merged run is reported at the half read last (its file, its line); halves that go on alone (never
        matched, displaced by the same half again, or the oldest past the bound) keep their own file and line.
        """
        run_id = rec.get("id")
        is_post = "inputs" in rec  # RunCreate carries inputs; RunUpdate (patch) outputs/end_time, often run_type too
        # a create that already holds the run's end is a whole run (an export); a create with empty outputs waits
        is_patch = _ended(rec) if is_post else "outputs" in rec or "end_time" in rec
        if not isinstance(run_id, str) or not run_id or is_post == is_patch:
            yield line, where, rec
            return
        other = self.pending.pop(run_id, None)
        if other is not None and ("inputs" in other[3]) == is_post:  # the same half twice: the first goes alone
            self.spill.append(other)
            other = None
        if other is None:
            self.pending[run_id] = (self.file, line, where, rec)
            if len(self.pending) > _MAX_PENDING:  # bounded: the oldest half waiting goes on alone
                self.spill.append(self.pending.pop(next(iter(self.pending))))
            return
        if other[0] != self.file:
            self.merged_from.add(other[0])
        o_rec = other[3]
        post, patch = (o_rec, rec) if is_patch else (rec, o_rec)
        yield line, where, {**post, **{k: v for k, v in patch.items() if v is not None}}

    def replay(self, file: str, line: int, where: str, rec: dict) -> Iterator[Item]:
        """Items for a LangSmith half that waited unmatched in another task of the read, merged here (tasks
        replayed in order, so a merged run is reported at the half read last, as in one process)."""
        self.file = file
        for merged_line, merged_where, merged in self._merge_langsmith(line, where, rec):
            yield self._parse("langsmith", merged_line, merged_where, merged)

    def end_streams(self) -> Iterator[tuple[str, Item]]:
        """(file, item) for the streams of the piece read that still wait for their end, settled as they stand."""
        for s in self.streams.end():
            yield self.streams.file, self._settled(s)

    def drain(self, final: bool) -> Iterator[tuple[str, Item]]:
        """(file, item) for halves going on alone; ``final``: also those never matched (a create alone is a
        request without response, an update alone is parsed as it is)."""
        for line, item in self.transcripts.end():  # (the piece read: its messages held for later blocks)
            yield self.transcripts.file, (line, item)
        items, self.spill = self.spill, []
        if final:
            items += list(self.pending.values())
            self.pending = {}
        for file, line, where, rec in items:
            yield file, self._parse("langsmith", line, where, rec)


def _ended(run: dict) -> bool:
    """Whether a LangSmith run (or half) holds the end of the run: outputs, or an end time. The SDK's create (post)
    may carry ``outputs: {}`` and ``end_time: null`` before the run has ended: that is no end.

    >>> _ended({"inputs": {}, "outputs": {}}), _ended({"outputs": {"generations": []}}), _ended({"end_time": "t"})
    (False, True, True)
    """
    return run.get("outputs") not in (None, {}, "") or run.get("end_time") not in (None, "")


# ---------------------------------------------------------------------------------------------
# chunks


def _display_names(paths: Sequence) -> list[str]:
    """File labels; the same name given twice (two uploads) gets ' (2)', ' (3)'... so they stay apart."""
    seen: Tally = Tally()
    out = []
    for p in paths:
        name = str(p)
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


class _Chunk:
    """Records read and not yet counted, from one file or several (a file is a column, so many small files make
    one chunk, not one frame each); problems and ignored records as (file, line, reason)."""

    def __init__(self):
        self.raws: list[Raw] = []
        self.files: list[str] = []
        self.probs: list[tuple[str, int, str]] = []
        self.ignored: list[tuple[str, int, str]] = []

    def __len__(self) -> int:
        return len(self.raws) + len(self.probs) + len(self.ignored)

    def add(self, file: str, line: int, item) -> None:
        """A parsed item to its list: a record, a problem (its reason) or an ignored record (not a model call)."""
        if isinstance(item, str):
            self.probs.append((file, line, item))
        elif isinstance(item, Ignored):
            self.ignored.append((file, line, item.reason))
        else:
            self.raws.append(item)
            self.files.append(file)

    def frames(self, counter: ChunkCounter) -> Iterator[pd.DataFrame]:
        """Work frames: the records counted, then the problems, then the ignored records."""
        probs = self.probs
        if self.raws:
            rows, bad = _safe_rows(counter, self.files, self.raws)
            yield rows
            probs = probs + bad
        for triples, column in ((probs, "problem"), (self.ignored, "ignored")):
            if triples:
                yield pd.DataFrame({"file": [f for f, _, _ in triples], "line": [ln for _, ln, _ in triples],
                                    column: [r for _, _, r in triples]}).reindex(columns=WORK_COLUMNS)


def _file_arg(files: list[str]) -> str | list[str]:
    """One file name for a chunk of one file (a scalar column), else the name of each row."""
    return files[0] if files and all(f == files[0] for f in files) else files


def _safe_rows(counter: ChunkCounter, files: list[str], raws: list[Raw]
               ) -> tuple[pd.DataFrame, list[tuple[str, int, str]]]:
    """counter.rows; when a record trips the counter, the chunk is halved until that record is alone (a problem
    named by the exception's type), so one hostile record costs O(log n) recounts, not n."""
    try:
        return counter.rows(_file_arg(files), raws, []), []
    except Exception:  # noqa: BLE001 - isolated below, reported per record by type
        pass
    frames, bad = _bisect_rows(counter, files, raws)
    kept = [f for f in frames if len(f)]
    return (pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=WORK_COLUMNS)), bad


def _bisect_rows(counter: ChunkCounter, files: list[str], raws: list[Raw]
                 ) -> tuple[list[pd.DataFrame], list[tuple[str, int, str]]]:
    try:
        return [counter.rows(_file_arg(files), raws, [])], []
    except RecursionError:
        if len(raws) == 1:
            return [], [(files[0], raws[0].line, "nested too deeply to count")]
    except Exception as exc:  # noqa: BLE001
        if len(raws) == 1:
            return [], [(files[0], raws[0].line, f"could not be counted ({type(exc).__name__})")]
    mid = len(raws) // 2
    f1, b1 = _bisect_rows(counter, files[:mid], raws[:mid])
    f2, b2 = _bisect_rows(counter, files[mid:], raws[mid:])
    return f1 + f2, b1 + b2


def _task_frames(task: Task, opts: ReadOptions, parser: _Parser, counter: ChunkCounter,
                 formats: dict[str, Tally], stats: ReadStats, progress: Progress | None
                 ) -> Iterator[pd.DataFrame | dict[str, Any]]:
    """Work frames of a task's pieces, in order (rows taken as they were read: as columns, see below); a chunk is
    counted at ``chunk_records`` items or ``chunk_bytes`` decompressed bytes, whichever comes first (memory
    bounded by bytes, whatever the records' size). LangSmith
    halves still waiting at the end stay in ``parser.pending`` for the caller. Without 7B counts, records that
    carry their usage are taken as they are read (:class:`~advisor.logs.usage_rows.UsageRows`), given as the
    frame's columns (:meth:`~advisor.logs.gather.Gather.add_columns`)."""
    chunk, chunk_start, done = _Chunk(), 0, 0
    taker = UsageRows.for_read(opts.ft_tokenizer, opts.format, counter)
    for piece in task.pieces:
        def piece_progress(n: int, _size: int, _done: int = done) -> None:
            if progress:
                progress(min(_done + n, task.bytes), task.bytes)

        parser.formats, parser.file = Tally(), piece.name
        parser.transcripts.start(piece.name)
        parser.streams.start(piece.name)
        parser.ranged = piece.end is not None
        if taker is not None:
            taker.start(piece.name, parser.formats)
        records = iter_records(piece.source, piece_progress if progress else None,
                               max_record_bytes=opts.max_record_bytes, storage_options=opts.storage_options,
                               start=piece.start, end=piece.end, stats=stats, taker=taker)
        for line, item in parser.items(records):
            if item is FLUSH:
                if taker is not None and taker.full(opts.chunk_records):
                    yield taker.columns()
                continue
            chunk.add(piece.name, line, item)
            if len(chunk) >= opts.chunk_records or stats.bytes - chunk_start >= opts.chunk_bytes:
                yield from chunk.frames(counter)
                chunk, chunk_start = _Chunk(), stats.bytes
        for file, (line, item) in parser.end_streams():
            chunk.add(file, line, item)
        if parser.formats:
            formats.setdefault(piece.name, Tally()).update(parser.formats)
        for file, (line, item) in parser.drain(final=False):
            chunk.add(file, line, item)
        done += (piece.end - piece.start) if piece.end is not None else _size(piece.source)
    if taker is not None and len(taker):
        yield taker.columns()
    yield from chunk.frames(counter)


def _size(source: Any) -> int:
    return len(source.data) if isinstance(source, MemoryFile) else int(getattr(source, "size", 0))


def iter_chunks(paths: Sequence[str | os.PathLike], *, format: str | None = None, model: str | None = None,
                ft_tokenizer: str | None = "mistral-v1", chunk_records: int = DEFAULT_CHUNK_RECORDS,
                threads: int = 2, progress: Progress | None = None,
                formats_seen: dict[str, str] | None = None,
                max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
                storage_options: dict | None = None) -> Iterator[pd.DataFrame]:
    """Work frames (rows, problem rows, ignored rows, batch halves) chunk by chunk, in this process; memory
    bounded by the chunk."""
    opts = _options(format, model, ft_tokenizer, threads, chunk_records, max_record_bytes, storage_options)
    sources = expand_sources(list(paths), opts.storage_options)
    task = Task(0, tuple(Piece(s, n) for s, n in zip(sources, _display_names(sources))),
                sum(_size(s) for s in sources))
    counter = ChunkCounter(model=model, ft_tokenizer=ft_tokenizer, threads=threads)
    parser, formats = _Parser(format), cast(dict[str, Tally], {})
    for frame in _task_frames(task, opts, parser, counter, formats, ReadStats(), progress):
        yield frame if isinstance(frame, pd.DataFrame) else work_frame(frame)
    chunk = _Chunk()
    for file, (line, item) in parser.drain(final=True):
        chunk.add(file, line, item)
    yield from chunk.frames(counter)
    if formats_seen is not None:
        formats_seen.update(_formats_text(formats))


def _formats_text(formats: dict[str, Tally]) -> dict[str, str]:
    return {name: "+".join(f for f, _ in tally.most_common()) for name, tally in formats.items() if tally}


def _options(format, model, ft_tokenizer, threads, chunk_records, max_record_bytes, storage_options,
             chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> ReadOptions:
    if format is not None and format not in FORMATS:
        raise LogError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    return ReadOptions(format=format, model=model, ft_tokenizer=ft_tokenizer, threads=threads,
                       chunk_records=chunk_records, chunk_bytes=chunk_bytes, max_record_bytes=max_record_bytes,
                       storage_options=dict(storage_options or {}))


# ---------------------------------------------------------------------------------------------
# tasks: the map side of a read (run here, in worker processes, or on Dask: advisor.logs.dispatch)


@dataclass
class TaskResult:
    """What one task gathered: its rows and tallies, its files' formats, the LangSmith halves it could not
    match (merged by the reducer, in task order), and the lines a byte range owned (for the next range)."""

    index: int
    gather: Gather | None = None
    pending: list = field(default_factory=list)
    formats: dict = field(default_factory=dict)
    lines: int = 0
    resplit: bool = False  # a byte range met a record spread over lines: its file is read whole instead
    merged_from: set = field(default_factory=set)  # files whose LangSmith halves joined runs of other files


_COUNTER: list = []  # [(run id, ChunkCounter)]: one read's counter per process (its memos hold prompt text)


def _counter_for(opts: ReadOptions) -> ChunkCounter:
    if not _COUNTER or _COUNTER[0][0] != opts.run_id:
        _COUNTER[:] = [(opts.run_id, ChunkCounter(model=opts.model, ft_tokenizer=opts.ft_tokenizer,
                                                  threads=opts.threads))]
    return _COUNTER[0][1]


def forget_counter(run_id: str) -> None:
    """Drop the counter (and the text its memos hold) of a read that has ended."""
    if _COUNTER and _COUNTER[0][0] == run_id:
        _COUNTER.clear()


def count_task(task: Task, opts: ReadOptions, progress: Progress | None = None) -> TaskResult:
    """The map function: read and count one task's pieces into a :class:`TaskResult` (picklable, no text)."""
    parser, gather, stats = _Parser(opts.format), Gather(), ReadStats()
    formats: dict[str, Tally] = {}
    try:
        for frame in _task_frames(task, opts, parser, _counter_for(opts), formats, stats, progress):
            if isinstance(frame, pd.DataFrame):
                gather.add(frame)
            else:  # rows taken as they were read (advisor.logs.usage_rows)
                gather.add_columns(frame)
    except NotSplittable:
        return TaskResult(task.index, resplit=True)
    return TaskResult(task.index, gather, list(parser.pending.values()), formats, stats.lines,
                      merged_from=parser.merged_from)


def normalize_partition(part: pd.DataFrame, *, format: str | None = None, model: str | None = None,
                        ft_tokenizer: str | None = "mistral-v1", threads: int = 1) -> pd.DataFrame:
    """The per-chunk function for distributed use (e.g. ``dask.dataframe.map_partitions``).

    ``part`` has columns ``file``, ``line`` and ``record`` (one JSON text per row); the result is a
    work frame as :func:`iter_chunks` yields, to be passed to :func:`finalize_frame`.
    """
    counter = ChunkCounter(model=model, ft_tokenizer=ft_tokenizer, threads=threads)
    out: list[pd.DataFrame] = []
    for file, group in part.groupby("file", sort=False):
        values = [(int(line), decode_record(text) if isinstance(text, str) else RecordProblem("record is not JSON text"))
                  for line, text in zip(group["line"], group["record"])]
        parser, chunk = _Parser(format), _Chunk()
        parser.file = str(file)
        parser.transcripts.start(parser.file)
        parser.streams.start(parser.file)
        for line, item in parser.items(values):
            chunk.add(str(file), line, item)
        for name, (line, item) in [*parser.end_streams(), *parser.drain(final=True)]:
            chunk.add(name, line, item)
        out += chunk.frames(counter)
    if not out:
        return pd.DataFrame(columns=WORK_COLUMNS)
    return pd.concat(out, ignore_index=True).reindex(columns=WORK_COLUMNS)  # the same columns for every partition


def finalize_frame(work: pd.DataFrame, *, assumed_completion_tokens: float | None = None
                   ) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """(frame, problems, assumptions) from concatenated work frames (e.g. from :func:`normalize_partition`)."""
    gather = Gather()
    gather.add(work)
    return finish(gather, assumed_completion_tokens)


def per_request_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``count --per-request`` table: one row per request, the PER_REQUEST_COLUMNS contract, no text."""
    out = frame[PER_REQUEST_COLUMNS].copy()
    out["line"] = out["line"].astype("int64")
    return out


def read_logs(paths: str | os.PathLike | Sequence[str | os.PathLike], *, format: str | None = None,
              model: str | None = None, ft_tokenizer: str | None = "mistral-v1",
              chunk_records: int = DEFAULT_CHUNK_RECORDS, threads: int = 2,
              progress: Progress | None = None, assumed_completion_tokens: float | None = None,
              max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, storage_options: dict | None = None,
              processes: int | None = None, workers: int | None = None, scheduler: Any = None,
              chunk_bytes: int = DEFAULT_CHUNK_BYTES, task_bytes: int | None = None) -> LogResult:
    """Read log files (format detected per record unless ``format``) into a :class:`LogResult`.

    ``paths``: local paths, globs, or URLs read through fsspec (``s3://``, ``gs://``, ``az://``, ``https://``,
    with ``storage_options`` such as ``{"endpoint_url": ...}``; each backend's own credentials otherwise).
    ``model``: the model whose tokenizer counts records that name none (or an unknown one).
    ``ft_tokenizer``: the 7B tokenizer for ``ft_*`` columns (None to skip that counting).
    ``assumed_completion_tokens``: completion tokens of a request logged without its response
    (reported as an assumption); None lists such requests as problems.
    ``max_record_bytes``: a record larger than this (decompressed) is a problem, never held in memory.
    Where it runs (:mod:`advisor.logs.dispatch`): ``workers`` N starts a local Dask cluster, ``scheduler`` uses a
    running one (an address such as ``tcp://HOST:8786``, or a ``distributed.Client``); else ``processes``
    worker processes on this machine (default: every core for large local reads, this process for small ones).
    The totals are the same wherever it runs. ``task_bytes``: the bytes of a task (large JSONL files are cut into
    ranges of about this size; default :func:`~advisor.logs.dispatch.task_bytes_for`).
    Raises :class:`LogError` for a missing, empty or binary file, or when no record is usable.
    """
    if isinstance(paths, (str, os.PathLike, MemoryFile)):
        paths = [paths]
    if not paths:
        raise LogError("no log files given")
    if assumed_completion_tokens is not None and not 0 <= float(assumed_completion_tokens) <= 1e7:
        raise LogError("--completion-tokens must be a number of tokens from 0 to 10,000,000")
    opts = _options(format, model, ft_tokenizer, threads, chunk_records, max_record_bytes, storage_options,
                    chunk_bytes)
    sources, copies = unique_sources(expand_sources(list(paths), opts.storage_options), opts.storage_options)
    names = _display_names(sources)
    local = not any(isinstance(s, MemoryFile) for s in sources)
    if task_bytes is None:
        sizes = [_size(s) for s in sources] or [0]
        task_bytes = DEFAULT_TASK_BYTES if workers or scheduler else \
            task_bytes_for(sum(sizes), processes, local=local, largest=max(sizes))
    tasks = plan_tasks(sources, names, task_bytes=task_bytes, storage_options=opts.storage_options)
    n = choose_processes(tasks, processes, local=local)
    if n > 1 and not (workers or scheduler) and opts.ft_tokenizer is None:
        # processes that take tasks in turn end together; not with 7B counts: a chunk of under ft_exact_below
        # requests is encoded whole, not sampled, so smaller tasks cost more CPU than the wait they save
        tasks = taper(tasks, n)
    if n > 1 or workers or scheduler:
        opts = replace(opts, threads=1)  # a core per process; no thread pools inside them
    with old_objects_frozen():
        try:
            results = _run(tasks, opts, n, workers, scheduler, progress)
        finally:
            forget_counter(opts.run_id)
        result = _reduce(tasks, results, opts, names, assumed_completion_tokens)
    result.assumptions[:0] = copies
    return result


def _run(tasks: list[Task], opts: ReadOptions, processes: int, workers: int | None, scheduler: Any,
         progress: Progress | None) -> dict[int, TaskResult]:
    """Every task's result by index; a file whose byte ranges met a record spread over lines is read again whole."""
    results = {r.index: r for r in run_tasks(count_task, tasks, opts, processes=processes, workers=workers,
                                             scheduler=scheduler, progress=progress, forget=forget_counter)}
    redo = {t.pieces[0].name for t in tasks if results[t.index].resplit}
    if redo:
        again: list[Task] = []
        for t in tasks:
            piece = t.pieces[0]
            if piece.name in redo:
                results.pop(t.index)
                if piece.part == 0:
                    again.append(Task(t.index, (replace(piece, start=0, end=None),), _size(piece.source)))
        results.update((r.index, r) for r in run_tasks(count_task, again, opts, processes=processes,
                                                       workers=workers, scheduler=scheduler, forget=forget_counter))
    return results


def _reduce(tasks: list[Task], results: dict[int, TaskResult], opts: ReadOptions, names: list[str],
            assumed_completion_tokens: float | None) -> LogResult:
    """Fold the tasks' results in task order: lines of byte ranges shifted, LangSmith halves merged across
    tasks (and counted here), then the batch join and the frame (:func:`advisor.logs.gather.finish`)."""
    gather, parser, chunk = Gather(), _Parser(opts.format), _Chunk()
    formats: dict[str, Tally] = {}
    lines_before: Tally = Tally()  # per file: lines owned by its byte ranges read so far
    for t in tasks:
        r = results.get(t.index)
        if r is None:  # a range of a file read again whole (its part 0 holds the file)
            continue
        ranged = t.pieces[0].end is not None
        offset = lines_before[t.pieces[0].name] if ranged else 0
        parser.merged_from |= r.merged_from
        if r.gather is not None:
            gather.merge(r.gather, offset)
        if ranged:
            lines_before[t.pieces[0].name] += r.lines
        for name, tally in r.formats.items():
            formats.setdefault(name, Tally()).update(tally)
        for file, line, where, rec in r.pending:
            parser.formats = formats.setdefault(file, Tally())  # a merged run counts for the file of its later half
            for merged_line, item in parser.replay(file, line + (offset if file == t.pieces[0].name else 0),
                                                   where, rec):
                chunk.add(file, merged_line, item)
        r.gather = None
    parser.formats = Tally()  # halves that never met: as in one process, no file's format
    for file, (line, item) in parser.drain(final=True):
        chunk.add(file, line, item)
    if len(chunk):
        counter = _counter_for(opts)
        for frame in chunk.frames(counter):
            gather.add(frame)
        forget_counter(opts.run_id)
    return _result(gather, names, _formats_text(formats), assumed_completion_tokens, parser.merged_from)


def _result(gather: Gather, names: list[str], formats: dict[str, str],
            assumed_completion_tokens: float | None, merged: set[str] | frozenset[str] = frozenset()) -> LogResult:
    usable, ignored_files = gather.usable_files, gather.ignored_files  # before the batch join moves rows
    times_ignored = dict(gather.times_ignored.most_common())
    unlisted = gather.problems_total - len(gather.problems)
    frame, problems, assumptions = finish(gather, assumed_completion_tokens)
    ignored = dict(gather.ignored.most_common())  # (after the join: wrapper spans whose calls are counted)
    for p in names:
        if p not in usable and p not in ignored_files and p not in merged:  # merged: halves that joined a run
            # reported under another file (LangSmith post and patch in two files)
            first = next((q.reason for q in problems if q.file == p), "no records")
            raise LogError(f"holds no usable record ({sum(q.file == p for q in problems)} skipped; first: {first})",
                           file=p)
    if not len(frame) and (problems or not ignored):  # only ignored records (an idle day): 0 requests, no error
        top = problems[0] if problems else None
        raise LogError("no model calls to count" + (f" ({len(problems)} skipped; first: {top.file}:{top.line}: "
                                                    f"{top.reason})" if top else ""))
    if unlisted:
        assumptions.append(f"{unlisted:,} more records skipped past the first {gather_module.MAX_PROBLEMS_KEPT:,} "
                           "problems (counted in skipped, not listed)")
    return LogResult(frame=frame, problems=problems, skipped=len(problems) + unlisted,
                     formats={n: formats.get(n, "langsmith") for n in names if n in formats or n in merged},
                     assumptions=assumptions, ignored=ignored, timestamps_ignored=times_ignored,
                     lower_bound_requests=int(round(gather.lower_bound)))
