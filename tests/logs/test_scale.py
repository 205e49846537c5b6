"""The per-chunk function runs unchanged as dask.dataframe.map_partitions on a local cluster."""


import pandas as pd
import pytest

from advisor.logs import finalize_frame, normalize_partition, read_logs
from advisor.logs.reader import FRAME_COLUMNS
from advisor.samples import write_sample_logs

dd = pytest.importorskip("dask.dataframe", reason="optional extra 'scale' (pip install -e '.[scale]')")
distributed = pytest.importorskip("dask.distributed")


def _lines(path: str) -> pd.DataFrame:
    with open(path, encoding="utf-8") as fh:
        rows = [(path, i, line) for i, line in enumerate(fh, 1) if line.strip()]
    return pd.DataFrame(rows, columns=["file", "line", "record"])


def test_map_partitions_matches_read_logs(tmp_path):
    files = [str(write_sample_logs(tmp_path / f"part{i}.jsonl", days=1, scale=0.05, seed=i)) for i in range(3)]
    with open(files[1], "a") as fh:
        fh.write("{broken\n")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        ddf = dd.from_map(_lines, files)
        meta = normalize_partition(_lines(files[0]).head(0))
        work = ddf.map_partitions(normalize_partition, meta=meta).compute()
    frame, problems, _ = finalize_frame(work)
    local = read_logs(files)
    assert len(problems) == 1 and problems[0].line == len(_lines(files[1]))
    cols = ["prompt_tokens", "completion_tokens", "ft_prompt_tokens", "task"]
    pd.testing.assert_frame_equal(frame[cols].reset_index(drop=True), local.frame[cols].reset_index(drop=True))
    assert list(frame.columns) == FRAME_COLUMNS
