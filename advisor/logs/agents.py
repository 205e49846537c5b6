"""Coding agents' session transcripts: Claude Code (format ``claude-code``) and OpenAI's Codex CLI (format ``codex``).
Sources in shared/facts/log-formats.md.

Claude Code (``~/.claude/projects/<project>/<session>.jsonl``; ``claude -p --output-format stream-json``): one JSON
object a line, ``type`` ``user`` | ``assistant`` | ``system`` | ``summary`` | ``result`` | ...

- An ``assistant`` line is a model call: ``message`` is an Anthropic Messages response (``id``, ``model``,
  ``content``, ``usage``; ``input_tokens`` EXCLUDES the prompt-cache reads and writes, so the prompt is the three
  added, the reads its cached part) and ``timestamp`` (ISO) its time. Every other line (the user's turns and tool
  results, system and summary lines) is no model call: ignored, not a problem.
- Claude Code writes a streamed reply as one line per content block, each with the same ``message.id`` and the usage
  repeated: a message is counted ONCE, with the usage and time of its last line (its blocks' text joined). This is
  the transcript readers' account of the format, not seen in a checked file: a message's lines are taken together
  when they are among the last 8 messages of the same part of a file (:class:`Transcripts`).
- A ``result`` line (``num_turns``, ``usage``, ``modelUsage``: the session's totals, the last line of stream-json or
  the whole output of ``--output-format json``) is read, when alone, as usage buckets, one a model of ``modelUsage``
  (prompt ``inputTokens`` + ``cacheCreationInputTokens`` + ``cacheReadInputTokens``). Its requests are its
  ``num_turns``, a LOWER BOUND (a turn makes one API call or more; said in the row's note); with several models
  each other model gets one turn and the rest go to the model of the most output (:func:`split_session_result`).
  After assistant lines in the same file it repeats them: ignored.

Codex CLI (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``): lines ``{"timestamp", "type", "payload"}``. An
``event_msg`` of ``payload.type == "token_count"`` reports usage: ``info.last_token_usage`` the last call's,
``info.total_token_usage`` the session's so far (``input_tokens`` INCLUDES ``cached_input_tokens``;
``output_tokens`` includes ``reasoning_output_tokens``). Codex repeats the event: one request per event whose total
changed; without ``last_token_usage`` the call is the change of the total. The model is the latest ``turn_context``'s
``payload.model``. Every other line is ignored. (Shape from one rollout file of Codex 0.142, lower confidence.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.logs.record_fields import anthropic_completion, object_field, short_word
from advisor.logs.records import Ignored, Raw, RecordProblem, _num, epoch_s, openai_usage, text
from advisor.tokens.media import LOWER_BOUND

__all__ = ["looks_like_claude_code", "parse_claude_code", "split_session_result", "looks_like_codex", "parse_codex",
           "Transcripts", "TRANSCRIPT_FORMATS"]

TRANSCRIPT_FORMATS = frozenset(("claude-code", "codex"))
_CC_TYPES = frozenset(("user", "assistant", "system", "summary", "result", "file-history-snapshot",
                       "queue-operation", "attachment"))
SESSION_TURNS_NOTE = "a Claude Code session's totals: its num_turns taken as its requests, one API call a turn " + \
    LOWER_BOUND


def looks_like_claude_code(o: Mapping) -> bool:
    """A line of a Claude Code transcript, or its ``result`` message.

    >>> looks_like_claude_code({"type": "assistant", "sessionId": "s", "uuid": "u", "message": {}})
    True
    >>> looks_like_claude_code({"type": "result", "num_turns": 3, "modelUsage": {}})
    True
    >>> looks_like_claude_code({"type": "GENERATION", "sessionId": "s"})
    False
    >>> looks_like_claude_code({"type": "progress", "sessionId": "s", "uuid": "u", "data": {}})   # a later line type
    True
    """
    t = o.get("type")
    if not isinstance(t, str) or "traceId" in o:
        return False
    if t not in _CC_TYPES:   # a line type of a later Claude Code: its transcript's keys (a session and a line id)
        return t.islower() and "sessionId" in o and "uuid" in o and "message" not in o
    if t == "result":
        return "num_turns" in o and ("modelUsage" in o or "usage" in o)
    return "sessionId" in o or "session_id" in o or "leafUuid" in o or t == "file-history-snapshot"


def _model_usage(u: Any, field: str) -> tuple[float, float, float]:
    """(prompt incl. cache, completion, cache reads) of a ``modelUsage`` entry (camelCase Anthropic counts)."""
    u = object_field(u, field)
    counts = {k: _num(u.get(k), f"{field}.{k}") or 0.0
              for k in ("inputTokens", "outputTokens", "cacheReadInputTokens", "cacheCreationInputTokens")}
    read = counts["cacheReadInputTokens"]
    return counts["inputTokens"] + counts["cacheCreationInputTokens"] + read, counts["outputTokens"], read


def split_session_result(o: Mapping) -> list[tuple[str, dict]]:
    """A ``result`` message of several models as one result a model, its ``num_turns`` shared out: each model one
    turn, the rest to the model with the most output tokens (the main loop's; the others are side calls such as
    titles and summaries). The session's turns stay a lower bound of its calls.

    >>> r = {"type": "result", "num_turns": 5, "modelUsage": {"a": {"outputTokens": 900}, "b": {"outputTokens": 9}}}
    >>> [(k, v["num_turns"]) for k, v in split_session_result(r)]
    [('a', 4.0), ('b', 1.0)]
    """
    usage = o["modelUsage"]
    main = max(usage, key=lambda m: _num(usage[m].get("outputTokens"), "outputTokens") or 0.0
               if isinstance(usage[m], dict) else -1.0)
    turns = _num(o.get("num_turns"), "num_turns") or 0.0
    rest = {k: v for k, v in o.items() if k not in ("modelUsage", "usage", "result")}
    return [(str(m), {**rest, "num_turns": max(1.0, turns - (len(usage) - 1)) if m == main else 1.0,
                      "modelUsage": {m: u}}) for m, u in usage.items()]


def _session_result(o: Mapping, line: int) -> Raw:
    turns = _num(o.get("num_turns"), "num_turns")
    n = max(1.0, turns or 0.0)  # a session that billed tokens made one call or more
    models = object_field(o.get("modelUsage"), "modelUsage")
    if len(models) > 1:  # (advisor.logs.containers splits such a result first)
        raise RecordProblem("several models in one result: read it whole, not as one record", "modelUsage")
    usage: tuple[float, float, float] | None
    if models:
        (model, u), = models.items()
        usage = _model_usage(u, "modelUsage.<model>")
    else:
        model, usage = None, openai_usage(o.get("usage"), "usage")
    if usage is None:
        raise RecordProblem("no usage in the session's result", "usage")
    return Raw(line=line, request_id=text(o.get("session_id"), "session_id"), model=text(model, "modelUsage"),
               usage=(usage[0] / n, usage[1] / n, usage[2] / n), requests=n, note=SESSION_TURNS_NOTE)


def parse_claude_code(o: Mapping, line: int) -> Raw:
    t = o.get("type")
    if t == "result":
        return _session_result(o, line)
    if t != "assistant":
        raise Ignored(f"Claude Code {short_word(t)} line (not a model call)")
    msg = object_field(o.get("message"), "message", required=True)
    if msg.get("model") == "<synthetic>":  # Claude Code's own note (an API error shown as a reply): no call billed
        raise Ignored("Claude Code synthetic message (no model call)")
    usage = openai_usage(msg.get("usage"), "message.usage")
    if usage is None:
        raise RecordProblem("assistant message without usage", "message.usage")
    content = msg.get("content")
    ts, why = epoch_s(o.get("timestamp"), "timestamp")
    return Raw(line=line, request_id=text(msg.get("id"), "message.id"), timestamp=ts, time_ignored=why,
               model=text(msg.get("model"), "message.model"), usage=usage,
               completion=anthropic_completion(content, "message.content") if isinstance(content, list) else content)


def looks_like_codex(o: Mapping) -> bool:
    """A line of a Codex CLI rollout file.

    >>> looks_like_codex({"timestamp": "2026-07-03T18:15:07Z", "type": "turn_context", "payload": {"model": "m"}})
    True
    """
    return isinstance(o.get("payload"), dict) and o.get("type") in ("session_meta", "turn_context", "response_item",
                                                                    "event_msg", "compacted")


def _codex_usage(u: Any, field: str) -> tuple[tuple[float, float, float], float | None]:
    """((prompt incl. cached, completion incl. reasoning, cached), reasoning) of a Codex token usage object."""
    u = object_field(u, field, required=True)
    p = _num(u.get("input_tokens"), f"{field}.input_tokens")
    c = _num(u.get("output_tokens"), f"{field}.output_tokens")
    if p is None or c is None:
        raise RecordProblem("missing input_tokens/output_tokens", f"{field}.input_tokens")
    k = _num(u.get("cached_input_tokens"), f"{field}.cached_input_tokens") or 0.0
    if k > p:
        raise RecordProblem(f"cached_input_tokens {k:g} exceed input_tokens {p:g}", f"{field}.cached_input_tokens")
    return (p, c, k), _num(u.get("reasoning_output_tokens"), f"{field}.reasoning_output_tokens")


def _token_count(o: Mapping) -> Mapping | None:
    """The ``info`` of a Codex token_count event, or None."""
    p = o.get("payload")
    if o.get("type") == "event_msg" and isinstance(p, dict) and p.get("type") == "token_count":
        return p.get("info") if isinstance(p.get("info"), dict) else None
    return None


def parse_codex(o: Mapping, line: int) -> Raw:
    payload = object_field(o.get("payload"), "payload")
    t = o.get("type")
    if t == "turn_context":
        raise Ignored("Codex turn context (its model names the token counts that follow)")
    if t != "event_msg" or payload.get("type") != "token_count":
        raise Ignored(f"Codex {short_word(t)} line (not a token count)")
    if payload.get("info") is None:
        raise Ignored("Codex token count without usage (info: null)")
    info = object_field(payload["info"], "payload.info")
    key = "last_token_usage" if info.get("last_token_usage") is not None else "total_token_usage"
    usage, reasoning = _codex_usage(info.get(key), f"payload.info.{key}")
    ts, why = epoch_s(o.get("timestamp"), "timestamp")
    return Raw(line=line, timestamp=ts, time_ignored=why, usage=usage, reasoning_tokens=reasoning)


Item = tuple[int, Any]  # (line, Raw | problem text | Ignored), as the reader's parser gives them
_HELD = 8  # Claude Code messages held for their later blocks (a message's blocks are written one after another)


class Transcripts:
    """What a transcript's lines say of each other, read in order in one part of one file (:meth:`start` at each):
    Claude Code's blocks of one message counted once, its ``result`` ignored after assistant lines; Codex's repeated
    token counts dropped, its model taken from the turn context."""

    def __init__(self) -> None:
        self.start("")

    def start(self, file: str) -> None:
        self.file = file
        self.held: dict[str, tuple[int, Raw]] = {}
        self.assistant_lines = False
        self.model: str | None = None
        self.total: Any = None

    def feed(self, fmt: str, line: int, rec: Any, item: Any) -> Iterator[Item]:
        if fmt == "codex":
            yield from self._codex(line, rec, item)
        elif isinstance(item, Raw) and item.note == SESSION_TURNS_NOTE:
            yield line, (Ignored("Claude Code result message (the session's totals of the assistant lines above)")
                         if self.assistant_lines else item)
        elif isinstance(item, Raw):
            self.assistant_lines = True
            yield from self._hold(line, item)
        else:
            yield line, item

    def _hold(self, line: int, raw: Raw) -> Iterator[Item]:
        key = raw.request_id
        if key is None:
            yield line, raw
            return
        before = self.held.pop(key, None)
        if before is not None:
            raw.completion = _joined(before[1].completion, raw.completion)
            yield before[0], Ignored("Claude Code content block of a message counted at its last line (same "
                                     "message.id)")
        self.held[key] = (line, raw)
        if len(self.held) > _HELD:
            yield self.held.pop(next(iter(self.held)))

    def _codex(self, line: int, rec: Any, item: Any) -> Iterator[Item]:
        if isinstance(rec, dict) and rec.get("type") == "turn_context" and isinstance(rec.get("payload"), dict):
            self.model = text(rec["payload"].get("model"), "payload.model") if not isinstance(
                rec["payload"].get("model"), (dict, list)) else None
        if not isinstance(item, Raw):
            yield line, item
            return
        info = _token_count(rec) or {}
        total, before = info.get("total_token_usage"), self.total
        if total is not None and total == before:
            yield line, Ignored("Codex token count repeated (same total_token_usage: counted once)")
            return
        self.total = total
        if info.get("last_token_usage") is None and isinstance(before, dict) and item.usage is not None:
            try:  # the call is the change of the session's total
                prev, _ = _codex_usage(before, "payload.info.total_token_usage")
            except RecordProblem:
                prev = (0.0, 0.0, 0.0)
            item.usage = tuple(max(0.0, a - b) for a, b in zip(item.usage, prev))  # type: ignore[assignment]
        item.model = item.model or self.model
        yield line, item

    def end(self) -> Iterator[Item]:
        held, self.held = self.held, {}
        yield from held.values()


def _joined(a: Any, b: Any) -> Any:
    """Two content blocks' answers (assistant messages or text) as one message.

    >>> _joined({"role": "assistant", "content": "Hi"}, {"role": "assistant", "content": None, "tool_calls": [1]})
    {'role': 'assistant', 'content': 'Hi', 'tool_calls': [1]}
    """
    if not isinstance(a, dict) or not isinstance(b, dict):
        return b if b is not None else a
    out: dict[str, Any] = {"role": "assistant", "content": "".join(x for x in (a.get("content"), b.get("content"))
                                                   if isinstance(x, str)) or None}
    calls = (a.get("tool_calls") or []) + (b.get("tool_calls") or [])
    if calls:
        out["tool_calls"] = calls
    return out
