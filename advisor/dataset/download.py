"""The page's dataset download: the recommended task's files in a zip, built in memory from the logs' bytes.

Nothing is written to disk and nothing is sent: the bytes the user uploaded (or the built-in sample, generated
in memory) are read again with their text, the dataset built as ``python -m advisor dataset`` builds it, and the
zip handed to the browser.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from advisor.dataset.build import build_dataset
from advisor.dataset.costs import judge_run_cost, training_costs
from advisor.dataset.write import dataset_files, dataset_zip
from advisor.logs import MemoryFile
from advisor.samples import generate_sample_records

__all__ = ["dataset_download", "sample_log_files", "zip_name"]


def sample_log_files() -> list[tuple[str, bytes]]:
    """The built-in sample as one in-memory JSONL file (as :func:`advisor.samples.read_sample` reads it)."""
    return [("sample.jsonl", "".join(json.dumps(r) + "\n" for r in generate_sample_records()).encode())]


def zip_name(task: str) -> str:
    """A file name for the task's zip: letters, digits, dots and dashes only.

    >>> zip_name("ticket triage/v2")
    'dataset-ticket-triage-v2.zip'
    """
    safe = "".join(c if c.isalnum() or c in ".-_" else "-" for c in task).strip("-.") or "task"
    return f"dataset-{safe[:60]}.zip"


def dataset_download(files: Sequence[tuple[str, bytes]], task: str, *, fmt: str = "openai", **scenario_kw) -> bytes:
    """The zip of ``train.jsonl``, ``eval.jsonl``, ``judge.md`` and ``summary.json`` for ``task``."""
    ds = build_dataset([MemoryFile(name, data) for name, data in files], task)
    judge = judge_run_cost(ds.eval, **scenario_kw)
    ds = replace(ds, summary=replace(ds.summary, training_cost=tuple(training_costs(ds.train, **scenario_kw)),
                                     judge=judge.__dict__))
    return dataset_zip(dataset_files(ds, fmt, judge), zip_name(task)[:-4])
