"""Exported request logs in, exact token counts out (see reader.py for the frame's columns)."""

from advisor.logs.files import DEFAULT_MAX_RECORD_BYTES
from advisor.logs.formats import FORMATS, detect_record_format
from advisor.logs.reader import (
           FRAME_COLUMNS,
           PER_REQUEST_COLUMNS,
           LogResult,
           MemoryFile,
           Problem,
           finalize_frame,
           iter_chunks,
           normalize_partition,
           per_request_frame,
           read_logs,
)
from advisor.logs.template import mask, template_keys
from advisor.logs.texts import iter_raw_records

__all__ = ["DEFAULT_MAX_RECORD_BYTES", "FORMATS", "PER_REQUEST_COLUMNS", "FRAME_COLUMNS", "LogResult", "MemoryFile",
           "Problem", "detect_record_format", "finalize_frame", "iter_chunks", "mask", "normalize_partition",
           "per_request_frame", "read_logs", "template_keys", "iter_raw_records"]
