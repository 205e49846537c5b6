"""Read exported logs into the normalized requests frame, streaming in chunks.

While reading, string columns are kept as categories (a few bytes a row); the frame returned has text columns.

Frame columns (one row per request; ``requests`` > 1 only for aggregated usage exports):
``request_id, timestamp, model, task, template, prompt_tokens, completion_tokens, cached_tokens,
latency_s, tokens_source, ft_prompt_tokens, ft_completion_tokens, requests, file, line``.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advisor.errors import LogError
from advisor.logs.containers import expand
from advisor.logs.counting import ChunkCounter
from advisor.logs.files import DEFAULT_MAX_RECORD_BYTES, MemoryFile, Progress, decode_record, iter_records
from advisor.logs.formats import FORMATS, detect_record_format, parse_record
from advisor.logs.gather import MAX_PROBLEMS_KEPT, Gather, Problem, finish, time_note
from advisor.logs.records import FRAME_COLUMNS, WORK_COLUMNS, Ignored, Raw, RecordProblem, safe_field

__all__ = ["MemoryFile", "Problem", "LogResult", "read_logs", "iter_chunks", "normalize_partition", "finalize_frame",
           "FRAME_COLUMNS", "DEFAULT_CHUNK_RECORDS", "PER_REQUEST_COLUMNS", "per_request_frame"]

DEFAULT_CHUNK_RECORDS = 20_000
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
            "tasks": int(f.loc[f["task"] != "unknown", "task"].nunique()),
            "formats": self.formats,
            "timestamps_ignored": sum(self.timestamps_ignored.values()),
            "timestamps_ignored_by_reason": dict(self.timestamps_ignored),
            "assumptions": self.assumptions,
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


def _wrapped_records(rec: dict) -> list[tuple[str, Any]]:
    """(path, element) for the records an unknown object wraps: the elements of its lists of objects, or its values
    when they are objects, provided one of them is a record of a known format; else [] (the object is the record).

    >>> _wrapped_records({"generations": [{"model": "m", "prompt_tokens": 1, "completion_tokens": 1}, 3]})
    [('generations[0]', {'model': 'm', 'prompt_tokens': 1, 'completion_tokens': 1}), ('generations[1]', 3)]
    >>> _wrapped_records({"a": 1, "b": [1, 2]})
    []
    """
    lists = [(k, v) for k, v in rec.items() if isinstance(v, list) and any(isinstance(x, dict) for x in v)]
    if lists:
        out = [(f"{k}[{i}]", x) for k, v in lists for i, x in enumerate(v)]
    else:
        out = [(str(k), v) for k, v in rec.items() if isinstance(v, dict)]
    return out if any(isinstance(x, dict) and detect_record_format(x) for _, x in out) else []


class _Parser:
    """Detects each record's format on its own, parses it, merges LangSmith post/patch halves by run id."""

    def __init__(self, fmt: str | None):
        self.fmt = fmt
        self.formats: Tally = Tally()
        self.pending: dict[str, tuple[str, int, str, dict]] = {}  # LangSmith run id -> (file, line, where, half)
        self.spill: list[tuple[str, int, str, dict]] = []  # halves going on alone, with their own file
        self.file = ""  # the file being read

    def items(self, values: Iterable[tuple[int, Any]]) -> Iterator[Item]:
        for line, value in values:
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
        if f is None:
            keys = ", ".join(_key(k) for k in list(rec)[:8]) if isinstance(rec, dict) else type(rec).__name__
            yield line, _reason(RecordProblem(f"record of an unknown shape (keys: {keys}); pass --format with one "
                                              f"of {', '.join(FORMATS)}"), where)
            return
        if f == "langsmith" and isinstance(rec, dict):
            for m_line, m_where, m_rec in self._merge_langsmith(line, where, rec):
                yield self._parse(f, m_line, m_where, m_rec)
            return
        yield self._parse(f, line, where, rec)

    def _parse(self, f: str, line: int, where: str, rec: Any) -> Item:
        try:
            raw = parse_record(f, rec, line)
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
        is_patch = "outputs" in rec or "end_time" in rec
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
        o_rec = other[3]
        post, patch = (o_rec, rec) if is_patch else (rec, o_rec)
        yield line, where, {**post, **{k: v for k, v in patch.items() if v is not None}}

    def drain(self, final: bool) -> Iterator[tuple[str, Item]]:
        """(file, item) for halves going on alone; ``final``: also those never matched (a create alone is a
        request without response, an update alone is parsed as it is)."""
        items, self.spill = self.spill, []
        if final:
            items += list(self.pending.values())
            self.pending = {}
        for file, line, where, rec in items:
            yield file, self._parse("langsmith", line, where, rec)


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


def _ignored_rows(file: str, ignored: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"file": file, "line": [ln for ln, _ in ignored],
                         "ignored": [r for _, r in ignored]}).reindex(columns=WORK_COLUMNS)


def _safe_rows(counter: ChunkCounter, file: str, raws: list[Raw], probs: list[tuple[int, str]]) -> pd.DataFrame:
    """counter.rows; when a record trips the counter, the chunk is halved until that record is alone (a problem
    named by the exception's type), so one hostile record costs O(log n) recounts, not n."""
    try:
        return counter.rows(file, raws, probs)
    except Exception:  # noqa: BLE001 - isolated below, reported per record by type
        pass
    frames, bad = _bisect_rows(counter, file, raws)
    frames.append(counter.rows(file, [], list(probs) + bad))
    kept = [f for f in frames if len(f)]
    return pd.concat(kept, ignore_index=True) if kept else frames[-1]


def _bisect_rows(counter: ChunkCounter, file: str, raws: list[Raw]) -> tuple[list[pd.DataFrame], list[tuple[int, str]]]:
    try:
        return [counter.rows(file, raws, [])], []
    except RecursionError:
        if len(raws) == 1:
            return [], [(raws[0].line, "nested too deeply to count")]
    except Exception as exc:  # noqa: BLE001
        if len(raws) == 1:
            return [], [(raws[0].line, f"could not be counted ({type(exc).__name__})")]
    mid = len(raws) // 2
    f1, b1 = _bisect_rows(counter, file, raws[:mid])
    f2, b2 = _bisect_rows(counter, file, raws[mid:])
    return f1 + f2, b1 + b2


def iter_chunks(paths: Sequence[str | os.PathLike], *, format: str | None = None, model: str | None = None,
                ft_tokenizer: str | None = "mistral-v1", chunk_records: int = DEFAULT_CHUNK_RECORDS,
                threads: int = 2, progress: Progress | None = None,
                formats_seen: dict[str, str] | None = None,
                max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[pd.DataFrame]:
    """Work frames (rows, problem rows, ignored rows, batch halves) chunk by chunk; memory bounded by the chunk."""
    if format is not None and format not in FORMATS:
        raise LogError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    paths = [p if isinstance(p, MemoryFile) else Path(p) for p in paths]
    names = _display_names(paths)
    sizes = []
    for p in paths:
        if isinstance(p, MemoryFile):
            sizes.append(len(p.data))
            continue
        if not p.exists():
            raise LogError("no such file; check the path", file=str(p))
        sizes.append(p.stat().st_size if p.is_file() else 0)
    total = sum(sizes) or 1
    counter = ChunkCounter(model=model, ft_tokenizer=ft_tokenizer, threads=threads)
    seen = formats_seen if formats_seen is not None else {}
    parser = _Parser(format)
    done = 0
    for path, name, size in zip(paths, names, sizes):
        def file_progress(n, _size, _done=done):
            if progress:
                progress(min(_done + n, total), total)

        parser.formats, parser.file = Tally(), name
        raws: list[Raw] = []
        probs: list[tuple[int, str]] = []
        ignored: list[tuple[int, str]] = []
        for line, item in parser.items(iter_records(path, file_progress, max_record_bytes=max_record_bytes)):
            _sort_item(line, item, raws, probs, ignored)
            if len(raws) + len(probs) + len(ignored) >= chunk_records:
                yield _safe_rows(counter, name, raws, probs)
                if ignored:
                    yield _ignored_rows(name, ignored)
                raws, probs, ignored = [], [], []
        if raws or probs:
            yield _safe_rows(counter, name, raws, probs)
        if ignored:
            yield _ignored_rows(name, ignored)
        if parser.formats:
            seen[name] = "+".join(f for f, _ in parser.formats.most_common())
        done += size
        if progress:
            progress(done, total)
        yield from _drained(parser, counter, final=False)
    yield from _drained(parser, counter, final=True)


def _sort_item(line: int, item, raws: list, probs: list, ignored: list) -> None:
    """A parsed item to its list: a record, a problem (its reason) or an ignored record (not a model call)."""
    if isinstance(item, str):
        probs.append((line, item))
    elif isinstance(item, Ignored):
        ignored.append((line, item.reason))
    else:
        raws.append(item)


def _drained(parser: _Parser, counter: ChunkCounter, *, final: bool) -> Iterator[pd.DataFrame]:
    """Work frames for the LangSmith halves going on alone, each under its own file."""
    by_file: dict[str, tuple[list, list, list]] = {}
    for file, (line, item) in parser.drain(final):
        _sort_item(line, item, *by_file.setdefault(file, ([], [], [])))
    for file, (raws, probs, ignored) in by_file.items():
        if raws or probs:
            yield _safe_rows(counter, file, raws, probs)
        if ignored:
            yield _ignored_rows(file, ignored)


def normalize_partition(part: pd.DataFrame, *, format: str | None = None, model: str | None = None,
                        ft_tokenizer: str | None = "mistral-v1", threads: int = 1) -> pd.DataFrame:
    """The per-chunk function for distributed use (e.g. ``dask.dataframe.map_partitions``).

    ``part`` has columns ``file``, ``line`` and ``record`` (one JSON text per row); the result is a
    work frame as :func:`iter_chunks` yields, to be passed to :func:`finalize_frame`.
    """
    counter = ChunkCounter(model=model, ft_tokenizer=ft_tokenizer, threads=threads)
    out = []
    for file, group in part.groupby("file", sort=False):
        values = [(int(line), decode_record(text) if isinstance(text, str) else RecordProblem("record is not JSON text"))
                  for line, text in zip(group["line"], group["record"])]
        raws, probs, ignored = [], [], []
        parser = _Parser(format)
        parser.file = str(file)
        for line, item in list(parser.items(values)) + [it for _, it in parser.drain(final=True)]:
            _sort_item(line, item, raws, probs, ignored)
        out.append(_safe_rows(counter, str(file), raws, probs))
        if ignored:
            out.append(_ignored_rows(str(file), ignored))
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
              max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> LogResult:
    """Read log files (format detected per record unless ``format``) into a :class:`LogResult`.

    ``model``: the model whose tokenizer counts records that name none (or an unknown one).
    ``ft_tokenizer``: the 7B tokenizer for ``ft_*`` columns (None to skip that counting).
    ``assumed_completion_tokens``: completion tokens of a request logged without its response
    (reported as an assumption); None lists such requests as problems.
    ``max_record_bytes``: a record larger than this (decompressed) is a problem, never held in memory.
    Raises :class:`LogError` for a missing, empty or binary file, or when no record is usable.
    """
    if isinstance(paths, (str, os.PathLike, MemoryFile)):
        paths = [paths]
    if not paths:
        raise LogError("no log files given")
    if assumed_completion_tokens is not None and not 0 <= float(assumed_completion_tokens) <= 1e7:
        raise LogError("--completion-tokens must be a number of tokens from 0 to 10,000,000")
    formats: dict[str, str] = {}
    gather = Gather()
    for chunk in iter_chunks(paths, format=format, model=model, ft_tokenizer=ft_tokenizer, chunk_records=chunk_records,
                             threads=threads, progress=progress, formats_seen=formats, max_record_bytes=max_record_bytes):
        gather.add(chunk)
    usable, ignored_files = gather.usable_files, gather.ignored_files  # before the batch join moves rows
    ignored = dict(gather.ignored.most_common())
    times_ignored = dict(gather.times_ignored.most_common())
    unlisted = gather.problems_total - len(gather.problems)
    frame, problems, assumptions = finish(gather, assumed_completion_tokens)
    for p in _display_names(paths):
        if p not in usable and p not in ignored_files:
            first = next((q.reason for q in problems if q.file == p), "no records")
            raise LogError(f"holds no usable record ({sum(q.file == p for q in problems)} skipped; first: {first})",
                           file=p)
    if not len(frame) and (problems or not ignored):  # only ignored records (an idle day): 0 requests, no error
        first = problems[0] if problems else None
        raise LogError("no model calls to count" + (f" ({len(problems)} skipped; first: {first.file}:{first.line}: "
                                                    f"{first.reason})" if first else ""))
    if unlisted:
        assumptions.append(f"{unlisted:,} more records skipped past the first {MAX_PROBLEMS_KEPT:,} problems "
                           "(counted in skipped, not listed)")
    return LogResult(frame=frame, problems=problems, skipped=len(problems) + unlisted, formats=formats,
                     assumptions=assumptions, ignored=ignored, timestamps_ignored=times_ignored)
