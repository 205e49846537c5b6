"""The logs' records with their text, for the dataset export (:mod:`advisor.dataset`): counting never keeps text,
this reader hands it over record by record to a caller that asked for it (``dataset --out``)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from advisor.errors import LogError
from advisor.logs.files import DEFAULT_MAX_RECORD_BYTES, MemoryFile, iter_records
from advisor.logs.formats import FORMATS
from advisor.logs.reader import _display_names, _Parser
from advisor.logs.records import Raw

__all__ = ["iter_raw_records"]


def iter_raw_records(paths: str | os.PathLike | MemoryFile | Sequence[str | os.PathLike | MemoryFile], *,
                     format: str | None = None, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
                     ) -> Iterator[tuple[str, Raw | None]]:
    """(file, parsed record) for every model call of the logs, text included, in file order; a record that could
    not be read or whose call failed comes as (file, None); records that are not model calls are skipped.
    LangSmith halves are merged as when counting (:func:`advisor.logs.read_logs`)."""
    if isinstance(paths, (str, os.PathLike, MemoryFile)):
        paths = [paths]
    if format is not None and format not in FORMATS:
        raise LogError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    items = [p if isinstance(p, MemoryFile) else Path(p) for p in paths]
    for p in items:
        if not isinstance(p, MemoryFile) and not p.is_file():
            raise LogError("no such file; check the path", file=str(p))
    parser = _Parser(format)
    for path, name in zip(items, _display_names(items)):
        parser.file = name
        for _line, item in parser.items(iter_records(path, None, max_record_bytes=max_record_bytes)):
            if isinstance(item, Raw):
                yield name, item
            elif isinstance(item, str):
                yield name, None
        for file, (_line, item) in parser.drain(final=False):
            yield file, item if isinstance(item, Raw) else None
    for file, (_line, item) in parser.drain(final=True):
        yield file, item if isinstance(item, Raw) else None
