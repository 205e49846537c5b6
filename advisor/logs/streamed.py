"""Streamed answers logged as their chunks or events, grouped into requests: one request a stream.
Sources in shared/facts/log-formats.md.

- OpenAI Chat Completions chunks (``object: "chat.completion.chunk"``), grouped by ``id``. Logged with
  ``stream_options: {"include_usage": true}``, the stream's last chunk carries ``usage`` and stands for the request
  (read as a response); the other chunks of its id are ignored. A stream with no usage chunk is listed as a problem:
  its prompt is unknown. Its completion is counted from the joined ``delta.content`` and
  ``delta.tool_calls[].function.arguments`` with the model's tokenizer (said in the problem: counted, not billed).
- Anthropic Messages stream events (format ``anthropic-stream``). ``message_start`` opens a message (its id, model
  and usage: ``input_tokens`` EXCLUDES the cache reads and writes), and the events after it belong to it until
  ``message_stop`` (events carry no message id: messages are taken as written, one after another). The usage is
  message_start's updated by each ``message_delta.usage``, whose ``output_tokens`` is CUMULATIVE (the last one is the
  completion; message_start's is a placeholder). Text from ``text_delta``, tool input from ``input_json_delta``, by
  block index. ``ping`` and a message's other events are ignored; an ``error`` event inside a message is a failed
  request; a message cut before its ``message_delta`` a problem (its output unknown).
- Gemini API / Vertex AI ``streamGenerateContent`` chunks, grouped by ``responseId`` (chunks without one: the
  consecutive ones). ``usageMetadata`` counts are cumulative: the last chunk with counts stands for the response (read
  as a response, its text the text parts of all chunks, thought parts skipped); the chunks without counts are
  ignored. A chunk with ``finishReason`` and counts ends its response. A response with no counts is as an OpenAI
  stream without usage.

A stream's records are taken together within one part of one file, across the reader's chunks: a file read in byte
ranges is read again whole when a range meets one (the reader raises :class:`~advisor.logs.streams.NotSplittable`),
and :func:`~advisor.logs.reader.normalize_partition` groups within its partition, as it merges LangSmith halves (give
a stream's records in one partition). At most ``_MAX_OPEN`` streams wait for their end; past that the oldest is
settled as it stands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from advisor.logs.record_fields import anthropic_completion, short_word
from advisor.logs.records import Ignored, Raw, RecordProblem, epoch_s, openai_usage, text

__all__ = ["STREAM_FORMAT", "STREAMED_FORMATS", "Streams", "Settled", "looks_like_anthropic_event",
           "parse_anthropic_event", "NO_USAGE_FIX"]

STREAM_FORMAT = "anthropic-stream"
STREAMED_FORMATS = frozenset(("openai", STREAM_FORMAT))  # formats whose records may be a stream's (Streams.kind)
_MAX_OPEN = 10_000  # streams waiting for their end (memory: their answers' text)
_EVENTS = frozenset(("message_start", "content_block_start", "content_block_delta", "content_block_stop",
                     "message_delta", "message_stop", "ping"))
NO_USAGE_FIX = ("log the stream with stream_options: {\"include_usage\": true} (its last chunk then carries the "
                "usage), or log the request with its answer")


class Settled(NamedTuple):
    """What a stream's record came to: ``what`` a Raw, a RecordProblem, an Ignored, or a dict, a record to read as a
    response in format ``fmt`` (the reader parses it)."""

    line: int
    where: str
    fmt: str
    what: Any


def looks_like_anthropic_event(o: Mapping) -> bool:
    """An Anthropic Messages stream event.

    >>> looks_like_anthropic_event({"type": "message_start", "message": {"id": "m", "usage": {}}})
    True
    >>> looks_like_anthropic_event({"type": "content_block_delta", "index": 0, "delta": {}})
    True
    >>> looks_like_anthropic_event({"type": "ping"}), looks_like_anthropic_event({"type": "assistant", "message": {}})
    (True, False)
    """
    t = o.get("type")
    if not isinstance(t, str) or t not in _EVENTS:
        return False
    if t == "message_start":
        return isinstance(o.get("message"), dict)
    if t in ("message_stop", "ping"):
        return len(o) <= 3  # the type alone (and, in some SDK dumps, an index or a message id)
    if t == "message_delta":
        return "delta" in o or "usage" in o
    return "index" in o


def parse_anthropic_event(o: Mapping, line: int) -> Raw:
    """One stream event read alone (not through :class:`Streams`, which reads a message's events together)."""
    if o.get("type") == "ping":
        raise Ignored("Anthropic stream ping")
    raise RecordProblem("stream event read alone: a message's events are read together (message_start to "
                        "message_stop)", "type")


class _Group:
    """One stream waiting for its end: its records' lines and what they told."""

    __slots__ = ("kind", "line", "where", "lines", "model", "rid", "ts", "parts", "calls", "usage", "final", "done")

    def __init__(self, kind: str, line: int, where: str):
        self.kind, self.line, self.where = kind, line, where
        self.lines: list[tuple[int, str]] = []   # the other records of the stream (line, where)
        self.model: Any = None
        self.rid: Any = None
        self.ts: Any = None
        self.parts: dict[Any, list[str]] = {}   # text by choice or block index
        self.calls: dict[Any, dict] = {}        # tool calls by (choice, index) or block index
        self.usage: dict = {}                   # Anthropic: the usage so far
        self.final: Any = None                  # the record standing for the stream (usage chunk, last counts)
        self.done = False                       # Anthropic: a message_delta with usage seen


class Streams:
    """The stream records of one part of one file (:meth:`start` at each), grouped as they are read."""

    def __init__(self) -> None:
        self.start("")

    def start(self, file: str) -> None:
        self.file = file
        self.open: dict[tuple[str, Any], _Group] = {}
        self.message: _Group | None = None   # the Anthropic message being read
        self.anon = 0                        # Gemini chunks without a responseId: the consecutive ones

    def kind(self, o: Mapping, fmt: str) -> str | None:
        """'openai' | 'anthropic' | 'gemini' for a record of a stream in format ``fmt``, else None."""
        if fmt == STREAM_FORMAT:
            return "anthropic"
        if o.get("object") == "chat.completion.chunk":
            return "openai"
        if ("candidates" in o or "usageMetadata" in o) and not ("request" in o or "response" in o or "messages" in o):
            return "gemini"
        if self.message is not None and o.get("type") == "error" and isinstance(o.get("error"), dict):
            return "anthropic"  # an error event inside a message
        return None

    def feed(self, kind: str, line: int, where: str, rec: Mapping) -> Iterator[Settled]:
        try:
            if kind == "openai":
                yield from self._openai(line, where, rec)
            elif kind == "anthropic":
                yield from self._anthropic(line, where, rec)
            else:
                yield from self._gemini(line, where, rec)
        except RecordProblem as p:
            yield Settled(line, where, _FMT[kind], p)
        except RecursionError:
            yield Settled(line, where, _FMT[kind], RecordProblem("nested too deeply to read"))
        except Exception as exc:  # noqa: BLE001 - a shape no rule foresaw: listed by type, never echoed
            yield Settled(line, where, _FMT[kind], RecordProblem(f"unreadable record ({type(exc).__name__})"))
        if len(self.open) > _MAX_OPEN:
            yield from self._settle(self.open.pop(next(iter(self.open))))

    def end(self) -> Iterator[Settled]:
        """Every stream still waiting, settled as it stands (the part of the file is read)."""
        groups = list(self.open.values()) + ([self.message] if self.message is not None else [])
        self.open, self.message = {}, None
        for g in groups:
            yield from self._settle(g)

    # ---- OpenAI chunks

    def _openai(self, line: int, where: str, rec: Mapping) -> Iterator[Settled]:
        rid = text(rec.get("id"), "id")
        texts, calls = _chunk_deltas(rec)  # (read first: a chunk of the wrong shape is a problem alone)
        key = ("openai", rid)
        g = self.open.get(key)
        if g is None:
            g = self.open[key] = _Group("openai", line, where)
            g.rid, g.model, g.ts = rid, rec.get("model"), rec.get("created")
        else:
            g.lines.append((line, where))
        if rec.get("usage"):  # the usage chunk of include_usage: it stands for the request, the others ignored
            del self.open[key]
            g.final = (line, where, rec)
            yield from self._settle(g)
            return
        for n, piece in texts:
            g.parts.setdefault(n, []).append(piece)
        for at, c in calls:
            _add_call(g.calls.setdefault(at, {"name": [], "arguments": [], "id": None}), c)

    # ---- Anthropic events

    def _anthropic(self, line: int, where: str, rec: Mapping) -> Iterator[Settled]:
        t = rec.get("type")
        if t == "message_start":
            if self.message is not None:  # the one before was cut (no message_stop)
                yield from self._settle(self.message)
            msg = rec.get("message")
            if not isinstance(msg, dict):
                raise RecordProblem("expected an object", "message")
            self.message = None
            new = _Group("anthropic", line, where)
            new.rid, new.model = text(msg.get("id"), "message.id"), text(msg.get("model"), "message.model")
            _merge_usage(new.usage, msg.get("usage"), "message.usage")
            self.message = new  # (a message_start of the wrong shape is a problem, and opens no message)
            return
        if t == "ping":
            yield Settled(line, where, STREAM_FORMAT, Ignored("Anthropic stream ping"))
            return
        cur = self.message
        if cur is None:
            yield Settled(line, where, STREAM_FORMAT, _orphan(t, rec))
            return
        if t == "error":
            self.message = None
            cur.final = (line, where, RecordProblem("request failed" + _code(rec.get("error")), "error"))
            yield from self._settle(cur)
            return
        if t == "message_delta":
            _merge_usage(cur.usage, rec.get("usage"), "usage")
            cur.done = cur.done or isinstance(rec.get("usage"), dict)
        elif t in ("content_block_start", "content_block_delta"):
            _block_event(cur, rec)
        cur.lines.append((line, where))  # (after it was read: an event of the wrong shape is a problem alone)
        if t == "message_stop":
            self.message = None
            yield from self._settle(cur)

    # ---- Gemini chunks

    def _gemini(self, line: int, where: str, rec: Mapping) -> Iterator[Settled]:
        rid = rec.get("responseId")
        if rid is None:
            key: tuple[str, Any] = ("gemini", self.anon)
        else:
            key = ("gemini", text(rid, "responseId"))
        g = self.open.get(key)
        if g is None:
            g = self.open[key] = _Group("gemini", line, where)
            g.rid, g.model, g.ts = key[1] if rid is not None else None, rec.get("modelVersion"), rec.get("createTime")
        else:
            g.lines.append((line, where))
        cands = rec.get("candidates")
        first = cands[0] if isinstance(cands, list) and cands else None
        content = first.get("content") if isinstance(first, dict) else None
        parts = content.get("parts") if isinstance(content, dict) else None
        for p in parts if isinstance(parts, list) else ():
            if isinstance(p, dict) and isinstance(p.get("text"), str) and not p.get("thought"):
                g.parts.setdefault(0, []).append(p["text"])
        meta = rec.get("usageMetadata")
        if isinstance(meta, dict) and any(meta.get(k) is not None for k in
                                          ("promptTokenCount", "candidatesTokenCount", "totalTokenCount")):
            g.final = (line, where, rec)
            if isinstance(first, dict) and first.get("finishReason"):  # the response's end
                del self.open[key]
                if rid is None:
                    self.anon += 1
                yield from self._settle(g)

    # ---- settling

    def _settle(self, g: _Group) -> Iterator[Settled]:
        fmt = _FMT[g.kind]
        try:
            if g.kind == "openai":
                yield from self._settle_openai(g, fmt)
            elif g.kind == "anthropic":
                yield from self._settle_anthropic(g, fmt)
            else:
                yield from self._settle_gemini(g, fmt)
        except RecordProblem as p:
            yield Settled(g.line, g.where, fmt, p)
            yield from _ignored(g, fmt, "streamed record of a stream listed as a problem (at its first line)")
        except RecursionError:
            yield Settled(g.line, g.where, fmt, RecordProblem("nested too deeply to read"))
            yield from _ignored(g, fmt, "streamed record of a stream listed as a problem (at its first line)")
        except Exception as exc:  # noqa: BLE001
            yield Settled(g.line, g.where, fmt, RecordProblem(f"unreadable record ({type(exc).__name__})"))
            yield from _ignored(g, fmt, "streamed record of a stream listed as a problem (at its first line)")

    def _settle_openai(self, g: _Group, fmt: str) -> Iterator[Settled]:
        if g.final is not None:
            line, where, rec = g.final
            yield Settled(line, where, fmt, rec)
            yield from _ignored(g, fmt, "streamed chunk without usage (the chunk with usage stands for its request)",
                                with_first=line != g.line)
            return
        yield Settled(g.line, g.where, fmt, _unbilled(g, "streamed answer logged without usage (no chunk of its id "
                                                         "carries usage): its prompt tokens are unknown; " + NO_USAGE_FIX))
        yield from _ignored(g, fmt, "streamed chunk of a stream without usage (listed at its first chunk)")

    def _settle_anthropic(self, g: _Group, fmt: str) -> Iterator[Settled]:
        if g.final is not None:  # an error event
            line, where, problem = g.final
            yield Settled(line, where, fmt, problem)
            yield from _ignored(g, fmt, "Anthropic stream event of a failed message (listed at its error event)",
                                with_first=True)
            return
        ignored = "Anthropic stream event (its message_start line stands for the message)"
        if not g.done:
            yield Settled(g.line, g.where, fmt, RecordProblem(
                "message cut before its message_delta: output tokens unknown (message_start's output_tokens is a "
                "placeholder)", "message_delta.usage"))
            yield from _ignored(g, fmt, ignored)
            return
        usage = openai_usage(g.usage, "message_delta.usage")
        if usage is None:
            raise RecordProblem("no input_tokens/output_tokens in the message's usage", "message.usage")
        blocks = [_block(g, i) for i in sorted(set(g.parts) | set(g.calls), key=_order)]
        yield Settled(g.line, g.where, fmt, Raw(line=g.line, request_id=g.rid, model=g.model, usage=usage,
                                                completion=anthropic_completion(blocks, "content")))
        yield from _ignored(g, fmt, ignored)

    def _settle_gemini(self, g: _Group, fmt: str) -> Iterator[Settled]:
        ignored = "streamed chunk without usage counts (its response's last chunk with counts stands for it)"
        if g.final is None:
            yield Settled(g.line, g.where, fmt, _unbilled(g, "streamed response logged without usage counts (no "
                                                             "chunk's usageMetadata has promptTokenCount): its prompt "
                                                             "tokens are unknown; log the stream's last chunk (it "
                                                             "carries the counts), or the request with its answer"))
            yield from _ignored(g, fmt, ignored)
            return
        line, where, rec = g.final
        first = rec["candidates"][0] if isinstance(rec.get("candidates"), list) and rec["candidates"] else {}
        cand = {"content": {"role": "model", "parts": [{"text": "".join(g.parts.get(0, []))}]}}
        if isinstance(first, dict) and first.get("finishReason") is not None:
            cand["finishReason"] = first["finishReason"]
        yield Settled(line, where, fmt, {**rec, "candidates": [cand]})
        yield from _ignored(g, fmt, ignored, with_first=line != g.line)


_FMT = {"openai": "openai", "anthropic": STREAM_FORMAT, "gemini": "openai"}


def _order(k: Any) -> tuple[int, str]:
    return (k, "") if isinstance(k, int) else (1 << 30, str(k))


def _ignored(g: _Group, fmt: str, reason: str, *, with_first: bool = False) -> Iterator[Settled]:
    """The stream's other records as ignored (and its first, when another record stood for the stream)."""
    if with_first:
        yield Settled(g.line, g.where, fmt, Ignored(reason))
    final = g.final[0] if g.final is not None else None
    for line, where in g.lines:
        if line != final or where != (g.final[1] if g.final is not None else None):
            yield Settled(line, where, fmt, Ignored(reason))


def _unbilled(g: _Group, reason: str) -> Raw:
    """A stream without usage: its answer, to be counted, and why its prompt is unknown (a problem once counted)."""
    ts, why = epoch_s(g.ts, "created" if g.kind == "openai" else "createTime")
    texts = ["".join(g.parts[k]) for k in sorted(g.parts, key=_order)]
    calls = [{"id": c["id"], "type": "function", "function": {"name": "".join(c["name"]),
                                                              "arguments": "".join(c["arguments"])}}
             for _, c in sorted(g.calls.items(), key=lambda kv: (_order(kv[0][0]), _order(kv[0][1])))]
    answer: dict = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if calls:
        answer["tool_calls"] = calls
    return Raw(line=g.line, request_id=g.rid, timestamp=ts, time_ignored=why,
               model=text(g.model, "model" if g.kind == "openai" else "modelVersion"), messages=[],
               completion=answer, prompt_unknown=reason)


def _chunk_deltas(rec: Mapping) -> tuple[list[tuple[int, str]], list[tuple[tuple[int, int], Mapping]]]:
    """(choice index, text) and ((choice index, call index), tool call delta) of a Chat Completions chunk.

    >>> _chunk_deltas({"choices": [{"index": 0, "delta": {"content": "Hi", "tool_calls": [{"index": 0}]}}]})
    ([(0, 'Hi')], [((0, 0), {'index': 0})])
    """
    choices = rec.get("choices")
    if choices is not None and not isinstance(choices, list):
        raise RecordProblem(f"expected a list, got {type(choices).__name__}", "choices")
    texts: list[tuple[int, str]] = []
    calls: list[tuple[tuple[int, int], Mapping]] = []
    for i, ch in enumerate(choices or ()):
        if not isinstance(ch, dict):
            raise RecordProblem(f"expected a choice object, got {type(ch).__name__}", f"choices[{i}]")
        delta = ch.get("delta")
        if not isinstance(delta, dict):
            continue
        n = ch["index"] if type(ch.get("index")) is int else i
        texts += [(n, delta[k]) for k in ("content", "refusal") if isinstance(delta.get(k), str)]
        tool_calls = delta.get("tool_calls")
        calls += [((n, c["index"] if type(c.get("index")) is int else j), c)
                  for j, c in enumerate(tool_calls if isinstance(tool_calls, list) else ()) if isinstance(c, dict)]
    return texts, calls


def _add_call(call: dict, c: Mapping) -> None:
    """One delta of a streamed tool call: its id, and the pieces of its name and arguments."""
    if isinstance(c.get("id"), str):
        call["id"] = c["id"]
    fn = c.get("function")
    if isinstance(fn, dict):
        for k in ("name", "arguments"):
            if isinstance(fn.get(k), str):
                call[k].append(fn[k])


def _merge_usage(usage: dict, u: Any, field: str) -> None:
    """The counts an event gives, over the ones before (message_delta's are cumulative, and may update the input's)."""
    if u is None:
        return
    if not isinstance(u, dict):
        raise RecordProblem(f"expected an object, got {type(u).__name__}", field)
    usage.update((k, v) for k, v in u.items() if v is not None and not isinstance(v, (dict, list)))


def _block_event(g: _Group, rec: Mapping) -> None:
    """A content block's start or delta: text, or a tool call's name and input JSON, by block index."""
    i = rec.get("index")
    i = i if isinstance(i, int) else -1
    block = rec.get("content_block") if rec.get("type") == "content_block_start" else rec.get("delta")
    if not isinstance(block, dict):
        return
    kind = block.get("type")
    if kind in ("text", "text_delta") and isinstance(block.get("text"), str):
        g.parts.setdefault(i, []).append(block["text"])
    elif kind in ("tool_use", "server_tool_use"):
        g.calls[i] = {"name": [block["name"]] if isinstance(block.get("name"), str) else [], "arguments": [],
                      "id": block.get("id") if isinstance(block.get("id"), str) else None}
    elif kind == "input_json_delta" and isinstance(block.get("partial_json"), str):
        g.calls.setdefault(i, {"name": [], "arguments": [], "id": None})["arguments"].append(block["partial_json"])


def _block(g: _Group, i: Any) -> dict:
    """Block ``i`` of a streamed message as a Messages content block."""
    if i in g.calls:
        c = g.calls[i]
        raw = "".join(c["arguments"])
        try:
            value = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError):
            value = raw  # cut JSON: its text counted as it is
        return {"type": "tool_use", "id": c["id"], "name": "".join(c["name"]), "input": value}
    return {"type": "text", "text": "".join(g.parts.get(i, []))}


def _orphan(t: Any, rec: Mapping) -> RecordProblem | Ignored:
    """An event read outside any message (no message_start before it in this part of the file); an error alone is
    a failed request (an error response body has the shape of the error event)."""
    if t == "error":
        return RecordProblem("request failed" + _code(rec.get("error")), "error")
    if t == "message_delta" and isinstance(rec.get("usage"), dict):
        return RecordProblem("message_delta without its message_start: input tokens unknown (give the stream "
                             "from its first event)", "type")
    return Ignored("Anthropic stream event outside a message (no message_start before it)")


def _code(err: Any) -> str:
    """`` (type)`` of an Anthropic error object: a short code, never its message."""
    code = err.get("type") if isinstance(err, dict) else None
    return f" ({short_word(code)})" if isinstance(code, str) and code else ""
