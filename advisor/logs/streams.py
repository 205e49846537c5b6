"""Byte streams under the log readers: in-memory uploads, byte counting for progress, decompression that
stops at a corrupt spot instead of failing the file, UTF-16 and CR-only files turned into UTF-8 lines, and the
physical lines of a file with oversize ones skipped."""

from __future__ import annotations

import codecs
import gzip
import io
import lzma
import os
import stat
import zlib
from collections.abc import Callable, Iterator

from advisor.errors import LogError
from advisor.logs.records import RecordProblem
from advisor.logs.sources import Source, open_error, open_source

__all__ = ["MemoryFile", "Progress", "DEFAULT_MAX_RECORD_BYTES", "ReadStats", "NotSplittable"]

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
DEFAULT_MAX_RECORD_BYTES = 64 << 20
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20
_STEP = 1 << 14  # decompressed bytes per read: at most this much is lost before a corrupt spot
_DECOMPRESS_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, OSError)


class MemoryFile:
    """An in-memory log (a dashboard upload): never written to disk."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def __str__(self) -> str:
        return self.name


class ReadStats:
    """What a reader has consumed so far: decompressed bytes (chunks are bounded by them) and, for a byte range
    of a JSONL file, the physical lines it owns (the next range's line numbers start after them)."""

    __slots__ = ("bytes", "lines")

    def __init__(self):
        self.bytes, self.lines = 0, 0


class NotSplittable(Exception):
    """A byte range of a JSONL file met a record spread over lines (``jq .`` output): the file is read whole."""


class _Counting(io.RawIOBase):
    """Counts the bytes read through it: from disk (compressed) for progress, or decompressed into ``stats``."""

    def __init__(self, raw, stats: ReadStats | None = None):
        self.raw, self.n, self.stats = raw, 0, stats

    def readable(self):
        return True

    def readinto(self, b):
        n = self.raw.readinto(b) or 0
        self.n += n
        if self.stats is not None:
            self.stats.bytes += n
        return n


class _Guarded(io.RawIOBase):
    """A decompressing stream that ends (instead of raising) at corrupt or truncated data; ``error`` says why."""

    def __init__(self, inner):
        self.inner, self.error = inner, None

    def readable(self):
        return True

    def readinto(self, b):
        """Fill b in small steps, so that data decompressed before a corrupt spot is not lost with it."""
        if self.error:
            return 0
        view, n = memoryview(b).cast("B"), 0
        while n < len(view):
            try:
                data = self.inner.read(min(_STEP, len(view) - n))
            except _DECOMPRESS_ERRORS as exc:
                self.error = type(exc).__name__
                break
            if not data:
                break
            view[n:n + len(data)] = data
            n += len(data)
        return n

    def close(self):
        try:
            self.inner.close()
        except _DECOMPRESS_ERRORS:
            pass
        super().close()


class _Utf16(io.RawIOBase):
    """UTF-16 text (BOM first, or ``encoding`` utf-16-le/-be without one) re-encoded as UTF-8 on the fly, so
    every reader sees UTF-8 bytes."""

    def __init__(self, inner, encoding: str = "utf-16"):
        self.inner = inner
        self.dec = codecs.getincrementaldecoder(encoding)("replace")
        self.pending = b""

    def readable(self):
        return True

    def readinto(self, b):
        while not self.pending:
            data = self.inner.read(_STEP)
            self.pending = self.dec.decode(data, final=not data).encode("utf-8", "surrogatepass")
            if not data:
                break
        n = min(len(b), len(self.pending))
        b[:n], self.pending = self.pending[:n], self.pending[n:]
        return n


class _CrToLf(io.RawIOBase):
    """A file whose lines end in a lone CR (classic Mac, Excel's "CSV (Macintosh)"): each CR read as LF, so the
    line readers see its lines (same byte count: every offset and line number is unchanged)."""

    def __init__(self, inner):
        self.inner = inner

    def readable(self):
        return True

    def readinto(self, b):
        data = self.inner.read(len(b))
        n = len(data)
        b[:n] = data.replace(b"\r", b"\n")
        return n


def _utf16_without_bom(first: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the first bytes are mostly ASCII text in UTF-16 with no BOM (every other
    byte NUL), else None.

    >>> _utf16_without_bom('{"a": 1}'.encode("utf-16-le")), _utf16_without_bom(b'{"a": 1}')
    ('utf-16-le', None)
    """
    sample = first[:8192 - 8192 % 2]
    if len(sample) < 4 or b"\x00" not in sample:  # no NUL: no count below can pass (the common case, in C)
        return None
    half = len(sample) // 2
    odd_nul, even_nul = sample[1::2].count(0), sample[0::2].count(0)
    if odd_nul > 0.9 * half and even_nul < 0.1 * half:
        return "utf-16-le"
    if even_nul > 0.9 * half and odd_nul < 0.1 * half:
        return "utf-16-be"
    return None


_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"))


def _open_raw(path, storage_options=None, *, read_below: int = 0) -> tuple[io.BufferedIOBase, int]:
    """The file opened for reading, and its size. A URL is opened through fsspec; a local file without blocking
    and checked before reading: a named pipe with no writer (or another special file) is refused with an error
    naming it, never waited on. A local file smaller than ``read_below`` bytes is read at once and closed (its
    bytes in memory: half the system calls of a stream, for many small files); one that grew since its size was
    taken is streamed as any."""
    if isinstance(path, Source):
        if path.url is not None:  # a URL (fsspec), its size known from listing
            return open_source(path, storage_options), path.size
        path = path.path or path.name
    if isinstance(path, MemoryFile):
        return io.BufferedReader(io.BytesIO(path.data)), len(path.data)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise open_error(path, exc) from None
    try:
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise LogError("is a directory; pass the log files inside it", file=str(path))
        if not stat.S_ISREG(mode):
            what = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
            raise LogError(f"is {what}, not a file: save the export to a file and pass that", file=str(path))
        os.set_blocking(fd, True)
        if st.st_size < read_below:
            data = _read_up_to(fd, st.st_size + 1)
            if len(data) <= st.st_size:
                os.close(fd)
                return io.BytesIO(data), st.st_size
            os.lseek(fd, 0, os.SEEK_SET)
        return open(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


def _read_up_to(fd: int, n: int) -> bytes:
    """Up to ``n`` bytes from the start of an open file: fewer only at its end."""
    parts, got = [], 0
    while got < n:
        data = os.read(fd, n - got)
        if not data:
            break
        parts.append(data)
        got += len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _kind(head: bytes) -> str:
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    return "plain"


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))  # control bytes other than tab/newline/CR/FF


def _looks_binary(first: bytes) -> bool:
    """Binary when more than 10% of the first bytes are control bytes other than tab/newline/CR/form feed (counted
    in C: what deleting them removes; a loop over 8 KB per file cost more than the rest of a one-record file's read).

    >>> _looks_binary(b'{"a": 1}\\n'), _looks_binary(b"\\x00\\x01ab"), _looks_binary(b"")
    (False, True, False)
    """
    return len(first) - len(first.translate(None, _CONTROL)) > 0.1 * len(first)


def _too_big(n: int, limit: int) -> RecordProblem:
    return RecordProblem(f"record larger than the {limit / 2**20:.3g} MB limit ("
                         f"{'over the limit' if n <= limit + 1 else f'at least {n / 2**20:.3g} MB'}); "
                         "raise --max-record-mb to read it")


def _physical_lines(src, limit: int, *, stop: int | None = None, stats: ReadStats | None = None,
                    bom: bool = True, first_line: int = 1) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, the line's bytes or None when it is over ``limit``, its size) for each physical line,
    the first line's BOM dropped; an oversize line is skipped in small reads, never kept whole.

    ``stop``: read only the lines that START within the first ``stop`` bytes (a byte range of the file: the line
    that starts inside it is read to its end; the next range starts after it); ``stats.lines`` is kept current.
    ``first_line``: the number of the stream's first line (a reader that handed over part way through a file).
    """
    line_no = first_line - 1
    done = 0
    while stop is None or done < stop:
        data = src.readline(limit + 1)
        if not data:
            return
        line_no += 1
        if stats is not None:
            stats.lines = line_no
        consumed = len(data)
        if line_no == first_line and bom and data.startswith(_BOM):
            data = data[3:]
        if len(data) > limit and not data.endswith(b"\n"):
            n = len(data)
            while data and not data.endswith(b"\n"):  # skip the rest of the line without keeping it
                data = src.readline(_CHUNK)
                n += len(data)
                consumed += len(data)
            done += consumed
            yield line_no, None, n
            continue
        done += consumed
        yield line_no, data, len(data)
