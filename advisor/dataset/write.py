"""The dataset's files: ``train.jsonl``, ``eval.jsonl``, ``judge.md`` and ``summary.json``, written all or nothing.

On disk (:func:`write_dataset`) every file goes into a temporary directory beside ``out`` that is renamed to
``out`` once complete, so a failed run leaves nothing half-written; an existing ``out`` is refused unless
``force``, and then replaced only after the new one is complete. In memory (:func:`dataset_zip`) the same files
go into a zip for the page's download: nothing is written to disk.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from advisor.dataset.build import Dataset, DatasetError
from advisor.dataset.judge import JudgeCost, judge_markdown
from advisor.dataset.shapes import OUT_FORMATS, check_line, example_line

__all__ = ["dataset_files", "write_dataset", "dataset_zip"]


def _lines(ds: Dataset, fmt: str, split: str) -> str:
    out = []
    for e in (ds.train if split == "TRAIN" else ds.eval):
        line = example_line(fmt, list(e.messages), e.answer, tools=list(e.tools) if e.tools else None,
                            parallel_tool_calls=e.parallel_tool_calls, split=split,
                            metadata={"task": ds.summary.task} if fmt == "openpipe" else None)
        errs = check_line(fmt, line)
        if errs:  # the shapes module writes only valid lines; a logged message it cannot map is said, not written
            raise DatasetError(f"{e.file}:{e.line}: cannot be written as {fmt}: {errs[0]}")
        out.append(json.dumps(line, ensure_ascii=False) + "\n")
    return "".join(out)


def dataset_files(ds: Dataset, fmt: str, judge: JudgeCost) -> dict[str, str]:
    """File name -> text of every file of the dataset."""
    if fmt not in OUT_FORMATS:
        raise DatasetError(f"unknown format {fmt!r}; use one of {', '.join(OUT_FORMATS)}")
    summary = {**ds.summary.as_dict(), "format": fmt, "judge": judge.__dict__ if judge else None}
    return {"train.jsonl": _lines(ds, fmt, "TRAIN"), "eval.jsonl": _lines(ds, fmt, "TEST"),
            "judge.md": judge_markdown(ds.summary.task, judge),
            "summary.json": json.dumps(summary, indent=2, ensure_ascii=False) + "\n"}


def write_dataset(files: dict[str, str], out: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``files`` into the directory ``out`` atomically (see the module)."""
    out = Path(out)
    if out.exists() and not force:
        raise DatasetError(f"{out} exists; pass --force to replace it, or choose another --out")
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out} exists and is not a directory; choose another --out")
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    try:
        for name, text in files.items():
            with open(tmp / name, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def dataset_zip(files: dict[str, str], folder: str) -> bytes:
    """The files in a zip (in memory), under ``folder/``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(f"{folder}/{name}", text)
    return buf.getvalue()
