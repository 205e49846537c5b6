"""Exported request logs in, exact token counts out (see reader.py for the frame's columns)."""

from .formats import FORMATS, detect_record_format
from .reader import FRAME_COLUMNS, MemoryFile, LogResult, Problem, finalize_frame, iter_chunks, normalize_partition, read_logs
from .template import mask, template_keys

__all__ = ["FORMATS", "FRAME_COLUMNS", "LogResult", "MemoryFile", "Problem", "detect_record_format", "finalize_frame",
           "iter_chunks", "mask", "normalize_partition", "read_logs", "template_keys"]
