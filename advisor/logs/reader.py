"""Read exported logs into the normalized requests frame, streaming in chunks.

Frame columns (one row per request; ``requests`` > 1 only for aggregated usage exports):
``request_id, timestamp, model, task, template, prompt_tokens, completion_tokens, cached_tokens,
latency_s, tokens_source, ft_prompt_tokens, ft_completion_tokens, requests, file, line``.
``tokens_source`` is ``usage`` when the log recorded the API's usage, ``counted`` when we counted.
Prompt and completion text never leave this module: they are counted and dropped per chunk.

Bad records never stop a read: each is reported with file, line and reason and counted in
``skipped``; a file with no usable record at all is a :class:`LogError`.
"""

from __future__ import annotations

import json
import os
from collections import Counter as Tally
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import LogError
from .counting import ChunkCounter
from .files import MemoryFile, Progress, iter_records
from .formats import FORMATS, detect_record_format, parse_record
from .records import FRAME_COLUMNS, WORK_COLUMNS, Raw, RecordProblem

__all__ = ["MemoryFile", "Problem", "LogResult", "read_logs", "iter_chunks", "normalize_partition", "finalize_frame",
           "FRAME_COLUMNS", "DEFAULT_CHUNK_RECORDS"]

DEFAULT_CHUNK_RECORDS = 20_000


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str


@dataclass
class LogResult:
    """What reading gave: the frame, and everything that was not used, with reasons."""

    frame: pd.DataFrame
    problems: list[Problem]
    skipped: int
    formats: dict[str, str]
    assumptions: list[str] = field(default_factory=list)

    @property
    def requests(self) -> float:
        return float(self.frame["requests"].sum())

    def summary(self, *, max_problems: int = 100) -> dict[str, Any]:
        """The ``count`` command's JSON object."""
        f = self.frame
        w = f["requests"]
        src = f.groupby("tokens_source")["requests"].sum() if len(f) else pd.Series(dtype=float)
        return {
            "requests": int(round(w.sum())),
            "prompt_tokens": int(round((f["prompt_tokens"] * w).sum())),
            "completion_tokens": int(round((f["completion_tokens"] * w).sum())),
            "cached_tokens": int(round((f["cached_tokens"] * w).sum())),
            "ft_prompt_tokens": _int_or_none((f["ft_prompt_tokens"] * w).sum(min_count=1)),
            "ft_completion_tokens": _int_or_none((f["ft_completion_tokens"] * w).sum(min_count=1)),
            "skipped": self.skipped,
            "problems": [{"file": p.file, "line": p.line, "reason": p.reason} for p in self.problems[:max_problems]],
            "problems_shown": min(len(self.problems), max_problems),
            "tokens_source": {"usage": int(round(src.get("usage", 0))), "counted": int(round(src.get("counted", 0)))},
            "tasks": int(f.loc[f["task"] != "unknown", "task"].nunique()),
            "formats": self.formats,
            "assumptions": self.assumptions,
        }


def _int_or_none(x) -> int | None:
    return None if pd.isna(x) else int(round(float(x)))


def _parse_items(items: Iterable[tuple[int, Any]], fmt: str | None, path: str,
                 formats_seen: dict[str, str]) -> Iterator[tuple[int, Raw | str]]:
    for line, rec in items:
        if isinstance(rec, RecordProblem):
            yield line, rec.reason
            continue
        f = fmt or formats_seen.get(path)
        if fmt is None:
            detected = detect_record_format(rec)
            f = f or detected
            if detected is None:
                keys = ", ".join(list(rec)[:8]) if isinstance(rec, dict) else type(rec).__name__
                yield line, (f"record of an unknown shape (keys: {keys}); pass --format with one of "
                             f"{', '.join(FORMATS)}")
                continue
            formats_seen.setdefault(path, f)
        try:
            yield line, parse_record(f, rec, line)
        except RecordProblem as p:
            yield line, (f"field {p.field!r}: {p.reason}" if p.field else p.reason)


def iter_chunks(paths: Sequence[str | os.PathLike], *, format: str | None = None, model: str | None = None,
                ft_tokenizer: str | None = "mistral-v1", chunk_records: int = DEFAULT_CHUNK_RECORDS,
                threads: int = 2, progress: Progress | None = None,
                formats_seen: dict[str, str] | None = None) -> Iterator[pd.DataFrame]:
    """Work frames (rows, problem rows, batch halves) chunk by chunk; memory bounded by the chunk."""
    if format is not None and format not in FORMATS:
        raise LogError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    paths = [p if isinstance(p, MemoryFile) else Path(p) for p in paths]
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
    done = 0
    for path, size in zip(paths, sizes):
        def file_progress(n, _size, _done=done):
            if progress:
                progress(min(_done + n, total), total)

        raws: list[Raw] = []
        probs: list[tuple[int, str]] = []
        for line, item in _parse_items(iter_records(path, file_progress), format, str(path), seen):
            if isinstance(item, str):
                probs.append((line, item))
            else:
                raws.append(item)
            if len(raws) + len(probs) >= chunk_records:
                yield counter.rows(str(path), raws, probs)
                raws, probs = [], []
        if raws or probs:
            yield counter.rows(str(path), raws, probs)
        done += size
        if progress:
            progress(done, total)


def normalize_partition(part: pd.DataFrame, *, format: str | None = None, model: str | None = None,
                        ft_tokenizer: str | None = "mistral-v1", threads: int = 1) -> pd.DataFrame:
    """The per-chunk function for distributed use (e.g. ``dask.dataframe.map_partitions``).

    ``part`` has columns ``file``, ``line`` and ``record`` (one JSON text per row); the result is a
    work frame as :func:`iter_chunks` yields, to be passed to :func:`finalize_frame`.
    """
    counter = ChunkCounter(model=model, ft_tokenizer=ft_tokenizer, threads=threads)
    out = []
    for file, group in part.groupby("file", sort=False):
        items = []
        for line, text in zip(group["line"], group["record"]):
            try:
                items.append((int(line), json.loads(text)))
            except ValueError as exc:
                items.append((int(line), RecordProblem(f"not valid JSON ({exc})")))
        raws, probs = [], []
        for line, item in _parse_items(items, format, str(file), {}):
            (probs.append((line, item)) if isinstance(item, str) else raws.append(item))
        out.append(counter.rows(str(file), raws, probs))
    if not out:
        return pd.DataFrame(columns=WORK_COLUMNS)
    return pd.concat(out, ignore_index=True)


def _join_batches(f: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    has = f["join_side"].notna()
    if not has.any():
        return f
    rest, b = f[~has], f[has]
    inp = b[b["join_side"] == "input"].drop_duplicates("join_key").set_index("join_key")
    out = b[b["join_side"] == "output"].drop_duplicates("join_key").set_index("join_key")
    both = out.index.intersection(inp.index)
    merged = out.copy()
    for col in ("task", "template", "ft_prompt_tokens"):
        merged.loc[both, col] = inp.loc[both, col]
    only_in = inp.index.difference(out.index)
    for key in only_in:
        problems.append(Problem(str(inp.at[key, "file"]), int(inp.at[key, "line"]),
                                "batch input without a matching output line: pass the batch output file too"))
    return pd.concat([rest, merged.reset_index()], ignore_index=True)


def finalize_frame(work: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """(frame, problems, assumptions) from concatenated work frames."""
    is_bad = work["problem"].notna()
    problems = [Problem(str(f), int(ln), str(p)) for f, ln, p in
                zip(work.loc[is_bad, "file"], work.loc[is_bad, "line"], work.loc[is_bad, "problem"])]
    good = _join_batches(work[~is_bad], problems)
    assumptions = [f"{n} requests of unknown model {k.split(' -> ')[0]!r} counted with {k.split(' -> ')[1]}"
                   for k, n in Tally(good["assumed_encoding"].dropna()).items()]
    frame = good[FRAME_COLUMNS].copy()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s", utc=True, errors="coerce")
    frame["line"] = frame["line"].astype("int64")
    frame = frame.sort_values(["timestamp", "file", "line"], kind="stable", na_position="last").reset_index(drop=True)
    problems.sort(key=lambda p: (p.file, p.line))
    return frame, problems, assumptions


def read_logs(paths: str | os.PathLike | Sequence[str | os.PathLike], *, format: str | None = None,
              model: str | None = None, ft_tokenizer: str | None = "mistral-v1",
              chunk_records: int = DEFAULT_CHUNK_RECORDS, threads: int = 2,
              progress: Progress | None = None) -> LogResult:
    """Read log files (formats auto-detected per file unless ``format``) into a :class:`LogResult`.

    ``model``: the model whose tokenizer counts records that name none (or an unknown one).
    ``ft_tokenizer``: the 7B tokenizer for ``ft_*`` columns (None to skip that counting).
    Raises :class:`LogError` for a missing, empty or binary file, or when no record is usable.
    """
    if isinstance(paths, (str, os.PathLike, MemoryFile)):
        paths = [paths]
    if not paths:
        raise LogError("no log files given")
    formats: dict[str, str] = {}
    chunks = list(iter_chunks(paths, format=format, model=model, ft_tokenizer=ft_tokenizer,
                              chunk_records=chunk_records, threads=threads, progress=progress, formats_seen=formats))
    work = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=WORK_COLUMNS)
    frame, problems, assumptions = finalize_frame(work)
    usable = set(work.loc[work["problem"].isna(), "file"])  # before the batch join moves rows
    for p in map(str, paths):
        if p not in usable:
            first = next((q.reason for q in problems if q.file == p), "no records")
            raise LogError(f"holds no usable record ({sum(q.file == p for q in problems)} skipped; first: {first})",
                           file=p)
    return LogResult(frame=frame, problems=problems, skipped=len(problems), formats=formats, assumptions=assumptions)
