"""Token counts as the API bills them. Expected values are OpenAI's own (cookbook printouts and
API documentation examples), see shared/facts/log-formats.md section 2 and 1(b)."""


import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from advisor.tokens.counter import (
    _load_ranks,
    count_chat_prompt,
    count_completion,
    count_ft_chat,
    count_responses_request,
    get_encoding,
    get_ft_tokenizer,
    resolve_encoding,
)
from pricing import AdvisorError

COOKBOOK_MESSAGES = [
    {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
    {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
    {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."},
]
WEATHER_TOOLS = [{"type": "function", "function": {
    "name": "get_current_weather", "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}},
        "required": ["location"]}}}]
WEATHER_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"}]


class TestEncodings:
    @pytest.mark.parametrize("name, ids", [
        # cookbook: encode("tiktoken is great!")
        ("cl100k_base", [83, 1609, 5963, 374, 2294, 0]),
        ("o200k_base", [83, 8251, 2488, 382, 2212, 0]),
    ])
    def test_reference_ids(self, name, ids):
        assert get_encoding(name).encode("tiktoken is great!") == ids

    @pytest.mark.parametrize("name, text, n", [
        ("cl100k_base", "antidisestablishmentarianism", 6), ("o200k_base", "antidisestablishmentarianism", 6),
        ("cl100k_base", "2 + 2 = 4", 7), ("cl100k_base", "お誕生日おめでとう", 9), ("o200k_base", "お誕生日おめでとう", 8),
    ])
    def test_cookbook_lengths(self, name, text, n):
        assert len(get_encoding(name).encode(text)) == n

    def test_hash_checked(self):
        with pytest.raises(AdvisorError, match="SHA-256 .* differs from tiktoken's pinned"):
            _load_ranks("https://x/cl100k_base.tiktoken", expected_hash="0" * 64)

    def test_unknown_encoding(self):
        with pytest.raises(AdvisorError, match="not available offline"):
            get_encoding("p50k_base")

    @pytest.mark.parametrize("model, enc", [
        ("gpt-4-0613", "cl100k_base"), ("gpt-4-turbo", "cl100k_base"), ("gpt-4o-mini", "o200k_base"),
        ("gpt-4.1-mini", "o200k_base"), ("openai/gpt-4o", "o200k_base"), ("azure/gpt-35-turbo", "cl100k_base"),
        ("ft:gpt-4o-mini-2024-07-18:org::abc", "o200k_base")])
    def test_model_map(self, model, enc):
        choice = resolve_encoding(model)
        assert choice.encoding == enc and not choice.assumed

    def test_unknown_model_is_an_explicit_assumption(self):
        choice = resolve_encoding("claude-3-opus")
        assert choice.assumed and choice.encoding == "o200k_base"

    @settings(max_examples=50, deadline=None)
    @given(st.text(max_size=200))
    def test_roundtrip(self, text):
        enc = get_encoding("o200k_base")
        assert enc.decode(enc.encode_ordinary(text)) == text or "\ud800" <= max(text or "a") <= "\udfff"


class TestChatRules:
    @pytest.mark.parametrize("model, n", [
        ("gpt-3.5-turbo", 129), ("gpt-4-0613", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124),
        ("gpt-3.5-turbo-0301", 127)])
    def test_cookbook_six_messages(self, model, n):
        # printed by the cookbook next to "prompt tokens counted by the OpenAI API"
        assert count_chat_prompt(COOKBOOK_MESSAGES, model) == n

    @pytest.mark.parametrize("model, n", [("gpt-3.5-turbo", 105), ("gpt-4", 105), ("gpt-4o", 101), ("gpt-4o-mini", 101)])
    def test_cookbook_weather_tool(self, model, n):
        # printed by the cookbook next to "prompt tokens counted by the OpenAI API". gpt-3.5-turbo by hand (cl100k,
        # chat.FAMILIES' chatml-cl100k): system 3 + 1 + (14 + the tools seam 7 + the block 66 - 1: the system text's
        # '.' and the seam's '\n\n' are one token '.\n\n') = 90, user 3 + 1 + 9, priming 3, tools 9 - 10 -> 105
        assert count_chat_prompt(WEATHER_MESSAGES, model, tools=WEATHER_TOOLS) == n

    def test_batch_api_docs_example(self):
        # Batch API docs: system "You are a helpful assistant." + user "What is 2+2?" on gpt-4o-mini -> 24
        msgs = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}]
        assert count_chat_prompt(msgs, "gpt-4o-mini") == 24

    def test_chat_docs_example(self):
        # Chat Completions docs default example on gpt-4.1: developer + "Hello!" -> 19
        msgs = [{"role": "developer", "content": "You are a helpful assistant."}, {"role": "user", "content": "Hello!"}]
        assert count_chat_prompt(msgs, "gpt-4.1") == 19

    def test_content_parts_equal_string(self):
        as_str = [{"role": "user", "content": "Hello there"}]
        as_parts = [{"role": "user", "content": [{"type": "text", "text": "Hello there"}]}]
        assert count_chat_prompt(as_str, "gpt-4o") == count_chat_prompt(as_parts, "gpt-4o")

    def test_completion(self):
        assert count_completion({"role": "assistant", "content": "tiktoken is great!"}, "gpt-4") == 6

    @settings(max_examples=30, deadline=None)
    @given(st.text(max_size=100), st.text(min_size=1, max_size=50))
    def test_more_text_never_fewer_tokens(self, a, b):
        base = count_chat_prompt([{"role": "user", "content": a}], "gpt-4o")
        more = count_chat_prompt([{"role": "user", "content": a}, {"role": "user", "content": b}], "gpt-4o")
        assert more > base


class TestSevenB:
    def test_tokenizer_offline(self):
        sp = get_ft_tokenizer("mistral-v1")
        assert sp.get_piece_size() == 32000

    def test_prose_costs_more_tokens_than_cl100k(self):
        text = ("Fine-tuning a small open model on a narrow task can match a much larger general model while "
                "costing a fraction per request, provided the prompt is stable and the volume is high. ") * 20
        api = len(get_encoding("cl100k_base").encode(text))
        prompt, _ = count_ft_chat([{"role": "user", "content": text}])
        assert 1.02 < prompt / api < 1.3  # Mistral's 32k vocabulary splits English prose finer (~13%)

    def test_template_tokens(self):
        sp = get_ft_tokenizer("mistral-v1")
        prompt, completion = count_ft_chat([{"role": "user", "content": "Hi"}], "Hello")
        expected = 1 + len(sp.encode("[INST]")) + len(sp.encode("[/INST]")) + len(sp.encode("Hi"))
        assert prompt == expected
        assert completion == len(sp.encode("Hello")) + 1  # + </s>


# ---------------------------------------------------------------------------------------------
# counting every part as billed (issue 8 item 3): hand-computed values from OpenAI's docs, or from one
# recorded call's billed usage (source named), plus robustness

import base64  # noqa: E402
import struct  # noqa: E402

from hypothesis import HealthCheck  # noqa: E402

from advisor.logs.records import RecordProblem  # noqa: E402
from advisor.tokens.chat import family_for_model, prompt_parts  # noqa: E402
from advisor.tokens.counter import TokenCounter, count_request  # noqa: E402
from advisor.tokens.media import (  # noqa: E402
    ImageRule,
    count_image_part,
    image_rule,
    image_size,
    image_tokens,
    is_lower_bound,
    pdf_page_image_tokens,
)
from advisor.tokens.tools import render_functions, render_response_format  # noqa: E402


def png(w: int, h: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", w, h) + b"\x08\x02\x00\x00\x00" + b"\0" * 8


def jpeg(w: int, h: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\1\1\0\0\1\0\1\0\0"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, h, w, 1) + b"\1\x11\0"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def data_url(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


class TestImages:
    @pytest.mark.parametrize("w, h, detail, rule, n", [
        # OpenAI vision guide, "Calculating costs" worked examples (gpt-4o: 85 base + 170 per 512px tile)
        (1024, 1024, "high", ImageRule("tile", 85, 170), 765),
        (2048, 4096, "high", ImageRule("tile", 85, 170), 1105),
        (4096, 8192, "low", ImageRule("tile", 85, 170), 85),
        # gpt-4o-mini: 2833 + 5667 per tile; 1024x1024 -> 768x768 -> 4 tiles: 2833 + 4*5667
        (1024, 1024, "high", ImageRule("tile", 2833, 5667), 25501),
        # patch models: 1024x1024 -> 32*32 = 1024 patches; x1.62 (gpt-4.1-mini) = 1658.9 -> 1659
        (1024, 1024, "high", ImageRule("patch", multiplier=1.62), 1659),
        # guide: 1800x2400 -> shrunk to 1452 patches (x1 multiplier shows the patch count)
        (1800, 2400, "high", ImageRule("patch", multiplier=1.0), 1452),
        # detail is ignored by the patch rule: 640x480 -> 20*15 = 300 patches; gpt-5-mini 1.2 -> 360
        (640, 480, "low", ImageRule("patch", multiplier=1.2), 360),
    ])
    def test_docs_examples(self, w, h, detail, rule, n):
        assert image_tokens(w, h, detail, rule) == n

    @pytest.mark.parametrize("raw, size", [
        (png(640, 480), (640, 480)), (jpeg(597, 566), (597, 566)),
        (b"GIF89a" + struct.pack("<HH", 320, 200) + b"\0" * 8, (320, 200)),
        # WebP VP8X: 24-bit width-1 and height-1 at bytes 24..29
        (b"RIFF" + b"\0" * 4 + b"WEBPVP8X" + b"\0" * 8 + (799).to_bytes(3, "little") + (599).to_bytes(3, "little"),
         (800, 600)),
        (b"not an image", None),
    ])
    def test_header_sizes(self, raw, size):
        assert image_size(raw) == size

    def test_base64_image_in_a_message(self):
        # 640x480 high on gpt-4o: fits 768 -> 1 x 2 tiles... 640 <= 768 stays, tiles ceil(640/512)*ceil(480/512) = 2
        part = {"type": "image_url", "image_url": {"url": data_url(png(640, 480)), "detail": "high"}}
        got = count_image_part(part, "gpt-4o")
        assert got.tokens == 85 + 2 * 170 and got.assumption is None

    def test_recorded_gpt4o_mini_image(self):
        # pydantic-ai cassette (gpt-4o-mini, 640x480 PNG, detail auto): billed 14,213 prompt tokens, of which the
        # image is 2833 + 2 * 5667 = 14,167; counted the same
        part = {"type": "image_url", "image_url": {"url": data_url(png(640, 480))}}
        got = count_image_part(part, "gpt-4o-mini")
        assert got.tokens == 14167 and "auto" in got.assumption

    @pytest.mark.parametrize("detail, model, n", [
        # the fewest tokens an image of unknown size can bill (OpenAI vision guide): the 85-token base at low detail
        # (and at auto, which may choose low), 85 + one 170-token tile at high, one patch x 2.46 -> 3 on gpt-4.1-nano
        ("low", "gpt-4o", 85), ("auto", "gpt-4o", 85), ("high", "gpt-4o", 255), ("high", "gpt-4.1-nano", 3)])
    def test_url_image_is_a_named_lower_bound(self, detail, model, n):
        got = count_image_part({"type": "image_url", "image_url": {"url": "https://x/y.jpg", "detail": detail}}, model)
        assert got.tokens == n and is_lower_bound(got.assumption) and "image given by URL" in got.assumption


class TestToolRendering:
    def test_nested_enum_optional_default_array(self):
        tools = [{"type": "function", "function": {
            "name": "plan", "description": "Make a plan.",
            "parameters": {"type": "object", "required": ["steps"], "properties": {
                "steps": {"type": "array", "description": "Steps", "items": {
                    "type": "object", "required": ["n"], "properties": {"n": {"type": "integer"},
                                                                       "note": {"type": ["string", "null"]}}}},
                "unit": {"type": "string", "enum": ["a", "b"], "default": "a"}}}}}]
        assert render_functions(tools) == (
            "namespace functions {\n\n// Make a plan.\ntype plan = (_: {\n// Steps\nsteps: {\n  n: number,\n"
            "  note?: string | null,\n  }[],\nunit?: \"a\" | \"b\", // default: a\n}) => any;\n\n} // namespace functions")

    def test_cookbook_weather_block_tokens(self):
        # the cookbook's weather tool: the block is 63 o200k tokens; +8 tools, -9 sharing the system message
        # (merged with it), 3 priming, system + user messages -> the cookbook's 101
        assert count_chat_prompt(WEATHER_MESSAGES, "gpt-4o", tools=WEATHER_TOOLS) == 101

    def test_json_schema_keeps_titles_and_drops_required_and_additional_properties(self):
        # a property named like a keyword ("required") is a name, kept; the keywords themselves are not billed
        rf = {"type": "json_schema", "json_schema": {"name": "R", "description": "Why.", "schema": {
            "title": "R", "type": "object", "properties": {"required": {"title": "A", "type": "string"}},
            "required": ["required"], "additionalProperties": False}}}
        assert render_response_format(rf) == (
            "json_schema",
            'R\n// Why.\n{"title":"R","type":"object","properties":{"required":{"title":"A","type":"string"}}}')

    def test_ref_property_shows_its_own_comments_not_the_definitions(self):
        # Mirascope tests/e2e/output/cassettes/test_structured_output/tool (gpt-4o, 6 calls): the Author definition's
        # title and description are not billed (10-11 tokens over with them, 1-2 off without); its fields are
        params = {"properties": {"author": {"$ref": "#/$defs/Author"}}, "required": ["author"], "type": "object",
                  "$defs": {"Author": {"title": "Author", "description": "The author of a book.", "type": "object",
                                       "properties": {"first_name": {"title": "First Name", "type": "string"}},
                                       "required": ["first_name"]}}}
        # (the recorded tool is strict, as Mirascope sends it: nested titles are shown only then, next test)
        text = render_functions([{"type": "function", "function": {"name": "f", "parameters": params, "strict": True}}])
        assert text == ("namespace functions {\n\ntype f = (_: {\nauthor: {\n  // First Name\n"
                        "  first_name: string,\n  },\n}) => any;\n\n} // namespace functions")

    def test_non_strict_tool_hides_nested_titles(self):
        # crewAIInc/crewAI lib/crewai/tests/utilities/cassettes/test_converter_with_nested_model.yaml@d1343b96 (MIT),
        # gpt-4o-mini, non-strict Person tool forced by tool_choice: billed 118. Hand sum (o200k): user 3 + 1 + 24;
        # priming 3; tools block 65 (top-level titles Name, Age shown, one line each; Address's street/city/zip_code
        # titles not) + 9 framing; forced name 1 + 7 -> 113 (5 under). With the nested titles: block 78 -> 126 (8 over).
        # The same tool marked strict shows them (Mirascope/openai-agents strict tools, 21 recorded calls).
        address = {"title": "Address", "type": "object", "required": ["street", "city", "zip_code"], "properties": {
            "street": {"title": "Street", "type": "string"}, "city": {"title": "City", "type": "string"},
            "zip_code": {"title": "Zip Code", "type": "string"}}}
        params = {"$defs": {"Address": address}, "type": "object", "required": ["address", "age", "name"],
                  "properties": {"name": {"title": "Name", "type": "string"}, "age": {"title": "Age", "type": "integer"},
                                 "address": {"$ref": "#/$defs/Address"}}}
        tool = {"name": "Person", "parameters": params,
                "description": "Correctly extracted `Person` with all the required parameters with correct types"}
        messages = [{"role": "user", "content": "Name: John Doe\nAge: 30\nAddress: 123 Main St, Anytown, 12345"}]
        forced = {"tool_choice": {"type": "function", "function": {"name": "Person"}}}
        text = render_functions([{"type": "function", "function": tool}])
        assert "// Name\nname: string," in text and "  street: string,\n  city: string," in text
        assert "Street" not in text
        assert count_chat_prompt(messages, "gpt-4o-mini", tools=[{"type": "function", "function": tool}],
                                 options=forced) == 113
        strict = [{"type": "function", "function": {**tool, "strict": True}}]
        assert "  // Street\n  street: string," in render_functions(strict)
        assert count_chat_prompt(messages, "gpt-4o-mini", tools=strict, options=forced) == 126

    def test_json_schema_validation_bounds_are_not_billed(self):
        # crewAI MemoryAnalysis schema (gpt-4o-mini, 35 recorded calls): importance's "minimum"/"maximum" shown
        # counted 13 over, dropped 1 over; a "maxItems" (gpt-4.1-mini, 8 calls) 5 over shown, exact dropped
        fmt = lambda s: {"type": "json_schema", "json_schema": {"name": "r", "schema": s}}  # noqa: E731
        bounded = {"type": "object", "properties": {"x": {"type": "number", "minimum": 0.0, "maximum": 1.0},
                                                    "ids": {"type": "array", "items": {"type": "string"}, "maxItems": 1}}}
        assert render_response_format(fmt(bounded))[1] == (
            'r\n{"type":"object","properties":{"x":{"type":"number"},"ids":{"type":"array","items":{"type":"string"}}}}')

    def test_json_schema_dialect_uri_is_not_billed(self):
        # oaknational/oak-ai-lesson-assistant apps/nextjs/tests-e2e/recordings/agentic/*.json@d1c15ea0 (MIT): 103
        # Responses calls (gpt-4o-2024-11-20, gpt-5.4) whose zod schemas open with this "$schema" were each 15 over
        # with it (e.g. 10,104 counted, 10,089 billed): '{"$schema":"http://json-schema.org/draft-07/schema#",' is 15
        # o200k tokens more than '{'
        rf = {"type": "json_schema", "json_schema": {"name": "r", "schema": {
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}}}
        assert render_response_format(rf) == ("json_schema", 'r\n{"type":"object"}')

    @pytest.mark.parametrize("messages, tools, billed", [
        # pydantic/pydantic-ai tests/models/cassettes/test_openai/test_openai_native_output.yaml@8039c20f (MIT),
        # gpt-4o, json_schema 'result' {city, country} (strict: false) + the get_user_country tool: billed 71.
        # Hand sum (o200k): user 3 + 1 + 10, priming 3, tools block 16 + 9 framing = 42;
        # schema text 'result\n{"properties":...,"type":"object"}' 23 + 12 - 6 (tools) = 29 -> 71
        ([{"role": "user", "content": "What is the largest city in the user country?"}],
         [{"type": "function", "function": {"description": "", "name": "get_user_country", "parameters": {
             "additionalProperties": False, "properties": {}, "type": "object"}}}], 71),
    ])
    def test_recorded_json_schema_with_tools(self, messages, tools, billed):
        rf = {"type": "json_schema", "json_schema": {"name": "result", "strict": False, "schema": {
            "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
            "required": ["city", "country"], "type": "object"}}}
        assert count_chat_prompt(messages, "gpt-4o", tools=tools, options={"response_format": rf,
                                                                           "tool_choice": "auto"}) == billed

    def test_recorded_untitled_json_schema_bills_its_name_again(self):
        # vicentereig/dspy.rb spec/vcr_cassettes (MIT), dspy.rb-5287089a7ebe: gpt-4o-mini, 2025-10-03, strict schema
        # 'dspy_output_1759523394' without a title: billed 177. Hand sum (o200k): system 3 + 1 + 85, user 3 + 1 + 22,
        # priming 3 = 118; schema text 43 + 12 - 3 (system) = 52 -> 170; the untitled name again 8 - 1 -> 177
        system = ('Your input schema fields are:\n```json\n{\n  "$schema": "http://json-schema.org/draft-06/schema#",\n'
                  '  "type": "object",\n  "properties": {\n    "prompt": {\n      "type": "string",\n'
                  '      "description": "Input prompt"\n    }\n  },\n  "required": [\n    "prompt"\n  ]\n}\n```\n\n'
                  'Your objective is: Generate a simple response')
        user = '## Input Values\n```json\n{\n  "prompt": "Say hello in exactly three words"\n}\n```'
        schema = {"type": "object", "properties": {
            "response": {"type": "string", "description": "Response"},
            "word_count": {"type": "integer", "description": "Number of words in response"}},
            "required": ["response", "word_count"], "additionalProperties": False}
        rf = {"type": "json_schema", "json_schema": {"name": "dspy_output_1759523394", "strict": True, "schema": schema}}
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        assert count_chat_prompt(messages, "gpt-4o-mini", options={"response_format": rf}) == 177
        # with a title the name is billed once: 170 + the title's text
        titled = {"type": "json_schema", "json_schema": {**rf["json_schema"], "schema": {"title": "T", **schema}}}
        assert count_chat_prompt(messages, "gpt-4o-mini", options={"response_format": titled}) < 177


class TestHistoryAndFamilies:
    RECORDED = [  # pydantic-ai tests/models/cassettes/test_openai (gpt-4o, get_weather tool): billed 74
        {"content": "What is the weather in Paris? Use the tool.", "role": "user"},
        {"content": None, "role": "assistant", "tool_calls": [{"function": {"arguments": "{\"city\":\"Paris\"}",
                                                                           "name": "get_weather"},
                                                              "id": "call_J3ajtA7qivswzXp8A9sJ7foO", "type": "function"}]},
        {"content": "sunny in Paris", "role": "tool", "tool_call_id": "call_J3ajtA7qivswzXp8A9sJ7foO"}]
    TOOLS = [{"function": {"description": "", "name": "get_weather", "parameters": {
        "additionalProperties": False, "properties": {"city": {"type": "string"}}, "required": ["city"],
        "type": "object"}, "strict": True}, "type": "function"}]

    def test_tool_round_trip_recorded(self):
        # hand sum: user 3+1+11; assistant 3+1 + name 2 + args 5 + 4; tool 3 + 2 + result 4 + the name it answers 2;
        # tools block 21 ('(_:{' before the undescribed 'city': chat.FAMILIES chatml-o200k params_brace) + 9; priming 3
        # = 74 = billed (exact; 1 over while the block was rendered '(_: {')
        assert count_chat_prompt(self.RECORDED, "gpt-4o", tools=self.TOOLS) == 74

    def test_tool_result_bills_the_name_it_answers(self):
        # by tool_call_id, else the calls of the last assistant message in order: a longer name costs its tokens
        longer = [dict(m) for m in self.RECORDED]
        call = longer[1]["tool_calls"][0]
        longer[1] = {**longer[1], "tool_calls": [{**call, "function": {**call["function"], "name": "get_weather_now"}}]}
        no_id = [dict(m) for m in longer]
        no_id[2] = {k: v for k, v in no_id[2].items() if k != "tool_call_id"}
        tools = [{**self.TOOLS[0], "function": {**self.TOOLS[0]["function"], "name": "get_weather_now"}}]
        # 'get_weather_now' is 3 o200k tokens, 'get_weather' 2: + 1 in the call, + 1 in the result, + 1 in the tools block
        assert count_chat_prompt(longer, "gpt-4o", tools=tools) == 74 + 3
        assert count_chat_prompt(no_id, "gpt-4o", tools=tools) == 74 + 3

    def test_inline_nested_object_of_a_non_strict_tool_is_flush_left(self):
        from advisor.tokens.tools import render_functions
        params = {"type": "object", "properties": {"p": {"type": "object", "properties": {"a": {"type": "string"}},
                                                          "required": ["a"]}}, "required": ["p"]}
        tool = {"type": "function", "function": {"name": "f", "parameters": params}}
        assert "p: {\na: string,\n}," in render_functions([tool], nested_indent=False)
        assert "p: {\n  a: string,\n  }," in render_functions([tool])  # harmony, and any strict tool
        strict = {"type": "function", "function": {"name": "f", "parameters": params, "strict": True}}
        assert render_functions([strict], nested_indent=False) == render_functions([strict])
        by_ref = {"type": "function", "function": {"name": "f", "parameters": {
            "type": "object", "properties": {"p": {"$ref": "#/$defs/P"}}, "required": ["p"],
            "$defs": {"P": params["properties"]["p"]}}}}
        assert "p: {\n  a: string,\n  }," in render_functions([by_ref], nested_indent=False)

    def test_parameters_open_as_billed_before_an_undescribed_first_property(self):
        # simonw/llm tests/cassettes/test_tools/test_tool_use_basic.yaml@5162cabb (Apache-2.0), gpt-4o-mini, multiply
        # (a, b: no descriptions): billed 54. Hand sum (o200k): user 3 + 1 + 10, priming 3, tools block 28 with
        # '(_:{' (29 with '(_: {': ':{\n' is one token, ' {\n' merges only with a following '//') + 9 = 54 (exact)
        tool = {"type": "function", "function": {"name": "multiply", "description": "Multiply two numbers.",
                                                 "parameters": {"properties": {"a": {"type": "integer"},
                                                                               "b": {"type": "integer"}},
                                                                "required": ["a", "b"], "type": "object"}}}
        msgs = [{"role": "user", "content": "What is 1231 * 2331?"}]
        assert count_chat_prompt(msgs, "gpt-4o-mini", tools=[tool]) == 54
        assert "type multiply = (_:{\na: number," in render_functions([tool], params_brace="{")
        # a first property with a comment line costs the same either way; harmony keeps '(_: {'
        described = {"type": "function", "function": {**tool["function"], "parameters": {
            "properties": {"a": {"type": "integer", "description": "A"}}, "type": "object"}}}
        enc = TokenCounter("o200k_base", threads=1)
        assert enc.count(render_functions([described], params_brace="{")) == enc.count(render_functions([described]))
        assert "(_: {" in render_functions([tool])

    def test_lone_history_call_bills_its_arguments_compact(self):
        # simonw/llm tests/cassettes/test_tools/test_tool_use_basic.yaml@5162cabb (Apache-2.0), gpt-4o-mini, its second
        # call: the first call's 54 (above) + an empty assistant message 3 + 1 + the assistant's multiply call sent with
        # '{"a": 1231, "b": 2331}': 3 + 1 + 'multiply' 1 + arguments 11 as '{"a":1231,"b":2331}' (14 as written) + 4
        # + the result: 3 + 2 + 'multiply' 1 (the name it answers) + '2869461' 3 = 87 = billed (3 over as written)
        tool = {"type": "function", "function": {"name": "multiply", "description": "Multiply two numbers.",
                                                 "parameters": {"properties": {"a": {"type": "integer"},
                                                                               "b": {"type": "integer"}},
                                                                "required": ["a", "b"], "type": "object"}}}

        def messages(args, calls=1):
            call = {"type": "function", "id": "call_1", "function": {"name": "multiply", "arguments": args}}
            return [{"role": "user", "content": "What is 1231 * 2331?"}, {"role": "assistant", "content": ""},
                    {"role": "assistant", "tool_calls": [call] * calls},
                    *[{"role": "tool", "tool_call_id": "call_1", "content": "2869461"}] * calls]

        spaced, compact = '{"a": 1231, "b": 2331}', '{"a":1231,"b":2331}'
        assert count_chat_prompt(messages(spaced), "gpt-4o-mini", tools=[tool]) == 87
        assert count_chat_prompt(messages(compact), "gpt-4o-mini", tools=[tool]) == 87
        # not JSON: as written (' not', ' JSON': 2 tokens)
        assert count_chat_prompt(messages(" not JSON"), "gpt-4o-mini", tools=[tool]) == 87 - 11 + 2
        # as written (3 tokens more spaced): two calls in one message, the Responses API's function_call items,
        # gpt-3.5-turbo and harmony (chat.history_call_arguments says why)
        assert count_chat_prompt(messages(spaced, 2), "gpt-4o-mini", tools=[tool]) == count_chat_prompt(
            messages(compact, 2), "gpt-4o-mini", tools=[tool]) + 2 * 3
        for model in ("gpt-3.5-turbo", "gpt-5-mini"):
            assert count_chat_prompt(messages(spaced), model, tools=[tool]) == count_chat_prompt(
                messages(compact), model, tools=[tool]) + 3
        items = [{"role": "user", "content": "What is 1231 * 2331?"},
                 {"type": "function_call", "call_id": "c1", "name": "multiply", "arguments": spaced},
                 {"type": "function_call_output", "call_id": "c1", "output": "2869461"}]
        as_sent = count_responses_request({"model": "gpt-4o-mini", "input": items, "tools": [tool]})[0]
        items[1] = {**items[1], "arguments": compact}
        assert as_sent == count_responses_request({"model": "gpt-4o-mini", "input": items, "tools": [tool]})[0] + 3

    def test_parallel_answer_input_reported_divided_in_its_period(self):
        # Mirascope's gpt-4o parallel-tools cassettes (2025-10-21..2026-01-15): a 73-token prompt answered with two
        # function calls reported 36 input tokens = 73 // 2; the same shape reports it all outside that period
        req = {"model": "gpt-4o", "input": "What is the weather in Paris and in Rome?"}
        whole = count_responses_request(req, timestamp_s=1777593600, output_calls=2)[0]  # 2026-05-01
        assert count_responses_request(req, timestamp_s=1763360470, output_calls=2)[0] == whole // 2  # 2025-11-17
        assert count_responses_request(req, timestamp_s=1763360470, output_calls=1)[0] == whole
        _, notes = count_responses_request(req, timestamp_s=1756684800, output_calls=2)  # 2025-09-01: unsure
        assert any("divided among the calls" in n for n in notes)

    def test_prediction_makes_the_count_a_stated_lower_bound(self):
        # OlympiaAI/raix spec/vcr/MeaningOfLife/with_predicted_outputs (MIT), gpt-4o, 2024-11-11: billed 40. Hand sum
        # (o200k): system 3 + 1 + 8, user 3 + 1 + 9, priming 3 = 28; the 12 more are what the prediction added to the
        # prompt, which no public rule gives (OpenAI's guide example: 81 billed, 64-66 counted): a stated lower bound
        msgs = [{"role": "system", "content": "Answer the user question in ALL CAPS."},
                {"role": "user", "content": "WHAT IS THE MEANING OF LIFE?"}]
        pred = {"type": "content", "content": "THE MEANING OF LIFE CAN VARY GREATLY FROM PERSON TO PERSON."}
        got, _, notes = count_request(msgs, "gpt-4o", options={"prediction": pred})
        assert got == 28 == count_request(msgs, "gpt-4o")[0]
        assert any("prediction" in n and is_lower_bound(n) for n in notes)
        assert not count_request(msgs, "gpt-4o", options={"prediction": None})[2]

    def test_assistant_audio_by_id_makes_the_count_a_stated_lower_bound(self):
        # openai/openai-dotnet tests/SessionRecords (MIT): an assistant turn {"audio": {"id": "audio_..."}} refers to
        # the spoken answer the API stored (gpt-audio-1.5: 84 counted, 204 billed). Hand sum without the audio
        # (o200k): user 3 + 1 + 1 ('Hi'), assistant 3 + 1 (no text), user 3 + 1 + 1, priming 3 = 17: a lower bound
        msgs = [{"role": "user", "content": "Hi"}, {"role": "assistant", "audio": {"id": "audio_abc"}},
                {"role": "user", "content": "Hi"}]
        got, _, notes = count_request(msgs, "gpt-4o-audio-preview")
        assert got == 17 and any("audio given by id" in n and is_lower_bound(n) for n in notes)
        assert not count_request([msgs[0], {"role": "assistant", "content": None}, msgs[2]], "gpt-4o-audio-preview")[2]

    def test_input_audio_bills_whole_tenths_and_four_framing_tokens(self):
        # openai/openai-dotnet tests/SessionRecords (MIT), openai-dotnet-842b604a5c9d (gpt-audio-1.5) and -28dec7743c77
        # (gpt-4o-audio-preview): one user message holding one MP3 of 34,080 bytes, MPEG-2 Layer III at 160 kbit/s
        # (its first frame header FF F3 E4 C4): 1.704 s -> 17 audio tokens (usage audio_tokens 17; read at 96 kbit/s
        # it was 2.84 s, 29) + 4 framing, user 3 + 1, priming 3: 28 billed (usage text_tokens 11 = 7 + 4)
        import base64 as b64
        mp3 = b64.b64encode(bytes([0xFF, 0xF3, 0xE4, 0xC4]) + bytes(34076)).decode()
        msgs = [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": mp3, "format": "mp3"}}]}]
        assert count_request(msgs, "gpt-audio-1.5")[0] == count_request(msgs, "gpt-4o-audio-preview")[0] == 28

    def test_search_preview_bills_the_text_alone(self):
        # pydantic-ai test_openai_web_search_tool (gpt-4o-search-preview): system 6 + user 5 tokens, billed 11
        msgs = [{"content": "You are a helpful assistant.", "role": "system"}, {"content": "What day is today?",
                                                                              "role": "user"}]
        assert count_chat_prompt(msgs, "gpt-4o-search-preview") == 11

    def test_gpt35_alias_before_the_upgrade_is_0301(self):
        # alexrudall/ruby-openai gpt-3_5-turbo_chat.yml (2023-04-24, served gpt-3.5-turbo-0301): "Hello!" billed 10 =
        # 4 per message + 'user' 1 + 'Hello!' 2 + 3 priming; the same request after 2023-06-27 counts 9 (3 a message)
        msgs = [{"role": "user", "content": "Hello!"}]
        assert count_request(msgs, "gpt-3.5-turbo", timestamp_s=1682329136)[0] == 10
        assert count_request(msgs, "gpt-3.5-turbo", timestamp_s=1690000000)[0] == 9

    def test_o1_message_text_is_billed_with_a_line_break(self):
        # chat.O1_MESSAGE_TEXT_RULE. withmartian/llm-adapters tests/adapters/conversation/repeating/cassettes/
        # test_repeating_system/test_async[openai-openai-o1-mini].yaml (MIT), 2024-11-08: seven user messages 'Hi'
        # billed 87 = 7 x (user 1 + 'Hi\n' 2 + 10) + 3 priming - 7 (80 with 'Hi' alone: 1 under per message)
        hi = [{"role": "user", "content": "Hi"}] * 7
        assert count_request(hi, "o1-mini", timestamp_s=1731098956)[0] == 87
        # crewAIInc/crewAI test_llm_call_when_stop_is_unsupported.yaml (MIT), o1-mini, 2025-07-18: billed 14 = user 1 +
        # 'What is the capital of France?\n' 7 ('?\n' is one token: as many as without the line break) + 10 + 3 - 7
        assert count_request([{"role": "user", "content": "What is the capital of France?"}], "o1-mini",
                             timestamp_s=1752840000)[0] == 14
        # o1-preview after its launch weeks (chat.O1_PREVIEW_LAUNCH) bills as o1-mini (llm-adapters, 2024-11-08: 87);
        # before (crewAI, 2024-09) with the launch constants: 'Hi' alone 1 + 1 + 15 + 3 + 13 = 33
        assert count_request(hi, "o1-preview-2024-09-12", timestamp_s=1731098956)[0] == 87
        assert count_request(hi[:1], "o1-preview", timestamp_s=1727213301)[0] == 33

    def test_tool_call_id_is_not_text(self):
        other = [dict(m) for m in self.RECORDED]
        other[1] = {**other[1], "tool_calls": [{**other[1]["tool_calls"][0], "id": "call_" + "x" * 200}]}
        other[2] = {**other[2], "tool_call_id": "call_" + "x" * 200}
        assert count_chat_prompt(other, "gpt-4o", tools=self.TOOLS) == 74

    @pytest.mark.parametrize("model, family", [
        ("gpt-4o-2024-08-06", "chatml-o200k"), ("gpt-4.1-mini", "chatml-o200k"), ("gpt-4-0613", "chatml-gpt4"),
        ("gpt-4-turbo", "chatml-cl100k"), ("gpt-3.5-turbo", "chatml-cl100k"), ("gpt-5-mini", "harmony"),
        ("o3-mini", "o-series"), ("o1-preview", "o1-preview"), ("azure/gpt-5", "harmony")])
    def test_families(self, model, family):
        assert family_for_model(model, resolve_encoding(model).encoding).name == family

    def test_harmony_plain_is_one_less(self):
        # recorded gpt-5 calls: billed = the cookbook formula - 1 (e.g. pydantic-ai test_openai_moderation)
        msgs = [{"role": "user", "content": "Hello!"}]
        assert count_chat_prompt(msgs, "gpt-5") == count_chat_prompt(msgs, "gpt-4o") - 1

    def test_reasoning_completion_is_flagged(self):
        _, comp, notes = count_request([{"role": "user", "content": "hi"}], "gpt-5",
                                       completion={"role": "assistant", "content": "tiktoken is great!"})
        assert comp == 6 and any("lower bound" in n for n in notes)
        _, _, notes = count_request([{"role": "user", "content": "hi"}], "gpt-4o", completion="x")
        assert notes == []

    def test_completion_tool_call_counts_name_and_arguments(self):
        msg = {"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                                    "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}
        # name 2 + arguments 5 (o200k) + 6 per call + 1 for a lone call: 14 (recorded: 241 of 294 single calls exact)
        assert count_completion(msg, "gpt-4o") == 14
        two = {**msg, "tool_calls": msg["tool_calls"] * 2}
        # two calls: the multi_tool_use.parallel wrapper the model wrote, '{"tool_uses":[{"recipient_name":
        # "functions.get_weather","parameters":{"city":"Paris"}},{...the same...}]}' (34 tokens) + 10
        assert count_completion(two, "gpt-4o") == 34 + 10
        forced = count_request([], "gpt-4o", options={"tool_choice": {"type": "function",
                                                                      "function": {"name": "get_weather"}}},
                               completion=msg)[1]
        assert forced == 5  # a forced call bills its arguments only


class TestRobustness:
    @pytest.mark.parametrize("messages, tools, field", [
        (["hi"], None, "messages[0]"), ("hi", None, "messages"), ([{"role": "user", "content": 5}], "t", "tools"),
        ([{"role": "assistant", "tool_calls": "x"}], None, "messages[0].tool_calls"),
        ([{"role": "user", "content": [3j]}], None, "messages[0].content"),
    ])
    def test_wrong_shapes_are_record_problems(self, messages, tools, field):
        with pytest.raises(RecordProblem) as err:
            prompt_parts(messages, "gpt-4o", "o200k_base", tools=tools)
        assert err.value.field.startswith(field)

    def test_numbers_and_dicts_as_content_are_counted(self):
        p = prompt_parts([{"role": "user", "content": 42}, {"role": "user", "content": {"type": "text", "text": "x"}}],
                         "gpt-4o", "o200k_base")
        assert "42" in p.strings and "x" in p.strings

    def test_lone_surrogates(self):
        msgs = [{"role": "user", "content": "a\udc80b"}]
        assert count_chat_prompt(msgs, "gpt-4o") > 0
        prompt, completion = count_ft_chat(msgs, "ok\ud800")
        assert prompt > 0 and completion > 0

    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                               lambda c: st.lists(c, max_size=4) | st.dictionaries(st.sampled_from(
                                   ["role", "content", "type", "text", "name", "tool_calls", "function", "arguments",
                                    "image_url", "url", "detail", "file", "file_data", "input_audio", "data",
                                    "parameters", "properties", "items", "enum", "anyOf", "$ref", "required",
                                    "json_schema", "schema", "response_format", "functions", "tool_choice",
                                    "responses_body", "input", "instructions", "output", "call_id"]), c,
                                   max_size=5), max_leaves=25)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(json_values, json_values, json_values, st.sampled_from(["gpt-4o", "gpt-5-mini", "gpt-4", "o3-mini", None]))
    def test_any_json_raises_only_record_problem(self, messages, tools, options, model):
        try:
            count_request(messages, model or "", tools=tools, options=options if isinstance(options, dict) else None,
                          completion=options)
        except RecordProblem:
            pass


class TestTokenCounter:
    def test_no_counter_alias_shadows_collections_counter(self):
        import advisor.tokens.counter as t
        assert not hasattr(t, "Counter") and "TokenCounter" in t.__all__

    def test_count_many_matches_count(self):
        c = TokenCounter("o200k_base", threads=2)
        texts = ["tiktoken is great!"] * 70 + ["antidisestablishmentarianism"]
        assert c.count_many(texts) == [6] * 70 + [6]


class TestSampledSevenB:
    """Large chunks count the 7B tokens of 1 request in k per task and estimate the rest by the ratio."""

    def _raws(self, n):
        from advisor.logs.records import Raw
        words = "the customer order was charged twice and wants a refund for the damaged kettle".split()
        out = []
        for i in range(n):
            text = " ".join(words[(i * 7 + j) % len(words)] for j in range(20 + i % 30))
            out.append(Raw(line=i + 1, model="gpt-4o", messages=[{"role": "system", "content": "Classify."},
                                                                  {"role": "user", "content": text}],
                           completion={"role": "assistant", "content": words[i % len(words)]}))
        return out

    def test_estimates_close_to_exact_and_reported(self):
        from advisor.logs.counting import COUNT_NOTES_COLUMN, ChunkCounter
        raws = self._raws(400)
        exact = ChunkCounter(model=None, ft_tokenizer="mistral-v1", threads=1, ft_sample_every=1).rows("f", raws, [])
        sampled = ChunkCounter(model=None, ft_tokenizer="mistral-v1", threads=1, ft_sample_every=4,
                               ft_exact_below=100).rows("f", raws, [])
        total_exact, total_est = exact.ft_prompt_tokens.sum(), sampled.ft_prompt_tokens.sum()
        assert abs(total_est - total_exact) / total_exact < 0.01
        # every 4th request of the task is exact; the others carry the note with the interval
        assert (sampled.ft_prompt_tokens.iloc[::4].to_numpy() == exact.ft_prompt_tokens.iloc[::4].to_numpy()).all()
        notes = sampled[COUNT_NOTES_COLUMN].dropna()
        assert len(notes) == 300 and notes.str.contains("1-in-4 sample").all() and notes.str.contains("95% CI").all()

    def test_small_chunks_are_exact(self):
        from advisor.logs.counting import ChunkCounter
        raws = self._raws(50)
        a = ChunkCounter(model=None, ft_tokenizer="mistral-v1", threads=1).rows("f", raws, [])
        b = ChunkCounter(model=None, ft_tokenizer="mistral-v1", threads=1, ft_sample_every=1).rows("f", raws, [])
        assert a.ft_prompt_tokens.tolist() == b.ft_prompt_tokens.tolist()


class TestChunkCounterRobust:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(TestRobustness.json_values, TestRobustness.json_values, TestRobustness.json_values,
           TestRobustness.json_values, st.sampled_from(["gpt-4o", "gpt-5-mini", "gpt-4", None, "claude-3"]))
    @example(None, None, {"tool_calls": [{"function": True}]}, None, "gpt-4o")   # a call whose function is no object
    def test_rows_never_raise(self, messages, tools, completion, options, model):
        # any record shape: a row (counted or a problem with a reason), never an exception
        from advisor.logs.counting import ChunkCounter
        from advisor.logs.records import Raw
        raw = Raw(line=1, model=model, messages=messages if isinstance(messages, list) else None,
                  tools=tools if isinstance(tools, list) else None, completion=completion,
                  prompt_text=None if isinstance(messages, list) else "p",
                  request_options=options if isinstance(options, dict) else None)
        rows = ChunkCounter(model="gpt-4o", ft_tokenizer="mistral-v1", threads=1).rows("f", [raw], [])
        assert len(rows) == 1
        row = rows.iloc[0]
        assert row["problem"] is not None or row["prompt_tokens"] >= 0


class TestResponsesApi:
    """Responses API requests (advisor/tokens_responses.py), counted as ``usage.input_tokens``."""

    from advisor.tokens.counter import count_responses_request as count  # noqa: E402
    count = staticmethod(count)

    # simonw/llm tests/cassettes/test_openai_responses/test_responses_tool_use.yaml@c7464eeb (Apache-2.0): billed 58
    RECORDED = {"input": [{"role": "user", "content": "What is 1231 * 2331? Use the multiply tool."}],
                "model": "gpt-5.5", "reasoning": {"effort": "low"}, "store": False,
                "tools": [{"type": "function", "name": "multiply", "description": "Multiply two numbers.",
                           "parameters": {"properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                                          "required": ["a", "b"], "type": "object"}}]}

    def test_recorded_gpt5_flat_tool(self):
        # hand sum (o200k): priming 3 - 1 (harmony request) + user message 3 + role 1 + text 15
        # + tools block 29 ('namespace functions {...multiply...}') + 8 (Responses: no hidden tool-use preamble)
        assert self.count(self.RECORDED) == (58, [])

    def test_recorded_gpt5_function_round_trip(self):
        # the same cassette's second call (#1): billed 94. Hand sum: the 58 above; the function_call as an assistant
        # message 3 + role 1 + channel 2 + name 'multiply' 1 + arguments '{"a": 1231, "b": 2331}' 14 + 6 (Responses
        # harmony call framing); the function_call_output 3 + output '2869461' 3 + the name it answers 'multiply' 1
        # + 6 (result framing) -> 98 (4 over; the result's name is harmony's documented 'functions.NAME', issue 23)
        req = {**self.RECORDED, "input": self.RECORDED["input"] + [
            {"type": "function_call", "call_id": "c1", "name": "multiply", "arguments": '{"a": 1231, "b": 2331}'},
            {"type": "function_call_output", "call_id": "c1", "output": "2869461"}]}
        assert self.count(req) == (98, [])

    def test_text_input_equals_chat(self):
        # instructions -> a system message (non-reasoning family), input text -> a user message
        req = {"model": "gpt-4o", "instructions": "Be brief.", "input": "Hello!"}
        chat = count_chat_prompt([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}],
                                 "gpt-4o")
        assert self.count(req)[0] == chat

    def test_harmony_assistant_item_carries_its_channel(self):
        # an earlier assistant answer in a gpt-5 conversation carries '<|channel|>final': 2 tokens, on both APIs
        # (harmony docs/format.md; Chat Completions measured on 21 calibration calls, issue 23)
        msgs = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                {"role": "user", "content": "Bye"}]
        assert self.count({"model": "gpt-5", "input": msgs})[0] == count_chat_prompt(msgs, "gpt-5")
        no_text = [msgs[0], {"role": "assistant", "content": ""}, msgs[2]]
        assert count_chat_prompt(msgs, "gpt-5") == count_chat_prompt(no_text, "gpt-5") + 1 + 2  # 'Hello' + channel

    def test_function_items_are_tool_calls_and_results(self):
        items = [{"role": "user", "content": "Weather?"},
                 {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
                 {"type": "function_call_output", "call_id": "c1", "output": "sunny"}]
        chat = [{"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]
        # the same parts; a Responses gpt-4o result is framed by 4 tokens without the function's name, a Chat Completions
        # one by 2 with it ('get_weather': 2 tokens); the call by 3, not 4 (responses.RESPONSES_CHANGES)
        responses = self.count({"model": "gpt-4o", "input": items})[0]
        assert responses == count_chat_prompt(chat, "gpt-4o") - (2 + 2) + 4 - 1
        # a function_call item carrying its item id (an SDK replaying the API's output) bills 2 more
        stored = [items[0], {**items[1], "id": "fc_1", "status": "completed"}, items[2]]
        assert self.count({"model": "gpt-4o", "input": stored})[0] == responses + 2

    def test_text_format_is_the_json_schema_response_format(self):
        schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
        req = {"model": "gpt-4o", "input": "x", "text": {"format": {"type": "json_schema", "name": "A",
                                                                    "schema": schema, "strict": True}}}
        chat = count_chat_prompt([{"role": "user", "content": "x"}], "gpt-4o", options={"response_format": {
            "type": "json_schema", "json_schema": {"name": "A", "schema": schema, "strict": True}}})
        # the same text as Chat Completions; alone (no system message, no tools) its framing is 6, not 12
        assert self.count(req)[0] == chat - 12 + 6

    def test_required_with_one_tool_bills_as_naming_it(self):
        # pydantic/pydantic-ai tests/models/cassettes/test_openai_responses/test_openai_responses_output_type.yaml
        # @111dda9b (MIT), gpt-4o, tool_choice "required", one tool: billed 66. Hand sum (o200k): user 3 + 1 + 14,
        # priming 3, tools block 33 ('(_:{' before the undescribed 'age': chat.FAMILIES params_brace) + 3 (Responses
        # framing), forced tool 7 + 'final_result' 2 = 66 = billed (exact)
        tool = {"description": "The final response which ends this conversation", "name": "final_result",
                "parameters": {"additionalProperties": False, "properties": {"age": {"type": "integer"},
                                                                             "name": {"type": "string"}},
                               "required": ["name", "age"], "type": "object"}, "strict": True, "type": "function"}
        req = {"input": [{"content": "Give me the name and age of Brazil, Argentina, and Chile.", "role": "user"}],
               "model": "gpt-4o", "tool_choice": "required", "tools": [tool]}
        assert self.count(req) == (66, [])
        # with a second tool "required" names none of them: nothing extra (pydantic-ai test_tool_output: exact)
        two = {**req, "tools": [tool, {**tool, "name": "other"}]}
        assert self.count(two)[0] == self.count({**two, "tool_choice": "auto"})[0]

    def test_gpt4_bills_one_fewer_than_on_chat_completions(self):
        # DataDog/dd-trace-js packages/dd-trace/test/llmobs/cassettes/openai/openai_responses_post_*.yaml@864e883d
        # (Apache-2.0 OR BSD-3-Clause), gpt-4: instructions "test" + "hello" billed 12. Hand sum (cl100k): system
        # 3 + 1 + 1, user 3 + 1 + 1, priming 3 = 13 on Chat Completions; - 1 on Responses (RESPONSES_CHANGES chatml-gpt4:
        # all 7 recorded Responses gpt-4 calls there) = 12 (exact)
        req = {"model": "gpt-4", "instructions": "test", "input": [{"role": "user", "content": "hello"}]}
        assert self.count(req) == (12, [])
        assert count_chat_prompt([{"role": "system", "content": "test"}, {"role": "user", "content": "hello"}],
                                 "gpt-4") == 13

    # neilberkman/req_llm test/support/fixtures/openai/<model>/no_tool.json@51450757 (Apache-2.0): Chat-style tools
    # (a nested "function" beside the top-level name), 'Tell me a joke about cats' (6 tokens)
    REQ_LLM_TOOL = {"type": "function", "name": "get_weather", "function": {
        "description": "Get current weather information for a location", "name": "get_weather", "strict": True,
        "parameters": {"properties": {"location": {"type": "string"}}, "required": ["location"], "type": "object"}}}
    REQ_LLM_USER = {"role": "user", "content": [{"type": "input_text", "text": "Tell me a joke about cats"}]}

    @pytest.mark.parametrize("model, billed", [
        # gpt-4.1 billed 31: priming 3 + user 3 + 1 + 6 = 13; the name-only block 'namespace functions {\n\ntype
        # get_weather = () => any;\n\n} // namespace functions' 15 + 3 (Responses chatml-o200k tools) -> 31 (45 when
        # the nested description and parameters were counted)
        ("gpt-4.1", 31),
        # o3-mini billed 33: 13 - 1 (o-series request) + 15 + 6 (Responses o-series tools, not Chat Completions' 8)
        ("o3-mini", 33),
        # codex-mini-latest billed 34 (2025-10-07 and 10-15): 13 - 1 + 15 + 7 (responses.RESPONSES_MODEL_CHANGES)
        ("codex-mini-latest", 34),
    ])
    def test_chat_style_tool_bills_its_top_level_keys_only(self, model, billed):
        req = {"model": model, "input": [self.REQ_LLM_USER], "tools": [self.REQ_LLM_TOOL]}
        assert self.count(req) == (billed, [])

    @pytest.mark.parametrize("model, billed", [("o1", 32), ("o4-mini", 32), ("gpt-4.1", 40)])
    def test_o_series_bills_a_forced_tool_as_nothing(self, model, billed):
        # neilberkman/req_llm test/support/fixtures/openai/<model>/object_streaming.json@e608a63c (Apache-2.0),
        # 2025-10-07, tool_choice naming 'structured_output' (2 tokens), its tool name-only (the nested function
        # ignored): o1 and o4-mini billed 32 = priming 3 - 1 (request) + user 3 + 1 + 'Generate a software engineer
        # profile' 5 + the name-only block 15 + tools 6, what the request without tool_choice counts (41 with the
        # forced name 2 + 7: RESPONSES_CHANGES o-series forced_billed). gpt-4.1 billed 40: 3 + 3 + 1 + 5 + 15 + 3,
        # the forced name as '.structured_output' 3 (chat.forced_name_text; 2 alone) + 7
        tool = {"type": "function", "name": "structured_output", "function": {"name": "structured_output"}}
        text = "Generate a software engineer profile"
        req = {"model": model, "input": [{"role": "user", "content": [{"type": "input_text", "text": text}]}],
               "tools": [tool], "tool_choice": {"type": "function", "name": "structured_output"}}
        assert self.count(req) == (billed, [])

    def test_empty_message_is_not_billed(self):
        # neilberkman/req_llm test/support/fixtures/openai/gpt_4_1/tool_round_trip_2.json@0da6303e (Apache-2.0),
        # gpt-4.1: billed 34 = priming 3 + user 3 + 1 + 27; the {"role": "assistant", "content": []} after it adds
        # nothing (its framing 3 + 1 counted put it 4 over)
        text = "Call the add tool with a=2 and b=3. After receiving the tool result, reply exactly with 'sum=<value>'."
        req = {"model": "gpt-4.1", "input": [{"role": "user", "content": [{"type": "input_text", "text": text}]},
                                             {"role": "assistant", "content": []}]}
        assert self.count(req) == (34, [])

    @pytest.mark.parametrize("model, billed", [
        # neilberkman/req_llm test/support/fixtures/openai/<model>/basic.json@51450757 (Apache-2.0), 'Hello world!'
        # (3 tokens) as one user message: message 3 + role 1 + 3, priming 3 = 10 (chatml-o200k: gpt-5-chat-latest);
        # codex-mini-latest 9, the o-series request -1 (chat.family_for_model)
        ("gpt-5-chat-latest", 10),
        ("codex-mini-latest", 9),
    ])
    def test_codex_mini_and_gpt5_chat_families(self, model, billed):
        req = {"model": model, "input": [{"role": "user", "content": [{"type": "input_text", "text": "Hello world!"}]}]}
        assert self.count(req) == (billed, [])

    def test_chunk_counter_counts_a_whole_responses_body(self):
        # the log pipeline: a reader that keeps the body under request_options["responses_body"]
        from advisor.logs.counting import RESPONSES_BODY, ChunkCounter
        from advisor.logs.records import Raw
        raw = Raw(line=1, model="gpt-5.5", messages=self.RECORDED["input"], tools=self.RECORDED["tools"],
                  request_options={RESPONSES_BODY: self.RECORDED})
        rows = ChunkCounter(model=None, ft_tokenizer=None, threads=1).rows("f", [raw], [])
        assert rows.prompt_tokens.iloc[0] == 58

    def test_hosted_tools_are_not_rendered_as_functions(self):
        msgs = [{"role": "user", "content": "x"}]
        assert count_chat_prompt(msgs, "gpt-4o", tools=[{"type": "web_search_preview"}]) == \
            count_chat_prompt(msgs, "gpt-4o")

    def test_what_is_not_in_the_log_is_a_stated_lower_bound(self):
        got, notes = self.count({"model": "gpt-4o", "input": "more", "previous_response_id": "resp_1",
                                 "tools": [{"type": "web_search"}]})
        assert any("previous_response_id" in n and "lower bound" in n for n in notes)
        assert any("web_search" in n and "not counted" in n for n in notes)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(TestRobustness.json_values, st.sampled_from(["gpt-4o", "gpt-5-mini", "o3-mini", None]))
    def test_any_json_raises_only_record_problem(self, body, model):
        try:
            self.count(body if not isinstance(body, dict) else {**body, "model": model})
        except RecordProblem:
            pass


class TestResponsesLaunchPeriod:
    """Responses calls of 2025-03 billed a hidden prompt (advisor.tokens.responses.launch_period_tokens)."""

    from advisor.tokens.counter import count_responses_request as count  # noqa: E402
    count = staticmethod(count)
    # pydantic/pydantic-ai tests/models/cassettes/test_openai_responses/test_openai_responses_system_prompt.yaml
    # @bea16058 (MIT): created_at 1743075639 (2025-03-27), billed 42; the same request in
    # test_openai_responses_model_instructions.yaml@7260360a, created_at 1744043517 (2025-04-07), billed 24
    SYSTEM_PROMPT = {"input": [{"content": "What is the capital of France?", "role": "user"}],
                     "instructions": "You are a helpful assistant.", "model": "gpt-4o"}
    # ... test_openai_responses_model_simple_response_with_tool_call.yaml@bea16058: created_at 1743075630, billed 256
    STRICT_TOOL = {"input": [{"content": "What is the capital of PotatoLand?", "role": "user"}], "instructions": "",
                   "model": "gpt-4o", "tool_choice": "auto",
                   "tools": [{"description": "", "name": "get_capital", "strict": True, "type": "function",
                              "parameters": {"additionalProperties": False, "properties": {"country": {"type": "string"}},
                                             "required": ["country"], "type": "object"}}]}

    def test_same_request_bills_18_more_in_march_2025(self):
        # hand sum (o200k): system 3 + 1 + 6 ('You are a helpful assistant.') + user 3 + 1 + 7 + priming 3 = 24;
        # + 18 hidden launch-period tokens = 42 (billed 2025-03-27), 24 (billed 2025-04-07)
        assert self.count(self.SYSTEM_PROMPT, timestamp_s=1743075639) == (42, [])
        assert self.count(self.SYSTEM_PROMPT, timestamp_s=1744043517) == (24, [])
        assert self.count(self.SYSTEM_PROMPT) == (24, [])  # no time given: today's rules

    def test_tools_with_parallel_calls_bill_the_wrapper_namespace(self):
        # 40 counted from the text (user 3 + 1 + 8, priming 3, tools block 22 ('(_:{' before the undescribed
        # 'country') + 3 framing) + 18 + 198 = 256 = billed (exact)
        assert self.count(self.STRICT_TOOL) == (40, [])
        assert self.count(self.STRICT_TOOL, timestamp_s=1743075630) == (256, [])
        # parallel calls turned off: no wrapper namespace, only the 18
        assert self.count({**self.STRICT_TOOL, "parallel_tool_calls": False}, timestamp_s=1743075630)[0] == 40 + 18

    def test_the_uncertain_days_and_other_models_are_stated(self):
        # the change happened between the last call seen with (2025-03-28 12:05 UTC) and the first without (03-30)
        got, notes = self.count(self.SYSTEM_PROMPT, timestamp_s=1743250000)  # 2025-03-29 12:06 UTC
        assert got == 24 and any("2025-03-28 12:05" in n for n in notes)
        got, notes = self.count({**self.SYSTEM_PROMPT, "model": "o3-mini"}, timestamp_s=1743075632)
        assert any("o3-mini" in n and "not counted" in n for n in notes)


class TestDescriptions:
    def test_docstring_description_is_stripped_line_by_line(self):
        # pydantic-ai passes Python docstrings as descriptions; the recorded calls bill them dedented
        tool = [{"type": "function", "function": {"name": "f", "description": "Add.\n\n    Args:\n        x: a value\n    ",
                                                  "parameters": {"type": "object", "properties": {}}}}]
        assert render_functions(tool) == ("namespace functions {\n\n// Add.\n//\n// Args:\n// x: a value\n"
                                          "type f = () => any;\n\n} // namespace functions")

    def test_schema_defaults_are_not_billed(self):
        # recorded crewAI/pydantic schemas with defaults bill as if the defaults were absent (5-12 tokens each)
        base = {"type": "object", "properties": {"n": {"type": "number", "title": "N"}}, "required": ["n"]}
        with_default = {**base, "properties": {"n": {"type": "number", "default": 0.5, "title": "N"}}}
        fmt = lambda s: {"type": "json_schema", "json_schema": {"name": "r", "schema": s}}  # noqa: E731
        assert render_response_format(fmt(with_default)) == render_response_format(fmt(base)) == (
            "json_schema", 'r\n{"type":"object","properties":{"n":{"type":"number","title":"N"}}}')


class TestFileParts:
    def test_text_file_is_counted_as_its_text(self):
        # "hello world" in a text/plain data URL: its 2 tokens (o200k), like a text part; noted
        import base64 as b64
        url = "data:text/plain;base64," + b64.b64encode(b"hello world").decode()
        p = prompt_parts([{"role": "user", "content": [{"type": "input_file", "file_data": url}]}],
                         "gpt-4o", "o200k_base")
        assert "hello world" in p.strings and any("text file" in n for n in p.assumptions)

    def test_responses_pdf_has_no_page_images(self):
        # the same one-page PDF without text: 215 tokens (page estimate) as a chat 'file' part made before 2026-02-10,
        # 215 + 780 for the page image since 2026-03-03 (and without a time, as billed now), 0 as a Responses
        # 'input_file' (recorded: chat 241 vs Responses 29 billed for one PDF with a short prompt)
        pdf = "data:application/pdf;base64,JVBERi0xLjQKMSAwIG9iago8PC9UeXBlIC9QYWdlPj4KZW5kb2JqCg=="
        from advisor.tokens.media import count_file_part
        part = {"type": "file", "file": {"file_data": pdf}}
        assert count_file_part(part, "gpt-4.1-nano", 1755847546).tokens == 215
        assert count_file_part(part, "gpt-4.1-nano", 1775129006).tokens == 995
        assert count_file_part(part, "gpt-4.1-nano").tokens == 995
        # a model whose page images were not measured: left out, and the count says it is a lower bound
        got = count_file_part(part, "gpt-4o", 1775129006)
        assert got.tokens == 215 and is_lower_bound(got.assumption)
        assert count_file_part({"type": "input_file", "file_data": pdf}, "gpt-4o").tokens == 0

    def test_pdf_text_skips_image_streams_and_reads_two_byte_glyphs(self):
        # heldout4's llmrb/llm freebsd.sysctl.pdf (10 pages; gpt-4.1, 2025-09-06, billed 8,807) was counted 14,814:
        # its JPEGs' bytes held chance 'BT (...) ET' runs read as 21,386 characters of text; HumanSignal/Adala's
        # 9-page report (gpt-4o-mini, billed 8,169) was counted 16,738: its Identity-H strings draw 2 bytes a glyph.
        # Here one page draws "Hi" as 2-byte glyph ids (2 characters: 1 token at 4 a token) beside a JPEG whose
        # bytes hold "BT (chance bytes) ET": 215 for the page + 1 = 216 (221 when both were read as text).
        import base64 as b64

        from advisor.tokens.media import PDF_PAGES_SPREAD_NOTE, count_file_part, pdf_text_chars
        pdf = (b"%PDF-1.4\n1 0 obj <</Type /Page>> endobj\n2 0 obj <</Length 24>> stream\n"
               b"BT (\\000H\\000i) Tj ET\nendstream endobj\n3 0 obj <</Subtype /Image /Filter /DCTDecode>> stream\n"
               b"\xff\xd8BT (chance bytes) ET\nendstream endobj\n")
        assert pdf_text_chars(pdf) == 2
        part = {"type": "file", "file": {"file_data": "data:application/pdf;base64," + b64.b64encode(pdf).decode()}}
        got = count_file_part(part, "gpt-4o", 1757189527)
        assert got.tokens == 216 and PDF_PAGES_SPREAD_NOTE not in got.assumption
        # two pages: the estimate says how far multi-page bills were from it (0.88x to 1.41x)
        two = pdf.replace(b"endobj\n2 0", b"endobj\n4 0 obj <</Type /Page>> endobj\n2 0")
        part2 = {"type": "file", "file": {"file_data": "data:application/pdf;base64," + b64.b64encode(two).decode()}}
        got = count_file_part(part2, "gpt-4o", 1757189527)
        assert got.tokens == 2 * 215 + 1 and PDF_PAGES_SPREAD_NOTE in got.assumption

    def test_unreadable_file_is_a_named_lower_bound(self):
        # a Word file given as data: the API reads it, we cannot (recorded gpt-5-nano calls bill 65-74 tokens)
        from advisor.tokens.media import count_file_part
        docx = "data:application/vnd.openxmlformats-officedocument.wordprocessingml.document;base64,UEsDBBQ="
        got = count_file_part({"type": "input_file", "file_data": docx}, "gpt-5-nano")
        assert got.tokens == 0 and is_lower_bound(got.assumption) and "wordprocessingml.document" in got.assumption



# withmartian/llm-adapters' tools tests (MIT): one function 'generate' with a 'prompt' parameter, asked for by the user
_GENERATE_TOOLS = [{"type": "function", "function": {
    "description": "Generate random number", "name": "generate", "parameters": {
        "type": "object", "properties": {"prompt": {"type": "string", "description": "Random number like 5, 4, 3, 10, 11"}},
        "required": ["prompt"]}}}]
_GENERATE_ASK = [{"role": "user", "content": "Generate random number via tools, range 1-10"}]

class TestToolsFraming:
    def test_tools_share_only_a_leading_system_message(self):
        # recorded gpt-3.5-turbo-0125 calls (crewAI) with the system message after the user's bill the tools
        # block with its own framing: tools_with_system applies only when the request opens with a system message
        # (there: 9 - 10 + the seam's 7 tokens, 'S' not merging with it, against 9)
        tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
        sys_first = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
        sys_after = [sys_first[1], sys_first[0]]
        assert count_chat_prompt(sys_after, "gpt-3.5-turbo", tools=tools) == \
            count_chat_prompt(sys_first, "gpt-3.5-turbo", tools=tools) + 3

    def test_parameters_schema_description_is_billed(self):
        # Mirascope/mirascope python/tests/llm/clients/openai/cassettes/test_structured_outputs[structured_output_
        # annotation_and_docstring_scenario-tool].yaml@cebd818f (MIT), gpt-4o: billed 169. Hand sum (o200k): system
        # 3 + 1 + its text merged with the tools block 138 (which holds '// An output. The `first` value should
        # be the number 17.' twice: in the function's description and as the schema's own, after the schema's
        # title lines '// Output' and '//', 3 tokens); user 3 + 1 + 4; priming 3; tools framing 9 - 10; forced name
        # 9 + 7 -> 168 (1 under; 4 under without the schema's title, 19 without its description too; the property
        # titles First and Second one line each)
        desc = "An output. The `first` value should be the number 17."
        params = {"description": desc, "title": "Output", "type": "object", "additionalProperties": False,
                  "required": ["first", "second"], "properties": {
                      "first": {"title": "First", "type": "integer"},
                      "second": {"description": "Should be the number 13", "title": "Second", "type": "integer"}}}
        name = "__mirascope_formatted_output_tool__"
        tools = [{"type": "function", "function": {
            "name": name, "strict": True, "parameters": params,
            "description": "Use this tool to extract data in Output format for a final response.\n" + desc}}]
        messages = [{"role": "system", "content": f"When you are ready to respond to the user, call the {name} tool to "
                     "output a structured response.\nDo NOT output any text in addition to the tool call."},
                    {"role": "user", "content": "Produce a formatted output"}]
        forced = {"tool_choice": {"type": "function", "function": {"name": name}}}
        assert render_functions(tools).count(f"// {desc}\n") == 2
        assert count_chat_prompt(messages, "gpt-4o", tools=tools, options=forced) == 168
        # gpt-4 (8k) does not bill it (4 recorded calls of this tool): the line is left out there
        assert count_chat_prompt(messages, "gpt-4", tools=tools, options=forced) == count_chat_prompt(
            messages, "gpt-4", tools=[{"type": "function", "function": {
                **tools[0]["function"], "parameters": {k: v for k, v in params.items() if k != "description"}}}],
            options=forced)

    def test_harmony_forced_function_among_several(self):
        # pydantic/pydantic-ai tests/models/cassettes/test_tool_choice_matrix/test_tool_choice_matrix[list_single-
        # openai].yaml@98faf4c9 (MIT), gpt-5-mini, tool_choice naming get_weather of 2 strict tools: billed 150.
        # Same sum as with tool_choice "auto" (hmarr: forcing adds the name plus framing) and the name 'get_weather'
        # 2, minus 3: harmony's forced framing (chatml's 7 was 10 over on all 4 such recorded calls)
        tools = [{"type": "function", "function": {
            "name": n, "description": d, "strict": True, "parameters": {
                "additionalProperties": False, "properties": {p: {"type": "string"}}, "required": [p], "type": "object"}}}
            for n, d, p in (("get_weather", "Get weather for a city", "city"),
                            ("get_time", "Get time in a timezone", "timezone"))]
        messages = [{"content": "What's the weather in Paris?", "role": "user"}]
        forced = count_chat_prompt(messages, "gpt-5-mini", tools=tools, options={
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}}})
        auto = count_chat_prompt(messages, "gpt-5-mini", tools=tools, options={"tool_choice": "auto"})
        assert forced == 150 and forced == auto + 2 - 3

    def test_system_as_list_of_parts_shares_the_tools_framing(self):
        # Arize-ai/openinference instrumentation-agent-framework tests/cassettes/test_processor/
        # test_agent_with_tool_calls.yaml@87639c48 (Apache-2.0), gpt-4o-mini, 2026-02-12: billed 75. Hand sum (o200k):
        # system 3 + 1 + (its text, the seam '\n\n# Tools\n\n## functions\n\n' and the get_weather block encoded
        # together: 58; the schema's title get_weather_input as '// get_weather_input' and '//' first, the property
        # title Location one line), user 3 + 1 + 7, priming 3, tools 9 - 10 -> 75, as the same system message sent as
        # a string (h12tok, 2026-12-08: advisor.tokens.chat.tools_share_system; 79 framed as without a system
        # message, 4 over, as before)
        tools = [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather for a location.",
                                                   "parameters": {"properties": {"location": {"title": "Location", "type": "string"}},
                                                                  "required": ["location"], "title": "get_weather_input",
                                                                  "type": "object"}}}]
        texts = ("You are a weather assistant. Use the get_weather tool when asked about weather.",
                 "What's the weather in San Francisco?")
        parts = [{"role": role, "content": [{"type": "text", "text": t, "additional_properties": {}}]}
                 for role, t in zip(("system", "user"), texts)]
        assert count_chat_prompt(parts, "gpt-4o-mini", tools=tools, options={"tool_choice": "auto"}) == 75
        # the same system message as a string: 75
        plain = [{"role": role, "content": t} for role, t in zip(("system", "user"), texts)]
        assert count_chat_prompt(plain, "gpt-4o-mini", tools=tools, options={"tool_choice": "auto"}) == 75

    @pytest.mark.parametrize("model, messages, functions, billed", [
        # traceloop/openllmetry packages/opentelemetry-instrumentation-openai/tests/traces/cassettes/test_functions/
        # test_open_ai_function_calls.yaml@cb9b6f1e (Apache-2.0), function_call "auto": billed 82. Hand sum (cl100k):
        # user 3 + 1 + 8, priming 3, the weather block 58 + 9 (tools framing) = 82
        ("gpt-4", [{"role": "user", "content": "What's the weather like in Boston?"}],
         [{"name": "get_current_weather", "description": "Get the current weather in a given location",
           "parameters": {"type": "object", "properties": {
               "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
               "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}], 82),
        # hmarr/openai-chat-tokens tests/token-counts.test.ts (MIT; token counts taken from the API's prompt_tokens):
        # user 3 + 1 + 1 ('hello'), priming 3, 'namespace functions {...type foo = () => any;...}' 14 + 9 = 31
        ("gpt-3.5-turbo", [{"role": "user", "content": "hello"}],
         [{"name": "foo", "parameters": {"type": "object", "properties": {}}}], 31),
    ])
    def test_legacy_functions_are_framed_like_tools(self, model, messages, functions, billed):
        assert count_chat_prompt(messages, model, functions=functions) == billed
        tools = [{"type": "function", "function": f} for f in functions]
        assert count_chat_prompt(messages, model, tools=tools) == billed

    def test_forced_name_billed_after_its_dot(self):
        # neilberkman/req_llm test/support/fixtures/openai/gpt_4o/object_streaming.json@e608a63c (Apache-2.0), gpt-4o,
        # 2025-10-07: billed 93. Hand sum (o200k): user 3 + 1 + 'Generate a software engineer profile' 5, priming 3, the
        # strict structured_output block 62 + tools 9, the forced name '.structured_output' 3 ('.', 'structured',
        # '_output'; 'structured_output' alone is 2) + 7 = 93 (chat.forced_name_text; 92 with the bare name)
        props = {"age": {"description": "Person's age in years", "minimum": 1, "type": "integer"},
                 "name": {"description": "Person's full name", "type": "string"},
                 "occupation": {"description": "Person's job or profession", "type": "string"}}
        tools = [{"type": "function", "function": {
            "name": "structured_output", "description": "Generate structured output matching the provided schema",
            "strict": True, "parameters": {"type": "object", "properties": props, "additionalProperties": False,
                                           "required": ["age", "name", "occupation"]}}}]
        messages = [{"role": "user", "content": "Generate a software engineer profile"}]
        forced = {"tool_choice": {"type": "function", "function": {"name": "structured_output"}}}
        assert count_chat_prompt(messages, "gpt-4o", tools=tools, options=forced) == 93

    def test_enum_property_keeps_the_spaced_brace(self):
        # neilberkman/req_llm test/support/fixtures/openai/gpt_4o/multi_tool.json@51450757 (Apache-2.0), gpt-4o,
        # 2025-11-02: billed 105. Hand sum (o200k): user 3 + 1 + "What's the weather like in Paris, France?" 9, priming
        # 3, tools 9, the block 80: get_weather's parameters open '(_: {' (its unit enum: tools.enum_property), tell_joke's
        # '(_:{' before its comment line (the same count), get_time '()' -> 105 (104 with '(_:{' for get_weather)
        weather = {"type": "object", "additionalProperties": False, "required": ["location"], "properties": {
            "location": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"], "type": "string"}}}
        joke = {"type": "object", "additionalProperties": False,
                "properties": {"topic": {"description": "Topic for the joke", "type": "string"}}}
        tools = [{"type": "function", "function": {"name": name, "description": desc, "parameters": params}}
                 for name, desc, params in (
                     ("get_weather", "Get current weather information for a location", weather),
                     ("tell_joke", "Tell a funny joke", joke),
                     ("get_time", "Get the current time", {"type": "object", "properties": {}}))]
        messages = [{"role": "user", "content": "What's the weather like in Paris, France?"}]
        assert count_chat_prompt(messages, "gpt-4o", tools=tools) == 105

    def test_gpt4_forced_tool_framing_is_four(self):
        # withmartian/llm-adapters tests/adapters/tools/cassettes/test_execute_tools_choices/test_async[openai-openai-
        # gpt-4].yaml@037e9fae (MIT), gpt-4 (answered by gpt-4-0613), 2024-11-08: billed 77. Hand sum (cl100k): user
        # 3 + 1 + 11, priming 3, the generate block 45 (no titles on gpt-4) + 9 (tools framing), the forced name
        # 'generate' 1 + 4 = 77 (chat.FAMILIES chatml-gpt4 forced_tool; 2 under with the 2 it was)
        tools, messages = _GENERATE_TOOLS, _GENERATE_ASK
        forced = {"tool_choice": {"type": "function", "function": {"name": "generate"}}}
        assert count_chat_prompt(messages, "gpt-4", tools=tools, options=forced) == 77
        assert count_chat_prompt(messages, "gpt-4", tools=tools) == 77 - 1 - 4

    @pytest.mark.parametrize("model, billed, framing", [("gpt-3.5-turbo", 46, 7), ("gpt-4o", 45, 7), ("gpt-4", 43, 4)])
    def test_forced_legacy_function_without_parameters_is_framed_as_a_forced_tool(self, model, billed, framing):
        # withmartian/llm-adapters tests/adapters/cassettes/test_execute_functions/test_async_execute_function_calls[
        # openai-openai-<model>].yaml@3cf59da3 (MIT), 2024-10-30: function_call naming 'generate', which has no
        # parameters. Hand sum (gpt-3.5-turbo, cl100k): user 3 + 1 + 3 ('Generate random number'), priming 3, the block
        # 'namespace functions {...// Generate random number\ntype generate = () => any;...}' 19 + 9, the name 1 + 7 =
        # 46 billed; gpt-4 the same with 4 (43), gpt-4o 45 (o200k). The same request sent as tools with a named
        # tool_choice billed the same (chat.forced_function_framing)
        functions = [{"description": "Generate random number", "name": "generate"}]
        messages = [{"role": "user", "content": "Generate random number"}]
        legacy = count_chat_prompt(messages, model, functions=functions, options={"function_call": {"name": "generate"}})
        tools = count_chat_prompt(messages, model, tools=[{"type": "function", "function": functions[0]}],
                                  options={"tool_choice": {"type": "function", "function": {"name": "generate"}}})
        assert legacy == tools == billed
        assert legacy == count_chat_prompt(messages, model, functions=functions) + 1 + framing
        # a forced function with parameters keeps forced_function (crewAI's InstructorToolCalling, gpt-4: -12)
        with_params = [{**functions[0], "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}}}]
        assert count_chat_prompt(messages, "gpt-4", functions=with_params, options={
            "function_call": {"name": "generate"}}) == count_chat_prompt(messages, "gpt-4", functions=with_params) + 1 - 12

    def test_required_tool_choice_on_gpt4_and_before_its_periods_end(self):
        # "required": gpt-4 bills 2 at all dates (chat.FAMILIES chatml-gpt4 required_tool); gpt-3.5-turbo and the gpt-4o
        # family billed 2 until a date (advisor.tokens.periods.REQUIRED_CHOICE_PERIODS)
        # withmartian/llm-adapters tests/adapters/tools/cassettes/test_execute_tools_choices_required/test_async[openai-
        # openai-gpt-4].yaml@037e9fae (MIT), gpt-4, 2024-11-08: billed 74 = user 3 + 1 + 11, priming 3, the generate
        # block 45 + 9, required 2
        tools, messages = _GENERATE_TOOLS, _GENERATE_ASK
        assert count_chat_prompt(messages, "gpt-4", tools=tools, options={"tool_choice": "required"}) == 74
        # Future-House/ldp tests/cassettes/TestLLMCallOp.test_cost_tracking.yaml (Apache-2.0), gpt-3.5-turbo, the same
        # request billed 41 on 2024-11-08 and 39 on 2025-06-16: user 3 + 1 + 3 ('Generate a story'), priming 3, the
        # generate_story block 20 ('type generate_story = () => any;') + 9 = 39, + 2 in the period
        story = [{"type": "function", "function": {"name": "generate_story", "description": "Generate a story.",
                                                   "parameters": {"type": "object", "properties": {}, "required": []}}}]
        ask = [{"role": "user", "content": "Generate a story"}]
        opts = {"tool_choice": "required", "temperature": 0.1}
        assert [count_request(ask, "gpt-3.5-turbo", tools=story, options=opts, timestamp_s=t)[0]
                for t in (1731108267, 1750107523, None)] == [41, 39, 39]
        # the gpt-4o family's period ended between 2024-10-07 and 2024-10-09: paper-qa/ldp calls of 2024-09 billed 2
        # more; the same tool on gpt-4o-mini after it as counted
        assert [count_request(ask, "gpt-4o-mini", tools=story, options=opts, timestamp_s=t)[0]
                for t in (1726012800, 1728511638)] == [count_request(ask, "gpt-4o-mini", tools=story)[0] + d
                                                         for d in (2, 0)]


class TestIssue23Completions:
    """Answers as billed (issue 23, item 3); constants fitted on the calibration corpus (advisor.tokens.chat)."""

    TOOLS = [{"type": "function", "function": {
        "name": "calculator", "description": "Performs basic arithmetic", "parameters": {
            "type": "object", "properties": {"expression": {"type": "string", "description": "Math expression to evaluate"}},
            "required": ["expression"], "additionalProperties": False, "strict": True}}}]

    def test_text_answer_with_tools_offered(self):
        # crmne/ruby_llm spec/fixtures/vcr_cassettes/activerecord_actsas_event_callbacks_calls_on_tool_call_and_on_tool_
        # result_callbacks.yml@75b5cd5a (MIT), gpt-4.1-nano: "2 + 2 equals 4." billed 9 = 8 text tokens + 1 for
        # the tools offered (457 of 622 such calibration answers bill exactly +1)
        answer = {"role": "assistant", "content": "2 + 2 equals 4."}
        msgs = [{"role": "user", "content": "What is 2 + 2?"}]
        assert count_request(msgs, "gpt-4.1-nano", tools=self.TOOLS, completion=answer)[1] == 9
        assert count_request(msgs, "gpt-4.1-nano", completion=answer)[1] == 8

    def test_one_call_through_the_parallel_wrapper(self):
        # crmne/ruby_llm spec/fixtures/vcr_cassettes/chat_function_calling_openai_gpt-4_1-nano_can_use_tools.yml@
        # f770a006 (MIT): one call whose arguments came back re-serialized ('": "'), billed 39 = the compact
        # '{"tool_uses":[{"recipient_name":"functions.weather","parameters":{...}}]}' (29) + 10; the plain rule
        # (name 1 + arguments 18 + 7) gave 26, the issue's "13 short"
        call = {"id": "c", "type": "function", "function": {
            "name": "weather", "arguments": '{"latitude": "52.5200", "longitude": "13.4050"}'}}
        answer = {"role": "assistant", "content": None, "tool_calls": [call]}
        assert count_completion(answer, "gpt-4.1-nano") == 39

    def test_two_calls_bill_the_wrapper(self):
        # the wrapper of two calls: '{"tool_uses":[{"recipient_name":"functions.f","parameters":{"a":1}},
        # {"recipient_name":"functions.f","parameters":{"a":2}}]}' + 10 (every 2- and 3-call calibration answer)
        calls = [{"id": str(i), "type": "function", "function": {"name": "f", "arguments": f'{{"a":{i}}}'}} for i in (1, 2)]
        wrapper = ('{"tool_uses":[{"recipient_name":"functions.f","parameters":{"a":1}},'
                   '{"recipient_name":"functions.f","parameters":{"a":2}}]}')
        got = count_completion({"role": "assistant", "content": None, "tool_calls": calls}, "gpt-4o")
        assert got == TokenCounter("o200k_base").count(wrapper) + 10

    def test_compact_single_call_keeps_the_plain_rule(self):
        # name 'weather' 1 + '{"city":"Paris"}' 5 + 6 per call + 1 for a lone call = 13
        call = {"id": "c", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}
        assert count_completion({"role": "assistant", "content": None, "tool_calls": [call]}, "gpt-4o") == 13

    def test_responses_answers(self):
        from advisor.tokens.responses import responses_completion_parts

        def billed(request, completion):
            p = responses_completion_parts(request, completion, "gpt-4o", "o200k_base")
            return p.fixed + sum(TokenCounter("o200k_base").count_many(p.strings))
        # "Hi" 1 token + 1 end marker; + 1 more with tools offered (hosted ones too)
        assert billed({"input": "x"}, "Hi") == 2
        assert billed({"input": "x", "tools": [{"type": "web_search"}]}, "Hi") == 3
        # one function call: the chat rule 13 (see above) + 1 end marker
        call = {"id": "c", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}
        assert billed({"input": "x"}, {"role": "assistant", "content": None, "tool_calls": [call]}) == 14


class TestIssue23HarmonyResponseFormat:
    def test_documented_section(self):
        # openai/harmony docs/format.md, "Structured output": '# Response Formats\n\n## {name}\n\n// {desc}\n{schema}'
        rf = {"type": "json_schema", "json_schema": {"name": "r", "description": "One word.", "schema": {
            "type": "object", "properties": {"w": {"type": "string"}}, "required": ["w"]}}}
        assert render_response_format(rf, harmony=True) == ("json_schema", '# Response Formats\n\n## r\n\n// One word.\n'
                                                            '{"type":"object","properties":{"w":{"type":"string"}}}')

    def test_recorded_gpt5_nano_chat(self):
        # crmne/ruby_llm spec/fixtures/vcr_cassettes/chat_with_schema_with_openai_gpt-5-nano_accepts_a_json_schema_and_
        # returns_structured_output.yml@75b5cd5a (MIT): billed 49 = user 3 + 1 + 11, priming 3 - 1 (harmony), the
        # section 28 + a developer message created for it 3 + 1 (the old rule was 9 short on all 4 such calls)
        rf = {"type": "json_schema", "json_schema": {"name": "response", "schema": {
            "type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name", "age"], "additionalProperties": False}, "strict": True}}
        msgs = [{"role": "user", "content": "Generate a person named John who is 30 years old"}]
        assert count_chat_prompt(msgs, "gpt-5-nano", options={"response_format": rf}) == 49


class TestIssue23Images:
    @pytest.mark.parametrize("model, w, h, n", [
        # gpt-5.2+ bill 32 px patches x 1.2 (OpenAI pricing calculator; community.openai.com/t/1377015): 60 x 30 px is
        # ceil(60/32) * ceil(30/32) = 2 patches -> 2.4 -> 3 (the tile rule said 70 + 140 = 210)
        ("gpt-5.4", 60, 30, 3), ("gpt-5.4-mini", 60, 30, 3),
        # 512 x 512 = 16 * 16 = 256 patches x 1.2 = 307.2 -> 308
        ("gpt-5.4-nano", 512, 512, 308),
        # gpt-5 itself keeps the tile rule: 70 + 140 per tile (640 x 480: 2 tiles -> 350)
        ("gpt-5", 640, 480, 350),
    ])
    def test_patch_models(self, model, w, h, n):
        assert image_tokens(w, h, "high", image_rule(model)[0]) == n


class TestIssue23PdfPages:
    @pytest.mark.parametrize("when, tokens, note", [
        (1767967221, 0, False),      # 2026-01-09: text only (ruby_llm, gpt-4.1-nano: 1,003 billed)
        (1772538410, 780, False),    # 2026-03-03 11:46 UTC: the first call seen billing the page image (1,783)
        (1771000000, 780, True),     # 2026-02-13: between the last without and the first with: said so
        (None, 780, True),           # no time: counted as billed now, said so
    ])
    def test_page_image_by_date(self, when, tokens, note):
        got, why = pdf_page_image_tokens(when)
        assert got == tokens and (why is not None) == note


class TestToolSchemaKeywords:
    """How the keywords of a tool's parameters schema are billed (h23f, 2026-12-07): each rule checked on real billed
    calls of the fitted codebases (advisor.tokens.tools)."""

    BOOK = {"properties": {"title": {"title": "Title", "type": "string"}, "author": {"title": "Author", "type": "string"}},
            "required": ["title", "author"], "title": "Book", "type": "object", "additionalProperties": False}

    def test_schema_title_is_a_comment_line_and_a_bare_one(self):
        # Mirascope/mirascope python/tests/e2e/cassettes/structured_output/openai/tool_async.yaml@bff56bed (MIT),
        # gpt-4o: billed 137. Hand sum (o200k): system 3 + 1 + its text merged with the tools block 100 (with the
        # schema's title as '// Book' and '//', 3 tokens); user 3 + 1 + 11; priming 3; tools framing 9 - 10; forced
        # name 9 + 7 -> 137 (exact; 134 without the title lines, as the 12 such fitted calls of this tool were)
        name = "__mirascope_formatted_output_tool__"
        tools = [{"type": "function", "function": {
            "name": name, "description": "Use this tool to extract data in Book format for a final response.",
            "parameters": self.BOOK, "strict": True}}]
        messages = [{"role": "system", "content": f"When you are ready to respond to the user, call the {name} tool to "
                     "output a structured response.\nDo NOT output any text in addition to the tool call."},
                    {"role": "user", "content": "Please recommend the most popular book by Patrick Rothfuss"}]
        opts = {"parallel_tool_calls": False, "tool_choice": {"type": "function", "function": {"name": name}}}
        assert "{\n\n// Book\n//\n// Use this tool to extract data in Book format for a final response.\ntype " in \
            render_functions(tools)  # the title first (advisor.tokens.tools.schema_title_lines): 137 either way
        assert count_chat_prompt(messages, "gpt-4o", tools=tools, options=opts) == 137

    def test_schema_title_on_the_responses_api(self):
        # traceloop/openllmetry packages/opentelemetry-instrumentation-openai-agents/tests/cassettes/test_openai_agents/
        # test_tool_span_operation_name.yaml@abbcc11a (Apache-2.0), gpt-4.1: billed 72. Hand sum (o200k): system
        # 3 + 1 + the instructions (13) merged with the tools block, 57 in all (with '// get_weather_args' and '//',
        # 5 tokens); user 3 + 1 + 7; priming 3; Responses tools framing 3 - 6 -> 72 (exact; 67 without the title)
        req = {"input": [{"content": "What is the weather in London?", "role": "user"}], "model": "gpt-4.1",
               "instructions": "You get the weather for a city using the get_weather tool.",
               "tools": [{"name": "get_weather", "type": "function", "strict": True,
                          "description": "Gets the current weather for a specified city.",
                          "parameters": {"properties": {"city": {"title": "City", "type": "string"}}, "required": ["city"],
                                         "title": "get_weather_args", "type": "object", "additionalProperties": False}}]}
        assert count_responses_request(req) == (72, [])

    def test_harmony_and_gpt4_show_no_schema_title(self):
        # openai/harmony src/encoding.rs renders no title of the parameters schema (gpt-5, o-series); gpt-4 (8k)
        # bills neither the schema's description nor its title (Mirascope's tool: 2 under whatever the title's length)
        untitled = {k: v for k, v in self.BOOK.items() if k != "title"}
        fn = lambda p: [{"type": "function", "function": {"name": "f", "parameters": p}}]  # noqa: E731
        user = [{"role": "user", "content": "Hi"}]
        for model in ("gpt-5", "o3-mini", "gpt-4"):
            assert count_chat_prompt(user, model, tools=fn(self.BOOK)) == count_chat_prompt(user, model, tools=fn(untitled))
        assert count_chat_prompt(user, "gpt-4o", tools=fn(self.BOOK)) == count_chat_prompt(
            user, "gpt-4o", tools=fn(untitled)) + 3

    def test_harmony_nested_object_of_a_non_strict_tool_is_flush_left(self):
        # crmne/ruby_llm spec/fixtures/vcr_cassettes/chat_function_calling_openai_gpt-5-nano_handles_object_params.yml
        # @fb5a49bf (MIT), gpt-5-nano, Responses: billed 91. Hand sum (o200k): user 1 + 29, the tools block 47 with the
        # nested 'window' object's lines flush left (harmony's open-source renderer would indent them: 53), the
        # harmony Responses framing of a request with tools 13 -> 90 (1 under; 96 indented, 6 over). The same tool
        # on Chat Completions gpt-5-nano is likewise 1 under (6 over indented)
        window = {"type": "object", "description": "Time window to schedule", "additionalProperties": False,
                  "properties": {"start": {"type": "string", "description": "ISO start"},
                                 "end": {"type": "string", "description": "ISO end"}}, "required": ["start", "end"]}
        tool = {"type": "function", "name": "object_params", "description": "Uses params DSL object support", "strict": False,
                "parameters": {"type": "object", "properties": {"window": window}, "required": ["window"],
                               "additionalProperties": False}}
        req = {"model": "gpt-5-nano", "store": False, "tools": [tool], "input": [{"role": "user", "content": (
            "Call the object params tool with window start 2025-01-01 and end 2025-01-02 and include the result.")}]}
        assert count_responses_request(req) == (90, [])
        assert "window: {\n// ISO start\nstart: string,\n// ISO end\nend: string,\n},\n" in render_functions(
            [{"type": "function", "function": tool}], nested_indent=False)

    def test_no_schema_titles_in_a_request_with_definitions(self):
        # traceloop/openllmetry packages/opentelemetry-instrumentation-openai-agents/tests/cassettes/test_openai_agents/
        # test_recipe_workflow_agent_handoffs_with_function_tools.yaml@fa5617de (Apache-2.0), gpt-4o Responses:
        # billed 188. Hand sum (o200k): system 3 + 1 + the instructions merged with the tools block 169 (no
        # '// search_recipes_args' nor '// plan_and_apply_recipe_modifications_args': one schema has $defs); user
        # 3 + 1 + 11; priming 3; Responses tools framing 3 - 6 -> 188 (exact; 203 with the two titles)
        recipe = {"title": "Recipe", "type": "object", "additionalProperties": False, "required": [
            "id", "name", "ingredients", "instructions", "prep_time", "cook_time", "servings"], "properties": {
            "id": {"title": "Id", "type": "string"}, "name": {"title": "Name", "type": "string"},
            "ingredients": {"items": {"type": "string"}, "title": "Ingredients", "type": "array"},
            "instructions": {"items": {"type": "string"}, "title": "Instructions", "type": "array"},
            "prep_time": {"title": "Prep Time", "type": "string"}, "cook_time": {"title": "Cook Time", "type": "string"},
            "servings": {"title": "Servings", "type": "integer"}}}
        search = {"name": "search_recipes", "type": "function", "strict": True,
                  "description": "Search and browse recipes in the database.",
                  "parameters": {"properties": {"query": {"default": "", "title": "Query", "type": "string"}},
                                 "title": "search_recipes_args", "type": "object", "additionalProperties": False,
                                 "required": ["query"]}}
        modify = {"name": "plan_and_apply_recipe_modifications", "type": "function", "strict": True,
                  "description": "Plan modifications to a recipe based on user request and apply them.",
                  "parameters": {"$defs": {"Recipe": recipe}, "properties": {
                      "recipe": {"$ref": "#/$defs/Recipe"},
                      "modification_request": {"title": "Modification Request", "type": "string"}},
                      "required": ["recipe", "modification_request"], "title": "plan_and_apply_recipe_modifications_args",
                      "type": "object", "additionalProperties": False}}
        req = {"model": "gpt-4o", "input": [{"role": "user", "content": "Can you edit the carbonara recipe to be vegetarian?"}],
               "instructions": "You are a recipe editor specialist. Help users search and modify recipes using your tools.",
               "tools": [search, modify]}
        assert count_responses_request(req) == (188, [])
        # without the definitions the titles are shown
        plain = {**modify, "parameters": {**modify["parameters"], "$defs": None}}
        assert "// search_recipes_args\n//\n" in render_functions([{"type": "function", "function": search},
                                                                  {"type": "function", "function": plain}])


class TestReasoningModePro:
    """reasoning.mode "pro" bills a hidden prompt: the count is a stated lower bound
    (advisor.tokens.responses.PRO_MODE_NOTE)."""

    REQUEST = {"input": [{"content": "What is the capital of France? Answer in one word.", "role": "user"}],
               "model": "gpt-5.6-sol", "reasoning": {"context": "all_turns", "mode": "pro"}, "stream": False}

    def test_pydantic_ai_reasoning_mode_pro_call(self):
        # pydantic/pydantic-ai tests/models/cassettes/test_openai_responses/test_openai_responses_reasoning_mode_pro.yaml
        # @7e3e9593 (MIT), 2026-07-24: billed 1,549. Hand count (harmony, Responses): priming 3 - 1 (request), user
        # 3 + 1 + 12 = 18, and the note: the 1,531 tokens of the pro mode's hidden prompt are not in the request
        from advisor.tokens.responses import PRO_MODE_NOTE

        got, notes = count_responses_request(self.REQUEST, timestamp_s=1784912259)
        assert got == 18 and notes == [PRO_MODE_NOTE] and is_lower_bound(PRO_MODE_NOTE)
        # without the mode (rig-531f14b70634: 11 counted = 11 billed for its prompt) no note
        assert count_responses_request({**self.REQUEST, "reasoning": {"context": "all_turns"}}) == (18, [])
