"""Counting one chunk of parsed records (:class:`Raw`) into work-frame rows.

API prompt/completion tokens are counted with the served model's tokenizer and billing rules
(:mod:`advisor.tokens.chat`: tools, tool calls, images, files, response formats, per model family)
unless the log recorded the API's usage. Every string of a chunk is encoded in one batch per encoding,
with repeated strings (system prompts, tool definitions) memoised.

The 7B model's counts (``ft_*``) use the one 7B rule of :mod:`advisor.tokens.counter`
(:func:`~advisor.tokens.counter.ft_request_texts` + :func:`~advisor.tokens.counter.ft_counts`). On large chunks
(``ft_exact_below`` requests or more) only one request in ``ft_sample_every`` per task is encoded with the 7B
tokenizer (tasks with fewer requests than that pooled); the others get the API count times that task's (or
the pool's) 7B/API token ratio in the sample (a ratio
estimator; its 95% confidence interval is reported in the row's note). The ratio is what the decision
uses (the 7B model's cost per request scales with it), so a tight interval serves it as well as a full count.

A Responses API body (``/v1/responses``) given whole as ``request_options["responses_body"]`` is counted by
:func:`advisor.tokens.responses.responses_prompt_parts` (its function-call items, ``text.format`` and hosted
tools included); without it, the messages a reader mapped from ``input`` are counted as a chat request.

Rows carry what was assumed in :data:`COUNT_NOTES_COLUMN` (notes separated by newlines): images at an
assumed size, PDF/audio estimates, reasoning tokens that text cannot show, sampled 7B counts.
A request without a completion keeps NaN completion tokens: the reader joins or assumes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from advisor.logs.answer import measure_answer
from advisor.logs.records import WORK_COLUMNS, Raw, RecordProblem
from advisor.logs.template import TemplateHasher
from advisor.tokens.counter import (
    FT_COMPLETION,
    FT_PROMPT,
    FT_TOOLS,
    LengthMemo,
    TokenCounter,
    completion_parts,
    count_ft_chat,
    ft_counts,
    ft_lengths,
    ft_request_texts,
    prompt_parts,
    resolve_encoding,
)
from advisor.tokens.responses import function_calls_in, responses_completion_parts, responses_prompt_parts

RESPONSES_BODY = "responses_body"  # request_options key holding a whole Responses API request body
__all__ = ["ChunkCounter", "ft_request_texts", "ft_counts", "count_ft_request", "COUNT_NOTES_COLUMN",
           "ratio_interval", "RESPONSES_BODY"]

COUNT_NOTES_COLUMN = "count_notes"
_STATIC_MEMO_CHARS = 16 << 20  # static system prompts memoised, in characters (memory bounded by bytes)
_RARE = "\x00rare tasks"  # the pooled group of tasks with fewer rows in a chunk than one sample step
# Usage of 0 prompt and 0 completion tokens is what some tools log when the real usage was not returned (a stream
# without include_usage, a proxy that fills zeros): the record's text is counted instead.
ZERO_USAGE_NOTE = "usage of 0 prompt and 0 completion tokens is a placeholder: counted from the text"
PROMPT, COMPLETION, TOOLS = FT_PROMPT, FT_COMPLETION, FT_TOOLS
_COLUMNS = WORK_COLUMNS + ([COUNT_NOTES_COLUMN] if COUNT_NOTES_COLUMN not in WORK_COLUMNS else [])


def count_ft_request(messages, completion=None, *, tools=None, prompt_text=None,
                     name: str = "mistral-v1") -> tuple[float, float]:
    """(prompt, completion) 7B tokens of one request: :func:`advisor.tokens.counter.count_ft_chat` (the same rule
    :class:`ChunkCounter` applies per chunk)."""
    return count_ft_chat(messages, completion, tools=tools, prompt_text=prompt_text, name=name)


def ratio_interval(y: np.ndarray, x: np.ndarray) -> tuple[float, float, float]:
    """(ratio, low, high): the ratio estimator ``R = sum(y) / sum(x)`` and its 95% interval.

    ``se(R) = sqrt(sum((y - R x)^2) / (n (n - 1))) / mean(x)`` (Cochran, Sampling Techniques, 6.9, without
    the finite-population correction, so the interval is conservative).

    >>> r, lo, hi = ratio_interval(np.array([11.0, 22, 33]), np.array([10.0, 20, 30]))
    >>> round(r, 3), round(lo, 3), round(hi, 3)
    (1.1, 1.1, 1.1)
    """
    n = len(x)
    sx = float(np.sum(x))
    if n == 0 or sx <= 0:
        return float("nan"), float("nan"), float("nan")
    r = float(np.sum(y)) / sx
    if n < 2:
        return r, float("nan"), float("nan")
    se = math.sqrt(float(np.sum((y - r * x) ** 2)) / (n * (n - 1))) / (sx / n)
    return r, r - 1.96 * se, r + 1.96 * se


def _objects(values) -> pd.Series:
    """A text column kept as Python objects: pandas would turn a list of strings into its Arrow-backed ``str``,
    which gathering turns back into objects and categories (the two conversions cost more than counting a
    record that carries its usage)."""
    return pd.Series(values, dtype=object)


def _unknown_prompts(raws: Sequence[Raw], comp: np.ndarray, source: np.ndarray, prob: np.ndarray) -> None:
    """Requests whose prompt is unknown (``Raw.prompt_unknown``: a stream logged without usage) become problems
    once their completion is counted: the reason, and the completion's count (counted from the text, not billed)."""
    for i, r in enumerate(raws):
        if r.prompt_unknown is not None and prob[i] is None:
            n = comp[i]
            counted = f"{n:,.0f} completion token{'' if n == 1 else 's'} counted from its text" if source[i] == "counted" \
                and np.isfinite(n) else "its completion could not be counted"
            prob[i] = f"{r.prompt_unknown} ({counted}, not billed usage)"


class ChunkCounter:
    """Counts a list of Raw records into frame rows (reusable across chunks: memos persist)."""

    def __init__(self, *, model: str | None, ft_tokenizer: str | None, threads: int,
                 ft_sample_every: int = 16, ft_exact_below: int = 2000):
        self.model = model
        self.ft_name = ft_tokenizer
        self.threads = threads
        self.ft_sample_every = max(1, int(ft_sample_every))
        self.ft_exact_below = ft_exact_below
        self.counters: dict[str, TokenCounter] = {}
        self.hasher = TemplateHasher()
        self._ft_memo = LengthMemo(size=20_000, min_chars=64)
        self._static_memo: dict[tuple[str, str], int] = {}   # (encoding, static system text) -> API tokens
        self._static_chars = 0  # characters of the texts it holds (bounded: _STATIC_MEMO_CHARS)

    def _counter(self, name: str) -> TokenCounter:
        if name not in self.counters:
            self.counters[name] = TokenCounter(name, threads=self.threads)
        return self.counters[name]

    def _ft_lengths(self, texts: list[str], ft_name: str) -> list[int]:
        return self._ft_memo.lengths(texts, lambda todo: ft_lengths(todo, ft_name, threads=self.threads))

    def _api(self, i: int, r: Raw, by_enc: dict, fixed_p: np.ndarray, fixed_c: np.ndarray,
             notes: list[list[str]], assumed: np.ndarray, divisor: np.ndarray) -> None:
        """Queue one record's API strings; raises RecordProblem for a request of the wrong shape."""
        choice = resolve_encoding(r.model)
        model = r.model
        if choice.assumed and self.model:  # --model stands in for a missing or unknown model
            choice, model = resolve_encoding(self.model), self.model
        if choice.assumed:
            assumed[i] = f"{choice.model or '(no model)'} -> {choice.encoding}"
        opts = getattr(r, "request_options", None)
        body = opts.get(RESPONSES_BODY) if isinstance(opts, dict) else None
        if isinstance(body, dict):
            # the call's time: Responses calls of the API's launch weeks billed a hidden prompt (launch_period_tokens)
            p = responses_prompt_parts(body, model, choice.encoding, timestamp_s=r.timestamp,
                                       output_calls=function_calls_in(r.completion))
            divisor[i] = p.divisor  # a parallel answer's input tokens reported divided among its calls
        elif r.messages is not None:
            p = prompt_parts(r.messages, model, choice.encoding, tools=r.tools,
                             options=getattr(r, "request_options", None), timestamp_s=r.timestamp)
        else:
            p = prompt_parts([], model, choice.encoding)
            p.strings, p.fixed = [r.prompt_text if isinstance(r.prompt_text, str) else str(r.prompt_text)], 0
        if r.completion is None:
            c = None
        elif isinstance(body, dict):  # a Responses answer: its own framing (advisor.tokens.responses)
            c = responses_completion_parts(body, r.completion, model, choice.encoding)
        else:
            c = completion_parts(r.completion, model, choice.encoding, opts, tools=r.tools, timestamp_s=r.timestamp)
        strings, owner, part = by_enc.setdefault(choice.encoding, ([], [], []))
        strings += p.strings
        owner += [i] * len(p.strings)
        part += [0] * len(p.strings)
        fixed_p[i] = p.fixed
        notes[i] += p.assumptions
        if c is not None:
            strings += c.strings
            owner += [i] * len(c.strings)
            part += [1] * len(c.strings)
            fixed_c[i] = c.fixed
            notes[i] += c.assumptions

    def rows(self, file: str | list[str], raws: Sequence[Raw], problems: Sequence[tuple[int, str]]) -> pd.DataFrame:
        n = len(raws)
        prompt = np.full(n, np.nan)
        comp = np.full(n, np.nan)
        cached = np.zeros(n)
        source = np.empty(n, dtype=object)
        assumed = np.empty(n, dtype=object)
        task = np.empty(n, dtype=object)
        tpl = np.empty(n, dtype=object)
        prob = np.empty(n, dtype=object)
        notes: list[list[str]] = [[] for _ in range(n)]
        by_enc: dict[str, tuple[list[str], list[int], list[int]]] = {}
        fixed_p = np.zeros(n)
        fixed_c = np.zeros(n)
        divisor = np.ones(n)
        has_text = np.zeros(n, dtype=bool)
        fits = []   # what the answer looks like (advisor.logs.answer), measured before the text goes
        statics = []  # each request's static system text (advisor.logs.template.static_text)
        for i, r in enumerate(raws):
            task[i], tpl[i], static = self.hasher.keys_static(r.messages, r.prompt_text, r.task_hint)
            statics.append(static)
            fits.append(measure_answer(r.messages, r.tools, r.completion, r.request_options))
            has_text[i] = r.messages is not None or r.prompt_text is not None
            # usage 0/0: no billed request has it (a prompt has at least one token), tools log it when the usage
            # was never returned
            placeholder = r.usage is not None and not r.usage[0] > 0 and not (r.usage[1] or 0) > 0
            if placeholder:
                notes[i].append(ZERO_USAGE_NOTE)
            if r.note:
                notes[i].append(r.note)
            if r.usage is not None and not placeholder:
                prompt[i], comp[i], cached[i] = r.usage
                source[i] = "usage"
            elif placeholder and not has_text[i]:
                prob[i] = "usage reports 0 prompt and 0 completion tokens (a placeholder: a billed request has at " \
                          "least one prompt token) and no prompt/completion text to count"
            elif has_text[i]:  # a request without its response too: its completion stays NaN
                try:
                    self._api(i, r, by_enc, fixed_p, fixed_c, notes, assumed, divisor)
                    source[i] = "counted"
                except RecordProblem as p:
                    prob[i] = f"field {p.field!r}: {p.reason}" if p.field else p.reason
                    has_text[i] = False
            else:
                prob[i] = "no usage and no prompt/completion text to count"
        fit = np.array(fits, dtype=float).reshape(n, 4)
        counted = source == "counted"
        prompt[counted] = fixed_p[counted]
        comp[counted] = fixed_c[counted]
        for enc, (strings, owner, part) in by_enc.items():
            lens = np.asarray(self._counter(enc).count_many(strings), dtype=float)
            owner_a, part_a = np.asarray(owner, dtype=int), np.asarray(part)
            p_sum = np.bincount(owner_a[part_a == 0], weights=lens[part_a == 0], minlength=n)
            c_sum = np.bincount(owner_a[part_a == 1], weights=lens[part_a == 1], minlength=n)
            prompt[counted] += p_sum[counted]
            comp[counted] += c_sum[counted]
        prompt[counted] = np.floor_divide(prompt[counted], divisor[counted])
        no_completion = np.array([r.completion is None for r in raws], dtype=bool)
        comp[no_completion & (source == "counted")] = np.nan  # unknown, not 0: joined or assumed by the reader
        _unknown_prompts(raws, comp, source, prob)
        ft_p = np.full(n, np.nan)
        ft_c = np.full(n, np.nan)
        if self.ft_name:
            # a batch output line holds the answer only: its 7B completion is counted here, its 7B prompt comes from
            # the input line with the same custom_id (advisor.logs.gather's join)
            answer_only = np.array([r.join_side == "output" and r.messages is None and r.prompt_text is None
                                    and r.completion is not None for r in raws], dtype=bool)
            self._ft_rows(raws, (has_text | answer_only) & (prob == None), task, prompt, comp, ft_p, ft_c,  # noqa: E711
                          notes, self.ft_name)
            ft_p[answer_only] = np.nan
        text = _objects
        good = pd.DataFrame({
            "request_id": text([r.request_id for r in raws]),
            "timestamp": np.array([np.nan if r.timestamp is None else r.timestamp for r in raws], dtype=float),
            "model": text([r.model for r in raws]),
            "task": text(task), "template": text(tpl),
            "prompt_tokens": prompt, "completion_tokens": comp, "cached_tokens": cached,
            "latency_s": np.array([np.nan if r.latency_s is None else r.latency_s for r in raws], dtype=float),
            "tokens_source": text(source), "ft_prompt_tokens": ft_p, "ft_completion_tokens": ft_c,
            "static_prompt_tokens": np.minimum(self.static_tokens([r.model for r in raws], statics,
                                                                 has_text & (prob == None)), prompt),  # noqa: E711
            "requests": np.array([r.requests for r in raws], dtype=float),
            "file": text([file] * n if isinstance(file, str) else file),
            "line": np.array([r.line for r in raws], dtype=np.int64),
            "join_key": text([r.join_key for r in raws]), "join_side": text([r.join_side for r in raws]),
            "problem": text(prob), "assumed_encoding": text(assumed),
            COUNT_NOTES_COLUMN: text(["\n".join(dict.fromkeys(x)) if x else None for x in notes]),
            "time_ignored": text([r.time_ignored for r in raws]),
            "answer_kind": fit[:, 0], "answer_hash": fit[:, 1], "answer_head_hash": fit[:, 2], "fit_flags": fit[:, 3],
            "reasoning_tokens": np.array([np.nan if r.reasoning_tokens is None else r.reasoning_tokens for r in raws],
                                         dtype=float),
        }, columns=_COLUMNS)
        if problems:
            bad = pd.DataFrame({"file": file, "line": [ln for ln, _ in problems], "problem": [p for _, p in problems]})
            good = pd.concat([good, bad.reindex(columns=_COLUMNS)], ignore_index=True) if len(good) else \
                bad.reindex(columns=_COLUMNS)
        return good

    def static_tokens(self, models: Sequence[str | None], statics: Sequence[str | None],
                      has_text: np.ndarray) -> np.ndarray:
        """API tokens of each request's static system prompt (``statics``: :func:`advisor.logs.template.static_text`
        of each, ``models`` the model each names), NaN without text or system prompt; system prompts repeat, so each
        distinct one is encoded once."""
        out = np.full(len(models), np.nan)
        rows: dict[tuple[str | None, str], list[int]] = {}  # (model, text) -> its rows: each pair looked up once
        for i, (model, text, ok) in enumerate(zip(models, statics, has_text.tolist())):
            if ok and text is not None:
                at = rows.get((model, text))
                if at is None:
                    rows[(model, text)] = [i]
                else:
                    at.append(i)
        todo: dict[tuple[str, str], list[int]] = {}
        for (model, text), at in rows.items():
            choice = resolve_encoding(model)
            if choice.assumed and self.model:
                choice = resolve_encoding(self.model)
            key = (choice.encoding, text)
            if key in self._static_memo:
                out[at] = self._static_memo[key]
            else:
                todo.setdefault(key, []).extend(at)
        by_enc: dict[str, list[tuple[str, str]]] = {}
        for key in todo:
            by_enc.setdefault(key[0], []).append(key)
        for enc, keys in by_enc.items():
            for key, n in zip(keys, self._counter(enc).count_many([k[1] for k in keys])):
                if len(self._static_memo) < 20_000 and self._static_chars + len(key[1]) <= _STATIC_MEMO_CHARS:
                    self._static_memo[key] = int(n)
                    self._static_chars += len(key[1])
                out[todo[key]] = n
        return out

    def _sampled(self, eligible: np.ndarray, task: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows whose 7B counts are encoded, the group each row's ratio comes from): all of a small chunk;
        else every k-th row of each task with k rows or more, and every k-th row of the other tasks pooled
        (unique system prompts make a task per request: sampling each task's first row would encode them all).

        >>> c = ChunkCounter(model=None, ft_tokenizer=None, threads=1, ft_sample_every=2, ft_exact_below=1)
        >>> s, g = c._sampled(np.ones(5, bool), np.array(["a", "a", "a", "b", "c"], dtype=object))
        >>> s.tolist(), [x == "a" for x in g]
        ([True, False, True, True, False], [True, True, True, False, False])
        """
        if int(eligible.sum()) < self.ft_exact_below or self.ft_sample_every == 1:
            return eligible.copy(), task
        k = self.ft_sample_every
        rows = np.flatnonzero(eligible)
        sizes: dict[object, int] = {}
        for i in rows:
            sizes[task[i]] = sizes.get(task[i], 0) + 1
        group = task.copy()
        seen: dict[object, int] = {}
        out = np.zeros(len(eligible), dtype=bool)
        for i in rows:
            key = task[i] if sizes[task[i]] >= k else _RARE
            group[i] = key
            n = seen.get(key, 0)
            seen[key] = n + 1
            out[i] = n % k == 0
        return out, group

    def _ft_rows(self, raws: Sequence[Raw], eligible: np.ndarray, task: np.ndarray, prompt: np.ndarray,
                 comp: np.ndarray, ft_p: np.ndarray, ft_c: np.ndarray, notes: list[list[str]], ft_name: str) -> None:
        n = len(raws)
        sampled, group = self._sampled(eligible, task)
        texts: list[str] = []
        owner: list[int] = []
        parts: list[int] = []
        meta: dict[int, tuple[int, bool]] = {}
        for i in np.flatnonzero(sampled):
            r = raws[i]
            t, p, turns, has_sys = ft_request_texts(r.messages, r.prompt_text, r.completion, r.tools)
            texts += t
            parts += p
            owner += [int(i)] * len(t)
            meta[int(i)] = (turns, has_sys)
        sums: list[np.ndarray]   # prompt, completion, tools tokens per row
        if texts:
            lens = np.asarray(self._ft_lengths(texts, ft_name), dtype=float)
            owner_a, part_a = np.asarray(owner, dtype=int), np.asarray(parts)
            sums = [np.bincount(owner_a[part_a == k], weights=lens[part_a == k], minlength=n)
                    for k in (PROMPT, COMPLETION, TOOLS)]
            has_c = np.bincount(owner_a[part_a == COMPLETION], minlength=n) > 0
        else:
            sums, has_c = [np.zeros(n)] * 3, np.zeros(n, dtype=bool)
        for i, (turns, has_sys) in meta.items():
            ft_p[i], ft_c[i] = ft_counts(turns, has_sys, sums[PROMPT][i], sums[TOOLS][i], sums[COMPLETION][i],
                                         bool(has_c[i]), ft_name)
        estimate = eligible & ~sampled
        if estimate.any():
            self._estimate(estimate, sampled, group, prompt, comp, ft_p, ft_c, notes)

    def _estimate(self, estimate: np.ndarray, sampled: np.ndarray, task: np.ndarray, prompt: np.ndarray,
                  comp: np.ndarray, ft_p: np.ndarray, ft_c: np.ndarray, notes: list[list[str]]) -> None:
        """Unsampled rows: API tokens x the 7B/API ratio of the same group's sampled rows (a task, or the pool of
        tasks with few rows: :meth:`_sampled`; chunk-wide if none)."""
        ok_p = sampled & np.isfinite(prompt) & np.isfinite(ft_p) & (prompt > 0)
        ok_c = sampled & np.isfinite(comp) & np.isfinite(ft_c) & (comp > 0)
        chunk_p = ratio_interval(ft_p[ok_p], prompt[ok_p])
        chunk_c = ratio_interval(ft_c[ok_c], comp[ok_c])
        ratios: dict[object, tuple[float, float]] = {}
        for t in set(task[estimate]):
            in_t = task == t
            rp = ratio_interval(ft_p[ok_p & in_t], prompt[ok_p & in_t])[0] if (ok_p & in_t).any() else chunk_p[0]
            rc = ratio_interval(ft_c[ok_c & in_t], comp[ok_c & in_t])[0] if (ok_c & in_t).any() else chunk_c[0]
            ratios[t] = (rp, rc)
        pooled = " (tasks with fewer requests pooled)" if any(t == _RARE for t in ratios) else ""
        note = (f"7B tokens of requests outside a 1-in-{self.ft_sample_every} sample per task{pooled} estimated as API "
                f"tokens x the sample's 7B/API ratio (this chunk: prompt {chunk_p[0]:.3f}, 95% CI "
                f"{chunk_p[1]:.3f}-{chunk_p[2]:.3f}; completion {chunk_c[0]:.3f}, 95% CI "
                f"{chunk_c[1]:.3f}-{chunk_c[2]:.3f})")
        for i in np.flatnonzero(estimate):
            rp, rc = ratios[task[i]]
            if np.isfinite(prompt[i]) and np.isfinite(rp):
                ft_p[i] = round(prompt[i] * rp)
            if np.isfinite(comp[i]) and np.isfinite(rc):
                ft_c[i] = round(comp[i] * rc)
            notes[i].append(note)
