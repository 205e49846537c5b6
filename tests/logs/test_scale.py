"""Reading at scale with real parts: byte ranges and worker processes on every export shape, an S3 server
(moto's server mode, as s3fs's own tests run it) read through s3fs, a Dask LocalCluster of worker processes,
and the one-line errors of bad input. Totals are compared with the single-process read, exactly."""

import gzip
import json
import os
import socket
import sys
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from advisor.cli import main
from advisor.logs import finalize_frame, normalize_partition, read_logs
from advisor.logs.records import FRAME_COLUMNS
from advisor.samples import write_sample_logs

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _every_shape(tmp: Path) -> list[str]:
    """Every export fixture (each log format, JSONL/JSON/CSV, Batch input and output), LangSmith post and patch
    halves in two files among other records, a sample chat log gzipped and plain, and a JSONL with broken lines
    in the middle."""
    files = sorted(str(p) for p in EXPORTS.rglob("*") if p.suffix in (".json", ".jsonl", ".csv")
                   and not p.name.startswith("run-p"))
    sample = write_sample_logs(tmp / "sample.jsonl", days=2, scale=0.4, seed=3)
    lines = Path(sample).read_text().splitlines(keepends=True)
    assert len(lines) > 60
    broken = tmp / "broken.jsonl"
    broken.write_text("".join(lines[:20] + ["{broken\n", "\n", "not json\n"] + lines[20:40]))
    halves = []
    for half in ("post", "patch"):  # each half among 10 sample records, so each file has usable records
        run = json.loads((EXPORTS / "langsmith" / f"run-{half}.json").read_text())
        path = tmp / f"langsmith-{half}.jsonl"
        path.write_text("".join(lines[:5] + [json.dumps(run) + "\n"] + lines[5:10]))
        halves.append(str(path))
    zipped = tmp / "sample.jsonl.gz"
    zipped.write_bytes(gzip.compress("".join(lines[40:]).encode()))
    return files + halves + [str(sample), str(broken), str(zipped)]


def _same(a, b) -> None:
    sa, sb = a.summary(max_problems=10_000), b.summary(max_problems=10_000)
    assert sa == sb
    cols = ["file", "line", "prompt_tokens", "completion_tokens", "ft_prompt_tokens", "task"]
    pd.testing.assert_frame_equal(a.frame[cols].reset_index(drop=True), b.frame[cols].reset_index(drop=True))


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shapes")
    files = _every_shape(tmp)
    return files, read_logs(files, processes=1, assumed_completion_tokens=5)


class TestPiecesAndProcesses:
    @pytest.mark.slow
    def test_byte_ranges_in_one_process_equal_whole_files(self, shapes):
        # 2 KB tasks: every JSONL over 2 KB is cut into line-aligned ranges; problems keep their physical lines
        files, whole = shapes
        _same(read_logs(files, processes=1, task_bytes=2048, assumed_completion_tokens=5), whole)

    @pytest.mark.slow
    def test_worker_processes_equal_one_process(self, shapes):
        files, whole = shapes
        _same(read_logs(files, processes=2, task_bytes=2048, assumed_completion_tokens=5), whole)

    def test_problems_in_a_later_range_keep_their_physical_line(self, shapes):
        files, _ = shapes
        broken = next(f for f in files if f.endswith("broken.jsonl"))
        r = read_logs(broken, processes=1, task_bytes=1024)
        assert [(p.line, p.reason[:14]) for p in r.problems] == [(21, "not valid JSON"), (23, "not valid JSON")]

    def test_a_range_meeting_a_record_over_lines_reads_its_file_whole(self, write):
        recs = [{"model": "gpt-4o", "prompt_tokens": 3, "completion_tokens": 2, "pad": "x" * 200} for _ in range(40)]
        text = "".join(json.dumps(r) + "\n" for r in recs) + json.dumps(recs[0], indent=2) + "\n"
        r = read_logs(write("jq.jsonl", text), processes=1, task_bytes=2048)
        assert r.summary()["requests"] == 41 and r.skipped == 0

    def test_chunks_are_bounded_by_bytes(self, write, monkeypatch):
        from advisor.logs import counting
        sizes = []
        real = counting.ChunkCounter.rows

        def rows(self, file, raws, problems):
            sizes.append(len(raws))
            return real(self, file, raws, problems)

        monkeypatch.setattr(counting.ChunkCounter, "rows", rows)
        big = {"model": "gpt-4o", "prompt_tokens": 3, "completion_tokens": 2, "pad": "y" * 100_000}
        read_logs(write("big.jsonl", "".join(json.dumps(big) + "\n" for _ in range(60))), processes=1,
                  chunk_bytes=1 << 20, ft_tokenizer=None)
        # 1 MB chunks of 100 KB records, give or take the reader's 1 MB read-ahead: never the 60 records at once
        assert sum(sizes) == 60 and max(sizes) <= 21 and len(sizes) >= 3

    def test_many_small_files_make_one_task(self, tmp_path):
        from advisor.logs.pieces import plan_tasks
        from advisor.logs.sources import expand_sources
        sample = Path(write_sample_logs(tmp_path / "s.jsonl", days=2, seed=1)).read_text().splitlines()
        assert len(sample) >= 300
        for i, line in enumerate(sample[:300]):
            (tmp_path / f"one-{i:04d}.jsonl").write_text(line + "\n")
        sources = expand_sources([str(tmp_path / "one-*.jsonl")])
        assert len(sources) == 300 and len(plan_tasks(sources, [s.name for s in sources])) == 1
        many = read_logs([str(tmp_path / "one-*.jsonl")], processes=1)
        (tmp_path / "all.jsonl").write_text("\n".join(sample[:300]) + "\n")
        one = read_logs(tmp_path / "all.jsonl", processes=1)
        for key in ("requests", "prompt_tokens", "completion_tokens", "ft_prompt_tokens", "ft_completion_tokens"):
            assert many.summary()[key] == one.summary()[key]


# ---------------------------------------------------------------------------------------------------------------
# object storage: moto's S3 server on a free local port, read through s3fs

@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    pytest.importorskip("s3fs", reason="optional extra 'scale'")
    server_mod = pytest.importorskip("moto.server", reason="moto[server] (test extra)")
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE",
                                            "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED",
                                            "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    os.environ.pop("AWS_PROFILE", None)
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    import boto3
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="logs")
    tmp = tmp_path_factory.mktemp("s3")
    files = _every_shape(tmp)
    keys = []
    for f in files:
        key = "exports/" + Path(f).relative_to(EXPORTS).as_posix() if f.startswith(str(EXPORTS)) else Path(f).name
        client.upload_file(f, "logs", key)
        keys.append(key)
    try:
        yield {"endpoint": endpoint, "files": files, "keys": keys, "client": client}
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _moto_auth(endpoint: str, count: bytes) -> None:
    """Turn moto's credential checks on ("0": from now on) or off ("inf")."""
    req = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=count, method="POST",
                                 headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req, timeout=10).read()


class TestObjectStorage:
    @pytest.mark.slow
    def test_s3_urls_read_like_local_files(self, s3):
        opts = {"endpoint_url": s3["endpoint"]}
        remote = read_logs([f"s3://logs/{k}" for k in s3["keys"]], storage_options=opts, processes=1,
                           assumed_completion_tokens=5)
        local = read_logs(s3["files"], processes=1, assumed_completion_tokens=5)
        a, b = remote.summary(max_problems=10_000), local.summary(max_problems=10_000)
        names = dict(zip([f"s3://logs/{k}" for k in s3["keys"]], s3["files"]))
        for p in a["problems"]:  # same problems, at the same lines, named by URL
            p["file"] = names[p["file"]]
        a["formats"] = {names[k]: v for k, v in a["formats"].items()}
        for s in (a, b):
            s["problems"].sort(key=lambda p: (p["file"], p["line"]))
        assert a == b

    @pytest.mark.slow
    def test_a_glob_over_a_prefix_on_worker_processes(self, s3):
        opts = {"endpoint_url": s3["endpoint"]}
        remote = read_logs(["s3://logs/exports/openai/*.jsonl"], storage_options=opts, processes=2, task_bytes=1024)
        local = read_logs(sorted(str(p) for p in (EXPORTS / "openai").glob("*.jsonl")), processes=1)
        for key in ("requests", "prompt_tokens", "completion_tokens", "skipped", "ft_prompt_tokens"):
            assert remote.summary()[key] == local.summary()[key]

    def test_the_count_command_takes_urls_and_storage_options(self, s3, capsys):
        code = main(["count", "s3://logs/sample.jsonl", "--storage-option", f"endpoint_url={s3['endpoint']}",
                     "--json"])
        out = json.loads(capsys.readouterr().out)
        local = read_logs(next(f for f in s3["files"] if f.endswith("sample.jsonl")), processes=1).summary()
        assert code == 0 and out["prompt_tokens"] == local["prompt_tokens"] and out["requests"] == local["requests"]

    @pytest.mark.parametrize("url, says", [
        ("s3://no-such-bucket/a.jsonl", "no such bucket"),
        ("s3://logs/missing.jsonl", "no such object"),
        ("s3://logs/nothing-*.jsonl", "matches no file"),
        ("s3://logs/exports/", "is a folder or prefix"),
    ])
    def test_missing_bucket_object_or_match_is_one_error_line(self, s3, capsys, url, says):
        code = main(["count", url, "--storage-option", f"endpoint_url={s3['endpoint']}"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and err.startswith(f"error: {url}: ") and says in err
        assert "Traceback" not in err

    def test_wrong_credentials_are_one_error_line(self, s3, capsys):
        import s3fs
        s3fs.S3FileSystem.clear_instance_cache()
        _moto_auth(s3["endpoint"], b"0")
        try:
            code = main(["count", "s3://logs/sample.jsonl", "--storage-option", f"endpoint_url={s3['endpoint']}",
                         "--storage-option", "key=AKIAWRONG", "--storage-option", "secret=wrong"])
        finally:
            _moto_auth(s3["endpoint"], b"inf")
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "s3://logs/sample.jsonl" in err
        assert "access denied" in err and "AWS_ACCESS_KEY_ID" in err

    def test_no_credentials_is_one_error_line(self, s3, capsys, monkeypatch):
        import s3fs
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
        s3fs.S3FileSystem.clear_instance_cache()  # a file system made earlier holds the credentials it found
        code = main(["count", "s3://logs/sample.jsonl", "--storage-option", f"endpoint_url={s3['endpoint']}"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "no credentials found" in err and "anon=true" in err

    def test_an_unreachable_endpoint_is_one_error_line(self, s3, capsys):
        code = main(["count", "s3://logs/sample.jsonl", "--storage-option", "endpoint_url=http://127.0.0.1:9",
                     "--storage-option", 'config_kwargs={"retries": {"max_attempts": 1}, "connect_timeout": 2}'])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "cannot reach the storage service" in err


class TestBadInput:
    @pytest.mark.parametrize("args, says", [
        (["foo://bucket/a.jsonl"], "unknown URL scheme 'foo://'"),
        (["s3://logs/a.jsonl", "--storage-option", "nokey"], "needs KEY=VALUE"),
        (["nowhere/*.jsonl"], "matches no file"),
    ])
    def test_one_error_line(self, capsys, args, says):
        code = main(["count", *args])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and says in err

    def test_a_refused_https_connection_is_unreachable_not_missing(self, capsys):
        pytest.importorskip("aiohttp", reason="fsspec's https:// backend")
        with socket.socket() as sock:   # a port nothing listens on: the connection is refused, on this machine
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        code = main(["count", f"https://127.0.0.1:{port}/logs.jsonl"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "cannot reach the storage service" in err, err

    def test_a_backend_not_installed_names_the_extra(self):
        from advisor.logs.sources import storage_error
        e = storage_error(ImportError("Please install gcsfs to access Google Storage"), "gs://b/a.jsonl")
        assert str(e) == "gs://b/a.jsonl: reading gs:// needs gcsfs: pip install 'finetune-advisor[cloud]'"

    @pytest.mark.slow
    def test_an_unreachable_scheduler_is_one_error_line(self, write, capsys):
        pytest.importorskip("dask.distributed", reason="optional extra 'scale'")
        log = write_sample_logs(write("x.jsonl", "").parent / "s.jsonl", days=1, scale=0.01, seed=2)
        code = main(["count", str(log), "--scheduler", "tcp://127.0.0.1:9"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "cannot reach the Dask scheduler tcp://127.0.0.1:9" in err

    def test_without_dask_the_flags_say_how_to_install_it(self, write, monkeypatch, capsys):
        monkeypatch.setitem(sys.modules, "dask.distributed", None)
        log = write_sample_logs(write("x.jsonl", "").parent / "s.jsonl", days=1, scale=0.01, seed=2)
        code = main(["count", str(log), "--workers", "2"])
        assert code == 2 and "--workers needs Dask: pip install 'finetune-advisor[scale]'" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------------------
# Dask: a LocalCluster of worker processes

def _dask():
    return pytest.importorskip("dask.distributed", reason="optional extra 'scale' (pip install -e '.[scale]')")


@pytest.mark.slow
def test_a_local_cluster_of_worker_processes_equals_one_process(shapes):
    _dask()
    files, whole = shapes
    _same(read_logs(files, workers=2, task_bytes=2048, assumed_completion_tokens=5), whole)


def _dies_once(task, opts, progress=None):
    """count_task, but the worker running task 0 dies the first time (Dask reruns the task elsewhere)."""
    from advisor.logs.reader import count_task
    marker = Path(opts.storage_options["marker"])
    if task.index == 0 and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return count_task(task, opts)


@pytest.mark.slow
def test_a_worker_lost_mid_run_is_recomputed_and_nothing_counted_twice(shapes, tmp_path):
    _dask()
    import cloudpickle

    from advisor.logs import reader
    from advisor.logs.dispatch import ReadOptions, run_tasks
    from advisor.logs.pieces import plan_tasks
    from advisor.logs.sources import expand_sources

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    files, _ = shapes
    sources = expand_sources(files)
    names = [s.name for s in sources]
    tasks = plan_tasks(sources, names, task_bytes=2048)
    opts = ReadOptions(threads=1, storage_options={"marker": str(tmp_path / "died")})
    results = {r.index: r for r in run_tasks(_dies_once, tasks, opts, workers=2)}
    assert (tmp_path / "died").exists() and sorted(results) == [t.index for t in tasks]
    got = reader._reduce(tasks, results, ReadOptions(threads=1), names, 5)
    _same(got, read_logs(files, processes=1, assumed_completion_tokens=5))


@pytest.mark.slow
def test_map_partitions_matches_read_logs(tmp_path):
    """The per-chunk function still runs as dask.dataframe.map_partitions (for pipelines already built on it)."""
    distributed = _dask()
    dd = pytest.importorskip("dask.dataframe")
    files = [str(write_sample_logs(tmp_path / f"part{i}.jsonl", days=1, scale=0.05, seed=i)) for i in range(3)]
    with open(files[1], "a") as fh:
        fh.write("{broken\n")

    def lines(path: str) -> pd.DataFrame:
        with open(path, encoding="utf-8") as fh:
            rows = [(path, i, line) for i, line in enumerate(fh, 1) if line.strip()]
        return pd.DataFrame(rows, columns=["file", "line", "record"])

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        ddf = dd.from_map(lines, files)
        meta = normalize_partition(lines(files[0]).head(0))
        work = ddf.map_partitions(normalize_partition, meta=meta).compute()
    frame, problems, _ = finalize_frame(work)
    local = read_logs(files)
    assert len(problems) == 1 and problems[0].line == len(lines(files[1]))
    cols = ["prompt_tokens", "completion_tokens", "ft_prompt_tokens", "task"]
    pd.testing.assert_frame_equal(frame[cols].reset_index(drop=True), local.frame[cols].reset_index(drop=True))
    assert list(frame.columns) == FRAME_COLUMNS

