"""Token counts as the API bills them. Expected values are OpenAI's own (cookbook printouts and
API documentation examples), see shared/facts/log-formats.md section 2 and 1(b)."""


import pytest
from hypothesis import given, settings, strategies as st

from advisor.tokens import (
    _load_ranks, count_chat_prompt, count_completion, count_ft_chat, get_encoding, get_ft_tokenizer, resolve_encoding,
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
