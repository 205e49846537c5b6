"""tools/build_fixtures.py reads the recording layouts of heldout7 natively: DataDog/dd-trace-java's http records,
VCR cassettes sent through a proxy host (Shopify/roast), WireMock stub mappings (OTel and Elastic Java), Rust httpmock
recordings (0xPlaygrounds/rig) and ogx's api_recorder JSON. Every recording here is written for the test in that
layout (the calls, ids and bodies are ours); each gives the call expected, and a malformed one a reason, never a
traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHAT_ID = "chatcmpl-" + "HandWrittenForTheTest" + "0" * 8  # the API's form: 29 letters and digits
RESP_ID = "resp_" + "0123456789abcdef" * 3  # 48 hex digits
REQUEST_TEXT = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hi"}]}'
REQUEST = json.loads(REQUEST_TEXT)
USAGE = {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}
RESPONSE = {"id": CHAT_ID, "object": "chat.completion", "created": 1751000000, "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}],
            "usage": USAGE}


def calls(bf, raw: str | bytes, path: str) -> list[tuple[dict | None, str]]:
    raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    return [bf.extract(i) for i in bf.cassette_interactions(bf.load_cassette(raw, path), path)]


# ---------------------------------------------------------------- dd-trace-java http records

def http_record(request_text: str, response_text: str, path: str = "chat/completions") -> str:
    return (f"method: POST\npath: {path}\n-- begin request body --\n{request_text}\n-- end request body -- \n"
            "status code: 200\n-- begin response headers --\ncontent-type: application/json\n"
            f"x-request-id: req_1\n-- end response headers --\n-- begin response body --\n{response_text}\n\ufffd\n"
            "-- end response body --\n")


class TestHttpRecords:
    PATH = "agent/src/test/resources/http-records/chat/completions/0a1b+2c3d.POST.rec"

    def test_the_call_of_a_record(self, bf):
        [(record, reason)] = calls(bf, http_record(REQUEST_TEXT, json.dumps(RESPONSE, indent=2)), self.PATH)
        assert reason == "ok" and record["endpoint"] == "chat.completions" and record["host"] == ""
        assert record["request"] == REQUEST and record["response"] == RESPONSE and record["usage"] == USAGE
        assert bf.is_cassette(self.PATH)

    def test_a_responses_stream_is_rebuilt(self, bf):
        final = {"id": RESP_ID, "object": "response", "model": "gpt-4.1-2025-04-14", "output": [],
                 "usage": {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}}
        events = (f"event: response.created\ndata: {json.dumps({'type': 'response.created'})}\n\n"
                  f"event: response.completed\ndata: {json.dumps({'type': 'response.completed', 'response': final})}\n")
        request = '{"model":"gpt-4.1","input":"Say hi","stream":true}'
        [(record, reason)] = calls(bf, http_record(request, events, "responses"), self.PATH)
        assert reason == "ok" and record["endpoint"] == "responses" and record["usage"]["input_tokens"] == 7

    def test_a_hand_written_answer_is_not_the_apis(self, bf):
        [(record, reason)] = calls(bf, http_record(REQUEST_TEXT, json.dumps({**RESPONSE, "id": "chatcmpl-123"})),
                                   self.PATH)
        assert record is None and reason == "no host recorded, response not the API's"

    def test_a_record_without_its_request_body_is_refused(self, bf):
        with pytest.raises(ValueError):
            bf.load_cassette(b"method: POST\npath: chat/completions\nstatus code: 200\n", self.PATH)


# ---------------------------------------------------------------- a proxy host (Shopify/roast)

def ruby_cassette(uri: str, response: dict) -> str:
    return f"""---
http_interactions:
- request:
    method: post
    uri: {uri}
    body:
      encoding: UTF-8
      string: '{REQUEST_TEXT}'
  response:
    status:
      code: 200
      message: OK
    body:
      encoding: ASCII-8BIT
      string: '{json.dumps(response)}'
  recorded_at: Tue, 27 Jan 2026 20:59:59 GMT
recorded_with: VCR 6.3.1
"""


class TestProxyHost:
    PATH = "test/fixtures/vcr_cassettes/chat.yml"

    def test_the_apis_answer_through_a_proxy_is_read(self, bf):
        [(record, reason)] = calls(bf, ruby_cassette("http://myproxy.test/v1/chat/completions", RESPONSE), self.PATH)
        assert reason == "ok" and record["host"] == "myproxy.test" and record["request"] == REQUEST

    def test_another_servers_answer_is_not(self, bf):
        for other in ({**RESPONSE, "id": "chatcmpl-" + "0" * 32}, {**RESPONSE, "id": "chatcmpl-123"},
                      {**RESPONSE, "model": "llama3.2:3b"}):
            [(record, reason)] = calls(bf, ruby_cassette("http://localhost:8080/v1/chat/completions", other), self.PATH)
            assert record is None and reason == "not a chat/responses POST to an OpenAI host"

    def test_an_openai_host_needs_no_such_shape(self, bf):
        [(record, reason)] = calls(bf, ruby_cassette("https://api.openai.com/v1/chat/completions",
                                                     {**RESPONSE, "id": "chatcmpl-123"}), self.PATH)
        assert reason == "ok" and record["response"]["id"] == "chatcmpl-123"


# ---------------------------------------------------------------- WireMock stub mappings

WIREMOCK_YAML = f"""---
id: 11111111-2222-3333-4444-555555555555
name: chat_completions
request:
  url: /chat/completions
  method: POST
  bodyPatterns:
  - equalToJson: |-
      {REQUEST_TEXT}
    ignoreExtraElements: false
response:
  status: 200
  body: |
    {json.dumps(RESPONSE)}
  headers:
    Content-Type: application/json
---
id: 66666666-7777-8888-9999-000000000000
name: embeddings
request:
  url: /embeddings
  method: POST
  bodyPatterns:
  - equalToJson: '{{"model":"text-embedding-3-small","input":"hi"}}'
response:
  status: 200
  body: '{{"object":"list","data":[],"usage":{{"prompt_tokens":1,"total_tokens":1}}}}'
"""


class TestWireMock:
    def test_mappings_one_a_yaml_document(self, bf):
        path = "instrumentation/openai/src/test/resources/mappings/chattest.yaml"
        results = calls(bf, WIREMOCK_YAML, path)
        assert [reason for _, reason in results] == ["ok", "not a chat/responses POST to an OpenAI host"]
        record = results[0][0]
        assert record["request"] == REQUEST and record["response"] == RESPONSE and record["host"] == ""
        assert bf.is_cassette(path)

    def test_a_json_mappings_file_parsed_bodies_and_a_stub_without_a_body_pattern(self, bf):
        doc = {"mappings": [
            {"request": {"urlPath": "/v1/chat/completions", "method": "POST",
                         "bodyPatterns": [{"equalToJson": REQUEST}]}, "response": {"status": 200, "jsonBody": RESPONSE}},
            {"request": {"url": "/models", "method": "GET"}, "response": {"status": 200, "body": "{}"}}]}
        [(record, reason)] = calls(bf, json.dumps(doc), "src/test/resources/mappings/all.json")
        assert reason == "ok" and record["request"] == REQUEST and record["usage"] == USAGE


# ---------------------------------------------------------------- Rust httpmock recordings (rig)

def httpmock_yaml(response: dict) -> str:
    return f"""when:
  path: /v1/chat/completions
  method: POST
  header:
  - name: content-type
    value: application/json
  body: '{REQUEST_TEXT}'
then:
  status: 200
  body: '{json.dumps(response)}'
---
when:
  path: /v1/chat/completions
  method: POST
  body: '{REQUEST_TEXT.replace("Say hi", "Say bye")}'
then:
  status: 500
  body: '{{"error":{{"message":"boom"}}}}'
"""


class TestHttpmock:
    def test_documents_of_the_openai_folder(self, bf):
        scrubbed = {**RESPONSE, "id": "chatcmpl-REDACTED_1", "created": 0}  # rig's scrubber writes these
        results = calls(bf, httpmock_yaml(scrubbed), "tests/cassettes/openai/chat/basic.yaml")
        assert [reason for _, reason in results] == ["ok", "error status"]
        record = results[0][0]
        assert record["host"] == "api.openai.com" and record["request"] == REQUEST and record["response"] == scrubbed

    def test_another_providers_folder_has_no_host(self, bf):
        results = calls(bf, httpmock_yaml({**RESPONSE, "id": "chatcmpl-REDACTED_1"}), "tests/cassettes/groq/basic.yaml")
        assert [reason for _, reason in results] == ["no host recorded, response not the API's", "error status"]


# ---------------------------------------------------------------- ogx api_recorder JSON

def ogx_recording(url: str, body: object, streaming: bool) -> str:
    return json.dumps({"test_id": "tests/integration/test_chat.py::test_hi",
                       "request": {"method": "POST", "url": url, "headers": {}, "body": REQUEST | ({"stream": True} if streaming else {}),
                                   "endpoint": "/v1/chat/completions", "model": "gpt-4o-mini"},
                       "response": {"body": body, "is_streaming": streaming}, "id_normalization_mapping": {}})


class TestOgx:
    PATH = "tests/integration/inference/recordings/0123abcd.json"

    def test_an_sdk_object(self, bf):
        scrubbed = {**RESPONSE, "id": "rec-0123abcd4567", "created": 0}
        raw = ogx_recording("https://api.openai.com/v1/v1/chat/completions",
                            {"__type__": "openai.types.chat.chat_completion.ChatCompletion", "__data__": scrubbed}, False)
        [(record, reason)] = calls(bf, raw, self.PATH)
        assert reason == "ok" and record["request"] == REQUEST and record["response"] == scrubbed
        assert record["host"] == "api.openai.com"

    def test_a_stream_of_chunk_objects(self, bf):
        chunk = {"id": "rec-0123abcd4567", "object": "chat.completion.chunk", "created": 0, "model": "gpt-4o-mini",
                 "choices": [{"index": 0, "delta": {"content": "Hi!"}, "finish_reason": "stop"}]}
        last = {**chunk, "choices": [], "usage": USAGE}
        body = [{"__type__": "openai.types.chat.chat_completion_chunk.ChatCompletionChunk", "__data__": c}
                for c in (chunk, last)]
        [(record, reason)] = calls(bf, ogx_recording("https://api.openai.com/v1/v1/chat/completions", body, True),
                                   self.PATH)
        assert reason == "ok" and record["usage"] == USAGE
        assert record["response"]["choices"][0]["message"]["content"] == "Hi!"

    def test_a_local_servers_call_is_not_read(self, bf):
        raw = ogx_recording("http://0.0.0.0:11434/v1/v1/chat/completions",
                            {"__type__": "ChatCompletion", "__data__": {**RESPONSE, "id": "rec-1"}}, False)
        assert [reason for _, reason in calls(bf, raw, self.PATH)] == ["not a chat/responses POST to an OpenAI host"]


# ---------------------------------------------------------------- malformed recordings, end to end

def _git(repo: Path, *args: str) -> str:
    from conftest import run_git

    return run_git(repo, *args)


MALFORMED = {  # each in its layout's place, none readable as a call
    "http-records/chat/completions/bad.POST.rec": "method: POST\npath: chat/completions\n-- begin request body --\n{",
    "http-records/responses/cut.POST.rec": "method: POST\npath: responses\n",
    "src/test/resources/mappings/bad.yaml": f"---\nrequest: {{url: /chat/completions, bodyPatterns: [1, {{equalTo: '{REQUEST_TEXT}'}}]}}\n"
                                            "response: {status: abc, base64Body: '!!not base64'}\n---\n- 1\n",
    "src/test/resources/mappings/broken.yaml": "---\nrequest: {url: /chat/completions}\n---\n[openai\n",
    "src/test/resources/mappings/odd.json": '{"mappings": [{"request": {"bodyPatterns": "completions"}, "response": 1}]}',
    "tests/cassettes/openai/bad.yaml": "when: {path: /v1/chat/completions, body: [1]}\nthen: {status: [], body: {a: 1}}\n---\nwhen: x\nthen: y\n",
    "tests/integration/recordings/bad.json": '{"request": {"url": 7, "endpoint": null, "body": "openai"},'
                                             ' "response": {"body": [1, {"__data__": null}], "is_streaming": true}}',
}


def test_malformed_recordings_give_reasons_naming_their_files_never_a_traceback(bf, tmp_path, capsys):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for path, text in {**MALFORMED, TestHttpRecords.PATH: http_record(REQUEST_TEXT, json.dumps(RESPONSE))}.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "recordings")
    out = tmp_path / "out.jsonl"
    assert bf.main(["--git-dir", str(repo), "--repo", "o/r", "--history", "--out", str(out)]) == 0
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["request"] == REQUEST
    err = capsys.readouterr().err
    for path in ("http-records/chat/completions/bad.POST.rec", "http-records/responses/cut.POST.rec",
                 "src/test/resources/mappings/broken.yaml"):
        assert f"o/r:{path}@" in err, err
    assert "o/r:src/test/resources/mappings/bad.yaml@" in err and "#0: interaction not read (Error: " in err
