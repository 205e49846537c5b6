"""tools/build_fixtures.py reads Ruby VCR and R vcr cassettes as well as vcrpy's (issue 23, item 5): the recorded
calls of tests/tokens/test_billed*.py come from all three layouts. Cassette texts here are written for the test in
those layouts (the bodies are ours)."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bf():
    spec = importlib.util.spec_from_file_location("build_fixtures", ROOT / "tools" / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its frozen dataclass looks its module up while being defined
    spec.loader.exec_module(module)
    return module


REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
RESPONSE = {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10}}


def ruby_cassette(response_body: str) -> str:
    """A Ruby VCR cassette (http_interactions, status {code, message}, recorded_with) with the given body lines."""
    return f"""---
http_interactions:
- request:
    method: post
    uri: https://api.openai.com/v1/chat/completions
    body:
      encoding: UTF-8
      string: '{json.dumps(REQUEST)}'
    headers:
      Content-Type:
      - application/json
  response:
    status:
      code: 200
      message: OK
    headers:
      Content-Encoding:
      - gzip
    body:
{response_body}
  recorded_at: Wed, 19 Aug 2026 14:37:50 GMT
recorded_with: VCR 6.4.0
"""


class TestRubyAndRLayouts:
    def test_ruby_base64_string_gzip_body(self, bf):
        gz = base64.b64encode(gzip.compress(json.dumps(RESPONSE).encode())).decode()
        doc = bf.load_cassette(ruby_cassette(f"      encoding: ASCII-8BIT\n      base64_string: |\n        {gz}").encode())
        (record, reason), = [bf.extract(i) for i in bf.cassette_interactions(doc)]
        assert reason == "ok" and record["usage"]["prompt_tokens"] == 8 and record["request"] == REQUEST

    def test_ruby_binary_tag(self, bf):
        b64 = base64.b64encode(json.dumps(RESPONSE).encode()).decode()
        doc = bf.load_cassette(ruby_cassette(f"      encoding: ASCII-8BIT\n      string: !binary |-\n        {b64}").encode())
        (record, reason), = [bf.extract(i) for i in bf.cassette_interactions(doc)]
        assert reason == "ok" and record["response"]["choices"][0]["message"]["content"] == "Hello!"

    def test_r_vcr_layout_and_gzip_cassette(self, bf):
        # R's vcr: http_interactions, status as a number, the body as text (ellmer's tests/testthat/_vcr layout)
        text = ("http_interactions:\n- request:\n    method: POST\n    uri: https://api.openai.com/v1/chat/completions\n"
                f"    body:\n      string: '{json.dumps(REQUEST)}'\n  response:\n    status: 200\n    body:\n"
                f"      string: '{json.dumps(RESPONSE)}'\n")
        doc = bf.load_cassette(gzip.compress(text.encode()))
        (record, reason), = [bf.extract(i) for i in bf.cassette_interactions(doc)]
        assert reason == "ok" and record["endpoint"] == "chat.completions" and record["usage"]["total_tokens"] == 10

    def test_other_ruby_tags_are_plain_yaml(self, bf):
        # a !ruby/object tag is read as the mapping it tags; nothing is constructed
        doc = bf.load_cassette(b"http_interactions: !ruby/object:VCR::Cassette\n  - {request: {}}\n")
        assert doc == {"http_interactions": [{"request": {}}]}

    @pytest.mark.parametrize("path, is_cassette", [
        ("spec/fixtures/vcr_cassettes/chat.yml", True), ("tests/testthat/_vcr/openai-tool.yml", True),
        ("spec/vcr/MeaningOfLife/a.yml", True), ("libs/openai/tests/cassettes/a.yaml.gz", True),
        ("tests/fixtures/recordings/test_openai.yaml", True), ("config/vcr.rb", False), (".rubocop.yml", False)])
    def test_cassette_paths(self, bf, path, is_cassette):
        assert bf.is_cassette(path) is is_cassette
