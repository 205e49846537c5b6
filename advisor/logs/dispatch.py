"""Running the tasks of a read (:mod:`advisor.logs.pieces`) here, on every core, or on a Dask cluster.

- in this process, one task after the other (small reads; in-memory uploads);
- on every core of this machine: a pool of worker processes (``processes``; by default for local reads of
  ``AUTO_PROCESSES_BYTES`` or more that make two tasks or more); no extra package needed;
- on Dask (the ``scale`` extra): ``workers=N`` starts a ``LocalCluster`` of N worker processes,
  ``scheduler="tcp://HOST:8786"`` uses a running cluster (Kubernetes, Coiled, an HPC job). Dask recomputes
  the tasks of a worker lost mid-run; results are keyed by task, so none is counted twice.

Each task's result comes back as it completes (progress is reported per task from a cluster); the caller
folds them in task order. Every failure is one :class:`LogError` line naming the scheduler and the fix.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from advisor.errors import LogError
from advisor.logs.pieces import DEFAULT_TASK_BYTES, Task

__all__ = ["ReadOptions", "run_tasks", "choose_processes", "task_bytes_for", "start_method", "AUTO_PROCESSES_BYTES",
           "DASK_MISSING", "wait_for_workers", "old_objects_frozen"]

# below this a worker's start (imports, encoder tables: about 1-2 CPU-s) is a large part of the read; this process
# works too (_on_pool), so a pool is never much slower than one process
AUTO_PROCESSES_BYTES = 64 << 20
POOL_TASK_BYTES = 16 << 20  # the smallest task of a read on a pool: the last task decides how long the cores idle
DASK_MISSING = "needs Dask: pip install 'finetune-advisor[scale]'"


@dataclass(frozen=True)
class ReadOptions:
    """Everything a worker needs to read and count a task (picklable; no prompt text)."""

    format: str | None = None
    model: str | None = None
    ft_tokenizer: str | None = "mistral-v1"
    threads: int = 2
    chunk_records: int = 20_000
    chunk_bytes: int = 16 << 20
    max_record_bytes: int = 64 << 20
    storage_options: dict = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def choose_processes(tasks: Sequence[Task], processes: int | None, *, local: bool) -> int:
    """Worker processes for a read on this machine: ``processes`` when given, else every core for a read of two
    tasks or more and AUTO_PROCESSES_BYTES or more (1: in this process).

    >>> from advisor.logs.pieces import Task
    >>> choose_processes([Task(0, (), 10)], None, local=True), choose_processes([], 3, local=True)
    (1, 3)
    """
    if processes is not None:
        return max(1, int(processes))
    if not local or len(tasks) < 2 or sum(t.bytes for t in tasks) < AUTO_PROCESSES_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, len(tasks)))


def task_bytes_for(total_bytes: int, processes: int | None, *, local: bool, largest: int) -> int:
    """Bytes per task of a read on this machine: about four tasks per process for a read that runs on a pool
    (``processes``, or every core for AUTO_PROCESSES_BYTES or more), between POOL_TASK_BYTES and
    DEFAULT_TASK_BYTES, so that the processes end together; DEFAULT_TASK_BYTES otherwise (and on Dask).

    >>> mb = 1 << 20
    >>> [task_bytes_for(n * mb, 2, local=True, largest=n * mb) // mb for n in (10, 100, 1000)]
    [32, 16, 32]
    """
    n = processes if processes is not None else (os.cpu_count() or 1) if local and total_bytes >= AUTO_PROCESSES_BYTES \
        else 1
    if n < 2 or largest <= POOL_TASK_BYTES:
        return DEFAULT_TASK_BYTES
    return max(POOL_TASK_BYTES, min(DEFAULT_TASK_BYTES, total_bytes // (4 * n)))


@contextmanager
def old_objects_frozen() -> Iterator[None]:
    """While a read runs, the objects that existed when it started (modules, pandas, the tokenizer tables, the
    caller's own) are left out of the garbage collector's passes (``gc.freeze``), and put back when it ends. A read
    makes many objects that live a while (a flush of rows), which sets off full passes over every object: one took
    34 ms of a 0.45 s read of 100 MB, and in a forked worker it writes to every page of the objects it shares with
    this process, which the kernel then copies. Objects made during the read are collected as always. Where the
    caller froze objects itself (a server that forks its workers), nothing is changed.

    >>> import gc
    >>> with old_objects_frozen():
    ...     gc.get_freeze_count() > 0
    True
    >>> gc.get_freeze_count()
    0
    """
    if gc.get_freeze_count():  # the caller's: theirs to unfreeze
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_tasks(fn: Callable[..., Any], tasks: Sequence[Task], opts: ReadOptions, *, processes: int = 1,
              workers: int | None = None, scheduler: Any = None,
              progress: Callable[[int, int], None] | None = None,
              forget: Callable[[str], None] | None = None) -> Iterator[Any]:
    """``fn(task, opts)`` for every task, yielded as they complete (not in task order); ``forget(run_id)`` runs on
    each Dask worker at the end (they outlive the read: what they cached for it goes)."""
    total = sum(t.bytes for t in tasks) or 1
    if scheduler or workers:
        yield from _on_dask(fn, tasks, opts, workers, scheduler, progress, total, forget)
    elif processes > 1 and len(tasks) > 1:
        yield from _on_pool(fn, tasks, opts, processes, progress, total)
    else:
        done = 0
        for t in tasks:
            def task_progress(n: int, _size: int, _done: int = done) -> None:
                if progress:
                    progress(min(_done + n, total), total)
            yield fn(t, opts, task_progress if progress else None)
            done += t.bytes
            if progress:
                progress(min(done, total), total)


def start_method() -> str:
    """How the pool starts its workers: ``fork`` on Linux when this process runs no other thread, else ``spawn``.

    A forked worker is a copy of this process: its readers imported and its tokenizer tables built, it takes a
    task in about 20 ms. A spawned one imports pandas and the readers and loads the tables again (1.5-3 CPU-s),
    more than a whole read of 100 MB of logs with usage costs here, so on such a read it never helped. Only with
    no other thread: a thread holding a lock at the fork (a print, a log line) would leave the copy waiting on it
    forever. The threads of native pools (OpenBLAS's) re-create themselves in the copy. The copy shares this
    process's memory until written to; the counters of a read are dropped when it ends (``forget``), so a
    worker holds no other read's prompt text.

    >>> start_method() in ("fork", "spawn")
    True
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _ready(fn: Callable[..., Any]) -> None:
    """A new worker's first call: unpickling ``fn`` imported its module (pandas, the readers); it is ready."""


_RESULT_PIPE_BYTES = 1 << 20  # the pool's result pipe (see _widen_result_pipe)
_SHARED: list = []  # in a worker of the pool: [fn, tasks, opts, taken, done_bytes] of its read (_start_worker)
_ENDING: list = []  # the manager thread of the last read's pool, its workers still exiting (see _on_pool's end)


def _take(taken: Any, n: int) -> int | None:
    """The position of the next task no process has taken (``taken``: a shared counter), or None: all taken."""
    with taken.get_lock():
        i = taken.value
        if i >= n:
            return None
        taken.value = i + 1
        return i


def _start_worker(fn: Callable[..., Any], tasks: Sequence[Task], opts: ReadOptions, taken: Any, done_bytes: Any) -> None:
    """A pool worker's start: the read's function, tasks and shared counters, given once (inherited by a forked
    worker, pickled once for a spawned one), not with each call. What the worker inherited or imported is left out
    of its garbage collector's passes (:func:`old_objects_frozen`; it ends with the read)."""
    gc.freeze()
    _SHARED[:] = [fn, tasks, opts, taken, done_bytes]


def wait_for_workers() -> None:
    """Wait until the worker processes of the last read on this machine have exited. A read returns once every
    result is in, its workers still exiting (7-15 ms, or longer for a worker that held a tokenizer); the next read
    waits for them before it starts its own. Their CPU time is counted for this process
    (``resource.RUSAGE_CHILDREN``) only once they have exited, so a benchmark calls this after each timed read.

    >>> wait_for_workers()  # none: returns at once
    """
    while _ENDING:
        _ENDING.pop().join()  # the pool's manager thread: it ends once it has joined the pool's workers


def _pull() -> Any:
    """A worker's call: the result of the next task no process has taken (None when none is left); the task's
    bytes go to the shared ``done_bytes`` (progress)."""
    fn, tasks, opts, taken, done_bytes = _SHARED
    i = _take(taken, len(tasks))
    if i is None:
        return None
    result = fn(tasks[i], opts)
    with done_bytes.get_lock():
        done_bytes.value += tasks[i].bytes
    return result


def _widen_result_pipe(pool: Any) -> None:
    """A worker's result (about 0.5 MB for 16 MB of logs) leaves through a pipe of 64 KB that this process's pool
    thread empties only when it gets the interpreter from the reading thread (every 5 ms): the worker waited 20-40
    ms for each result to go. A pipe of 1 MB (Linux; where it can be set) takes a result at once. The pipe is the
    executor's own (``_result_queue``): without it, or where the size cannot be set, nothing changes but the wait."""
    try:
        import fcntl

        fcntl.fcntl(pool._result_queue._writer.fileno(), fcntl.F_SETPIPE_SZ, _RESULT_PIPE_BYTES)
    except (ImportError, AttributeError, OSError, ValueError):
        pass


def _on_pool(fn, tasks, opts, processes, progress, total) -> Iterator[Any]:
    """``processes`` - 1 worker processes and this one take the tasks in order from one shared counter, each
    the moment it is free: a call per task is queued for the workers up front, and each call takes the next task
    itself, so a worker never waits for this busy process to hand it one (a thread that handed tasks out waited
    for this process to let it run: 20-60 ms a task). A worker takes tasks once it has started (imports done).
    Should a worker die or the workers fail to start, this process counts every task whose result it has not
    received (nothing is counted twice: results are kept by task). A worker still starting when the last task is
    done is stopped, not waited for (a cheap read, such as logs with usage, costs about what it costs in one
    process)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    wait_for_workers()  # the last read's have exited by now (a pool is never made while another ends)
    ctx = multiprocessing.get_context(start_method())
    n = len(tasks)
    indices = {t.index for t in tasks}
    taken, done_bytes = ctx.Value("q", 0), ctx.Value("q", 0)
    mine: set[int] = set()  # positions this process counted
    have: set[int] = set()  # task indices whose result was yielded
    done_here = [0]  # bytes this process counted
    pulls: set = set()  # the workers' calls whose result is not used yet
    broken = False

    def report(extra: int = 0) -> None:
        if progress:
            progress(min(done_here[0] + done_bytes.value + extra, total), total)

    def handed_back(futures) -> Iterator[Any]:
        """The results of the workers' calls that ended (a broken pool: none; this process counts them)."""
        nonlocal broken
        for fut in futures:
            pulls.discard(fut)
            try:
                result = fut.result()
            except BrokenProcessPool:
                # a worker died, or could not start (a script that calls read_logs at import, without a main guard,
                # re-runs in each spawned worker): what the workers held is counted here
                broken = True
                continue
            if result is not None and result.index not in have:
                have.add(result.index)
                yield result

    pool = ProcessPoolExecutor(max_workers=processes - 1, mp_context=ctx, initializer=_start_worker,
                               initargs=(fn, tasks, opts, taken, done_bytes))
    _widen_result_pipe(pool)
    starting = []
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns of any thread at a fork, native ones included (start_method allows only those)
            warnings.filterwarnings("ignore", r".*multi-threaded, use of fork\(\)", DeprecationWarning)
            for _ in range(processes - 1):
                starting.append(pool.submit(_ready, fn))
            for _ in range(n):
                pulls.add(pool.submit(_pull))
    except (BrokenProcessPool, RuntimeError):
        broken = True  # no worker: this process reads everything
    ended = False
    try:
        while (i := _take(taken, n)) is not None:
            yield from handed_back([f for f in list(pulls) if f.done()])
            task = tasks[i]
            result = fn(task, opts, (lambda k, _size: report(k)) if progress else None)
            mine.add(i)
            done_here[0] += task.bytes
            report()
            if task.index not in have:
                have.add(task.index)
                yield result
        # every task is taken: the workers' last results
        while not broken and len(have) < len(indices) and pulls:
            finished, _ = wait(list(pulls), timeout=0.2, return_when=FIRST_COMPLETED)
            yield from handed_back(finished)
            report()
        for i, task in enumerate(tasks):  # what a broken pool did not hand back: counted here
            if task.index not in have and i not in mine:
                result = fn(task, opts, None)
                have.add(task.index)
                done_here[0] += task.bytes
                report()
                yield result
        ended = True
    finally:
        if not ended:  # an error or an interrupt: the workers' queued calls find nothing left to take
            with taken.get_lock():
                taken.value = n
        if ended and not all(f.done() for f in starting):
            # all tasks done while a worker was still starting: stopped, not waited for
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        elif ended and not broken:
            # every result is in: the workers exit while the caller goes on (a worker's exit costs 7-15 ms, the
            # kernel freeing its copy of this process); the next read waits for them before it starts a pool
            manager = getattr(pool, "_executor_manager_thread", None)  # (shutdown drops the executor's reference)
            pool.shutdown(wait=False, cancel_futures=True)
            if manager is not None:
                _ENDING.append(manager)
        else:
            pool.shutdown(wait=True, cancel_futures=True)


def _client(workers: int | None, scheduler: Any):
    """(client, cluster to close or None, whether this read made the client)."""
    if scheduler is not None and not isinstance(scheduler, str) and hasattr(scheduler, "submit"):
        return scheduler, None, False  # a distributed.Client the caller made (Coiled, TLS clusters): theirs to close
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        flag = "--scheduler" if scheduler else "--workers"
        raise LogError(f"{flag} {DASK_MISSING}") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None, True
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise LogError(f"cannot reach the Dask scheduler {scheduler} ({type(exc).__name__}): check the address "
                           "(tcp://HOST:8786) and that `dask scheduler` runs there and lets this machine in; or "
                           "use --workers N for a cluster on this machine") from None
    if workers is None or workers < 1:
        raise LogError("--workers must be 1 or more")
    cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster, True


def _on_dask(fn, tasks, opts, workers, scheduler, progress, total, forget) -> Iterator[Any]:
    client, cluster, ours = _client(workers, scheduler)
    where = (scheduler if isinstance(scheduler, str) else "the Dask cluster") if scheduler else \
        f"the local cluster of {workers} workers"
    try:
        from dask.distributed import as_completed
        futures = {client.submit(fn, t, opts, key=f"advisor-count-{opts.run_id}-{t.index}", pure=False): t
                   for t in tasks}
        done = 0
        for fut in as_completed(list(futures)):
            try:
                result = fut.result()
            except LogError:
                raise
            except Exception as exc:  # noqa: BLE001 - a worker died, or cannot run advisor: one line, the fix
                raise _dask_error(exc, where) from None
            done += futures.pop(fut).bytes
            fut.release()
            if progress:
                progress(min(done, total), total)
            yield result
    finally:
        if forget is not None:
            try:
                client.run(forget, opts.run_id)  # the workers drop this read's counters (their memos hold text)
            except Exception:  # noqa: BLE001 - a worker gone already forgot
                pass
        if ours:
            client.close()
        if cluster is not None:
            cluster.close()


def _dask_error(exc: BaseException, where: str) -> LogError:
    kind = type(exc).__name__
    if kind == "KilledWorker":
        return LogError(f"a Dask worker of {where} died three times on the same task (out of memory?): give the "
                        "workers more memory, or lower --max-record-mb")
    if isinstance(exc, (ImportError, AttributeError)) or kind in ("ModuleNotFoundError",):
        return LogError(f"the Dask workers of {where} cannot run finetune-advisor ({kind}): install the same "
                        "version there (pip install 'finetune-advisor[scale]')")
    return LogError(f"a task failed on {where} ({kind}: {str(exc).splitlines()[0][:160] if str(exc) else ''})")
