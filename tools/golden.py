"""Golden outputs: every CLI command's ``--json`` output and the page's text on the built-in sample.

``python tools/golden.py --update`` rewrites ``tests/golden/*`` after an intended change of behaviour;
``tests/test_golden.py`` compares today's outputs against them byte for byte, so a change of layout that
changes an answer fails.  Review the diff of ``tests/golden/`` like code: it is what users see.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-12-06"  # ADVISOR_TODAY for every output: the day these goldens were taken
GOLDEN = ROOT / "tests" / "golden"

TYPED = ["--requests-per-day", "1000", "--prompt-tokens", "1200", "--completion-tokens", "300"]
MARCH = ["--as-of", "2024-03-28", "--requests-per-day", "50000", "--prompt-tokens", "1500",
         "--completion-tokens", "300", "--baseline", "gpt-4-0613"]

#: name -> arguments after ``python -m advisor``; ``{sample}`` is the built-in sample written to a file.
COMMANDS: dict[str, list[str]] = {
    "count-sample": ["count", "{sample}", "--json"],
    "advise-sample": ["advise", "{sample}", "--json"],
    "advise-typed": ["advise", *TYPED, "--json"],
    "advise-march": ["advise", *MARCH, "--json"],
    "compare-typed": ["compare", *TYPED, "--json"],
    "compare-march": ["compare", *MARCH, "--json"],
    "prices-today": ["prices", "--json"],
    "prices-2024": ["prices", "--as-of", "2024-06-01", "--kind", "api", "--json"],
    "capacity": ["capacity", "--model", "mistral-7b", "--gpu", "a100-80gb", "--input-tokens", "500",
                 "--output-tokens", "200", "--max-throughput", "--json"],
    "report-sample.md": ["report", "{sample}", "-o", "{out}.md"],
}


def _sample(tmp: Path) -> Path:
    from advisor.samples import write_sample_logs
    return write_sample_logs(tmp / "sample.jsonl")


def cli_outputs(tmp: Path) -> dict[str, str]:
    sample = _sample(tmp)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADVISOR_TODAY": TODAY}
    out: dict[str, str] = {}
    for name, args in COMMANDS.items():
        target = tmp / name
        argv = [a.format(sample=sample, out=target.with_suffix("")) for a in args]
        proc = subprocess.run([sys.executable, "-m", "advisor", *argv], capture_output=True, text=True,
                              env=env, cwd=tmp, timeout=600)
        text = proc.stdout
        if "-o" in argv:
            text = Path(argv[argv.index("-o") + 1]).read_text()
        out[name] = f"exit {proc.returncode}\n{text}".replace(str(tmp), "TMP")
    return out


def page_output() -> str:
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    parts = [f"{type(e).__name__}: {e.value}" for e in at.exception]
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "warning", "error", "info"):
        parts += [f"{kind}: {e.value}" for e in getattr(at, kind)]
    parts += [f"metric: {m.label} = {m.value}" for m in at.metric]
    return "\n".join(parts) + "\n"


def outputs() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as d:
        out = cli_outputs(Path(d))
    before = os.environ.get("ADVISOR_TODAY")
    os.environ["ADVISOR_TODAY"] = TODAY
    try:
        out["page-sample.txt"] = page_output()
    finally:
        if before is None:
            del os.environ["ADVISOR_TODAY"]
        else:
            os.environ["ADVISOR_TODAY"] = before
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--update", action="store_true", help="rewrite tests/golden/ from today's outputs")
    args = p.parse_args()
    got = outputs()
    if args.update:
        from advisor.outfile import write_atomically

        GOLDEN.mkdir(exist_ok=True)
        for name, text in got.items():
            write_atomically(GOLDEN / name, lambda tmp, text=text: Path(tmp).write_text(text))
        print(f"wrote {len(got)} golden files to {GOLDEN}")
        return
    bad = [n for n, t in got.items() if not (GOLDEN / n).exists() or (GOLDEN / n).read_text() != t]
    print("golden outputs match" if not bad else f"differ: {', '.join(bad)}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
