"""Where logs are read from: local paths and globs, or URLs through fsspec (``s3://``, ``gs://``, ``az://``,
``https://``, their globs too), each with its backend's standard credentials and ``storage_options``.

A :class:`Source` names one file (as the user will see it in problems) and its size. Local paths are opened
with ``open`` (no fsspec needed); a URL's backend is imported only when a URL is given. Every failure to
list or open is one :class:`LogError` naming the URL and the fix (:func:`storage_error`), never a traceback.
"""

from __future__ import annotations

import errno
import glob as globmod
import hashlib
import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.errors import LogError

__all__ = ["Source", "expand_sources", "open_source", "parse_storage_options", "is_url", "storage_error",
           "unique_sources", "BACKENDS"]

_AWS = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role"
_GCP = "GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`"
_AZURE = "AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT_NAME with a key or a login"
# URL scheme -> (the package that reads it, the extra that installs it, the credentials it finds by itself)
BACKENDS: dict[str, tuple[str, str, str]] = {
    "s3": ("s3fs", "scale", _AWS),
    "gs": ("gcsfs", "cloud", _GCP),
    "gcs": ("gcsfs", "cloud", _GCP),
    "az": ("adlfs", "cloud", _AZURE),
    "abfs": ("adlfs", "cloud", _AZURE),
    "abfss": ("adlfs", "cloud", _AZURE),
    "http": ("aiohttp", "scale", "none (a public or pre-signed URL)"),
    "https": ("aiohttp", "scale", "none (a public or pre-signed URL)"),
}
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Source:
    """One log file: ``name`` as problems name it (the path or URL), ``url`` for fsspec (None: a local file)."""

    name: str
    size: int
    url: str | None = None
    path: str | None = None  # a local file's absolute path (a worker elsewhere on a shared file system opens it)

    def __str__(self) -> str:
        return self.name


def is_url(path: Any) -> bool:
    """A ``scheme://`` address other than ``file://`` (read through fsspec).

    >>> is_url("s3://logs/a.jsonl"), is_url("logs/a.jsonl"), is_url("file:///tmp/a.jsonl"), is_url("C:\\\\a")
    (True, False, False, False)
    """
    text = str(path)
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isidentifier() and scheme.lower() != "file"


def _scheme(url: str) -> str:
    return url.partition("://")[0].lower()


def parse_storage_options(pairs: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs (``--storage-option``) as fsspec storage options: a value is read as JSON when it is
    JSON (``true``, ``3``, ``{"a": 1}``), else kept as text; a dotted key nests (``client_kwargs.region_name``).

    >>> parse_storage_options(["anon=true", "endpoint_url=http://127.0.0.1:5555", "client_kwargs.region_name=eu"])
    {'anon': True, 'endpoint_url': 'http://127.0.0.1:5555', 'client_kwargs': {'region_name': 'eu'}}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise LogError(f"--storage-option {pair.split('=')[0]!r} needs KEY=VALUE, e.g. "
                           "--storage-option endpoint_url=http://localhost:9000")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        *parents, last = key.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise LogError(f"--storage-option {key!r} nests under a key that already has a value")
        node[last] = value
    return out


_UNREACHABLE = ("EndpointConnectionError", "ConnectTimeoutError", "ClientConnectorError", "ConnectionError",
                "ServerTimeoutError", "ReadTimeoutError")


def _connection_failure(exc: BaseException) -> BaseException | None:
    """The connection failure behind ``exc`` (itself, or its cause or context, a few links deep), or None.

    >>> e = FileNotFoundError("https://h/x.jsonl"); e.__cause__ = ConnectionRefusedError(111, "refused")
    >>> type(_connection_failure(e)).__name__, _connection_failure(FileNotFoundError("x"))
    ('ConnectionRefusedError', None)
    """
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if type(seen).__name__ in _UNREACHABLE or isinstance(seen, (ConnectionError, TimeoutError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def storage_error(exc: BaseException, name: str) -> LogError:
    """One line for a failure to list or open ``name``: what went wrong and the fix (never the stack)."""
    scheme = _scheme(name) if is_url(name) else ""
    package, extra, creds = BACKENDS.get(scheme, ("its fsspec backend", "cloud", "the backend's credentials"))
    kind = type(exc).__name__
    text = str(exc).split("\n")[0][:200]
    if isinstance(exc, ImportError):
        return LogError(f"reading {scheme}:// needs {package}: pip install 'finetune-advisor[{extra}]'", file=name)
    if isinstance(exc, ValueError) and "Protocol not known" in text:
        return LogError(f"unknown URL scheme '{scheme}://': use a local path or one of "
                        f"{', '.join(s + '://' for s in ('s3', 'gs', 'az', 'https'))}", file=name)
    if kind in ("NoCredentialsError", "PartialCredentialsError", "DefaultCredentialsError",
                "ClientAuthenticationError", "CredentialUnavailableError"):
        return LogError(f"no credentials found for {scheme}://: set {creds}, or pass them with --storage-option "
                        "(e.g. key=... secret=...), or --storage-option anon=true for a public bucket", file=name)
    if isinstance(exc, PermissionError) or kind in ("AccessDenied", "HttpResponseError"):
        return LogError(f"access denied ({text}): check the credentials ({creds}) and that they may read "
                        "this object", file=name)
    failure = _connection_failure(exc)   # before "no such object": fsspec's https:// says FileNotFoundError for it
    if failure is not None:
        return LogError(f"cannot reach the storage service ({type(failure).__name__}): check the network, "
                        "or the endpoint (--storage-option endpoint_url=...)", file=name)
    if isinstance(exc, FileNotFoundError):
        what = "bucket" if "bucket" in text.lower() else "object"
        return LogError(f"no such {what}; check the URL (a prefix needs a glob, e.g. {name.rstrip('/')}/*.jsonl)",
                        file=name)
    if isinstance(exc, IsADirectoryError):
        return LogError("is a folder or prefix: name its files, or use a glob such as "
                        f"{name.rstrip('/')}/*.jsonl.gz", file=name)
    return LogError(f"cannot read ({kind}: {text})", file=name)


def _filesystem(url: str, options: Mapping[str, Any]):
    try:
        import fsspec
    except ImportError:
        raise LogError("reading URLs needs fsspec: pip install 'finetune-advisor[scale]'", file=url) from None
    try:
        fs, _ = fsspec.core.url_to_fs(url, **dict(options))
    except Exception as exc:  # noqa: BLE001 - every backend's own errors: one line each (storage_error)
        raise storage_error(exc, url) from None
    return fs


def _url_sources(url: str, options: Mapping[str, Any]) -> list[Source]:
    fs = _filesystem(url, options)
    scheme = _scheme(url)
    try:
        if _GLOB_CHARS & set(url.partition("://")[2]) and scheme not in ("http", "https"):
            found = fs.glob(url, detail=True)
            infos = sorted(found.values(), key=lambda i: i["name"]) if isinstance(found, dict) else []
            if not infos:
                raise LogError("matches no file; check the bucket and the pattern", file=url)
            return [Source(_unstrip(fs, scheme, i["name"]), int(i.get("size") or 0),
                           _unstrip(fs, scheme, i["name"])) for i in infos if i.get("type") != "directory"]
        info = fs.info(url)
    except LogError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise storage_error(exc, url) from None
    if info.get("type") == "directory":
        raise storage_error(IsADirectoryError(url), url)
    return [Source(url, int(info.get("size") or 0), url)]


def _unstrip(fs, scheme: str, name: str) -> str:
    """A listed name back as a URL (fsspec lists ``bucket/key`` without the scheme)."""
    return name if "://" in name else f"{scheme}://{name}"


def open_error(path, exc: OSError) -> LogError:
    """The error for a log file that cannot be opened, by its cause (a symlink loop is not 'no such file')."""
    why = {errno.ENOENT: "no such file; check the path",
           errno.ELOOP: "symlink loop: a symbolic link in the path points back to itself; pass the file it should "
                        "point to",
           errno.EISDIR: "is a directory; pass the log files inside it",
           errno.ENOTDIR: "no such file (a part of the path is not a directory); check the path"}.get(exc.errno or 0)
    return LogError(why or f"cannot open ({exc.strerror or type(exc).__name__})", file=str(path))


def _stat(path: str) -> os.stat_result | None:
    """``os.stat`` or None (what ``os.path.isfile`` calls not a file): one call for the test and the size."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _local_sources(path: Any) -> list[Source]:
    text = os.fspath(path)
    p = Path(text)
    if _GLOB_CHARS & set(text) and not p.exists():
        found = sorted(globmod.glob(text, recursive=True))
        files = [(f, st.st_size) for f in found if (st := _stat(f)) is not None and stat.S_ISREG(st.st_mode)]
        if not files:
            raise LogError("matches no file; check the pattern", file=text)
        return [Source(f, size, path=os.path.abspath(f)) for f, size in files]
    try:
        st = p.stat()
    except OSError as exc:  # also a symlink loop, which Path.exists() calls missing
        raise open_error(p, exc) from None
    return [Source(str(p), st.st_size if stat.S_ISREG(st.st_mode) else 0, path=os.path.abspath(p))]


def expand_sources(paths: Sequence[Any], storage_options: Mapping[str, Any] | None = None) -> list[Any]:
    """Each path, glob or URL as the :class:`Source` files it names (in-memory files pass through as they are)."""
    out: list[Any] = []
    for p in paths:
        if hasattr(p, "data") and hasattr(p, "name"):  # a MemoryFile (an upload)
            out.append(p)
        elif is_url(p):
            out += _url_sources(str(p), storage_options or {})
        else:
            out += _local_sources(p)
    return out


def unique_sources(sources: Sequence[Any], storage_options: Mapping[str, Any] | None = None
                   ) -> tuple[list[Any], list[str]]:
    """The sources with each file once, and a note for each one left out: the same path or URL given twice (a
    glob and a name of one file), or the same bytes under another name (an export downloaded twice, an upload of
    a copy). Logs of different requests never have the same bytes, so a copy is always a double count.

    Only local files (and uploads) of the same size are compared, by SHA-256 of their bytes: other files are not
    read here, and objects in storage are compared by URL only (a second GET of every object of a common size would
    double a read's requests for what is rare there: a copy of a log under another key).

    >>> from advisor.logs.files import MemoryFile
    >>> kept, notes = unique_sources([MemoryFile("a.jsonl", b"x"), MemoryFile("b.jsonl", b"x"), MemoryFile("c", b"y")])
    >>> [s.name for s in kept], notes
    (['a.jsonl', 'c'], ['b.jsonl is the same file as a.jsonl: counted once.'])
    >>> unique_sources([Source("a.jsonl", 1, path="/l/a.jsonl"), Source("./a.jsonl", 1, path="/l/a.jsonl")])[1]
    ['./a.jsonl was given twice: counted once.']
    """
    kept: list[Any] = []
    notes: list[str] = []
    where: dict[str, str] = {}
    for s in sources:
        key = getattr(s, "url", None) or getattr(s, "path", None)
        if key is not None and key in where:
            notes.append(f"{s} was given twice: counted once.")
            continue
        if key is not None:
            where[key] = str(s)
        kept.append(s)
    by_size: dict[int, list[Any]] = {}
    for s in kept:
        if getattr(s, "url", None) is None:
            by_size.setdefault(_bytes_of(s), []).append(s)
    copies: set[int] = set()
    for size, group in by_size.items():
        if size == 0 or len(group) < 2:
            continue
        first_of: dict[str, Any] = {}
        for s in group:
            digest = _sha256(s, storage_options)
            if digest is None:
                continue
            if digest in first_of:
                copies.add(id(s))
                notes.append(f"{s} is the same file as {first_of[digest]}: counted once.")
            else:
                first_of[digest] = s
    return [s for s in kept if id(s) not in copies], notes


def _bytes_of(source: Any) -> int:
    return len(source.data) if hasattr(source, "data") else int(getattr(source, "size", 0) or 0)


def _sha256(source: Any, storage_options: Mapping[str, Any] | None) -> str | None:
    """The file's SHA-256, or None when it cannot be read (reading it later says why)."""
    if hasattr(source, "data"):
        return hashlib.sha256(source.data).hexdigest()
    h = hashlib.sha256()
    try:
        with open_source(source, storage_options) as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    except Exception:  # noqa: BLE001 - not compared; the reader names the file's problem
        return None
    return h.hexdigest()


def open_source(src: Source, storage_options: Mapping[str, Any] | None = None, *, block_size: int = 8 << 20):
    """The file as a binary, seekable stream."""
    if src.url is None:
        try:
            return open(src.path or src.name, "rb")
        except FileNotFoundError:
            raise LogError("no such file; check the path", file=src.name) from None
        except IsADirectoryError:
            raise LogError("is a directory; pass the log files inside it", file=src.name) from None
        except OSError as exc:
            raise LogError(f"cannot open ({exc.strerror})", file=src.name) from None
    fs = _filesystem(src.url, storage_options or {})
    try:
        return fs.open(src.url, "rb", block_size=block_size)
    except Exception as exc:  # noqa: BLE001
        raise storage_error(exc, src.name) from None
