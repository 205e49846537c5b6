"""From a task's logs to a training set, an eval set and its judge: ``python -m advisor dataset``.

:func:`build_dataset` cleans, dedupes and splits a task's calls by time (:mod:`.build`); :func:`dataset_files`
renders them in OpenAI's, Hugging Face's or OpenPipe's shape with ``judge.md`` and ``summary.json``
(:mod:`.write`); :func:`write_dataset` writes them atomically, :func:`dataset_download` zips them in memory for
the page. Text is read from the user's files and written only where the user asks; nothing is sent anywhere.
"""

from typing import TYPE_CHECKING

from pricing._lazy import lazy_getattr

if TYPE_CHECKING:  # the names, for type checkers and readers; at run time each loads on first use
    from advisor.dataset.build import EVAL_SHARE as EVAL_SHARE
    from advisor.dataset.build import MIN_EVAL_EXAMPLES as MIN_EVAL_EXAMPLES
    from advisor.dataset.build import MIN_TRAIN_EXAMPLES as MIN_TRAIN_EXAMPLES
    from advisor.dataset.build import Dataset as Dataset
    from advisor.dataset.build import DatasetError as DatasetError
    from advisor.dataset.build import DatasetSummary as DatasetSummary
    from advisor.dataset.build import Example as Example
    from advisor.dataset.build import build_dataset as build_dataset
    from advisor.dataset.build import collect_examples as collect_examples
    from advisor.dataset.costs import judge_run_cost as judge_run_cost
    from advisor.dataset.costs import training_costs as training_costs
    from advisor.dataset.dedupe import duplicates as duplicates
    from advisor.dataset.dedupe import jaccard as jaccard
    from advisor.dataset.dedupe import shingles as shingles
    from advisor.dataset.download import dataset_download as dataset_download
    from advisor.dataset.download import sample_log_files as sample_log_files
    from advisor.dataset.judge import JudgeCost as JudgeCost
    from advisor.dataset.scrub import SCRUB_KINDS as SCRUB_KINDS
    from advisor.dataset.scrub import luhn_ok as luhn_ok
    from advisor.dataset.scrub import scrub_text as scrub_text
    from advisor.dataset.shapes import OUT_FORMATS as OUT_FORMATS
    from advisor.dataset.shapes import check_line as check_line
    from advisor.dataset.shapes import example_line as example_line
    from advisor.dataset.write import dataset_files as dataset_files
    from advisor.dataset.write import dataset_zip as dataset_zip
    from advisor.dataset.write import write_dataset as write_dataset

__all__ = ["EVAL_SHARE", "MIN_EVAL_EXAMPLES", "MIN_TRAIN_EXAMPLES", "OUT_FORMATS", "SCRUB_KINDS", "Dataset",
           "DatasetError", "DatasetSummary", "Example", "JudgeCost", "build_dataset", "check_line",
           "collect_examples", "dataset_download", "dataset_files", "dataset_zip", "duplicates", "example_line",
           "jaccard", "judge_run_cost", "luhn_ok", "sample_log_files", "scrub_text", "shingles", "training_costs",
           "write_dataset"]

# name -> module: importing advisor.dataset (and so building the CLI's parser) loads nothing heavy; a name is
# imported the first time it is used (PEP 562)
_LAZY = {
    "EVAL_SHARE": "advisor.dataset.build",
    "MIN_EVAL_EXAMPLES": "advisor.dataset.build",
    "MIN_TRAIN_EXAMPLES": "advisor.dataset.build",
    "Dataset": "advisor.dataset.build",
    "DatasetError": "advisor.dataset.build",
    "DatasetSummary": "advisor.dataset.build",
    "Example": "advisor.dataset.build",
    "build_dataset": "advisor.dataset.build",
    "collect_examples": "advisor.dataset.build",
    "judge_run_cost": "advisor.dataset.costs",
    "training_costs": "advisor.dataset.costs",
    "duplicates": "advisor.dataset.dedupe",
    "jaccard": "advisor.dataset.dedupe",
    "shingles": "advisor.dataset.dedupe",
    "dataset_download": "advisor.dataset.download",
    "sample_log_files": "advisor.dataset.download",
    "JudgeCost": "advisor.dataset.judge",
    "SCRUB_KINDS": "advisor.dataset.scrub",
    "luhn_ok": "advisor.dataset.scrub",
    "scrub_text": "advisor.dataset.scrub",
    "OUT_FORMATS": "advisor.dataset.shapes",
    "check_line": "advisor.dataset.shapes",
    "example_line": "advisor.dataset.shapes",
    "dataset_files": "advisor.dataset.write",
    "dataset_zip": "advisor.dataset.write",
    "write_dataset": "advisor.dataset.write",
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
