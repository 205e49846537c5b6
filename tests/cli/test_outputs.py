"""Issue 24 item 2: every output file is written whole or not at all (advisor.outfile.write_atomically).

``report -o`` and ``count --per-request`` used to truncate the old file first: on a full disk or past a file-size
limit the old file was gone and a half-written one was left (1,000,000 bytes ending mid-script). A file-size limit
(RLIMIT_FSIZE, in a subprocess) and an injected failure show the old file kept, byte for byte, and no temporary
file left behind.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.errors import LogError
from advisor.logs import MemoryFile, read_logs
from advisor.outfile import write_atomically

ROOT = Path(__file__).resolve().parents[2]
OLD = "the previous output\n"


def _cli(*args: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:  # Python ignores SIGXFSZ: a write past the limit raises EFBIG (OSError)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT)] + sys.path)}
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env=env, preexec_fn=limit if limit_bytes else None)


@pytest.fixture(scope="module")
def sample_log(tmp_path_factory) -> Path:
    from advisor.samples import write_sample_logs

    return write_sample_logs(tmp_path_factory.mktemp("logs") / "sample.jsonl")


@pytest.mark.parametrize("args, name", [
    (["report", "{log}", "-o"], "old.html"),
    (["count", "{log}", "--ft-tokenizer", "none", "--per-request"], "old.csv"),
    (["count", "{log}", "--ft-tokenizer", "none", "--per-request"], "old.parquet"),
])
@pytest.mark.slow
def test_a_file_size_limit_keeps_the_old_file(tmp_path, sample_log, args, name):
    out = tmp_path / name
    out.write_text(OLD)
    # 4 kB: the sample's HTML report (~1 MB) and its per-request table (tens of kB) are larger
    r = _cli(*[a.format(log=sample_log) for a in args], str(out), limit_bytes=4096)
    assert r.returncode == 2 and "cannot write" in r.stderr and str(out) in r.stderr
    assert out.read_text() == OLD                                   # before: truncated, a half-written file left
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]     # no temporary file left behind


@pytest.mark.slow
def test_a_successful_write_replaces_the_file_and_keeps_its_mode(tmp_path, sample_log):
    out = tmp_path / "rows.csv"
    out.write_text(OLD)
    out.chmod(0o640)
    assert _cli("count", str(sample_log), "--ft-tokenizer", "none", "--per-request", str(out)).returncode == 0
    assert out.read_text().startswith("file,line,") and (out.stat().st_mode & 0o777) == 0o640


def test_an_injected_failure_keeps_the_old_file(tmp_path, monkeypatch):
    import pandas as pd

    from advisor.cli.count import write_per_request

    out = tmp_path / "rows.csv"
    out.write_text(OLD)
    result = read_logs([MemoryFile("s.jsonl", b'{"prompt_tokens": 3, "completion_tokens": 4}\n')], ft_tokenizer=None)

    def full_disk(self, path, **kw):
        Path(path).write_text("file,line,half a row")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    with pytest.raises(LogError, match="No space left on device"):
        write_per_request(result, str(out))
    assert out.read_text() == OLD and sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


def test_the_sample_writer_and_a_symlinked_target(tmp_path):
    from advisor.samples import write_sample_logs

    real = tmp_path / "real.jsonl"
    real.write_text(OLD)
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    write_sample_logs(link)
    assert link.is_symlink() and real.read_text().startswith('{"request"')   # the target replaced, the link kept


def test_a_target_that_is_not_a_regular_file_is_written_directly(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)   # a reader, so that opening for writing does not block
    try:
        write_atomically(fifo, lambda tmp: Path(tmp).write_text("rows\n"))
        got.append(os.read(reader, 100))
    finally:
        os.close(reader)
    assert got == [b"rows\n"] and sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo"]
