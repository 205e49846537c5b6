"""One parsed log record before counting (``Raw``), and the helpers every format shares."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Raw", "RecordProblem", "openai_usage", "to_epoch_s", "maybe_json", "split_chat", "request_options",
           "REQUEST_OPTION_KEYS", "FRAME_COLUMNS", "WORK_COLUMNS"]

FRAME_COLUMNS = ["request_id", "timestamp", "model", "task", "template", "prompt_tokens", "completion_tokens",
                 "cached_tokens", "latency_s", "tokens_source", "ft_prompt_tokens", "ft_completion_tokens",
                 "requests", "file", "line"]
WORK_COLUMNS = FRAME_COLUMNS + ["join_key", "join_side", "problem", "assumed_encoding"]

# request-body keys that change what the API bills for the prompt (read by the counting rules)
REQUEST_OPTION_KEYS = ("functions", "function_call", "response_format", "tool_choice", "parallel_tool_calls",
                       "reasoning_effort", "modalities", "audio")


class RecordProblem(Exception):
    """A record that cannot be used; ``field`` names what was wrong."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason, self.field = reason, field


@dataclass(slots=True)
class Raw:
    """A request as read from a log. Prompt text lives here only until it is counted."""

    line: int
    request_id: str | None = None
    timestamp: float | None = None          # epoch seconds
    model: str | None = None
    messages: list | None = None            # prompt messages (OpenAI chat shape)
    tools: list | None = None
    completion: Any = None                  # assistant message, or text
    prompt_text: str | None = None          # legacy completions prompt (no chat overhead)
    usage: tuple[float, float, float] | None = None   # (prompt incl. cached, completion, cached)
    latency_s: float | None = None
    requests: float = 1.0                   # aggregated rows (usage exports) carry many requests
    task_hint: str | None = None            # an explicit prompt id from the log's metadata
    join_key: str | None = None             # batch custom_id
    join_side: str | None = None            # "input" | "output"
    request_options: dict | None = None     # billing-relevant request keys (REQUEST_OPTION_KEYS) present


def request_options(body: Any) -> dict | None:
    """The request body's billing-relevant keys that are present (JSON text decoded), or None.

    >>> request_options({"model": "m", "response_format": {"type": "json_object"}, "temperature": 0})
    {'response_format': {'type': 'json_object'}}
    >>> request_options({"model": "m"}) is None
    True
    """
    if not isinstance(body, Mapping):
        return None
    out = {k: maybe_json(body[k]) for k in REQUEST_OPTION_KEYS if body.get(k) is not None}
    return out or None


def maybe_json(value: Any) -> Any:
    """CSV cells and some exports hold JSON as text: decode it when it looks like JSON."""
    if isinstance(value, str):
        s = value.strip()
        if s[:1] in ("{", "["):
            try:
                return json.loads(s)
            except ValueError:
                return value
    return value


def _num(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordProblem(f"{value!r} is not a token count", field)
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise RecordProblem(f"{value!r} is not a number", field) from None
    if v != v or v < 0:
        raise RecordProblem(f"{value!r} is not a token count (must be >= 0)", field)
    return v


def openai_usage(u: Any, field: str = "usage") -> tuple[float, float, float] | None:
    """(prompt incl. cached, completion, cached) from a Chat Completions or Responses usage object."""
    u = maybe_json(u)
    if not isinstance(u, Mapping):
        return None
    p = _num(u.get("prompt_tokens", u.get("input_tokens")), f"{field}.prompt_tokens")
    c = _num(u.get("completion_tokens", u.get("output_tokens")), f"{field}.completion_tokens")
    if p is None or c is None:
        return None
    details = u.get("prompt_tokens_details") or u.get("input_tokens_details") or {}
    k = _num(details.get("cached_tokens"), f"{field}.prompt_tokens_details.cached_tokens") if isinstance(details, Mapping) else None
    k = k or 0.0
    if k > p:
        raise RecordProblem(f"cached_tokens {k:g} exceed prompt_tokens {p:g}", f"{field}.prompt_tokens_details.cached_tokens")
    return p, c, k


def to_epoch_s(value: Any, field: str = "timestamp") -> float | None:
    """Epoch seconds from epoch s / ms / us numbers or ISO-8601 text (naive = UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = float(value)
        if v > 1e14:
            return v / 1e6
        if v > 1e11:
            return v / 1e3
        return v
    if isinstance(value, str):
        s = value.strip()
        try:
            return to_epoch_s(float(s), field)
        except ValueError:
            pass
        try:
            t = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        except ValueError:
            raise RecordProblem(f"{value!r} is not a timestamp (ISO-8601 or epoch seconds)", field) from None
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return t.timestamp()
    raise RecordProblem(f"{value!r} is not a timestamp", field)


def split_chat(messages: Any, field: str = "messages") -> tuple[list, Any]:
    """(prompt messages, completion) of a training example ending in an assistant message."""
    if not isinstance(messages, list) or not messages:
        raise RecordProblem("expected a non-empty list of messages", field)
    for i, m in enumerate(messages):
        if not isinstance(m, Mapping) or "role" not in m:
            raise RecordProblem(f"message {i} has no 'role'", f"{field}[{i}]")
    last = messages[-1]
    if last.get("role") != "assistant":
        raise RecordProblem("the last message must be the assistant's answer to train on", f"{field}[-1].role")
    return list(messages[:-1]), last
