"""Cutting the work of a read into tasks that can run anywhere: in this process, in a pool of processes, or on a
Dask cluster.

- A large plain JSONL file (uncompressed UTF-8, one record per line in its first megabyte) is cut into byte
  ranges of about ``task_bytes``; a range owns the lines that START inside it (:func:`advisor.logs.files.
  iter_records` with ``start``/``end``), numbered from 1; the reducer shifts them by the lines of the ranges
  before, so every problem keeps its file and physical line. Should a range meet a record spread over lines
  after all, the file is read whole (:class:`~advisor.logs.streams.NotSplittable`).
- Compressed, CSV, Parquet and whole-document files are one piece each: their records cannot be found from
  the middle.
- Small files are grouped, in order, into tasks of up to ``task_bytes`` or ``files_per_task`` files, so ten
  thousand one-record files cost ten thousand opens, not ten thousand tasks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.logs.records import fast_loads, json_loads
from advisor.logs.sources import Source, open_source

__all__ = ["Piece", "Task", "plan_tasks", "taper", "splittable", "DEFAULT_TASK_BYTES", "DEFAULT_FILES_PER_TASK"]

DEFAULT_TASK_BYTES = 32 << 20
DEFAULT_FILES_PER_TASK = 2000
_HEAD = 1 << 20  # bytes read to decide that a file is plain JSONL


@dataclass(frozen=True)
class Piece:
    """A whole file (``end`` None) or the byte range [start, end) of one; ``name`` is how problems name the file."""

    source: Any  # Source | MemoryFile
    name: str
    start: int = 0
    end: int | None = None
    part: int = 0  # which range of its file (0 for a whole file)


@dataclass(frozen=True)
class Task:
    """Pieces counted together, in order, by one worker; ``bytes`` for progress."""

    index: int
    pieces: tuple[Piece, ...]
    bytes: int


def _size(source: Any) -> int:
    return len(source.data) if hasattr(source, "data") else int(getattr(source, "size", 0))


def splittable(source: Any, storage_options: Mapping[str, Any] | None = None) -> bool:
    """Whether a file can be cut into byte ranges: a :class:`Source` whose first megabyte is plain UTF-8 JSONL
    (no compression, no UTF-16, no CR-only line ends, not a .csv/.tsv name), every complete line a JSON value.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "a.jsonl")
    >>> _ = open(p, "w").write('{"a": 1}\\n{"a": 2}\\n')
    >>> splittable(Source(p, os.path.getsize(p))), splittable(Source(p[:-1] + "x.csv", 9))
    (True, False)
    """
    if not isinstance(source, Source):
        return False
    name = source.name.lower()
    if name.endswith((".gz", ".bz2", ".xz", ".zst", ".zip", ".csv", ".tsv", ".parquet")):
        return False
    try:
        with open_source(source, storage_options) as fh:
            head = fh.read(_HEAD)
    except Exception:  # noqa: BLE001 - not splittable; reading the file whole will say what is wrong
        return False
    if head[:1] not in (b"{", b"[") or b"\x00" in head or (b"\r" in head and b"\n" not in head):
        return False
    lines = head.split(b"\n")[:-1]  # complete lines only
    if not lines:
        return False
    loads = fast_loads()  # orjson reads a megabyte in 1 ms where json takes 6 (what it refuses, json decides)
    for line in lines:
        if line.strip():
            if loads is not None:
                try:
                    loads(line)
                    continue
                except ValueError:
                    pass
            try:
                json_loads(line.decode("utf-8", "replace"))
            except (ValueError, RecursionError):
                return False
    return True


def plan_tasks(sources: Sequence[Any], names: Sequence[str], *, task_bytes: int = DEFAULT_TASK_BYTES,
               files_per_task: int = DEFAULT_FILES_PER_TASK,
               storage_options: Mapping[str, Any] | None = None) -> list[Task]:
    """Tasks covering every file once, in the order given (a file's ranges in file order).

    >>> srcs = [Source(f"f{i}.jsonl.gz", 10) for i in range(5)]
    >>> [len(t.pieces) for t in plan_tasks(srcs, [s.name for s in srcs], files_per_task=2)]
    [2, 2, 1]
    """
    tasks: list[Task] = []
    group: list[Piece] = []
    group_bytes = 0

    def close_group() -> None:
        nonlocal group, group_bytes
        if group:
            tasks.append(Task(len(tasks), tuple(group), group_bytes))
            group, group_bytes = [], 0

    for source, name in zip(sources, names):
        size = _size(source)
        if size > task_bytes and splittable(source, storage_options):
            close_group()
            parts = math.ceil(size / task_bytes)
            bounds = [size * k // parts for k in range(parts + 1)]
            for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
                tasks.append(Task(len(tasks), (Piece(source, name, a, b, k),), b - a))
            continue
        if group and (group_bytes + size > task_bytes or len(group) >= files_per_task):
            close_group()
        group.append(Piece(source, name))
        group_bytes += size
    close_group()
    return tasks


def taper(tasks: Sequence[Task], processes: int, *, parts: int = 3) -> list[Task]:
    """The tasks with each of the last ``processes`` that is one byte range cut into ``parts`` ranges, numbered
    again in order: processes that take tasks in turn then end within a small task of each other, where equal
    tasks leave all but one idle for up to a whole task.

    >>> src = Source("a.jsonl", 90)
    >>> tasks = [Task(i, (Piece(src, "a.jsonl", 30 * i, 30 * i + 30, i),), 30) for i in range(3)]
    >>> [(t.index, t.pieces[0].start, t.bytes) for t in taper(tasks, 1)]
    [(0, 0, 30), (1, 30, 30), (2, 60, 10), (3, 70, 10), (4, 80, 10)]
    """
    out: list[Task] = []
    last = len(tasks) - processes
    for k, t in enumerate(tasks):
        piece = t.pieces[0]
        if k < last or len(t.pieces) != 1 or piece.end is None or t.bytes < parts:
            out.append(t)
            continue
        bounds = [piece.start + t.bytes * j // parts for j in range(parts + 1)]
        for j, (a, b) in enumerate(zip(bounds, bounds[1:])):  # part 0 marks a file's first range (reader._run)
            out.append(Task(0, (Piece(piece.source, piece.name, a, b, piece.part if j == 0 else piece.part + 1),), b - a))
    return [Task(i, t.pieces, t.bytes) for i, t in enumerate(out)]
