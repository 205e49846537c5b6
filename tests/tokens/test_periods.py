"""Billing that depended on when a call was made (advisor.tokens.periods): each period checked on real billed calls."""

from __future__ import annotations

from advisor.tokens.counter import count_completion, count_request, count_responses_request
from advisor.tokens.periods import (
    EARLY_0301_PERIOD,
    END_TOKEN_PERIOD,
    early_prompt_period_tokens,
    end_token_period_tokens,
)
from advisor.tokens.responses import GPT5_TOOLS_PERIOD, gpt5_tools_period_tokens

HELLO = {"role": "assistant", "content": "Hello! How can I assist you today?"}  # 9 o200k tokens


class TestEndTokenPeriod:
    def test_the_same_answer_billed_one_more_in_early_2025(self):
        # pydantic/pydantic-ai tests/models/cassettes/test_openai/test_max_completion_tokens[gpt-4o-mini].yaml (MIT):
        # the same request and answer billed 10 completion tokens at 79faa277 (created 2025-03-22 09:37 UTC,
        # 1742636224) and 9 at 22fd3f8b (2026-06-15 15:15 UTC, 1781536548). Hand count: the answer's text 9 (o200k),
        # + 1 in the period
        request = {"model": "gpt-4o-mini", "max_completion_tokens": 100}
        messages = [{"role": "user", "content": "hello"}]
        assert count_completion(HELLO, "gpt-4o-mini") == 9
        assert count_request(messages, "gpt-4o-mini", options=request, completion=HELLO, timestamp_s=1742636224)[1] == 10
        assert count_request(messages, "gpt-4o-mini", options=request, completion=HELLO, timestamp_s=1781536548)[1] == 9
        assert count_request(messages, "gpt-4o-mini", options=request, completion=HELLO)[1] == 9  # no time: none

    def test_bounds_stop_lists_and_families(self):
        start, end = END_TOKEN_PERIOD.start_s, END_TOKEN_PERIOD.end_s
        assert [end_token_period_tokens("chatml-cl100k", t, {}) for t in (start - 1, start, end - 1, end)] == [0, 1, 1, 0]
        assert end_token_period_tokens("chatml-o200k", start, {"stop": ["\nObservation:"]}) == 0  # cut by a stop: as counted
        assert end_token_period_tokens("o-series", start, {}) == 0  # reasoning answers: a stated lower bound anyway

    def test_responses_answers_are_not_affected(self):
        # the Responses API's answers of the period bill as counted (55 of 65 recorded): they always bill their end
        # marker (RESPONSES_MESSAGE_END_TOKENS), and nothing more in the period
        from advisor.tokens.responses import RESPONSES_MESSAGE_END_TOKENS, responses_completion_parts

        parts = responses_completion_parts({"input": "hi"}, HELLO, "gpt-4o", "o200k_base")
        assert parts.fixed == RESPONSES_MESSAGE_END_TOKENS and parts.strings == [HELLO["content"]]


class TestEarly0301Period:
    HAIKU = [{"role": "user", "content": "write a haiku about love"}]  # 'write', ' a', ' ha', 'iku', ' about', ' love'

    def test_gpt35_0301_billed_one_less_before_2023_03_24(self):
        # BoxcarsAI/boxcars spec/fixtures/cassettes/openai.yml (MIT), gpt-3.5-turbo answered by gpt-3.5-turbo-0301 on
        # 2023-03-07 (1678219593): billed 13. Hand count: 4 per message + 'user' 1 + 6 + priming 3 = 14, - 1 = 13
        assert count_request(self.HAIKU, "gpt-3.5-turbo", timestamp_s=1678219593)[0] == 13
        assert count_request(self.HAIKU, "gpt-3.5-turbo-0301", timestamp_s=1678219593)[0] == 13

    def test_as_counted_from_the_period_end_and_without_a_time(self):
        # 2023-03-28 18:11 UTC (1680027063): the first boxcars 0301 call billed as counted; a call without a time
        # counts as made now (gpt-3.5-turbo: today's family, 3 per message: 3 + 1 + 6 + 3)
        assert count_request(self.HAIKU, "gpt-3.5-turbo", timestamp_s=1680027063)[0] == 14
        assert count_request(self.HAIKU, "gpt-3.5-turbo-0301")[0] == 14
        assert count_request(self.HAIKU, "gpt-3.5-turbo")[0] == 13
        assert early_prompt_period_tokens("chatml-0301", EARLY_0301_PERIOD.end_s) == 0


class TestGpt5ToolsPeriod:
    # neilberkman/req_llm test/support/fixtures/openai/gpt_5/no_tool.json (Apache-2.0), gpt-5, Responses, one Chat-style
    # get_weather tool read by its name alone, 'Tell me a joke about cats' (6 o200k tokens): billed 38 at e608a63c
    # (2025-10-07 00:09 UTC, 1759795760) and 35 at 51450757 (2025-11-02 17:51 UTC, 1762105898). Hand count (harmony):
    # priming 3 - 1 (request) + user 3 + 1 + 6 + the name-only block 15 + tools 8 = 35; + 3 in the period = 38
    REQ = {"model": "gpt-5", "input": [{"role": "user", "content": [{"type": "input_text",
                                                                      "text": "Tell me a joke about cats"}]}],
           "tools": [{"type": "function", "name": "get_weather", "function": {"name": "get_weather"}}]}

    def test_the_same_request_billed_three_more_in_october_2025(self):
        assert count_responses_request(self.REQ, timestamp_s=1759795760)[0] == 38
        assert count_responses_request(self.REQ, timestamp_s=1762105898)[0] == 35
        assert count_responses_request(self.REQ)[0] == 35  # no time: none

    def test_models_tools_and_unsure_dates(self):
        P = GPT5_TOOLS_PERIOD
        assert gpt5_tools_period_tokens("gpt-5-codex", P.first_seen_s, tools=True) == (3, None)
        assert gpt5_tools_period_tokens("gpt-5-nano", P.first_seen_s, tools=True) == (0, None)  # as counted then
        assert gpt5_tools_period_tokens("gpt-5", P.last_seen_s + 86400, tools=True)[1] is not None  # between: a note
        assert gpt5_tools_period_tokens("gpt-5", P.first_normal_after_s, tools=True) == (0, None)


class TestPlaceholderTime:
    """A log's ``created: 0`` is no time (advisor.logs.records.epoch_s ignores times before 2010), so no period rule
    reads it as 1970-01-01: 0xPlaygrounds/rig's cassettes (heldout7) write 0 over every response's time."""

    def test_created_zero_counts_as_undated(self):
        # a hand-written record in rig's scrubbed form (gpt-4o, user 'Hi': hand count user 3 + 1 + 'Hi' 1, priming 3
        # = 8); with tool_choice "required" over one tool, reading 0 as 1970 would add the 2 tokens of the early
        # required-tool period (REQUIRED_CHOICE_PERIODS, before 2024-10-08), as it did to 36 of rig's Chat calls
        from advisor.logs.formats import parse_openai

        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
        record = {"request": body, "response": {"id": "chatcmpl-REDACTED_1", "created": 0, "model": "gpt-4o",
                                                "choices": [{"message": {"role": "assistant", "content": "Hello"}}],
                                                "usage": {"prompt_tokens": 8, "completion_tokens": 1}}}
        raw = parse_openai(record, 1)
        assert raw.timestamp is None and raw.time_ignored
        assert count_request(body["messages"], "gpt-4o", timestamp_s=raw.timestamp)[0] == 8
        tools = [{"type": "function", "function": {"name": "f"}}]
        undated = count_request(body["messages"], "gpt-4o", tools=tools, options={"tool_choice": "required"})[0]
        assert count_request(body["messages"], "gpt-4o", tools=tools, options={"tool_choice": "required"},
                             timestamp_s=raw.timestamp)[0] == undated
        assert count_request(body["messages"], "gpt-4o", tools=tools, options={"tool_choice": "required"},
                             timestamp_s=0)[0] == undated + 2  # what reading 0 as 1970 would have billed
