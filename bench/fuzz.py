"""Long fuzz campaign and resource bombs for the log readers (issue 9); too slow for the unit tests.

    python bench/fuzz.py                 # all: bombs (2 GB scale), 2,000 mutated files, 1,000 hypothesis examples
    python bench/fuzz.py --only bombs --bomb-gb 10 --json
    python bench/fuzz.py --only mutate --mutations 4000
    python bench/fuzz.py --only redteam --mutations 2000 --seed 7 --json   # canary, field swaps, encodings

Oracle: no exception but AdvisorError; a bomb ends as a listed problem (or a one-line LogError) with the
process's peak RSS under ``--rss-limit-mb`` (default 500); time stays linear in the bytes read.
Each bomb runs in its own subprocess so its peak RSS is its own (``ru_maxrss`` of the child).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import emit  # noqa: E402

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from advisor.errors import AdvisorError
from advisor.logs import read_logs
t = time.perf_counter()
out = {{}}
try:
    r = read_logs({path!r}, ft_tokenizer=None, max_record_bytes={limit})
    out = {{"requests": r.summary()["requests"], "problems": [p.reason[:120] for p in r.problems[:3]],
            "skipped": r.skipped}}
except AdvisorError as e:
    out = {{"error": str(e)[:200]}}
out["seconds"] = round(time.perf_counter() - t, 2)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def _child(path: Path, limit: int) -> dict:
    p = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT), path=str(path), limit=limit)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return {"crash": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


GOOD = b'{"model": "gpt-4o", "prompt_tokens": 10, "completion_tokens": 2}\n'


def _gzip_stream(path: Path, parts) -> None:
    """Write a gzip file from (bytes, repeat) parts without holding the expansion in memory."""
    with gzip.open(path, "wb", compresslevel=1) as f:
        for data, n in parts:
            for _ in range(n):
                f.write(data)


def bombs(tmp: Path, gb: float, limit: int) -> dict:
    mb = 1 << 20
    block = b"a" * mb
    n = int(gb * 1024)
    out = {}
    # 1. one huge JSONL line inside a small gzip (the dashboard's upload limit checks the compressed size)
    p = tmp / "line.jsonl.gz"
    _gzip_stream(p, [(GOOD, 1), (b'{"messages": "', 1), (block, n), (b'"}\n', 1), (GOOD, 1)])
    out["gzip_one_line"] = {"decompressed_gb": gb, "compressed_mb": round(p.stat().st_size / mb, 1), **_child(p, limit)}
    # 2. CSV with one enormous quoted field
    p = tmp / "field.csv.gz"
    _gzip_stream(p, [(b"model,prompt_tokens,completion_tokens,note\ngpt-4o,10,2,ok\ngpt-4o,10,2,\"", 1), (block, n),
                     (b"\"\ngpt-4o,10,2,ok\n", 1)])
    out["csv_huge_field"] = {"decompressed_gb": gb, **_child(p, limit)}
    # 3. JSON array with one 200 MB element among small ones: linear, not quadratic
    p = tmp / "big_element.json"
    with open(p, "wb") as f:
        f.write(b"[" + GOOD.strip() + b',\n{"prompt_tokens": 1, "completion_tokens": 1, "pad": "')
        for _ in range(200):
            f.write(block)
        f.write(b'"},\n' + GOOD.strip() + b"]\n")
    out["json_200mb_element_limit_default"] = _child(p, limit)
    out["json_200mb_element_limit_256mb"] = _child(p, 256 * mb)
    # 4. JSON array of many small records: memory grows with requests kept, not with the file
    p = tmp / "many.json"
    k = 2_000_000
    with open(p, "wb") as f:
        f.write(b"[\n")
        row = b'{"model": "gpt-4o", "prompt_tokens": 10, "completion_tokens": 2},\n'
        for _ in range(k // 10_000):
            f.write(row * 10_000)
        f.write(GOOD.strip() + b"\n]\n")
    out["json_array_2M_records"] = {"file_mb": round(p.stat().st_size / mb, 1), **_child(p, limit)}
    # 5. deep nesting
    p = tmp / "deep.jsonl"
    p.write_bytes(b"[" * 1_000_000 + b"]" * 1_000_000 + b"\n" + GOOD)
    out["deep_nesting_1M"] = _child(p, limit)
    return out


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(7)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            del b[i:i + rng.randint(1, 64)]
        elif op == 2:
            b[i:i] = rng.choice([b"\x00", b"\\udc80", b"1e309", b"Infinity", b"[" * 2000, b"\xef\xbb\xbf", b"\n",
                                 b'"', b",", b"null", b"{}", b"[]", b"\r\n", b"\xff\xfe", bytes([rng.randrange(256)])])
        elif op == 3 and b:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 200)]
        elif op == 4:
            del b[i:]
        elif op == 5:
            b = bytearray(gzip.compress(bytes(b)))[:rng.randint(0, len(b) + 30)]
        else:
            b[i:i] = b'"' + b"x" * rng.randint(0, 5000) + b'"'
    return bytes(b)


def mutate(n: int, seed: int) -> dict:
    from advisor.errors import AdvisorError
    from advisor.logs import MemoryFile, read_logs
    from advisor.samples import write_sample_logs
    corpus = [p for p in sorted((ROOT / "tests" / "fixtures").rglob("*"))
              if p.is_file() and p.suffix in (".json", ".jsonl", ".csv", ".gz") and p.stat().st_size < 2_000_000]
    tmp = Path(tempfile.mkdtemp())
    corpus.append(write_sample_logs(tmp / "sample.jsonl", days=1, scale=0.02, seed=seed))  # the project's samples
    rng = random.Random(seed)
    blobs: dict[Path, bytes] = {}
    crashes, errors, ok = [], 0, 0
    t = time.perf_counter()
    for i in range(n):
        src = rng.choice(corpus)
        data = _mutate(rng, blobs.setdefault(src, src.read_bytes()))
        try:
            r = read_logs(MemoryFile(src.name, data), ft_tokenizer="mistral-v1" if i % 10 == 0 else None)
            json.dumps(r.summary(), allow_nan=False)
            ok += 1
        except AdvisorError as e:
            errors += 1
            if "\n" in str(e):
                crashes.append({"file": src.name, "i": i, "error": "multi-line error message"})
        except BaseException as e:  # noqa: BLE001 - what the campaign is looking for
            crashes.append({"file": src.name, "i": i, "error": f"{type(e).__name__}: {str(e)[:120]}"})
    return {"files": n, "read": ok, "advisor_errors": errors, "crashes": len(crashes), "first_crashes": crashes[:5],
            "corpus_files": len(corpus), "seconds": round(time.perf_counter() - t, 1), "seed": seed}


# ---------------------------------------------------------------------------------------------
# Red-team campaign: the real-shape fixtures with a canary in every text field, mutated per field (type swaps),
# per encoding / line ending / container, and per byte; oracle adds: no canary in any message or summary,
# every problem's line exists in the (plain) file.

CANARY = "SECRET-CANARY-7f3a"
_SWAPS = [None, True, 0, -1, 1.5, 10 ** 400, float("nan"), float("inf"), -0.0, "1e309", "\ud800", "\x00", "", [], {},
          [CANARY], {"a": CANARY}, [[[[[[CANARY]]]]]], "Infinity", "-5", 2 ** 63, "2024-02-30T00:00:00Z",
          "0001-01-01", 1e308, 5e-324, [None], "9" * 5000, {f"{CANARY} key.": 1}]


def _canarize(v):
    if isinstance(v, dict):
        return {k: _canarize(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_canarize(x) for x in v]
    return v + " " + CANARY if isinstance(v, str) and " " in v and len(v) > 12 else v


def _paths(v, pre=()):
    yield pre
    items = v.items() if isinstance(v, dict) else enumerate(v[:3]) if isinstance(v, list) else ()
    for k, x in items:
        yield from _paths(x, pre + (k,))


def _set(v, path, new):
    if not path:
        return new
    v = json.loads(json.dumps(v))
    cur = v
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = new
    return v


def _dumps(o) -> bytes:
    return json.dumps(o, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _variants(raw: bytes) -> dict[str, bytes]:
    import bz2
    import lzma
    txt = raw.decode("utf-8", "replace")
    h = len(raw) // 2
    return {"crlf": txt.replace("\n", "\r\n").encode(), "cr": txt.replace("\n", "\r").encode(),
            "bom_mid": raw[:h] + b"\xef\xbb\xbf" + raw[h:], "latin1": txt.replace("e", "\u00e9").encode("latin-1", "replace"),
            "utf16le": txt.encode("utf-16-le"), "utf16be": txt.encode("utf-16-be"), "utf16bom": txt.encode("utf-16"),
            "nul": raw[:h] + b"\x00" + raw[h:], "lead_comment": b"# export\n" + raw, "gz": gzip.compress(raw),
            "bz2": bz2.compress(raw), "xz": lzma.compress(raw), "gz_cut": gzip.compress(raw)[:-6], "twice": raw + raw}


def _check(name: str, data: bytes, plain: bool, **kw) -> str | None:
    """None when the oracle holds, else what broke (no record text: the canary is only named)."""
    from advisor.errors import AdvisorError
    from advisor.logs import MemoryFile, read_logs
    try:
        r = read_logs(MemoryFile(name, data), ft_tokenizer=kw.get("ft"))
    except AdvisorError as e:
        return "canary in error" if CANARY in str(e) else ("multi-line error" if "\n" in str(e) else None)
    except BaseException as e:  # noqa: BLE001 - what the campaign is looking for
        return f"{type(e).__name__}: {str(e)[:100]}"
    summary = json.dumps(r.summary(), allow_nan=False)
    if CANARY in summary or any(CANARY in p.reason for p in r.problems):
        return "canary in problems"
    lines = data.count(b"\n") + data.count(b"\r") + 1
    if plain and any(not 1 <= p.line <= lines for p in r.problems):
        return "problem at a line the file does not have"
    return None


def redteam(n: int, seed: int) -> dict:
    rng = random.Random(seed)
    corpus = []
    for p in sorted((ROOT / "tests" / "fixtures" / "exports").rglob("*")):
        if p.suffix == ".jsonl":
            recs = [_canarize(json.loads(x)) for x in p.read_text("utf-8-sig").splitlines() if x.strip()]
            corpus.append((p.name, "jsonl", recs))
        elif p.suffix == ".json":
            corpus.append((p.name, "json", [_canarize(json.loads(p.read_text("utf-8-sig")))]))
        elif p.suffix == ".csv":
            corpus.append((p.name, "csv", p.read_bytes()))
    found: dict[str, dict] = {}
    counts = {"files": 0, "broken": 0}
    t = time.perf_counter()

    def one(cls: str, name: str, data: bytes, plain: bool = True, **kw):
        counts["files"] += 1
        bad = _check(name, data, plain, **kw)
        if bad:
            counts["broken"] += 1
            found.setdefault(f"{cls}: {bad}", {"file": name, "example_bytes": len(data)})

    def raw_of(kind, recs):
        return recs if kind == "csv" else (b"\n".join(_dumps(x) for x in recs) + b"\n" if kind == "jsonl"
                                          else _dumps(recs[0]))
    for name, kind, recs in corpus:  # every encoding / container variant of every fixture
        for tag, data in _variants(raw_of(kind, recs)).items():
            one("encoding " + tag, name, data, plain=tag not in ("gz", "bz2", "xz", "gz_cut", "utf16le", "utf16be",
                                                                 "utf16bom"))
    json_corpus = [c for c in corpus if c[1] != "csv"]
    for i in range(n):  # field type swaps, then byte mutations of the result
        name, kind, recs = rng.choice(json_corpus)
        k = rng.randrange(len(recs))
        rec = _set(recs[k], rng.choice(list(_paths(recs[k]))[:400]), rng.choice(_SWAPS))
        data = raw_of(kind, recs[:k] + [rec] + recs[k + 1:])
        one("field swap", name, data, ft="mistral-v1" if i % 25 == 0 else None)
        one("bytes", name, _mutate(rng, data) if i % 2 else data[:rng.randrange(len(data) + 1)],
            plain=False)
    return {**counts, "classes_broken": found, "seconds": round(time.perf_counter() - t, 1), "seed": seed}


def hypothesis_run(n: int) -> dict:
    env = dict(os.environ, ADVISOR_FUZZ_EXAMPLES=str(n))
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_fuzz_logs.py"), "-q",
                        "-p", "no:cacheprovider", "-W", "ignore"], env=env, capture_output=True, text=True, cwd=ROOT)
    tail = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr[-300:]
    return {"examples_per_test": n, "result": tail, "exit": p.returncode, "seconds": round(time.perf_counter() - t, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["bombs", "mutate", "hypothesis", "redteam"])
    ap.add_argument("--bomb-gb", type=float, default=2.0, help="decompressed size of the huge line/field (issue: 10)")
    ap.add_argument("--mutations", type=int, default=2000)
    ap.add_argument("--examples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--record-limit-mb", type=int, default=64)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    out = {}
    if a.only in (None, "bombs"):
        with tempfile.TemporaryDirectory() as d:
            out["bombs"] = bombs(Path(d), a.bomb_gb, a.record_limit_mb << 20)
    if a.only in (None, "mutate"):
        out["mutate"] = mutate(a.mutations, a.seed)
    if a.only in (None, "redteam"):
        out["redteam"] = redteam(a.mutations, a.seed)
    if a.only in (None, "hypothesis"):
        out["hypothesis"] = hypothesis_run(a.examples)
    return emit(out, a.json)


if __name__ == "__main__":
    raise SystemExit(main())
