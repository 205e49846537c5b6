"""Rows of records that carry the API's usage, taken as they are read: the plain OpenAI chat request/response
record (``{"request": {...}, "response": {...}}``) decoded by msgspec against the shape below, straight to a row,
without the general parser (:mod:`.formats`), a :class:`~advisor.logs.records.Raw` or the counter's loop
(:mod:`.counting`). Used when no 7B counts are asked for (such a record then needs no tokenizer) and msgspec is
installed (the ``scale`` extra); otherwise every record takes the general path, which gives the same rows.

The shape (:class:`_Record`) admits only what the general path reads without a problem and the same way: every
key of every object is one it names (a record with any other key, such as ``tools`` or ``response_format``, goes
the general way), each value of the type named (msgspec checks them in C), text message contents and answer.
The values are then checked as :func:`~advisor.logs.formats.parse_openai` checks them (counts in range, usage
other than 0/0, cached no more than prompt, a time that is no placeholder); a record that fails any check is left
to the general path, which counts it or lists it as before. Its nesting is bounded by the shape, so json, which
the line reader uses for lines of many brackets, reads it as orjson does. msgspec refuses what orjson refuses
(text that is not UTF-8, lone surrogates, NaN). ``tests/logs/test_usage_rows.py`` checks that a read gives the
same frame, problems and summary with and without it.
"""

from __future__ import annotations

from collections import Counter as Tally
from typing import Any

import numpy as np
import pandas as pd

from advisor.logs.answer import MULTI_TURN, STEP_MARKERS, TEXT, TOOL_RESULTS, is_plain, measure_plain, measure_text_flagged
from advisor.logs.counting import _COLUMNS, COUNT_NOTES_COLUMN, ChunkCounter, _objects
from advisor.logs.fastlines import FLUSH_EVERY
from advisor.logs.record_fields import sample_weight
from advisor.logs.records import EARLIEST_EPOCH_S, LATEST_EPOCH_S, MAX_TOKENS, epoch_s

try:
    import msgspec
except ImportError:  # the general path reads every record
    msgspec = None  # type: ignore[assignment]

__all__ = ["UsageRows", "work_frame"]

_HINT_KEYS = ("task", "prompt_id", "promptId")  # record_fields.metadata_task_hint's order
_NONE_COLUMNS = ("join_key", "join_side", "problem", "assumed_encoding", COUNT_NOTES_COLUMN, "time_ignored")
_NO_MODEL = object()
_GIVE_UP_AFTER = 256  # records not taken, more than 4 per record taken: the rest of the task goes the general way
_PLAIN_BATCH = 1024  # plain answers measured at once (answer.measure_plain), or fewer holding _PLAIN_BATCH_CHARS
_PLAIN_BATCH_CHARS = 1 << 19  # (what a batch holds at once stays in a core's 1 MB L2 cache: 2,048 answers took 1.5x longer)
_NAN = float("nan")

if msgspec is not None:
    class _Struct(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        """A JSON object with only the keys named (any other: not this shape)."""

    class _Message(_Struct):
        content: str
        role: str = ""  # absent: no role (compared with "system", "user"... as None would be)
        name: str | None = None

    class _Request(_Struct):
        messages: list[_Message]
        model: str | None = None
        metadata: dict[str, str | int | float | bool | None] | None = None
        # sampling and output settings: no count or row reads them (billing options, tools are not here)
        temperature: float | None = None
        top_p: float | None = None
        max_tokens: int | None = None
        max_completion_tokens: int | None = None
        n: int | None = None
        stream: bool | None = None
        seed: int | None = None
        user: str | None = None
        presence_penalty: float | None = None
        frequency_penalty: float | None = None
        stop: str | list[str] | None = None
        store: bool | None = None
        logprobs: bool | None = None
        top_logprobs: int | None = None

    class _Answer(_Struct):
        content: str
        role: str = ""
        refusal: str | None = None

    class _Choice(_Struct):
        message: _Answer
        index: int | None = None
        finish_reason: str | None = None
        logprobs: None = None

    class _PromptDetails(_Struct):
        cached_tokens: int | None = None
        audio_tokens: int | None = None

    class _CompletionDetails(_Struct):
        reasoning_tokens: int | None = None
        audio_tokens: int | None = None
        accepted_prediction_tokens: int | None = None
        rejected_prediction_tokens: int | None = None

    class _Usage(_Struct):
        prompt_tokens: int
        completion_tokens: int
        total_tokens: int | None = None
        prompt_tokens_details: _PromptDetails | None = None
        completion_tokens_details: _CompletionDetails | None = None

    class _Response(_Struct):
        choices: list[_Choice]
        usage: _Usage
        id: str | None = None
        object: str | None = None
        created: int | None = None
        model: str | None = None
        system_fingerprint: str | None = None
        service_tier: str | None = None

    class _Record(_Struct):
        request: _Request
        response: _Response
        latency_s: float | None = None

    _decode = msgspec.json.Decoder(_Record).decode
    _NOT_THIS_SHAPE: tuple = (msgspec.DecodeError, msgspec.ValidationError)


def _name(v: str | None) -> str | None:
    """:func:`~advisor.logs.records.text` of text or None."""
    return v.strip()[:512] or None if v else None


class UsageRows:
    """The taker of :mod:`.fastlines`: each record taken becomes a row; :meth:`columns` gives them as the columns
    :meth:`ChunkCounter.rows` gives for the same records."""

    def __init__(self, counter: ChunkCounter):
        self.counter = counter
        self.rows: list[tuple] = []
        self.file = ""
        self.formats: Tally = Tally()
        self.taken = self.missed = 0
        self.heads: dict[str, float] = {}  # answer heads hashed in this task (labels, JSON keys repeat)
        self.models: dict[tuple, str | None] = {}  # (response's model, request's model) -> the row's model
        # plain answers (answer.is_plain) wait to be measured in batches: their rows' positions and texts, then
        # (positions, answer hashes, head hashes, step markers) measured, until columns() puts them in the rows
        self.plain_at: list[int] = []
        self.plain: list[str] = []
        self.plain_chars = 0
        self.measured: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.words: dict[bytes, float] = {}  # head hashes by first word (answer.measure_plain's memo)

    @classmethod
    def for_read(cls, ft_tokenizer: str | None, format: str | None, counter: ChunkCounter) -> UsageRows | None:
        """A taker for a read without 7B counts, of any format or of ``openai``, when msgspec is installed."""
        return cls(counter) if msgspec is not None and ft_tokenizer is None and format in (None, "openai") else None

    def start(self, file: str, formats: Tally) -> None:
        """The rows that follow are of ``file``, their format tallied in ``formats`` (the parser's, of that file)."""
        self.file, self.formats = file, formats

    def __len__(self) -> int:
        return len(self.rows)

    def full(self, chunk_records: int) -> bool:
        return len(self.rows) >= max(chunk_records, FLUSH_EVERY)

    def take(self, line: int, data: bytes | memoryview) -> bool:
        if self.missed >= _GIVE_UP_AFTER and self.missed > 4 * self.taken:
            return False
        try:
            r = _decode(data)
        except _NOT_THIS_SHAPE:
            self.missed += 1
            return False
        row = self._row(line, r)
        if row is None:
            self.missed += 1
            return False
        self.taken += 1
        self.formats["openai"] += 1
        self.rows.append(row)
        return True

    def _row(self, line: int, r: Any) -> tuple | None:
        """The row of a record of the shape, or None when the general path would read it otherwise."""
        req, resp = r.request, r.response
        u = resp.usage
        p, c = u.prompt_tokens, u.completion_tokens  # records.openai_usage
        if not (0 <= p <= MAX_TOKENS and 0 <= c <= MAX_TOKENS) or (p == 0 and c == 0):  # 0/0: a placeholder
            return None
        d = u.prompt_tokens_details
        cached = 0 if d is None or d.cached_tokens is None else d.cached_tokens
        if not 0 <= cached <= p:
            return None
        d = u.completion_tokens_details  # answer.reasoning_tokens (the only usage object of this shape)
        v = None if d is None else d.reasoning_tokens
        reasoning = float(v) if v is not None and 0 <= v < 1e9 else None
        if not resp.choices:
            return None
        answer = resp.choices[0].message
        t = resp.created
        if t is None or EARLIEST_EPOCH_S <= t < LATEST_EPOCH_S:
            ts = None if t is None else float(t)
        else:  # another unit, a placeholder, or not a time: records.epoch_s
            try:
                ts, why = epoch_s(t, "response.created")
            except Exception:  # noqa: BLE001 - the general path lists it
                return None
            if why is not None:  # a placeholder time: the general path tallies it
                return None
        latency = r.latency_s  # record_fields.latency_of
        if latency is not None and not 0 <= latency <= 1e9:
            return None
        hint, weight = None, 1.0
        meta = req.metadata
        if meta is not None:
            for key in _HINT_KEYS:  # record_fields.metadata_task_hint
                v = meta.get(key)
                if v:
                    if type(v) is not str:
                        return None
                    hint = _name(v)
                    break
            if meta.get("sample_rate") is not None:
                try:
                    weight = sample_weight(meta, "request.metadata")
                except Exception:  # noqa: BLE001
                    return None
        msgs = req.messages
        users, flags = 0, 0  # answer._flags of the prompt's roles (this shape offers no tools, no functions)
        system = None  # template._system_prompt: the first system or developer message's text
        for m in msgs:
            role = m.role
            if role == "user":
                users += 1
            elif role == "assistant":
                flags |= MULTI_TURN
            elif role == "tool" or role == "function":
                flags |= TOOL_RESULTS
            elif system is None and (role == "system" or role == "developer"):
                system = m.content
        if users > 1:
            flags |= MULTI_TURN
        try:  # what ChunkCounter.rows measures of a record that carries its usage
            if system is not None:
                task, template, static = self.counter.hasher.system_keys(system, hint)
            else:
                task, template, static = self.counter.hasher.keys_static(
                    [{"role": m.role, "content": m.content} for m in msgs], None, hint)
            text = answer.content
            plain = is_plain(text)
            fit = (TEXT, _NAN, _NAN, flags) if plain else measure_text_flagged(flags, text, self.heads)
        except Exception:  # noqa: BLE001 - the general path lists it ("could not be counted")
            return None
        models = (resp.model, req.model)
        model = self.models.get(models, _NO_MODEL)
        if model is _NO_MODEL:
            if len(self.models) >= 1024:  # bounded (a few models in practice)
                self.models.clear()
            model = self.models[models] = _name(resp.model) or _name(req.model)
        rid = resp.id
        if plain:  # measured with others (the row is the next one kept: nothing after this refuses the record)
            self.plain_at.append(len(self.rows))
            self.plain.append(text)
            self.plain_chars += len(text)
            if len(self.plain) >= _PLAIN_BATCH or self.plain_chars >= _PLAIN_BATCH_CHARS:
                self._measure_plain()
        return (self.file, line, (rid.strip()[:512] or None) if rid else None, ts, model, task, template, static,
                p, c, cached, latency, weight, *fit, reasoning)  # counts as ints: columns() makes them floats

    def _measure_plain(self) -> None:
        """The plain answers waiting, measured (:func:`~advisor.logs.answer.measure_plain`)."""
        if self.plain:
            at = np.array(self.plain_at, dtype=np.int64)
            self.measured.append((at, *measure_plain(self.plain, self.words)))
            self.plain_at, self.plain, self.plain_chars = [], [], 0

    def columns(self) -> dict[str, Any]:
        """The rows taken so far as the frame's columns (:data:`~advisor.logs.records.FRAME_COLUMNS`, what
        :meth:`ChunkCounter.rows` gives for the same records; :meth:`~advisor.logs.gather.Gather.add_columns`
        keeps them without a frame); then none are held."""
        self._measure_plain()
        rows, self.rows = self.rows, []
        measured, self.measured = self.measured, []
        n = len(rows)
        (files, line, rid, ts, model, task, template, static, prompt, comp, cached, latency, weight,
         kind, hash_, head, flags, reasoning) = zip(*rows) if rows else ((),) * 18
        prompt_a = _floats(prompt, n)
        static_a = self.counter.static_tokens(model, static, np.ones(n, dtype=bool))
        nan = np.full(n, np.nan)
        hash_a, head_a, flags_a = _floats(hash_, n), _floats(head, n), _floats(flags, n)
        for at, hashes, heads, steps in measured:
            hash_a[at], head_a[at] = hashes, heads
            flags_a[at] += STEP_MARKERS * steps  # (no row's flags hold it before)
        return {"request_id": _objects_of(rid, n), "timestamp": np.array(ts, dtype=float),  # None -> NaN
                "model": _objects_of(model, n), "task": _objects_of(task, n),
                "template": _objects_of(template, n), "prompt_tokens": prompt_a,
                "completion_tokens": _floats(comp, n), "cached_tokens": _floats(cached, n),
                "latency_s": np.array(latency, dtype=float), "tokens_source": np.full(n, "usage", dtype=object),
                "ft_prompt_tokens": nan, "ft_completion_tokens": nan.copy(),
                "static_prompt_tokens": np.minimum(static_a, prompt_a), "requests": _floats(weight, n),
                "file": _objects_of(files, n), "line": np.fromiter(line, dtype=np.int64, count=n),
                "answer_kind": _floats(kind, n), "answer_hash": hash_a,
                "answer_head_hash": head_a, "fit_flags": flags_a,
                "reasoning_tokens": np.array(reasoning, dtype=float)}


def _floats(values: tuple, n: int) -> np.ndarray:
    """A column of numbers that are never None (``np.array(values, dtype=float)`` without its look for nesting).

    >>> _floats((1, 2.5, float("nan")), 3).tolist()[:2]
    [1.0, 2.5]
    """
    return np.fromiter(values, dtype=float, count=n)


def _objects_of(values: tuple, n: int) -> np.ndarray:
    """A column of strings or None, as ``np.array(values, dtype=object)`` gives it (one dimension).

    >>> _objects_of(("a", None), 2)
    array(['a', None], dtype=object)
    """
    return np.fromiter(values, dtype=object, count=n)


def work_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """:meth:`UsageRows.columns` as the work frame :meth:`ChunkCounter.rows` gives (for :func:`iter_chunks`)."""
    n = len(columns["line"])
    return pd.DataFrame({**{c: _objects(v) if v.dtype == object else v for c, v in columns.items()},
                         **{c: _objects([None] * n) for c in _NONE_COLUMNS}}, columns=_COLUMNS)
