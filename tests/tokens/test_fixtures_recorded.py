"""The recorded-call fixtures (real OpenAI requests with their billed usage) are well-formed.

The JSONL files are built by tools/build_fixtures.py from public test cassettes. They are looked
for in $ADVISOR_RECORDED_DIR, tests/fixtures/recorded/ and ../shared/fixtures/recorded/
(see tests/fixtures/recorded/README.md for why the data may live outside the repository).
The checker itself is tested on hand-written lines, so it runs even where no data is present.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {"chat.completions": ("prompt_tokens", "completion_tokens"), "responses": ("input_tokens", "output_tokens")}
FEATURES = frozenset({
    "text", "system", "name", "tools", "tool_calls_history", "tool_results", "functions_legacy",
    "response_format_json_schema", "response_format_json_object", "image_base64", "image_url", "image_file_id",
    "file_pdf", "input_audio", "completion_tool_calls", "reasoning", "streaming",
    "builtin_tools", "builtin_tool_history", "reasoning_history",  # Responses API only
})
SOURCE = re.compile(r"^[\w.-]+/[\w.-]+:[^@#]+@[0-9a-f]{40}#\d+$")


def recorded_dirs() -> list[Path]:
    candidates = [ROOT / "tests" / "fixtures" / "recorded", ROOT.parent / "shared" / "fixtures" / "recorded"]
    if os.environ.get("ADVISOR_RECORDED_DIR"):
        candidates.insert(0, Path(os.environ["ADVISOR_RECORDED_DIR"]))
    return [d for d in candidates if d.is_dir() and any(d.glob("*.jsonl"))]


def _count(usage: dict, key: str) -> int | None:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def problems(record: object) -> list[str]:
    """What is wrong with one fixture line (empty when it is well-formed)."""
    if not isinstance(record, dict):
        return ["line is not a JSON object"]
    found = [f"{key} missing" for key in ("id", "source", "endpoint", "model", "request", "response", "usage", "features")
             if key not in record]
    if found:
        return found
    if not SOURCE.match(str(record["source"])):
        found.append("source is not owner/repo:path@<40-hex commit>#<index>")
    if record["endpoint"] not in ENDPOINTS:
        return found + [f"endpoint {record['endpoint']!r} unknown"]
    if not isinstance(record["request"], dict) or not isinstance(record["response"], dict):
        return found + ["request and response must be JSON objects"]
    if record["request"].get("model") != record["model"]:
        found.append("model differs from request.model")
    usage = record["usage"]
    prompt_key, completion_key = ENDPOINTS[record["endpoint"]]
    prompt, completion = _count(usage, prompt_key), _count(usage, completion_key)
    if prompt is None or completion is None:
        return found + [f"usage.{prompt_key} and usage.{completion_key} must be counts"]
    total = usage.get("total_tokens")
    if total is not None and total != prompt + completion:
        found.append("usage.total_tokens is not prompt + completion")
    details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    if (details.get("cached_tokens") or 0) > prompt:
        found.append("cached tokens exceed prompt tokens")
    if record["response"].get("usage") != usage:
        found.append("usage differs from response.usage")
    tags = record["features"]
    if not isinstance(tags, list) or set(tags) - FEATURES or len(set(tags)) != len(tags):
        found.append("features must be distinct known tags")
    elif ("tools" in tags) != any(t.get("type") in ("function", "custom") for t in _tools(record["request"])):
        found.append("'tools' tag disagrees with request.tools")
    return found


def _tools(request: dict) -> list[dict]:
    tools = request.get("tools") or []
    return [t if "type" in t else {"type": "function"} for t in tools if isinstance(t, dict)]


GOOD = {
    "id": "x-1", "source": "owner/repo:tests/cassettes/a.yaml@" + "0" * 40 + "#0",
    "endpoint": "chat.completions", "model": "gpt-4o", "response_model": "gpt-4o-2024-08-06",
    "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    "response": {"usage": {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10}},
    "usage": {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10},
    "features": ["text"],
}


class TestChecker:
    def test_good_line_passes(self):
        assert problems(GOOD) == []

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"usage": {"completion_tokens": 2}}, "usage.prompt_tokens and usage.completion_tokens must be counts"),
            ({"source": "owner/repo:a.yaml"}, "source is not owner/repo:path@<40-hex commit>#<index>"),
            ({"features": ["text", "telepathy"]}, "features must be distinct known tags"),
            ({"features": ["text", "tools"]}, "'tools' tag disagrees with request.tools"),
            ({"endpoint": "completions"}, "endpoint 'completions' unknown"),
            ({"model": "gpt-4"}, "model differs from request.model"),
        ],
    )
    def test_bad_lines_are_named(self, change, expected):
        assert expected in problems({**GOOD, **change})

    def test_total_must_add_up(self):
        usage = {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 11}
        assert "usage.total_tokens is not prompt + completion" in problems(
            {**GOOD, "usage": usage, "response": {"usage": usage}})


def _fixture_files() -> list[Path]:
    return sorted(p for d in recorded_dirs() for p in d.glob("*.jsonl"))


@pytest.mark.skipif(not _fixture_files(), reason="no recorded fixtures here: see tests/fixtures/recorded/README.md")
@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: p.name)
def test_fixture_file_is_well_formed(path: Path):
    ids: set[str] = set()
    bad: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            record = json.loads(line)
            for problem in problems(record):
                bad.append(f"{path.name}:{number}: {problem}")
            if record.get("id") in ids:
                bad.append(f"{path.name}:{number}: duplicate id")
            ids.add(record.get("id"))
    assert ids, f"{path} is empty"
    assert not bad, "\n".join(bad[:20])


EXPORTS = ROOT / "tests" / "fixtures" / "exports"


class TestExportExamples:
    """tests/fixtures/exports/: every tool folder says where its shapes come from, and every file parses."""

    def test_each_tool_folder_has_a_source_note(self):
        folders = [d for d in EXPORTS.iterdir() if d.is_dir()]
        assert folders, "no export examples"
        assert [d.name for d in folders if not (d / "SOURCE.md").is_file()] == []

    @pytest.mark.parametrize("path", sorted(EXPORTS.rglob("*.json*")), ids=lambda p: str(p.relative_to(EXPORTS)))
    def test_json_files_parse(self, path: Path):
        text = path.read_text(encoding="utf-8-sig")
        docs = [json.loads(line) for line in text.splitlines()] if path.suffix == ".jsonl" else [json.loads(text)]
        assert docs and all(isinstance(d, (dict, list)) for d in docs)

    @pytest.mark.parametrize("path", sorted(EXPORTS.rglob("*.csv")), ids=lambda p: str(p.relative_to(EXPORTS)))
    def test_csv_files_have_a_header_and_rows(self, path: Path):
        import csv

        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) >= 2 and len(rows[0]) >= 4
        assert all(len(row) <= len(rows[0]) for row in rows[1:])  # short (ragged) rows occur; longer ones never


CI_SAMPLE = ROOT / "tests" / "fixtures" / "recorded" / "ci" / "ci-sample.jsonl"
CI_SOURCES = ("pydantic/pydantic-ai:", "Arize-ai/openinference:")  # MIT and Apache-2.0 (README, ci-sample section)


class TestCiSample:
    """The committed sample (read with read_file, see the README) is always present and well-formed."""

    def test_present_small_and_from_the_licensed_sources(self):
        lines = CI_SAMPLE.read_text(encoding="utf-8").splitlines()
        assert len(lines) >= 30
        assert CI_SAMPLE.stat().st_size < 1_500_000
        records = [json.loads(line) for line in lines]
        assert [r["id"] for r in records if not r["source"].startswith(CI_SOURCES)] == []
        assert [f"{r['id']}: {p}" for r in records for p in problems(r)] == []
        assert len({r["id"] for r in records}) == len(records)

    def test_both_endpoints_and_the_feature_groups_are_covered(self):
        records = [json.loads(line) for line in CI_SAMPLE.read_text(encoding="utf-8").splitlines()]
        tags = {t for r in records for t in r["features"]}
        assert {r["endpoint"] for r in records} == {"chat.completions", "responses"}
        assert {"system", "tools", "tool_calls_history", "tool_results", "response_format_json_schema",
                "image_base64", "completion_tool_calls", "reasoning"} <= tags


def _builder():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("build_fixtures", ROOT / "tools" / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its frozen dataclass looks its module up while being defined
    spec.loader.exec_module(module)
    return module


# a two-page read_file answer for a hand-written cassette in pydantic-ai's newer layout (body: {type: json})
_CASSETTE = """interactions:
- request:
    method: POST
    uri: https://api.openai.com/v1/chat/completions
    body:
      type: json
      content:
        messages:
        - content: hi
          role: user
        model: gpt-4o
  response:
    status: 200
    body:
      type: json
      content:
        model: gpt-4o-2024-08-06
        choices:
        - message: {role: assistant, content: Hello}
        usage: {prompt_tokens: 8, completion_tokens: 2, total_tokens: 10}
"""


class TestFromReadFile:
    def _answers(self, tmp_path, cut: int, total: int) -> list[Path]:
        paths = []
        for offset, text in ((0, _CASSETTE[:cut]), (cut, _CASSETTE[cut:])):
            path = tmp_path / f"page{offset}.json"
            path.write_text(json.dumps({"repo": "o/r", "path": "tests/c.yaml", "commit": "a" * 40, "offset": offset,
                                        "text": text, "total_chars": total}), encoding="utf-8")
            paths.append(path)
        return paths

    def test_pages_are_joined_and_converted(self, tmp_path):
        build = _builder()
        records, reasons = build.build_from_texts(build.read_file_answers(self._answers(tmp_path, 100, len(_CASSETTE))))
        assert reasons == {"ok": 1}
        (record,) = records
        assert record["source"] == "o/r:tests/c.yaml@" + "a" * 40 + "#0"
        assert record["usage"]["prompt_tokens"] == 8 and record["features"] == ["text"]
        assert problems(record) == []

    def test_a_missing_page_is_refused(self, tmp_path):
        build = _builder()
        with pytest.raises(SystemExit, match="pages cover"):
            build.read_file_answers(self._answers(tmp_path, 100, len(_CASSETTE) + 7))
