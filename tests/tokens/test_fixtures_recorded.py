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


def _json_values(text: str) -> list:
    """The JSON values of a file: one document, or several one after another (OpenTelemetry's console exporter)."""
    decoder, values, pos = json.JSONDecoder(), [], 0
    while pos < len(text.rstrip()):
        value, end = decoder.raw_decode(text, pos)
        values.append(value)
        pos = end + len(text[end:]) - len(text[end:].lstrip())
    return values


class TestExportExamples:
    """tests/fixtures/exports/: every tool folder says where its shapes come from, and every file parses."""

    def test_each_tool_folder_has_a_source_note(self):
        folders = [d for d in EXPORTS.iterdir() if d.is_dir()]
        assert folders, "no export examples"
        assert [d.name for d in folders if not (d / "SOURCE.md").is_file()] == []

    @pytest.mark.parametrize("path", sorted(EXPORTS.rglob("*.json*")), ids=lambda p: str(p.relative_to(EXPORTS)))
    def test_json_files_parse(self, path: Path):
        text = path.read_text(encoding="utf-8-sig")
        docs = [json.loads(line) for line in text.splitlines()] if path.suffix == ".jsonl" else _json_values(text)
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
    """The committed sample (built from the cassette versions ci/cassettes.txt lists, see the README) is always
    present and well-formed."""

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

    def test_the_listing_names_every_cassette_version_of_the_sample(self):
        listed = [line for line in (CI_SAMPLE.parent / "cassettes.txt").read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")]
        sources = {json.loads(line)["source"].rsplit("#", 1)[0] for line in CI_SAMPLE.read_text(encoding="utf-8").splitlines()}
        assert listed == sorted(sources)  # sorted: the order the sample's lines were built in


def _builder():
    from conftest import load_build_fixtures

    return load_build_fixtures()


# a hand-written cassette in pydantic-ai's newer layout (body: {type: json}); {prompt} varies between versions
_CASSETTE = """interactions:
- request:
    method: POST
    uri: https://api.openai.com/v1/chat/completions
    body:
      type: json
      content:
        messages:
        - content: {prompt}
          role: user
        model: gpt-4o
  response:
    status: 200
    body:
      type: json
      content:
        model: gpt-4o-2024-08-06
        choices:
        - message: {{role: assistant, content: Hello}}
        usage: {{prompt_tokens: {tokens}, completion_tokens: 2, total_tokens: {total}}}
"""
_PATH = "tests/cassettes/test_chat.yaml"


def _git(repo: Path, *args: str) -> str:
    from conftest import run_git

    return run_git(repo, *args)


@pytest.fixture
def checkout(tmp_path) -> tuple[Path, list[str]]:
    """A git repository whose one cassette was recorded twice (two commits), and its commits, oldest first."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    commits = []
    for prompt, tokens in (("hi", 8), ("hello there", 10)):
        (repo / _PATH).parent.mkdir(parents=True, exist_ok=True)
        (repo / _PATH).write_text(_CASSETTE.format(prompt=prompt, tokens=tokens, total=tokens + 2), encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"record {prompt}")
        commits.append(_git(repo, "rev-parse", "HEAD"))
    return repo, commits


class TestFromGitCheckout:
    def test_head_only_or_every_version_in_history(self, checkout):
        build = _builder()
        repo, (old, new) = checkout
        records, reasons = build.build(repo, "o/r", "HEAD", history=False)
        assert [r["source"] for r in records] == [f"o/r:{_PATH}@{new}#0"] and reasons == {"ok": 1}
        records, reasons = build.build(repo, "o/r", "HEAD", history=True)
        assert [(r["source"], r["usage"]["prompt_tokens"]) for r in records] == [
            (f"o/r:{_PATH}@{new}#0", 10), (f"o/r:{_PATH}@{old}#0", 8)]  # newest first, each version its commit
        assert all(problems(r) == [] for r in records) and records[0]["features"] == ["text"]

    def test_a_cassette_outside_a_cassette_folder_is_read_by_its_content(self, tmp_path):
        # Significant-Gravitas/Auto-GPT-test-cassettes keeps test_write_file/test_write_file.yaml at its root: read
        # because its top level has 'interactions:'; a YAML config naming openai is not a cassette
        build = _builder()
        repo = tmp_path / "repo"
        (repo / "test_write_file").mkdir(parents=True)
        _git(repo, "init", "-q")
        (repo / "test_write_file" / "test_write_file.yaml").write_text(
            _CASSETTE.format(prompt="hi", tokens=8, total=10), encoding="utf-8")
        (repo / "settings.yml").write_text("provider: openai\nsteps:\n  interactions: 2\n", encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "cassettes")
        for history in (False, True):
            records, reasons = build.build(repo, "o/r", "HEAD", history=history)
            assert [r["source"].split("@")[0] for r in records] == ["o/r:test_write_file/test_write_file.yaml"]
            assert reasons == {"ok": 1}

    def test_listed_versions_are_built_in_the_listing_order(self, checkout, tmp_path):
        build = _builder()
        repo, (old, new) = checkout
        listing = tmp_path / "cassettes.txt"
        listing.write_text(f"# a comment\no/r:{_PATH}@{old}\n\no/r:{_PATH}@{'0' * 40}\n", encoding="utf-8")
        out = tmp_path / "out.jsonl"
        assert build.main(["listed", str(listing), "--git-dir", f"o/r={repo}", "--out", str(out)]) == 0
        (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert record["source"] == f"o/r:{_PATH}@{old}#0" and record["usage"]["prompt_tokens"] == 8

    def test_a_listing_line_without_its_git_directory_is_refused(self, checkout, tmp_path):
        build = _builder()
        repo, (old, _) = checkout
        listing = tmp_path / "cassettes.txt"
        listing.write_text(f"other/repo:{_PATH}@{old}\n", encoding="utf-8")
        with pytest.raises(SystemExit, match="no --git-dir for other/repo"):
            build.main(["listed", str(listing), "--git-dir", f"o/r={repo}", "--out", str(tmp_path / "o.jsonl")])
        listing.write_text(f"o/r:{_PATH}@abc\n", encoding="utf-8")
        with pytest.raises(SystemExit, match="cassettes.txt:1: expected owner/name:path@commit"):
            build.main(["listed", str(listing), "--git-dir", f"o/r={repo}", "--out", str(tmp_path / "o.jsonl")])


class TestOtherLayouts:
    """DataDog's test-agent cassettes: one JSON interaction a file (``url``, bodies as strings), and vcrpy's
    ``!!python/object/apply`` header names; both hand-written here in the shape the repository holds."""

    BODY = {"model": "gpt-4", "input": "hi"}
    ANSWER = {"model": "gpt-4-0613", "output": [], "usage": {"input_tokens": 7, "output_tokens": 1}}

    def test_a_json_file_is_one_interaction(self):
        build = _builder()
        doc = build.load_cassette(json.dumps({
            "request": {"method": "POST", "url": "https://api.openai.com/v1/responses", "body": json.dumps(self.BODY)},
            "response": {"status": {"code": 200}, "body": json.dumps(self.ANSWER)}}).encode())
        (interaction,) = build.cassette_interactions(doc)
        record, reason = build.extract(interaction)
        assert reason == "ok" and record["endpoint"] == "responses" and record["host"] == "api.openai.com"
        assert build.is_cassette("packages/x/test/llmobs/cassettes/openai/openai_responses_post_1.json")

    def test_python_tagged_header_names_read_as_strings(self):
        build = _builder()
        raw = ("interactions:\n- request:\n    body: '" + json.dumps(self.BODY) + "'\n    headers:\n"
               "      ? !!python/object/apply:multidict._multidict.istr\n      - Content-Type\n      : - application/json\n"
               "    method: POST\n    uri: https://api.openai.com/v1/responses\n"
               "  response:\n    status: {code: 200}\n    body: {string: '" + json.dumps(self.ANSWER) + "'}\n")
        (interaction,) = build.cassette_interactions(build.load_cassette(raw.encode()))
        assert interaction["request"]["headers"] == {"Content-Type": ["application/json"]}
        assert build.extract(interaction)[1] == "ok"
