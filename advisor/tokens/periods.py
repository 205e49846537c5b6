"""Billing that depended on when a call was made, measured on recorded calls (no rule of this kind is documented).

The Responses API's launch-period prompt lives with the Responses rules (:mod:`advisor.tokens.responses`); this
module holds the periods of Chat Completions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EndTokenPeriod", "END_TOKEN_PERIOD", "end_token_period_tokens"]


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
