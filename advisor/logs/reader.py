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

import csv
import gzip
import io
import json
import os
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import LogError
from ..tokens import (
    Counter,
    completion_strings,
    ft_counts_from_lengths,
    get_ft_tokenizer,
    message_strings,
    resolve_encoding,
    tool_strings,
)
from .formats import FORMATS, detect_record_format, parse_record
from .records import Raw, RecordProblem
from .template import TemplateHasher

__all__ = ["MemoryFile", "Problem", "LogResult", "read_logs", "iter_chunks", "normalize_partition", "finalize_frame",
           "FRAME_COLUMNS", "DEFAULT_CHUNK_RECORDS"]

DEFAULT_CHUNK_RECORDS = 20_000
FRAME_COLUMNS = ["request_id", "timestamp", "model", "task", "template", "prompt_tokens", "completion_tokens",
                 "cached_tokens", "latency_s", "tokens_source", "ft_prompt_tokens", "ft_completion_tokens",
                 "requests", "file", "line"]
_WORK_COLUMNS = FRAME_COLUMNS + ["join_key", "join_side", "problem", "assumed_encoding"]
Progress = Callable[[int, int], None]  # (bytes done, bytes total)


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


# ---------------------------------------------------------------------------------------------
# files


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


def _iter_records(path: Path, progress: Progress | None) -> Iterator[tuple[int, Any]]:
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


# ---------------------------------------------------------------------------------------------
# counting one chunk


class _ChunkCounter:
    """Counts a list of Raw records into frame rows (reusable across chunks: memos persist)."""

    def __init__(self, *, model: str | None, ft_tokenizer: str | None, threads: int):
        self.model = model
        self.ft_name = ft_tokenizer
        self.threads = threads
        self.counters: dict[str, Counter] = {}
        self.hasher = TemplateHasher()
        self._ft_memo: dict[str, int] = {}

    def _counter(self, name: str) -> Counter:
        if name not in self.counters:
            self.counters[name] = Counter(name, threads=self.threads)
        return self.counters[name]

    def _ft_lengths(self, texts: list[str]) -> list[int]:
        sp = get_ft_tokenizer(self.ft_name)
        out = [0] * len(texts)
        todo_i, todo = [], []
        for i, t in enumerate(texts):
            if not t:
                continue
            hit = self._ft_memo.get(t)
            if hit is None:
                todo_i.append(i)
                todo.append(t)
            else:
                out[i] = hit
        if todo:
            for i, t, ids in zip(todo_i, todo, sp.encode(todo, num_threads=self.threads)):
                out[i] = len(ids)
                if len(t) >= 64:
                    if len(self._ft_memo) > 20_000:
                        self._ft_memo.clear()
                    self._ft_memo[t] = len(ids)
        return out

    def rows(self, file: str, raws: Sequence[Raw], problems: Sequence[tuple[int, str]]) -> pd.DataFrame:
        n = len(raws)
        prompt = np.full(n, np.nan)
        comp = np.full(n, np.nan)
        cached = np.zeros(n)
        source = np.empty(n, dtype=object)
        assumed = np.empty(n, dtype=object)
        task = np.empty(n, dtype=object)
        tpl = np.empty(n, dtype=object)
        prob = np.empty(n, dtype=object)
        # API-tokenizer strings to count, per encoding: (strings, owner, part)
        by_enc: dict[str, tuple[list[str], list[int], list[int]]] = {}
        fixed_p = np.zeros(n)
        # 7B strings
        ft_texts: list[str] = []
        ft_owner: list[int] = []
        ft_part: list[int] = []
        ft_meta: dict[int, tuple[int, bool]] = {}
        for i, r in enumerate(raws):
            task[i], tpl[i] = self.hasher.keys(r.messages, r.prompt_text, r.task_hint)
            has_text = r.messages is not None or r.prompt_text is not None
            if r.usage is not None:
                prompt[i], comp[i], cached[i] = r.usage
                source[i] = "usage"
            elif has_text and (r.completion is not None or r.join_side == "input"):
                source[i] = "counted"
                choice = resolve_encoding(r.model)
                if choice.assumed and self.model:  # --model stands in for a missing or unknown model
                    choice = resolve_encoding(self.model)
                if choice.assumed:
                    assumed[i] = f"{choice.model or '(no model)'} -> {choice.encoding}"
                strings, owner, part = by_enc.setdefault(choice.encoding, ([], [], []))
                if r.messages is not None:
                    s, fx = message_strings(r.messages, r.model or self.model or "")
                    ts, tfx = tool_strings(r.tools, choice.encoding)
                    s += ts
                    fixed_p[i] = fx + tfx
                else:
                    s = [r.prompt_text]
                strings += s
                owner += [i] * len(s)
                part += [0] * len(s)
                cs = completion_strings(r.completion)
                strings += cs
                owner += [i] * len(cs)
                part += [1] * len(cs)
            else:
                prob[i] = "no usage and no prompt/completion text to count"
            if self.ft_name and has_text:
                msgs = r.messages or [{"role": "user", "content": r.prompt_text or ""}]
                turns, has_sys = 0, False
                for m in msgs:
                    role = m.get("role") if hasattr(m, "get") else None
                    turns += role == "user"
                    has_sys = has_sys or role in ("system", "developer")
                    for t in completion_strings(m):
                        ft_texts.append(t)
                        ft_owner.append(i)
                        ft_part.append(0)
                if r.tools:
                    ft_texts.append(json.dumps(r.tools, separators=(",", ":")))
                    ft_owner.append(i)
                    ft_part.append(2)
                for t in completion_strings(r.completion):
                    ft_texts.append(t)
                    ft_owner.append(i)
                    ft_part.append(1)
                ft_meta[i] = (turns, has_sys)
        for enc, (strings, owner, part) in by_enc.items():
            lens = np.asarray(self._counter(enc).count_many(strings), dtype=float)
            owner_a, part_a = np.asarray(owner, dtype=int), np.asarray(part)
            p_sum = np.bincount(owner_a[part_a == 0], weights=lens[part_a == 0], minlength=n)
            c_sum = np.bincount(owner_a[part_a == 1], weights=lens[part_a == 1], minlength=n)
            mask = np.zeros(n, dtype=bool)
            mask[np.unique(owner_a)] = True
            mask &= source == "counted"
            prompt[mask] = (p_sum + fixed_p)[mask]
            comp[mask] = c_sum[mask]
        # rows counted with no completion string at all (batch inputs) have 0 completion until joined
        ft_p = np.full(n, np.nan)
        ft_c = np.full(n, np.nan)
        if ft_texts:
            lens = np.asarray(self._ft_lengths(ft_texts), dtype=float)
            owner_a, part_a = np.asarray(ft_owner, dtype=int), np.asarray(ft_part)
            text_p = np.bincount(owner_a[part_a == 0], weights=lens[part_a == 0], minlength=n)
            tools_p = np.bincount(owner_a[part_a == 2], weights=lens[part_a == 2], minlength=n)
            text_c = np.bincount(owner_a[part_a == 1], weights=lens[part_a == 1], minlength=n)
            has_c = np.bincount(owner_a[part_a == 1], minlength=n) > 0
            for i, (turns, has_sys) in ft_meta.items():
                ft_p[i] = ft_counts_from_lengths(turns, has_sys, int(text_p[i]), int(tools_p[i]), self.ft_name)
                ft_c[i] = text_c[i] + 1 if has_c[i] else np.nan  # + </s>
        good = pd.DataFrame({
            "request_id": [r.request_id for r in raws],
            "timestamp": np.array([np.nan if r.timestamp is None else r.timestamp for r in raws], dtype=float),
            "model": [r.model for r in raws],
            "task": task, "template": tpl,
            "prompt_tokens": prompt, "completion_tokens": comp, "cached_tokens": cached,
            "latency_s": np.array([np.nan if r.latency_s is None else r.latency_s for r in raws], dtype=float),
            "tokens_source": source, "ft_prompt_tokens": ft_p, "ft_completion_tokens": ft_c,
            "requests": np.array([r.requests for r in raws], dtype=float),
            "file": file, "line": np.array([r.line for r in raws], dtype=np.int64),
            "join_key": [r.join_key for r in raws], "join_side": [r.join_side for r in raws],
            "problem": prob, "assumed_encoding": assumed,
        }, columns=_WORK_COLUMNS)
        if problems:
            bad = pd.DataFrame({"file": file, "line": [ln for ln, _ in problems], "problem": [p for _, p in problems]})
            good = pd.concat([good, bad.reindex(columns=_WORK_COLUMNS)], ignore_index=True) if len(good) else \
                bad.reindex(columns=_WORK_COLUMNS)
        return good


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
    counter = _ChunkCounter(model=model, ft_tokenizer=ft_tokenizer, threads=threads)
    seen = formats_seen if formats_seen is not None else {}
    done = 0
    for path, size in zip(paths, sizes):
        def file_progress(n, _size, _done=done):
            if progress:
                progress(min(_done + n, total), total)

        raws: list[Raw] = []
        probs: list[tuple[int, str]] = []
        for line, item in _parse_items(_iter_records(path, file_progress), format, str(path), seen):
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
    counter = _ChunkCounter(model=model, ft_tokenizer=ft_tokenizer, threads=threads)
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
        return pd.DataFrame(columns=_WORK_COLUMNS)
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
    work = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=_WORK_COLUMNS)
    frame, problems, assumptions = finalize_frame(work)
    usable = set(work.loc[work["problem"].isna(), "file"])  # before the batch join moves rows
    for p in map(str, paths):
        if p not in usable:
            first = next((q.reason for q in problems if q.file == p), "no records")
            raise LogError(f"holds no usable record ({sum(q.file == p for q in problems)} skipped; first: {first})",
                           file=p)
    return LogResult(frame=frame, problems=problems, skipped=len(problems), formats=formats, assumptions=assumptions)
