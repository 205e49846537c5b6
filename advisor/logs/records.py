"""One parsed log record before counting (``Raw``), and the helpers every format shares."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from advisor.errors import RecordProblem

__all__ = ["Raw", "RecordProblem", "Ignored", "openai_usage", "gemini_usage", "to_epoch_s", "epoch_s", "maybe_json",
           "split_chat", "request_options", "number", "count_text", "text", "clean_surrogates", "json_loads", "json_raw_decode",
           "safe_field", "check_messages", "check_tools", "check_completion", "REQUEST_OPTION_KEYS",
           "FRAME_COLUMNS", "WORK_COLUMNS"]

FRAME_COLUMNS = ["request_id", "timestamp", "model", "task", "template", "prompt_tokens", "completion_tokens",
                 "cached_tokens", "latency_s", "tokens_source", "ft_prompt_tokens", "ft_completion_tokens",
                 "static_prompt_tokens",
                 "requests", "file", "line", "answer_kind", "answer_hash", "answer_head_hash", "fit_flags",
                 "reasoning_tokens"]  # the last five: what the answer looked like (advisor.logs.answer), no text
WORK_COLUMNS = FRAME_COLUMNS + ["join_key", "join_side", "problem", "assumed_encoding", "ignored", "count_notes",
                                "time_ignored"]

# request-body keys that change what the API bills for the prompt (read by the counting rules)
REQUEST_OPTION_KEYS = ("functions", "function_call", "response_format", "tool_choice", "parallel_tool_calls",
                       "reasoning_effort", "modalities", "audio")
_OPTION_SET = frozenset(REQUEST_OPTION_KEYS)


class Ignored(Exception):
    """A record that is not a model call (a span, a chain run, an empty usage bucket): counted, not a problem."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
    time_ignored: str | None = None         # why the time the record gave was not used (epoch_s: a placeholder)
    note: str | None = None                 # what reading set aside (a shape not read beside recorded usage)
    reasoning_tokens: float | None = None   # hidden reasoning tokens its usage reported (advisor.logs.answer)
    prompt_unknown: str | None = None       # why the prompt is unknown (a stream without usage): its completion is
    #                                         counted, then the request listed as a problem with this reason


def request_options(body: Any) -> dict | None:
    """The request body's billing-relevant keys that are present (JSON text decoded), or None.

    >>> request_options({"model": "m", "response_format": {"type": "json_object"}, "temperature": 0})
    {'response_format': {'type': 'json_object'}}
    >>> request_options({"model": "m"}) is None
    True
    """
    if not isinstance(body, dict) or body.keys().isdisjoint(_OPTION_SET):
        return None
    out = {k: maybe_json(body[k]) for k in REQUEST_OPTION_KEYS if body.get(k) is not None}
    return out or None


_SURROGATE = re.compile("[\ud800-\udfff]")
# one identifier-like token (``usage``, ``choices[0]``, ``gen_ai.usage``), or up to three words of letters as a
# spreadsheet header writes them (``Prompt Tokens``): words with digits or dashes between spaces are text
_NAME = re.compile(r"[A-Za-z_$@#][\w\-:@$/#]*(?:\[[#\-]?\w*\])*|[A-Za-z][a-z]*(?: [A-Za-z][a-z]*){1,2}")


def safe_field(path: Any) -> str:
    """A field path fit for a message: each dotted part shown when it is name-like (``usage``, ``choices[0]``,
    ``Prompt Tokens``, at most 40 characters), else replaced by its length: a key may hold record text (a CSV
    header, a mutated export), and messages never echo record content.

    >>> safe_field("usage.prompt_tokens"), safe_field('usage.{"model": "x"}'), safe_field("a.You are a helpful bot.")
    ('usage.prompt_tokens', 'usage.<key of 14 characters>', 'a.<key of 21 characters>.<key of 0 characters>')
    """
    return ".".join(p if len(p) <= 40 and _NAME.fullmatch(p) else f"<key of {len(p)} characters>"
                    for p in str(path).split("."))


def _big_int(digits: str) -> int | float:
    """A JSON integer; one too long for Python's int parser (over 4,300 digits) is +-inf, which every count
    check then rejects as "not a finite number" (the same as ``1e309``).

    >>> _big_int("12"), _big_int("9" * 5000), _big_int("-" + "9" * 5000)
    (12, inf, -inf)
    """
    return int(digits) if len(digits) <= 1000 else float("-inf" if digits.startswith("-") else "inf")


_BIG_INT_DECODER = json.JSONDecoder(parse_int=_big_int)


def json_raw_decode(decoder: json.JSONDecoder, text: str, pos: int = 0) -> tuple[Any, int]:
    """``decoder.raw_decode``, retried with huge integers read as inf when Python refuses their digits (a plain
    ValueError with no position, not a JSONDecodeError): the fast C decoder on every ordinary record."""
    try:
        return decoder.raw_decode(text, pos)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return _BIG_INT_DECODER.raw_decode(text, pos)


def fast_loads():
    """orjson's ``loads`` when orjson is installed, else None. It raises a ValueError (orjson.JSONDecodeError)
    for what it refuses and json reads (NaN, lone surrogates, nesting past 1,024, text that is not UTF-8):
    callers then decode with :func:`json_loads`, so every value and message stays json's. One difference, on
    purpose: an integer beyond 64 bits (no count, time or price is one) is read as a float.

    >>> loads = fast_loads()
    >>> loads is None or loads(b'{"usage": {"prompt_tokens": 12}}') == {"usage": {"prompt_tokens": 12}}
    True
    """
    try:
        import orjson
    except ImportError:
        return None
    return orjson.loads


def json_loads(text: str | bytes) -> Any:
    """``json.loads`` that reads a 5,000-digit integer as inf instead of raising a ValueError without position.

    >>> json_loads('{"n": ' + "1" * 5000 + '}')
    {'n': inf}
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return _BIG_INT_DECODER.decode(text if isinstance(text, str) else text.decode("utf-8", "surrogatepass"))


def clean_surrogates(value: Any) -> Any:
    """The value with lone UTF-16 surrogates (from ``\\udc80`` escapes) in strings replaced by U+FFFD.

    Iterative (no recursion limit): walks dicts and lists in place.
    >>> clean_surrogates({"a": ["x\\udc80"]})
    {'a': ['x\ufffd']}
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    stack = [value]
    while stack:
        v = stack.pop()
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        updates = []
        for k, x in items:
            if isinstance(x, str):
                if _SURROGATE.search(x):
                    updates.append((k, _SURROGATE.sub("\ufffd", x)))
            elif isinstance(x, (dict, list)):
                stack.append(x)
        for k, x in updates:
            v[k] = x
    return value


def maybe_json(value: Any) -> Any:
    """CSV cells and some exports hold JSON as text: decode it when it looks like JSON."""
    if isinstance(value, str):
        s = value.strip()
        if s[:1] in ("{", "["):
            try:
                out = json_loads(s)
            except ValueError:
                return value
            except RecursionError:
                raise RecordProblem("JSON text nested too deeply") from None
            return clean_surrogates(out) if "\\ud" in s or "\\uD" in s else out
    return value


MAX_TOKENS = 1e12  # per request: larger is not a count any API bills


# A count written as text with thousands separators (spreadsheet exports): digits in groups of three after the
# first one to three, all split by the same separator; an optional decimal part after the other mark.
_GROUPED = re.compile(r"(?P<int>[1-9]\d{0,2}(?P<sep>[,. \u00a0\u202f'\u2019])\d{3}(?:(?P=sep)\d{3})*)"
                      r"(?:(?P<dec>[.,])(?P<frac>\d+))?")
_DECIMAL_AFTER = {",": ".", ".": ",", " ": ".,", "\u00a0": ".,", "\u202f": ".,", "'": ".,", "\u2019": ".,"}
_ONE_DOT_GROUP = re.compile(r"[1-9]\d{0,2}\.\d{3}")
_SEPARATED = re.compile(r"\d[,. \u00a0\u202f'\u2019]\d")  # digits with a separator between: a number, written oddly
AMBIGUOUS_COUNT = ("is ambiguous: one '.' before three digits is either a decimal point (a fraction of a token) "
                   "or a thousands separator (German, Spanish... spreadsheets); export the column without "
                   "thousands separators")
NOT_A_COUNT = ("is not a number (a decimal comma, or a misplaced thousands separator?); export the column as "
               "plain numbers: 1234 or 1234.5")


def count_text(text: str, field: str) -> float:
    """A count written as text: plain (``1234``, ``1234.0``, ``1e3``) or with thousands separators, by this rule:

    - digits grouped by threes with ONE kind of separator: ``,`` (``1,234``; en-US Excel, CSV cells quoted),
      ``.`` with two groups or more (``1.234.567``), a space, no-break space, narrow no-break space (SI,
      French) or apostrophe (Swiss: ``1'234``);
    - an optional decimal part after the OTHER mark: ``1,234.5``, ``1.234,5``, ``1 234,5``, ``1'234.5``;
    - ``1,234`` is read as 1234: a count is whole, and decimal-comma spreadsheets write a count as 1234,
      1.234 or 1 234, never with three decimals after a comma;
    - ``1.234`` (one dot, then three digits) is AMBIGUOUS: a decimal point by the machine reading (1.234 tokens,
      impossible for a count) or a German/Spanish thousands separator (1234). Reading either would be a guess
      off by 1000x, so it is a problem that says how to export the column;
    - anything else that is not a plain number (``12,5``, ``1,23``, ``1,234,5``) is a problem.

    >>> [count_text(s, "n") for s in ["1234", "1,234", "12,345,678", "1 234", "1'234", "1.234.567", "1,234.5",
    ...                               "1.234,5", "1\u202f234", " 2,000 "]]
    [1234.0, 1234.0, 12345678.0, 1234.0, 1234.0, 1234567.0, 1234.5, 1234.5, 1234.0, 2000.0]
    >>> for s in ["1.234", "12,5"]:
    ...     try:
    ...         count_text(s, "prompt_tokens")
    ...     except RecordProblem as p:
    ...         print(p.reason[:24])
    is ambiguous: one '.' be
    is not a number (a decim
    """
    s = text.strip()
    if _ONE_DOT_GROUP.fullmatch(s):
        raise RecordProblem(AMBIGUOUS_COUNT, field)
    try:
        return float(s)
    except ValueError:
        pass
    m = _GROUPED.fullmatch(s)
    if not m or (m.group("dec") and m.group("dec") not in _DECIMAL_AFTER[m.group("sep")]):
        raise RecordProblem(NOT_A_COUNT if _SEPARATED.search(s) else "is not a number", field)
    sep = m.group("sep")
    return float(m.group("int").replace(sep, "") + ("." + m.group("frac") if m.group("dec") else ""))


def _num(value: Any, field: str) -> float | None:
    """A token count: a finite number in [0, 1e12] (numeric text accepted, with thousands separators by the rule
    of :func:`count_text`), None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) and not hasattr(value, "__float__"):
        raise RecordProblem(f"expected a number, got {type(value).__name__}", field)
    try:
        v = count_text(value, field) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise RecordProblem("is not a number", field) from None
    except OverflowError:
        raise RecordProblem("is not a token count (too large)", field) from None
    if not 0 <= v <= MAX_TOKENS:  # also false for NaN
        raise RecordProblem(f"is not a token count ({_show_num(v)}; must be 0 to {MAX_TOKENS:.0e})", field)
    return v


def _show_num(v: float) -> str:
    """A number for an error message (numbers are not prompt text)."""
    return f"{v:g}"


def number(value: Any, field: str, *, low: float = 0.0, high: float = 1e12, count: bool = False) -> float | None:
    """A finite number in [low, high] (numeric text accepted), None when absent; else RecordProblem.
    ``count``: a count (of requests), whose text may carry thousands separators (:func:`count_text`)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise RecordProblem(f"expected a number, got {type(value).__name__}", field)
    try:
        v = count_text(value, field) if count and isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):
        raise RecordProblem("is not a finite number", field) from None
    if not low <= v <= high:
        raise RecordProblem(f"{_show_num(v)} is out of range ({low:g} to {high:g})", field)
    return v


def text(value: Any, field: str, *, max_chars: int = 512) -> str | None:
    """An identifier field (model, id, task) as text: numbers become text, objects and lists are problems.

    >>> text(42, "id"), text(None, "id"), text(" gpt-4o ", "model")
    ('42', None, 'gpt-4o')
    """
    if value is None:
        return None
    if type(value) is str:
        return value.strip()[:max_chars] or None
    if isinstance(value, bool) or isinstance(value, (dict, list, tuple)):
        raise RecordProblem(f"expected text, got {type(value).__name__}", field)
    if isinstance(value, float) and value != value:
        return None
    s = str(value).strip()
    return s[:max_chars] or None


def _plain_message(m: Any) -> bool:
    """The common message, which passes every check of :func:`check_messages`: an object with text content, a
    text role (or none) and no calls."""
    return type(m) is dict and type(m.get("content")) is str and type(m.get("role", "")) is str and \
        m.get("tool_calls") is None and m.get("function_call") is None


def check_messages(messages: Any, field: str = "messages") -> list | None:
    """Chat messages in the OpenAI shape, checked so counting cannot trip over them, or None when absent.

    Each message is an object; ``content`` is text, a list of parts (objects or text) or null;
    ``tool_calls`` a list of objects whose ``function`` is an object; ``role`` text.
    """
    messages = maybe_json(messages)
    if messages is None:
        return None
    if not isinstance(messages, list):
        raise RecordProblem(f"expected a list of messages, got {type(messages).__name__}", field)
    for i, m in enumerate(messages):
        if _plain_message(m):
            continue
        where = f"{field}[{i}]"
        if not isinstance(m, dict):
            raise RecordProblem(f"expected a message object, got {type(m).__name__}", where)
        if not isinstance(m.get("role", ""), str):
            raise RecordProblem("expected text", f"{where}.role")
        c = m.get("content")
        if isinstance(c, list):
            for j, part in enumerate(c):
                if not isinstance(part, (dict, str)):
                    raise RecordProblem(f"expected a content part object, got {type(part).__name__}",
                                        f"{where}.content[{j}]")
        elif c is not None and not isinstance(c, (str, int, float)):
            raise RecordProblem(f"expected text or a list of parts, got {type(c).__name__}", f"{where}.content")
        _check_calls(m.get("tool_calls"), f"{where}.tool_calls")
        fc = m.get("function_call")
        if fc is not None and not isinstance(fc, dict):
            raise RecordProblem(f"expected an object, got {type(fc).__name__}", f"{where}.function_call")
    return messages


def _check_calls(calls: Any, field: str) -> None:
    if calls is None:
        return
    if not isinstance(calls, list):
        raise RecordProblem(f"expected a list of tool calls, got {type(calls).__name__}", field)
    for j, call in enumerate(calls):
        if not isinstance(call, dict):
            raise RecordProblem(f"expected a tool call object, got {type(call).__name__}", f"{field}[{j}]")
        fn = call.get("function")
        if fn is not None and not isinstance(fn, dict):
            raise RecordProblem(f"expected an object, got {type(fn).__name__}", f"{field}[{j}].function")


def check_tools(tools: Any, field: str = "tools") -> list | None:
    """Tool (or legacy function) definitions: a list of objects, or None when absent."""
    tools = maybe_json(tools)
    if tools is None or tools == "":
        return None
    if not isinstance(tools, list):
        raise RecordProblem(f"expected a list of tool definitions, got {type(tools).__name__}", field)
    for i, t in enumerate(tools):
        if not isinstance(t, dict):
            raise RecordProblem(f"expected a tool definition object, got {type(t).__name__}", f"{field}[{i}]")
        fn = t.get("function")
        if fn is not None and not isinstance(fn, dict):
            raise RecordProblem(f"expected an object, got {type(fn).__name__}", f"{field}[{i}].function")
    return tools or None


def check_completion(message: Any, field: str) -> Any:
    """An assistant message (object) or text; anything else is a problem. None stays None."""
    if _plain_message(message):
        return message
    message = maybe_json(message) if isinstance(message, str) and message.strip()[:1] == "{" else message
    if message is None or isinstance(message, str):
        return message
    if isinstance(message, (int, float)) and not isinstance(message, bool):
        return str(message)
    if isinstance(message, dict):
        check_messages([message], field)
        return message
    if isinstance(message, list) and all(isinstance(m, dict) for m in message) and message:
        check_messages(message, field)  # some tools log the output as a list of messages: the last one answers
        return message[-1]
    raise RecordProblem(f"expected the assistant message or text, got {type(message).__name__}", field)


def openai_usage(u: Any, field: str = "usage") -> tuple[float, float, float] | None:
    """(prompt incl. cached, completion, cached) from a Chat Completions, Responses or Anthropic Messages usage
    object (the last told by ``input_tokens`` beside ``cache_read_input_tokens``: :func:`_anthropic_usage`)."""
    u = maybe_json(u)
    if not isinstance(u, dict):
        return None
    p_key = "prompt_tokens" if u.get("prompt_tokens") is not None else "input_tokens"
    c_key = "completion_tokens" if u.get("completion_tokens") is not None else "output_tokens"
    p, c = u.get(p_key), u.get(c_key)
    # a whole count in range (what the API writes) is _num's float at once; anything else goes through _num
    p = float(p) if type(p) is int and 0 <= p <= MAX_TOKENS else _num(p, f"{field}.{p_key}")
    c = float(c) if type(c) is int and 0 <= c <= MAX_TOKENS else _num(c, f"{field}.{c_key}")
    if p is None or c is None:
        return None
    if p_key == "input_tokens" and "input_tokens_details" not in u and \
            ("cache_read_input_tokens" in u or "cache_creation_input_tokens" in u):
        return _anthropic_usage(u, p, c, field)
    details = maybe_json(u.get("prompt_tokens_details") or u.get("input_tokens_details")) or {}
    if not isinstance(details, dict):
        k = None
    else:
        k = details.get("cached_tokens")
        k = float(k) if type(k) is int and 0 <= k <= MAX_TOKENS else \
            _num(k, f"{field}.prompt_tokens_details.cached_tokens")
    k = k or 0.0
    if k > p:
        raise RecordProblem(f"cached_tokens {k:g} exceed prompt_tokens {p:g}", f"{field}.prompt_tokens_details.cached_tokens")
    return p, c, k


def _anthropic_usage(u: dict, p: float, c: float, field: str) -> tuple[float, float, float]:
    """Anthropic Messages usage, whose ``input_tokens`` EXCLUDES the prompt-cache reads and writes (each billed at
    its own rate): the prompt is their sum, the reads are the cached tokens.

    >>> _anthropic_usage({"cache_read_input_tokens": 2048, "cache_creation_input_tokens": 300}, 12.0, 9.0, "usage")
    (2360.0, 9.0, 2048.0)
    """
    read = _num(u.get("cache_read_input_tokens"), f"{field}.cache_read_input_tokens") or 0.0
    write = _num(u.get("cache_creation_input_tokens"), f"{field}.cache_creation_input_tokens") or 0.0
    return p + read + write, c, read


def gemini_usage(u: Any, field: str = "usageMetadata") -> tuple[tuple[float, float, float] | None, float | None]:
    """((prompt incl. cached, completion incl. thinking, cached), thinking tokens) from a Gemini API / Vertex AI
    ``usageMetadata``: ``promptTokenCount`` INCLUDES ``cachedContentTokenCount``; ``candidatesTokenCount`` EXCLUDES
    ``thoughtsTokenCount`` (thinking, billed as output); ``toolUsePromptTokenCount`` is billed as input.

    >>> gemini_usage({"promptTokenCount": 1200, "candidatesTokenCount": 40, "thoughtsTokenCount": 300,
    ...               "cachedContentTokenCount": 1024, "totalTokenCount": 1540})
    ((1200.0, 340.0, 1024.0), 300.0)
    """
    u = maybe_json(u)
    if not isinstance(u, dict):
        return None, None
    p = _num(u.get("promptTokenCount"), f"{field}.promptTokenCount")
    c = _num(u.get("candidatesTokenCount"), f"{field}.candidatesTokenCount")
    if p is None and c is None:
        return None, None
    thoughts = _num(u.get("thoughtsTokenCount"), f"{field}.thoughtsTokenCount")
    tool = _num(u.get("toolUsePromptTokenCount"), f"{field}.toolUsePromptTokenCount") or 0.0
    cached = _num(u.get("cachedContentTokenCount"), f"{field}.cachedContentTokenCount") or 0.0
    prompt = (p or 0.0) + tool
    return (prompt, (c or 0.0) + (thoughts or 0.0), min(cached, prompt)), thoughts


# whole seconds, as ints: a time read as an int (most) compares with an int faster than with a float
EARLIEST_EPOCH_S = 1_262_304_000  # 2010-01-01T00:00:00Z: no hosted LLM API logged a request before
LATEST_EPOCH_S = 4_102_444_800    # 2100-01-01T00:00:00Z: a later date is a placeholder (9999-12-31) or a unit slip


TOO_EARLY = "before 2010-01-01: a placeholder such as created: 0 or 1970-01-01"
TOO_LATE = "after 2100-01-01: a placeholder such as 9999-12-31, or a time in a unit that could not be told"


def epoch_s(value: Any, field: str = "timestamp") -> tuple[float | None, str | None]:
    """(epoch seconds, why the record's time was ignored) from epoch s / ms / µs / ns numbers, ISO-8601 text (naive =
    UTC) or a datetime. A time outside 2010-01-01 .. 2100-01-01 is ignored (None, with the reason, which the
    read summary reports): a placeholder date (9999-12-31, ``created: 0``) is no time of a request, and one
    would stretch the logged span from days to millennia and the measured requests per day to ~0. The
    record's token counts are kept. No time given: (None, None).

    >>> epoch_s(1711475054000), epoch_s(None), epoch_s("9999-12-31")[1][:16], epoch_s(0)[1][:17]
    ((1711475054.0, None), (None, None), 'after 2100-01-01', 'before 2010-01-01')
    >>> epoch_s(1735689600), epoch_s(1735689600_000_000), epoch_s(1735689600_000_000_000)   # 2025-01-01 in s, µs, ns
    ((1735689600.0, None), (1735689600.0, None), (1735689600.0, None))
    """
    t = _epoch_s(value, field)
    if t is None:
        return None, None
    if t < EARLIEST_EPOCH_S:
        return None, TOO_EARLY
    if t >= LATEST_EPOCH_S:
        return None, TOO_LATE
    return t, None


def to_epoch_s(value: Any, field: str = "timestamp") -> float | None:
    """The time of :func:`epoch_s` alone: None when none is given, or when it is a placeholder.

    >>> to_epoch_s(1711475054000), to_epoch_s("2024-03-26T17:44:14Z"), to_epoch_s("9999-12-31"), to_epoch_s(1)
    (1711475054.0, 1711475054.0, None, None)
    """
    return epoch_s(value, field)[0]


def _epoch_s(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):  # Parquet timestamp columns, pandas Timestamps
        t = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return t.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            v = float(value)
        except OverflowError:
            raise RecordProblem("is not a timestamp (too large)", field) from None
        if not 0 <= v < 1e19:  # also false for NaN and infinity
            raise RecordProblem(f"{v:g} is not an epoch timestamp", field)
        if v > 1e17:  # ns (OpenTelemetry exports): 2025-01-01 is 1.7e18 ns, 1.7e15 µs, 1.7e12 ms, 1.7e9 s
            return v / 1e9
        if v > 1e14:
            return v / 1e6
        if v > 1e11:
            return v / 1e3
        return v
    if isinstance(value, str):
        s = value.strip()
        try:
            return _epoch_s(float(s), field)
        except (ValueError, OverflowError):
            pass
        try:
            t = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        except ValueError:
            raise RecordProblem("is not a timestamp (ISO-8601 or epoch seconds)", field) from None
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.UTC)
        try:
            return t.timestamp()
        except (OverflowError, ValueError, OSError):
            raise RecordProblem("is not a timestamp (out of range)", field) from None
    raise RecordProblem(f"expected a timestamp, got {type(value).__name__}", field)


def split_chat(messages: Any, field: str = "messages") -> tuple[list, Any]:
    """(prompt messages, completion) of a training example ending in an assistant message."""
    if not isinstance(messages, list) or not messages:
        raise RecordProblem("expected a non-empty list of messages", field)
    check_messages(messages, field)
    for i, m in enumerate(messages):
        if "role" not in m:
            raise RecordProblem(f"message {i} has no 'role'", f"{field}[{i}]")
    last = messages[-1]
    if last.get("role") != "assistant":
        raise RecordProblem("the last message must be the assistant's answer to train on", f"{field}[-1].role")
    return list(messages[:-1]), last
