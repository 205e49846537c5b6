"""Extract recorded OpenAI API calls from VCR test cassettes into fixture JSONL.

Run by hand, never by the test suite, against a local git directory of a public repository
whose tests record real API traffic as VCR cassettes (YAML). No network: the repository must
already be on disk (a bare clone is enough; files are read with ``git show``).

    python tools/build_fixtures.py --git-dir /path/to/repo.git --repo owner/name \\
        --out tests/fixtures/recorded/name.jsonl [--history] [--commit REV]

or, for the cassette versions a listing names (one ``owner/name:path@commit`` a line, from one or more
repositories; the committed sample's listing is ``tests/fixtures/recorded/ci/cassettes.txt``):

    python tools/build_fixtures.py listed LISTING --git-dir owner/name=/path/to/repo.git ... --out OUT.jsonl

and ``python tools/build_fixtures.py summary FILE.jsonl ...`` prints the coverage table of built files.

Each output line is one interaction (request, response and the usage the API billed):

    {"id", "source": "owner/name:path@commit#index", "endpoint": "chat.completions"|"responses",
     "model", "response_model", "request", "response", "usage", "features": [...]}

Kept: POSTs to ``/v1/chat/completions`` or ``/v1/responses`` of an OpenAI host (``api.openai.com``, Azure's), for
OpenAI models; a call sent to another host (a proxy: Shopify/roast's ``mytestingproxy.local``) or recorded without a
host (a path relative to the client's base URL) only when its response is the API's by its shape (an id as the API
writes them and an OpenAI model: :func:`api_answer`). Skipped: interactions whose usage is missing, whose request body
is not JSON, whose response is an error (HTTP status >= 400 or an ``error`` object), and streamed calls whose final
usage chunk is missing. Streamed calls with a usage chunk are rebuilt into one final response.
Duplicates (same request and usage) are written once, the first seen kept.

Cassette layouts read: vcrpy's ``interactions`` with ``body: {string: ...}`` (text, or bytes that may be
gzip-compressed), a plain ``content: "..."`` text body, pydantic-ai's ``parsed_body`` and
``body: {type: json, content: ...}`` (the JSON body already parsed into YAML); Ruby VCR's and R vcr's
``http_interactions`` with ``body: {encoding, string}``, ``body: {base64_string: ...}`` and Ruby's ``!binary``
strings (base64; other ``!ruby/...`` tags are read as plain YAML), whose status is ``{code: 200}``; vcrpy's
``!!python/...`` tags (header names) read as the plain value they wrap; go-vcr's and DataDog's ``url`` for ``uri``;
DataDog's test-agent JSON cassettes (``*.json``: one ``{"request", "response"}`` interaction, bodies as strings);
cassettes stored gzip-compressed (``*.yaml.gz``); LangChain's notebook cassettes (``*.msgpack``, ``*.msgpack.zlib``:
base64 text of msgpack, zlib-compressed or not; needs the ``msgpack`` package); Polly.js HAR recordings
(``recording.har``: ``log.entries``, response text plain or base64, the latter as a JSON list of chunks); nock
recordings (a JSON list of ``{scope, method, path, body, status, response}``, a gzip'd response as a list of hex
chunks); Go httprr traces (``*.httprr``: ``httprr trace v1``, then per interaction ``<request bytes> <response
bytes>`` and the two raw HTTP messages); vcrpy's bodies kept as ``!!python/object/new:_io.BytesIO {state:
!!python/tuple [!!binary ..., 0, null]}`` (the bytes, read from the tag's structure: nothing is constructed); the
.NET test proxy's session records (``{"Entries": [{RequestUri, RequestMethod, RequestBody, StatusCode,
ResponseBody}]}``, bodies parsed JSON, a stream as its list of SSE lines: openai/openai-dotnet); ExVCR's JSON lists
(Elixir: ``[{request: {url, method, body}, response: {status_code, body}}]``); req_llm's fixtures (Elixir,
``fixtures/openai/<model>/*.json``: ``{request: {url, method, body: {b64}}, response: {status, body}, chunks}``, the
request as its recorded bytes, a stream as its chunks joined); ``{params, result}`` recordings of SDK calls (oaknational/
oak-ai-lesson-assistant: no URL, the endpoint read from ``result.object``); DataDog/dd-trace-java's http records
(``http-records/**/*.POST.rec``: ``method:`` and ``path:`` lines, bodies between ``-- begin/end ... --`` lines, no
host); WireMock stub mappings recorded from the API (``mappings/*.yaml``, one mapping a YAML document, or ``*.json``
with ``mappings``: the ``bodyPatterns`` request body, the ``body``/``jsonBody`` response, no host); Rust httpmock
recordings (0xPlaygrounds/rig: ``when:``/``then:`` YAML documents, the host named by the provider folder,
``tests/cassettes/openai/``); ogx's api_recorder JSON (``{request: {url, endpoint, body}, response: {body,
is_streaming}}``, SDK objects' ``__data__``, a stream as its chunk objects). Values are written as recorded, scrubbed
ids and ``created: 0`` (ogx, rig) included: the builder writes no timestamp of its own. Cassette files are those
whose path names a cassette, a VCR folder (``vcr_cassettes/``, ``_vcr/``, ``spec/vcr/``), recordings, nock or mock
responses, ``fixtures/openai/`` (or ``fixtures/azure*/``), Go's ``testdata/`` (go-vcr), httprr traces, .NET
``SessionRecords/``, ``http-records/`` and ``mappings/``; and any other ``*.yaml``/``*.yml`` file
whose top level has ``interactions:`` or ``http_interactions:`` (a repository of cassettes kept in test-named
folders: Significant-Gravitas/Auto-GPT-test-cassettes), read to see whether it does.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import re
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

ENDPOINTS: dict[str, str] = {
    "/v1/chat/completions": "chat.completions",  # Chat Completions API
    "/v1/responses": "responses",  # Responses API (not /responses/{id}, /compact, /input_tokens)
}
OPENAI_HOSTS = re.compile(r"^(api\.openai\.com|[\w.-]+\.openai\.azure\.com)$")  # billed by OpenAI's tokenizers
OPENAI_MODEL = re.compile(r"^(ft:)?(gpt-|o\d|chatgpt-|computer-use-|codex-)", re.IGNORECASE)  # OpenAI's own models
MAX_LINE_BYTES = 2_000_000  # a larger line is kept only if it adds a new family x feature pair
CASSETTE_PATH = re.compile(r"cassette|(^|/)_?vcr|recording|nock|mock-responses|(^|/)testdata/|\.httprr$|(^|/)SessionRecords/"
                           r"|(^|/)fixtures/(openai|azure[^/]*)/"  # req_llm's per-provider fixture folders
                           r"|(^|/)http-records/|(^|/)mappings/",  # dd-trace-java's http records, WireMock's stub mappings
                           re.IGNORECASE)
CONTENT_SUFFIXES = (".yaml", ".yml")  # other paths read to see whether they are cassettes (is_cassette_text)
CASSETTE_TOP_LEVEL = re.compile(rb"^(http_)?interactions:", re.MULTILINE)  # vcrpy's and Ruby/R VCR's top-level key
CASSETTE_SUFFIXES = (".yaml", ".yml", ".yaml.gz", ".yml.gz", ".json",  # .json: one interaction, or nock's list
                     ".msgpack", ".msgpack.zlib", ".har", ".httprr", ".rec")  # LangChain notebooks, Polly.js, Go httprr,
#                                                                               dd-trace-java's http records
MAY_HOLD_CALLS = re.compile(rb"openai|completions|responses")  # a file without any is not read (a host, or a path
#                                         relative to the client's base URL: http records and WireMock mappings)
API_RESPONSE_ID = {"chat.completions": re.compile(r"chatcmpl-[A-Za-z0-9]{29}"),  # the API's own ids, as it writes them
                   "responses": re.compile(r"resp_[0-9a-f]{40,}")}  # (other servers: chatcmpl-<uuid>, -<32 hex>, ...)
OTHER_HOST = "not a chat/responses POST to an OpenAI host"


class CassetteLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader plus the tags Ruby's VCR writes: ``!binary`` (base64 bytes) and ``!ruby/...`` (read as
    the plain mapping, sequence or string they tag). Nothing else is constructed."""


def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> bytes:
    return base64.b64decode("".join(str(loader.construct_scalar(node)).split()))  # type: ignore[arg-type]


def _plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _python(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    """vcrpy's ``!!python/object/apply:...`` tags (e.g. multidict header names): the plain value they wrap, a
    one-item argument list as its item (a header name stays a string key). Nothing is imported or called."""
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node, deep=True)
        return items[0] if len(items) == 1 and isinstance(items[0], (str, bytes)) else tuple(map(str, items))
    return _plain(loader, suffix, node)


def _bytes_io(loader: yaml.SafeLoader, node: yaml.Node) -> bytes | str | None:
    """vcrpy's body kept as ``!!python/object/new:_io.BytesIO {state: !!python/tuple [!!binary ..., 0, null]}``
    (eidolon-ai/eidolon): the first item of ``state``, the bytes, read from the node's structure (the class is never
    constructed); None for another shape.

    >>> load_cassette(b"body: !!python/object/new:_io.BytesIO\\n  state: !!python/tuple\\n  - !!binary aGk=\\n  - 0\\n")
    {'body': b'hi'}
    """
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "state" and isinstance(value, yaml.SequenceNode):
                first = loader.construct_object(value.value[0], deep=True) if value.value else None
                return first if isinstance(first, (bytes, str)) else None
    return None


CassetteLoader.add_constructor("!binary", _binary)
CassetteLoader.add_constructor("tag:yaml.org,2002:python/object/new:_io.BytesIO", _bytes_io)
CassetteLoader.add_multi_constructor("!ruby/", _plain)
CassetteLoader.add_multi_constructor("tag:yaml.org,2002:python/", _python)


def load_cassette(raw: bytes, path: str = "") -> object:
    """A cassette file's content: gzip-compressed or not, YAML (vcrpy, Ruby VCR, R vcr) read safely; JSON read as
    JSON (DataDog's one-interaction objects, HAR, nock's lists); a Go httprr trace as ``{"interactions": [...]}``;
    a ``*.msgpack[.zlib]`` path as LangChain's base64 msgpack.

    >>> load_cassette(b"http_interactions:\\n- request: {body: {string: !binary aGk=}}")
    {'http_interactions': [{'request': {'body': {'string': b'hi'}}}]}
    """
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if path.endswith((".msgpack", ".msgpack.zlib")):
        return _msgpack_cassette(raw, zlib_compressed=path.endswith(".zlib"))
    if raw.startswith(HTTPRR_MAGIC):
        return {"interactions": httprr_interactions(raw)}
    if path.endswith(".rec"):
        interaction = http_record_interaction(raw.decode("utf-8", "replace"))
        if interaction is None:
            raise ValueError("not an http record (method:, path:, request body)")
        return {"interactions": [interaction]}
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return yaml_documents(raw)


def yaml_documents(raw: bytes) -> object:
    """A YAML file's one document, or the list of its documents when it has several (WireMock mappings and httpmock
    recordings are written one a document, each after ``---``).

    >>> yaml_documents(b"a: 1"), yaml_documents(b"---\\na: 1\\n---\\nb: 2\\n")
    ({'a': 1}, [{'a': 1}, {'b': 2}])
    """
    try:
        return yaml.load(raw, Loader=CassetteLoader)
    except yaml.composer.ComposerError as error:
        if "expected a single document" not in str(error):
            raise
    return list(yaml.load_all(raw, Loader=CassetteLoader))


def _msgpack_cassette(raw: bytes, *, zlib_compressed: bool) -> object:
    """LangChain's notebook cassettes: base64 text of a msgpack'd vcrpy cassette, zlib-compressed or not."""
    import msgpack  # only these cassettes need it; imported here so the other layouts do not

    data = base64.b64decode(b"".join(raw.split()))
    return msgpack.unpackb(zlib.decompress(data) if zlib_compressed else data, raw=False, strict_map_key=False)


HTTPRR_MAGIC = b"httprr trace v1\n"


def _http_message(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    """(start line, headers with lower-case names, body) of a raw HTTP/1 message; a chunked body is joined."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        joined, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            joined, rest = joined + rest[:size], rest[size + 2:]
        body = joined
    return lines[0], headers, body


def httprr_interactions(raw: bytes) -> list[dict]:
    """The interactions of a Go httprr trace (rsc.io/httprr, used by tmc/langchaingo): after the magic line, each
    interaction is a line ``<request length> <response length>`` then the raw request and the raw response.

    >>> req = b"POST https://api.openai.com/v1/responses HTTP/1.1\\r\\nHost: api.openai.com\\r\\n\\r\\n{}"
    >>> resp = b"HTTP/2.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n{}"
    >>> trace = HTTPRR_MAGIC + b"%d %d\\n" % (len(req), len(resp)) + req + resp
    >>> [(i["request"]["uri"], i["response"]["status"]) for i in httprr_interactions(trace)]
    [('https://api.openai.com/v1/responses', {'code': 200})]
    """
    out, pos = [], len(HTTPRR_MAGIC)
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        sizes = raw[pos:end].split() if end > 0 else []
        if len(sizes) != 2 or not all(s.isdigit() for s in sizes):
            break  # a damaged trace: keep what was read
        req_len, resp_len = int(sizes[0]), int(sizes[1])
        req_raw = raw[end + 1:end + 1 + req_len]
        resp_raw = raw[end + 1 + req_len:end + 1 + req_len + resp_len]
        pos = end + 1 + req_len + resp_len
        start, _, req_body = _http_message(req_raw)
        status_line, _, resp_body = _http_message(resp_raw)
        method, _, rest = start.partition(" ")
        code = (status_line.split(" ") + ["0", "0"])[1]
        out.append({"request": {"method": method, "uri": rest.rsplit(" ", 1)[0], "body": {"string": req_body}},
                    "response": {"status": {"code": int(code) if code.isdigit() else 0},
                                 "body": {"string": resp_body}}})
    return out


def _har_content(content: dict) -> bytes | str | None:
    """A HAR response's body: plain text, or base64 (Polly.js writes a gzip'd body as a JSON list of base64
    chunks)."""
    text = content.get("text")
    if not isinstance(text, str) or content.get("encoding") != "base64":
        return text if isinstance(text, str) else None
    try:
        chunks = json.loads(text)
    except ValueError:
        chunks = [text]
    return b"".join(base64.b64decode(c) for c in (chunks if isinstance(chunks, list) else [text]) if isinstance(c, str))


def har_interactions(doc: dict) -> list[dict]:
    """The interactions of a HAR file (``log.entries``: Polly.js recordings)."""
    out = []
    for entry in (doc.get("log") or {}).get("entries") or []:
        if not isinstance(entry, dict):
            continue
        req, resp = entry.get("request") or {}, entry.get("response") or {}
        out.append({"request": {"method": req.get("method"), "uri": req.get("url"),
                                "body": {"string": (req.get("postData") or {}).get("text")}},
                    "response": {"status": {"code": resp.get("status")},
                                 "body": {"string": _har_content(resp.get("content") or {})}}})
    return out


def nock_interactions(doc: list) -> list[dict]:
    """The interactions of a nock recording (a list of ``{scope, method, path, body, status, response}``); a gzip'd
    response is a list of hex chunks, a JSON one the parsed body, a streamed one its text."""
    out = []
    for item in doc:
        if not isinstance(item, dict) or "scope" not in item:
            continue
        body, response = item.get("body"), item.get("response")
        uri = re.sub(r":443$", "", str(item.get("scope", ""))) + str(item.get("path", ""))
        request: dict = {"method": item.get("method"), "uri": uri}
        request.update({"parsed_body": body} if isinstance(body, (dict, list)) else {"body": {"string": body}})
        if isinstance(response, list) and response and all(isinstance(c, str) for c in response):
            try:
                response = bytes.fromhex("".join(response))
            except ValueError:
                response = "".join(response)
        answer = {"parsed_body": response} if isinstance(response, (dict, list)) else {"body": {"string": response}}
        out.append({"request": request, "response": {"status": {"code": item.get("status", 200)}, **answer}})
    return out


def _sse_body(lines: list) -> str:
    """A streamed body kept as its list of SSE lines (each ``data: ...`` with or without its blank line) as text."""
    return "".join(line if line.endswith("\n") else line + "\n\n" for line in lines)


def _json_or_text(body: object) -> dict:
    """A request or response part for a body stored parsed (an object), as text, or as a stream's SSE lines."""
    if isinstance(body, list) and body and all(isinstance(line, str) for line in body):
        return {"body": {"string": _sse_body(body)}}
    return {"parsed_body": body} if isinstance(body, (dict, list)) else {"body": {"string": body}}


def session_record_interactions(doc: dict) -> list[dict]:
    """The interactions of a .NET test-proxy session record (``Entries``: openai/openai-dotnet's
    ``tests/SessionRecords``), request and response bodies parsed JSON, text, or a stream's list of SSE lines."""
    out = []
    for entry in doc.get("Entries") or []:
        if not isinstance(entry, dict):
            continue
        out.append({"request": {"method": entry.get("RequestMethod"), "uri": entry.get("RequestUri"),
                                **_json_or_text(entry.get("RequestBody"))},
                    "response": {"status": {"code": entry.get("StatusCode")}, **_json_or_text(entry.get("ResponseBody"))}})
    return out


def exvcr_interactions(doc: list) -> list[dict]:
    """The interactions of an ExVCR cassette (Elixir: a JSON list of ``{request: {url, method, body}, response:
    {status_code, body}}``, bodies as text; the url may end in ``?``, which the endpoint match ignores)."""
    out = []
    for item in doc:
        req, resp = item.get("request"), item.get("response")
        if not isinstance(req, dict) or not isinstance(resp, dict):
            continue
        out.append({"request": {"method": req.get("method"), "uri": req.get("url"), **_json_or_text(req.get("body"))},
                    "response": {"status": {"code": resp.get("status_code")}, **_json_or_text(resp.get("body"))}})
    return out


def req_llm_interaction(doc: dict) -> dict:
    """The interaction of a req_llm fixture (agentjido/req_llm, Elixir: ``{request: {url, method, body: {b64},
    canonical_json}, response: {status, body}, chunks: [{b64, decoded}]}``): the request as its recorded bytes
    (``body.b64``; ``canonical_json`` without them), the response body (parsed), or a stream's chunks joined.

    >>> i = req_llm_interaction({"request": {"url": "u", "method": "post", "body": {"b64": "e30="}},
    ...                          "response": {"status": 200, "body": None}, "chunks": [{"decoded": "data: 1"}]})
    >>> i["request"]["body"], i["response"]["body"]
    ({'string': b'{}'}, {'string': 'data: 1'})
    """
    req, resp = doc["request"], doc["response"]
    body = req.get("body")
    raw = (base64.b64decode(body["b64"]) if isinstance(body, dict) and body.get("b64") is not None
           else json.dumps(req.get("canonical_json")) if req.get("canonical_json") is not None else body)
    answer = resp.get("body")
    if answer is None and isinstance(doc.get("chunks"), list):
        answer = "".join(str(c.get("decoded") or base64.b64decode(c.get("b64") or "").decode("utf-8", "replace"))
                         for c in doc["chunks"] if isinstance(c, dict))
    return {"request": {"method": req.get("method"), "uri": req.get("url"), "body": {"string": raw}},
            "response": {"status": {"code": resp.get("status", 200)}, **_json_or_text(answer)}}


PARAMS_RESULT_ENDPOINTS: dict[str, str] = {  # a {params, result} recording's result.object -> the URL it was sent to
    "response": "https://api.openai.com/v1/responses",
    "chat.completion": "https://api.openai.com/v1/chat/completions",
}


def params_result_interactions(doc: dict) -> list[dict]:
    """The interaction of a ``{params, result}`` recording (an SDK call's parameters and the API's answer, no URL:
    oaknational/oak-ai-lesson-assistant's e2e recordings): POSTed to OpenAI's endpoint for ``result.object``
    (:data:`PARAMS_RESULT_ENDPOINTS`); none for another object (a moderation, an embedding).

    >>> [i["request"]["uri"] for i in params_result_interactions({"params": {}, "result": {"object": "response"}})]
    ['https://api.openai.com/v1/responses']
    >>> params_result_interactions({"params": {}, "result": {"results": []}})
    []
    """
    url = PARAMS_RESULT_ENDPOINTS.get(str(doc["result"].get("object")))
    if url is None:
        return []
    return [{"request": {"method": "POST", "uri": url, "parsed_body": doc["params"]},
             "response": {"status": {"code": 200}, "parsed_body": doc["result"]}}]


def _is_params_result(doc: object) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("params"), dict) and isinstance(doc.get("result"), dict)


def _api_path(path: object) -> str:
    """A path recorded relative to the client's base URL (``chat/completions``, ``/responses``) as the API's
    (``/v1/chat/completions``); one that names ``/v1/`` already is kept.

    >>> _api_path("chat/completions"), _api_path("/v1/responses")
    ('/v1/chat/completions', '/v1/responses')
    """
    path = "/" + str(path or "").lstrip("/")
    return path if path.startswith("/v1/") else "/v1" + path


HTTP_RECORD_PART = r"^-- begin {0} --\n(.*?)\n?^-- end {0} --[ \t]*$"


def http_record_interaction(text: str) -> dict | None:
    """The interaction of one DataDog/dd-trace-java http record (``http-records/<endpoint>/<hash>.POST.rec``):
    ``method:`` and ``path:`` lines (the path relative to the client's base URL, no host), the request body between
    ``-- begin request body --`` / ``-- end request body --`` lines, ``status code:``, then the response headers and
    body between their own begin/end lines (the recorder may leave a U+FFFD just before the body's end line, dropped).
    None when the method, path or request body is missing.

    >>> rec = "method: POST\\npath: responses\\n-- begin request body --\\n{}\\n-- end request body -- \\n" \\
    ...       "status code: 200\\n-- begin response body --\\n{\\"id\\": 1}\\n\\ufffd\\n-- end response body --\\n"
    >>> i = http_record_interaction(rec)
    >>> i["request"], i["response"]
    ({'method': 'POST', 'uri': '/v1/responses', 'body': {'string': '{}'}}, {'status': {'code': 200}, 'body': {'string': '{"id": 1}'}})
    """
    method = re.search(r"^method: *(\S+)", text, re.MULTILINE)
    path = re.search(r"^path: *(\S+)", text, re.MULTILINE)
    request = re.search(HTTP_RECORD_PART.format("request body"), text, re.MULTILINE | re.DOTALL)
    if not (method and path and request):
        return None
    status = re.search(r"^status code: *(\d+)", text, re.MULTILINE)
    response = re.search(HTTP_RECORD_PART.format("response body"), text, re.MULTILINE | re.DOTALL)
    answer = re.sub(r"\n?\ufffd$", "", response.group(1)) if response else None
    return {"request": {"method": method.group(1), "uri": _api_path(path.group(1)), "body": {"string": request.group(1)}},
            "response": {"status": {"code": int(status.group(1)) if status else 200}, "body": {"string": answer}}}


def _is_wiremock_mapping(item: object) -> bool:
    """Whether a parsed object is one WireMock stub mapping with a request body to match (``request.bodyPatterns``)."""
    return (isinstance(item, dict) and isinstance(item.get("request"), dict) and isinstance(item.get("response"), dict)
            and isinstance(item["request"].get("bodyPatterns"), list))


def wiremock_interactions(mappings: list) -> list[dict]:
    """The interactions of WireMock stub mappings recorded from the API (open-telemetry/opentelemetry-java-instrumentation,
    elastic/elastic-otel-java: ``mappings/*.yaml``, one mapping a YAML document, or ``{"mappings": [...]}``): the
    request body is the first ``equalToJson`` (text, or parsed JSON) or ``equalTo`` pattern, the url relative to the
    client's base URL (no host), the response ``body`` (text), ``jsonBody`` (parsed) or ``base64Body``. Mappings
    without a body pattern are left out.

    >>> m = {"request": {"url": "/chat/completions", "method": "POST", "bodyPatterns": [{"equalToJson": "{}"}]},
    ...      "response": {"status": 200, "jsonBody": {"id": 1}}}
    >>> wiremock_interactions([m])
    [{'request': {'method': 'POST', 'uri': '/v1/chat/completions', 'body': {'string': '{}'}}, 'response': {'status': {'code': 200}, 'parsed_body': {'id': 1}}}]
    """
    out = []
    for mapping in mappings:
        if not _is_wiremock_mapping(mapping):
            continue
        req, resp = mapping["request"], mapping["response"]
        patterns = [p for p in req["bodyPatterns"] if isinstance(p, dict)]
        body = next((p[k] for k in ("equalToJson", "equalTo") for p in patterns if k in p), None)
        url = next((req[k] for k in ("url", "urlPath", "urlPattern", "urlPathPattern") if isinstance(req.get(k), str)), "")
        if resp.get("jsonBody") is not None:
            answer: dict = {"parsed_body": resp["jsonBody"]}
        elif isinstance(resp.get("base64Body"), str):
            answer = {"body": {"base64_string": resp["base64Body"]}}
        else:
            answer = {"body": {"string": resp.get("body")}}
        out.append({"request": {"method": req.get("method", "POST"), "uri": _api_path(url), **_json_or_text(body)},
                    "response": {"status": {"code": resp.get("status", 200)}, **answer}})
    return out


HTTPMOCK_PROVIDER_HOSTS = {"openai": "api.openai.com"}  # a provider folder of rig's tests/cassettes -> its API host


def _is_httpmock_document(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("when"), dict) and isinstance(item.get("then"), dict)


def httpmock_interactions(documents: list, path: str) -> list[dict]:
    """The interactions of a Rust httpmock recording (0xPlaygrounds/rig ``tests/cassettes/<provider>/**.yaml``): YAML
    documents ``when: {path, method, body}`` / ``then: {status, body}``, bodies as text. No host is recorded: the
    provider folder the file is in names it (:data:`HTTPMOCK_PROVIDER_HOSTS`), else the call has none.

    >>> doc = {"when": {"path": "/v1/responses", "method": "POST", "body": "{}"}, "then": {"status": 200, "body": "{}"}}
    >>> [i["request"]["uri"] for i in httpmock_interactions([doc], "tests/cassettes/openai/a.yaml")]
    ['https://api.openai.com/v1/responses']
    >>> [i["request"]["uri"] for i in httpmock_interactions([doc], "tests/cassettes/groq/a.yaml")]
    ['/v1/responses']
    """
    host = next((HTTPMOCK_PROVIDER_HOSTS[p] for p in path.lower().split("/")[:-1] if p in HTTPMOCK_PROVIDER_HOSTS), "")
    out = []
    for doc in documents:
        if not _is_httpmock_document(doc):
            continue
        when, then = doc["when"], doc["then"]
        uri = ("https://" + host if host else "") + "/" + str(when.get("path") or "").lstrip("/")
        out.append({"request": {"method": when.get("method", "POST"), "uri": uri, **_json_or_text(when.get("body"))},
                    "response": {"status": {"code": then.get("status", 200)}, **_json_or_text(then.get("body"))}})
    return out


def _is_ogx_recording(doc: object) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("request"), dict) and isinstance(doc.get("response"), dict)
            and "endpoint" in doc["request"] and "is_streaming" in doc["response"])


def _sdk_data(value: object) -> object:
    """An SDK object as ogx's recorder stores it (``{"__type__", "__data__"}``): its data; anything else as it is."""
    return value.get("__data__") if isinstance(value, dict) and "__data__" in value else value


def ogx_interaction(doc: dict) -> dict:
    """The interaction of an ogx-ai/ogx (llama-stack) api_recorder recording (``tests/integration/**/recordings/*.json``:
    ``{request: {method, url, endpoint, body}, response: {body, is_streaming}}``): the host from ``url``, the path from
    ``endpoint`` (the url repeats ``/v1``), the request body parsed; the response an SDK object's data, or a stream's
    chunk objects as SSE text.

    >>> doc = {"request": {"method": "POST", "url": "https://api.openai.com/v1/v1/chat/completions",
    ...                    "endpoint": "/v1/chat/completions", "body": {}},
    ...        "response": {"body": [{"__type__": "Chunk", "__data__": {"id": 1}}], "is_streaming": True}}
    >>> i = ogx_interaction(doc)
    >>> i["request"]["uri"], i["response"]["body"]["string"]
    ('https://api.openai.com/v1/chat/completions', 'data: {"id": 1}\\n\\ndata: [DONE]\\n\\n')
    """
    req, resp = doc["request"], doc["response"]
    base = re.match(r"^[a-z]+://[^/]+", str(req.get("url") or ""))
    body = resp.get("body")
    if isinstance(body, list):
        answer = {"body": {"string": _sse_body([f"data: {json.dumps(_sdk_data(c))}" for c in body] + ["data: [DONE]"])}}
    else:
        answer = _json_or_text(_sdk_data(body))
    return {"request": {"method": req.get("method", "POST"), "uri": (base.group(0) if base else "") + str(req.get("endpoint") or ""),
                        **_json_or_text(req.get("body"))},
            "response": {"status": {"code": resp.get("status", 200)}, **answer}}


def is_cassette(path: str) -> bool:
    """Whether a repository path is a cassette file.

    >>> [is_cassette(p) for p in ("spec/fixtures/vcr_cassettes/a.yml", "tests/testthat/_vcr/b.yml",
    ...                           "tests/cassettes/c.yaml.gz", "config/vcr.rb", ".github/workflows/ci.yml",
    ...                           "test/support/fixtures/openai/gpt_4o/basic.json", "test/support/fixtures/anthropic/a.json")]
    [True, True, True, False, False, True, False]
    """
    return bool(CASSETTE_PATH.search(path)) and path.lower().endswith(CASSETTE_SUFFIXES)


def may_be_cassette(path: str) -> bool:
    """Whether a path that :func:`is_cassette` does not name is read to see whether it is one
    (:func:`is_cassette_text`): YAML files outside ``.github/``.

    >>> [may_be_cassette(p) for p in ("test_write_file/test_write_file.yaml", ".github/workflows/ci.yml", "a.py")]
    [True, False, False]
    """
    return path.lower().endswith(CONTENT_SUFFIXES) and "/.github/" not in "/" + path and not is_cassette(path)


def is_cassette_text(raw: bytes) -> bool:
    """Whether a YAML file's top level has vcrpy's ``interactions:`` or Ruby/R VCR's ``http_interactions:`` (a
    cassette outside a cassette-named folder; other YAML, e.g. a workflow or a config, has neither at its top level).

    >>> is_cassette_text(b"interactions:\\n- request: {}\\nversion: 1\\n"), is_cassette_text(b"steps:\\n  interactions: 1\\n")
    (True, False)
    """
    return bool(CASSETTE_TOP_LEVEL.search(raw))


@dataclass(frozen=True)
class CassetteFile:
    path: str
    commit: str
    blob: str
    by_content: bool = False  # a path read to see whether it is a cassette (may_be_cassette)


# ---------------------------------------------------------------- reading the repository

def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(git_dir), *args], check=True, capture_output=True).stdout


def cassettes_at(git_dir: Path, rev: str) -> list[CassetteFile]:
    """Cassette files in one commit's tree."""
    commit = _git(git_dir, "rev-parse", rev).decode().strip()
    out = _git(git_dir, "ls-tree", "-r", commit).decode()
    files = []
    for line in out.splitlines():
        meta, path = line.split("\t", 1)
        _, kind, blob = meta.split()
        if kind == "blob" and (is_cassette(path) or may_be_cassette(path)):
            files.append(CassetteFile(path, commit, blob, not is_cassette(path)))
    return files


def cassettes_in_history(git_dir: Path, rev: str) -> list[CassetteFile]:
    """Every version of every cassette file reachable from ``rev``, newest first.

    Each blob is attributed to the newest commit that wrote it (``git log --raw``),
    so re-recorded cassettes contribute their older recordings too.
    """
    out = _git(git_dir, "log", rev, "--raw", "--no-renames", "--no-abbrev", "--format=C %H").decode()
    files: dict[str, CassetteFile] = {}
    commit = ""
    for line in out.splitlines():
        if line.startswith("C "):
            commit = line[2:]
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            parts = meta.split()
            blob, status = parts[3], parts[4]
            if status.startswith("D") or not (is_cassette(path) or may_be_cassette(path)):
                continue
            if blob not in files:
                files[blob] = CassetteFile(path, commit, blob, not is_cassette(path))
    return list(files.values())


# ---------------------------------------------------------------- decoding bodies

def _body_bytes(body: object) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, dict):
        if body.get("base64_string") is not None:  # Ruby VCR: binary bodies (often gzip) as base64
            body = base64.b64decode("".join(str(body["base64_string"]).split()))
        else:
            body = body.get("string")
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        data = bytes(body)
        if data[:2] == b"\x1f\x8b":
            try:
                return gzip.decompress(data)
            except OSError:
                return data
        try:
            return zlib.decompress(data)
        except zlib.error:
            return _brotli_or_as_is(data)
    return None


def _brotli_or_as_is(data: bytes) -> bytes:
    """A body stored Brotli-compressed (``Content-Encoding: br``, as vcrpy keeps it: ``!!binary``) decoded when the
    ``brotli`` package is installed (``pip install brotli``; withmartian/llm-adapters' cassettes hold 2,418 such
    bodies); anything else, or without the package, as it is (then reported as "response body not JSON")."""
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        import brotli  # optional: only some cassettes need it
    except ImportError:
        return data
    try:
        return brotli.decompress(data)
    except Exception:  # noqa: BLE001 - brotli.error, or not Brotli at all
        return data


def decode_json_body(part: dict) -> object | None:
    """The JSON body of a cassette request or response, or None if it is not JSON."""
    if "parsed_body" in part:
        return part["parsed_body"]
    body = part.get("body")
    if isinstance(body, dict) and body.get("type") == "json" and "content" in body:
        return body["content"]  # newer pydantic-ai layout: body: {type: json, content: <parsed JSON>}
    raw = _body_bytes(part.get("body") if part.get("body") is not None else part.get("content"))
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def decode_text_body(part: dict) -> str | None:
    if isinstance(part.get("parsed_body"), str):
        return part["parsed_body"]
    raw = _body_bytes(part.get("body") if part.get("body") is not None else part.get("content"))
    return raw.decode("utf-8", "replace") if raw else None


def _sse_events(text: str) -> Iterator[dict]:
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            yield json.loads(payload)
        except ValueError:
            continue


def rebuild_chat_stream(text: str) -> dict | None:
    """One chat.completion object from streamed chunks, or None without a usage chunk."""
    usage = None
    head: dict = {}
    choices: dict[int, dict] = {}
    for chunk in _sse_events(text):
        if chunk.get("usage"):
            usage = chunk["usage"]
        for key in ("id", "created", "model", "system_fingerprint", "service_tier"):
            if chunk.get(key) is not None:
                head[key] = chunk[key]
        for ch in chunk.get("choices") or []:
            acc = choices.setdefault(ch.get("index", 0), {"role": "assistant", "content": None, "tool_calls": {}})
            delta = ch.get("delta") or {}
            if delta.get("content"):
                acc["content"] = (acc["content"] or "") + delta["content"]
            for tc in delta.get("tool_calls") or []:
                slot = acc["tool_calls"].setdefault(tc.get("index", 0), {"id": None, "type": "function", "function": {"name": "", "arguments": ""}})
                if tc.get("id"):
                    slot["id"] = tc["id"]
                fn = tc.get("function") or {}
                slot["function"]["name"] += fn.get("name") or ""
                slot["function"]["arguments"] += fn.get("arguments") or ""
            if ch.get("finish_reason"):
                acc["finish_reason"] = ch["finish_reason"]
    if usage is None:
        return None
    out_choices = []
    for index in sorted(choices):
        acc = choices[index]
        message = {"role": "assistant", "content": acc["content"]}
        if acc["tool_calls"]:
            message["tool_calls"] = [acc["tool_calls"][i] for i in sorted(acc["tool_calls"])]
        out_choices.append({"index": index, "message": message, "finish_reason": acc.get("finish_reason")})
    return {**head, "object": "chat.completion", "choices": out_choices, "usage": usage, "_rebuilt_from_stream": True}


def rebuild_responses_stream(text: str) -> dict | None:
    """The final response object of a streamed Responses API call (``response.completed``)."""
    final = None
    for event in _sse_events(text):
        if event.get("type") in ("response.completed", "response.incomplete") and isinstance(event.get("response"), dict):
            final = dict(event["response"])
    if final is None or not final.get("usage"):
        return None
    final["_rebuilt_from_stream"] = True
    return final


# ---------------------------------------------------------------- features

def _content_parts(content: object) -> list[dict]:
    return [p for p in content if isinstance(p, dict)] if isinstance(content, list) else []


def _image_feature(url: object) -> str:
    return "image_base64" if isinstance(url, str) and url.startswith("data:") else "image_url"


def chat_features(request: dict, response: dict, usage: dict) -> set[str]:
    """What a Chat Completions request (and its completion) holds."""
    found: set[str] = set()
    for message in request.get("messages") or []:
        role = message.get("role")
        content = message.get("content")
        if role in ("system", "developer"):
            found.add("system")
        if "name" in message and role not in ("function",):
            found.add("name")
        if role == "assistant" and (message.get("tool_calls") or message.get("function_call")):
            found.add("tool_calls_history")
        if role in ("tool", "function"):
            found.add("tool_results")
        if isinstance(content, str) and content:
            found.add("text")
        for part in _content_parts(content):
            kind = part.get("type")
            if kind == "text":
                found.add("text")
            elif kind == "image_url":
                image = part.get("image_url")  # {"url": ...}, or the URL itself as some clients send it
                found.add(_image_feature(image.get("url") if isinstance(image, dict) else image))
            elif kind == "file":
                found.add("file_pdf")
            elif kind == "input_audio":
                found.add("input_audio")
    if request.get("tools"):
        found.add("tools")
    if request.get("functions"):
        found.add("functions_legacy")
    fmt = (request.get("response_format") or {}).get("type")
    if fmt in ("json_schema", "json_object"):
        found.add(f"response_format_{fmt}")
    if request.get("stream"):
        found.add("streaming")
    for choice in response.get("choices") or []:
        message = choice.get("message") or {}
        if message.get("tool_calls") or message.get("function_call"):
            found.add("completion_tool_calls")
    if ((usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0) > 0:
        found.add("reasoning")
    return found


def responses_features(request: dict, response: dict, usage: dict) -> set[str]:
    """What a Responses API request (and its output) holds."""
    found: set[str] = set()
    if request.get("instructions"):
        found.add("system")
    items = request.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    for item in items or []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type", "message")
        if kind == "message":
            if item.get("role") in ("system", "developer"):
                found.add("system")
            content = item.get("content")
            if isinstance(content, str) and content:
                found.add("text")
            for part in _content_parts(content):
                ptype = part.get("type")
                if ptype in ("input_text", "output_text", "text"):
                    found.add("text")
                elif ptype == "input_image":
                    found.add(_image_feature(part.get("image_url")) if part.get("image_url") else "image_file_id")
                elif ptype == "input_file":
                    found.add("file_pdf")
                elif ptype == "input_audio":
                    found.add("input_audio")
        elif kind in ("function_call", "custom_tool_call"):
            found.add("tool_calls_history")
        elif kind in ("function_call_output", "custom_tool_call_output"):
            found.add("tool_results")
        elif kind == "reasoning":
            found.add("reasoning_history")
        else:
            found.add("builtin_tool_history")
    tools = request.get("tools") or []
    if any(t.get("type") in ("function", "custom") for t in tools):
        found.add("tools")
    if any(t.get("type") not in ("function", "custom") for t in tools):
        found.add("builtin_tools")
    fmt = ((request.get("text") or {}).get("format") or {}).get("type")
    if fmt in ("json_schema", "json_object"):
        found.add(f"response_format_{fmt}")
    if request.get("stream"):
        found.add("streaming")
    if any(isinstance(o, dict) and o.get("type") in ("function_call", "custom_tool_call") for o in response.get("output") or []):
        found.add("completion_tool_calls")
    if ((usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0) > 0:
        found.add("reasoning")
    return found


# ---------------------------------------------------------------- interactions

def _host(uri: str) -> str:
    match = re.match(r"^[a-z]+://([^/:]+)", uri or "")
    return match.group(1).lower() if match else ""


def _endpoint(uri: str) -> str | None:
    path = re.sub(r"^[a-z]+://[^/]+", "", uri or "").split("?")[0]
    for suffix, name in ENDPOINTS.items():
        if path.endswith(suffix):
            return name
    return None


def _status(response: dict) -> int:
    """The HTTP status of a recorded response: ``status: {code}``, ``status: 200``, or go-vcr's ``code: 400`` beside
    ``status: "400 Bad Request"``; 200 when none is recorded.

    >>> _status({"status": {"code": 200}}), _status({"status": "400 Bad Request", "code": 400}), _status({})
    (200, 400, 200)
    """
    status = response.get("status")
    code = status.get("code", status.get("status_code")) if isinstance(status, dict) else response.get("code", status)
    code = str(code).split(" ")[0] if isinstance(code, (int, str)) else ""
    return int(code) if code.isdigit() else 200


def api_answer(endpoint: str, response: dict) -> bool:
    """Whether a response is the OpenAI API's own by its shape: an id as the API writes them
    (:data:`API_RESPONSE_ID`) and an OpenAI model. How a call sent to another host (a proxy, e.g. Shopify/roast's
    ``mytestingproxy.local``) or recorded without one (a path relative to the client's base URL) is taken as OpenAI's.

    >>> api_answer("chat.completions", {"id": "chatcmpl-BpWWJHSu0uRkjmdDA1qyxaNuho1VY", "model": "gpt-4o-mini-2024-07-18"})
    True
    >>> api_answer("chat.completions", {"id": "chatcmpl-123", "model": "gpt-4o"}), api_answer("responses", {"id": 1})
    (False, False)
    """
    rid = response.get("id")
    return (isinstance(rid, str) and bool(API_RESPONSE_ID[endpoint].fullmatch(rid))
            and bool(OPENAI_MODEL.match(str(response.get("model") or ""))))


def extract(interaction: dict) -> tuple[dict | None, str]:
    """(record without id/source, reason) for one cassette interaction; record None when skipped.

    A call to an OpenAI host (:data:`OPENAI_HOSTS`) is taken as recorded; one to another host, or recorded without a
    host, only when its response is the API's by its shape (:func:`api_answer`): OpenAI-compatible servers (Groq,
    OpenRouter, a local model) bill other tokenizers, and a stub's answer is written by hand.
    """
    req = interaction.get("request") if isinstance(interaction.get("request"), dict) else {}
    uri = str(req.get("uri") or req.get("url") or "")  # go-vcr and DataDog's JSON cassettes say url
    host = _host(uri)
    record, reason = _extract(interaction, uri)
    if OPENAI_HOSTS.match(host):
        return record, reason
    if record is None:
        return None, OTHER_HOST if host else reason
    if not api_answer(record["endpoint"], record["response"]):
        return None, OTHER_HOST if host else "no host recorded, response not the API's"
    return record, reason


def _extract(interaction: dict, uri: str) -> tuple[dict | None, str]:
    req, resp = interaction.get("request") or {}, interaction.get("response") or {}
    if not isinstance(req, dict) or not isinstance(resp, dict):
        return None, "interaction not a request and a response"
    endpoint = _endpoint(uri)
    if endpoint is None or str(req.get("method", "POST")).upper() != "POST":
        return None, OTHER_HOST
    request = decode_json_body(req)
    if not isinstance(request, dict):
        return None, "request body not JSON"
    if not OPENAI_MODEL.match(str(request.get("model") or "")):
        return None, "model is not an OpenAI model"
    if _status(resp) >= 400:
        return None, "error status"
    response = decode_json_body(resp)
    if response is None and request.get("stream"):
        text = decode_text_body(resp) or ""
        response = rebuild_chat_stream(text) if endpoint == "chat.completions" else rebuild_responses_stream(text)
        if response is None:
            return None, "stream without usage chunk"
    if not isinstance(response, dict):
        return None, "response body not JSON"
    if response.get("error"):
        return None, "error response"
    usage = response.get("usage")
    if not isinstance(usage, dict) or not usage:
        return None, "usage missing"
    if endpoint == "chat.completions" and "prompt_tokens" not in usage:
        return None, "usage without prompt_tokens"
    if endpoint == "responses" and "input_tokens" not in usage:
        return None, "usage without input_tokens"
    pick = chat_features if endpoint == "chat.completions" else responses_features
    record = {
        "endpoint": endpoint,
        "host": _host(uri),
        "model": request.get("model"),
        "response_model": response.get("model"),
        "request": request,
        "response": response,
        "usage": usage,
        "features": sorted(pick(request, response, usage)),
    }
    return record, "ok"


def model_family(model: str | None) -> str:
    """Coarse family of a model name, for the coverage table.

    >>> model_family("gpt-4o-mini-2024-07-18"), model_family("gpt-5.1"), model_family("o3-mini")
    ('gpt-4o-mini', 'gpt-5.1', 'o3-mini')
    >>> model_family("gpt-4-0125-preview"), model_family("gpt-4-0613")
    ('gpt-4-turbo', 'gpt-4')
    """
    name = (model or "?").split("/")[-1].lower()
    if re.match(r"gpt-4-(turbo|\d{4}-preview|vision-preview)", name):
        return "gpt-4-turbo"  # gpt-4-1106-preview, gpt-4-0125-preview, gpt-4-vision-preview
    for pattern in (
        r"gpt-\d+(\.\d+)?-(mini|nano|pro|codex)", r"gpt-4o-(mini|audio|search|realtime)", r"gpt-4-turbo",
        r"gpt-4\.5", r"gpt-4o", r"gpt-4\.1", r"gpt-3\.5-turbo", r"gpt-4", r"gpt-\d+(\.\d+)?",
        r"o\d-(mini|pro|deep-research)", r"o\d", r"chatgpt-4o", r"codex-mini",
    ):
        match = re.match(pattern, name)
        if match:
            return match.group(0)
    return name


def _dedupe_key(record: dict) -> str:
    blob = json.dumps([record["request"], record["usage"]], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def build(git_dir: Path, repo: str, rev: str, history: bool) -> tuple[list[dict], Counter]:
    """The records of every cassette at ``rev`` (with ``history``: of every version reachable from it)."""
    files = cassettes_in_history(git_dir, rev) if history else cassettes_at(git_dir, rev)
    return build_files([(git_dir, repo, cf) for cf in files])


def build_files(files: list[tuple[Path, str, CassetteFile]]) -> tuple[list[dict], Counter]:
    """The records of the given cassette versions (git directory, owner/name, file), in order, deduplicated
    across all of them; the reasons records were left out, tallied."""
    records: list[dict] = []
    seen: set[str] = set()
    covered: set[tuple[str, str]] = set()
    big: list[dict] = []
    reasons: Counter = Counter()
    for git_dir, repo, cf in files:
        try:
            raw = _git(git_dir, "cat-file", "blob", cf.blob)
        except subprocess.CalledProcessError:  # a listed commit the clone lacks, or a blob a partial clone left out
            reasons["cassette version not in the git directory"] += 1
            continue
        try:
            raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        except OSError:
            reasons["cassette not gzip"] += 1
            continue
        if not MAY_HOLD_CALLS.search(raw) and not cf.path.endswith((".msgpack", ".msgpack.zlib")) and not (
                raw.lstrip()[:1] == b"{" and b'"params"' in raw and b'"result"' in raw):
            continue  # the host or the endpoint's path is in every request's uri, whatever the body encoding
            # (msgpack'd cassettes and {params, result} recordings, which have no uri, aside)
        if cf.by_content and not is_cassette_text(raw):
            continue  # a YAML file that is not a cassette
        try:
            doc = load_cassette(raw, cf.path)
        except (yaml.YAMLError, ValueError, zlib.error) as error:
            reason = "http record not read" if cf.path.endswith(".rec") else "cassette not YAML"
            reasons[reason] += 1
            print(f"{repo}:{cf.path}@{cf.commit}: {reason} ({str(error).splitlines()[0] if str(error) else type(error).__name__})",
                  file=sys.stderr)
            continue
        for record in _cassette_records(doc, repo, cf.path, cf.commit, seen, reasons):
            if len(json.dumps(record, ensure_ascii=False).encode("utf-8")) > MAX_LINE_BYTES:
                big.append(record)
                continue
            records.append(record)
            covered.update((model_family(record["model"]), f) for f in record["features"])
    for record in big:  # oversized lines only where they add a family x feature pair
        pairs = {(model_family(record["model"]), f) for f in record["features"]}
        if pairs - covered:
            records.append(record)
            covered |= pairs
        else:
            reasons["oversized, nothing new"] += 1
    return records, reasons


GROUPS: dict[str, frozenset[str]] = {  # feature groups of issue 8's goals
    "plain": frozenset(),  # none of the tags below
    "tools": frozenset({"tools", "tool_calls_history", "tool_results", "functions_legacy", "completion_tool_calls"}),
    "struct": frozenset({"response_format_json_schema", "response_format_json_object"}),
    "image": frozenset({"image_base64", "image_url", "image_file_id"}),
    "file/audio": frozenset({"file_pdf", "input_audio"}),
    "name": frozenset({"name"}),
    "reasoning": frozenset({"reasoning"}),
    "stream": frozenset({"streaming"}),
}


def _detail_keys(usage: dict) -> set[str]:
    """Usage detail fields with a non-zero value, e.g. 'cached_tokens'."""
    keys = set()
    for field in ("prompt_tokens_details", "completion_tokens_details", "input_tokens_details", "output_tokens_details"):
        for key, value in (usage.get(field) or {}).items():
            if isinstance(value, int) and value > 0:
                keys.add(f"{field.split('_')[0]}.{key}")
    return keys


def coverage_table(paths: list[Path]) -> str:
    """Markdown table: records per endpoint x model family x feature group, and non-zero usage details."""
    rows: dict[tuple[str, str], Counter] = {}
    for path in paths:
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            row = rows.setdefault((record["endpoint"], model_family(record["model"])), Counter())
            tags = set(record["features"])
            row["n"] += 1
            for group, members in GROUPS.items():
                hit = not (tags & frozenset().union(*GROUPS.values())) if group == "plain" else tags & members
                row[group] += bool(hit)
            for key in _detail_keys(record["usage"]):
                row[key] += 1
    details = sorted({k for row in rows.values() for k in row if "." in k})
    head = ["endpoint", "family", "n", *GROUPS, *details]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (endpoint, family), row in sorted(rows.items()):
        cells = [endpoint, family, *[str(row[k]) if row[k] else "." for k in head[2:]]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def listed_cassettes(listing: Path, git_dirs: dict[str, Path]) -> list[tuple[Path, str, CassetteFile]]:
    """The cassette versions named in ``listing``, one ``owner/name:path@commit`` a line (``#`` starts a comment),
    each read from its repository's git directory in ``git_dirs`` (owner/name -> directory).

    The committed sample's listing is ``tests/fixtures/recorded/ci/cassettes.txt``.
    """
    files = []
    for number, line in enumerate(listing.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = LISTED.fullmatch(line)
        if match is None:
            raise SystemExit(f"{listing}:{number}: expected owner/name:path@commit (a 40-digit commit)")
        repo, path, commit = match.groups()
        if repo not in git_dirs:
            raise SystemExit(f"{listing}:{number}: no --git-dir for {repo}; give --git-dir {repo}=DIR")
        files.append((git_dirs[repo], repo, CassetteFile(path, commit, f"{commit}:{path}")))
    return files


LISTED = re.compile(r"([\w.-]+/[\w.-]+):([^@#]+)@([0-9a-f]{40})")


def cassette_interactions(doc: object, path: str = "") -> list[dict]:
    """The recorded interactions of a parsed cassette: vcrpy's ``interactions`` or Ruby/R VCR's
    ``http_interactions`` (entries that are not mappings are left out), or the one interaction a file holds; the other
    layouts by their shape (``path``, the file's, names the provider of an httpmock recording).

    >>> cassette_interactions({"http_interactions": [{"request": {}}, "junk"]})
    [{'request': {}}]
    >>> cassette_interactions({"request": {"url": "u"}, "response": {}})
    [{'request': {'url': 'u'}, 'response': {}}]
    """
    if isinstance(doc, list):
        if any(_is_wiremock_mapping(i) for i in doc):
            return wiremock_interactions(doc)
        if any(_is_httpmock_document(i) for i in doc):
            return httpmock_interactions(doc, path)
        exvcr = any(isinstance(i, dict) and "request" in i and "response" in i and "scope" not in i for i in doc)
        return exvcr_interactions(doc) if exvcr else nock_interactions(doc)
    if not isinstance(doc, dict):
        return []
    if isinstance(doc.get("log"), dict):
        return har_interactions(doc)
    if isinstance(doc.get("Entries"), list):
        return session_record_interactions(doc)
    if _is_params_result(doc):
        return params_result_interactions(doc)
    if isinstance(doc.get("mappings"), list) or _is_wiremock_mapping(doc):
        return wiremock_interactions(doc["mappings"] if isinstance(doc.get("mappings"), list) else [doc])
    if _is_httpmock_document(doc):
        return httpmock_interactions([doc], path)
    if _is_ogx_recording(doc):
        return [ogx_interaction(doc)]
    if isinstance(doc.get("request"), dict) and isinstance(doc.get("response"), dict):
        req_llm = "chunks" in doc or isinstance(doc["request"].get("body"), dict) and "b64" in doc["request"]["body"]
        return [req_llm_interaction(doc) if req_llm else doc]
    found = doc.get("interactions") or doc.get("http_interactions") or []
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _cassette_records(doc, repo: str, path: str, commit: str, seen: set[str], reasons: Counter) -> list[dict]:
    """The new (not yet ``seen``) records of one parsed cassette, each with its id and source; skips tallied."""
    out = []
    for index, interaction in enumerate(cassette_interactions(doc, path)):
        try:
            record, reason = extract(interaction)
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # a malformed body (bad base64, ...)
            record, reason = None, "interaction not read"
            print(f"{repo}:{path}@{commit}#{index}: {reason} ({type(error).__name__}: {error})", file=sys.stderr)
        reasons[reason] += 1
        if record is None:
            continue
        key = _dedupe_key(record)
        if key in seen:
            reasons["duplicate"] += 1
            continue
        seen.add(key)
        out.append({"id": f"{repo.split('/')[-1]}-{key[:12]}", "source": f"{repo}:{path}@{commit}#{index}", **record})
    return out


def write_records(out: Path, records: list[dict], reasons) -> int:
    """One compact JSON line per record in ``out``; the count and the reasons records were left out on stderr."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(records)} records -> {out}", file=sys.stderr)
    for reason, count in reasons.most_common():
        print(f"  {count:6d}  {reason}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["listed"]:  # python tools/build_fixtures.py listed LIST --out OUT --git-dir OWNER/NAME=DIR ...
        return _listed(argv[1:])
    if argv[:1] == ["summary"]:  # python tools/build_fixtures.py summary FILE.jsonl ...
        print(coverage_table([Path(p) for p in argv[1:]]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--git-dir", type=Path, required=True)
    parser.add_argument("--repo", required=True, help="owner/name, written into each line's source")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--history", action="store_true", help="every version of each cassette, not only --commit's")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    return write_records(args.out, *build(args.git_dir, args.repo, args.commit, args.history))


def _listed(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="build_fixtures.py listed",
                                     description="the records of the cassette versions a listing names")
    parser.add_argument("listing", type=Path, help="one owner/name:path@commit a line")
    parser.add_argument("--git-dir", action="append", default=[], metavar="OWNER/NAME=DIR", required=True,
                        help="a repository's git directory (a clone, bare or not); one per repository listed")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    git_dirs = {}
    for item in args.git_dir:
        repo, sep, directory = item.partition("=")
        if not sep or not directory:
            parser.error(f"--git-dir {item!r}: write OWNER/NAME=DIR")
        git_dirs[repo] = Path(directory)
    return write_records(args.out, *build_files(listed_cassettes(args.listing, git_dirs)))


if __name__ == "__main__":
    raise SystemExit(main())
