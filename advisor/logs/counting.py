"""Counting one chunk of parsed records (:class:`Raw`) into work-frame rows.

API prompt/completion tokens are counted with the served model's tokenizer (chat rules in
:mod:`advisor.tokens`) unless the log recorded the API's usage; the 7B model's counts (``ft_*``)
come from :func:`ft_request_texts` + :func:`ft_counts`, the ONE implementation of the 7B chat rule
(``1 (BOS) + turns * ([INST] + [/INST]) + separator + text + tools``; completion + ``</s>``).
A request without a completion (a logged request, a batch input) keeps NaN completion tokens:
the reader joins or assumes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import tokens as _tokens
from ..tokens import (
    completion_strings,
    ft_counts_from_lengths,
    get_ft_tokenizer,
    message_strings,
    resolve_encoding,
    tool_strings,
)
from .records import WORK_COLUMNS, Raw
from .template import TemplateHasher

TokenCounter = getattr(_tokens, "TokenCounter", None) or getattr(_tokens, "Counter")  # renamed in tokens.py

__all__ = ["ChunkCounter", "ft_request_texts", "ft_counts", "count_ft_request"]

PROMPT, COMPLETION, TOOLS = 0, 1, 2


def ft_request_texts(messages: Sequence[Any] | None, prompt_text: str | None, completion: Any,
                     tools: Any) -> tuple[list[str], list[int], int, bool]:
    """(texts, part of each text, user turns, has a system message) of one request for the 7B model.

    Parts: 0 prompt text, 1 completion text, 2 the tool definitions as compact JSON.
    >>> ft_request_texts([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}], None, "A", None)
    (['S', 'U', 'A'], [0, 0, 1], 1, True)
    """
    msgs = messages or [{"role": "user", "content": prompt_text or ""}]
    texts: list[str] = []
    parts: list[int] = []
    turns, has_sys = 0, False
    for m in msgs:
        role = m.get("role") if isinstance(m, Mapping) else None
        turns += role == "user"
        has_sys = has_sys or role in ("system", "developer")
        for t in completion_strings(m):
            texts.append(t)
            parts.append(PROMPT)
    if tools:
        texts.append(json.dumps(tools, separators=(",", ":")))
        parts.append(TOOLS)
    for t in completion_strings(completion):
        texts.append(t)
        parts.append(COMPLETION)
    return texts, parts, turns, has_sys


def ft_counts(turns: int, has_sys: bool, text_tokens: float, tool_tokens: float, completion_tokens: float,
              has_completion: bool, name: str) -> tuple[float, float]:
    """(prompt, completion) 7B tokens from the encoded lengths of one request's parts.

    Completion = its text tokens + 1 (``</s>``), NaN when the request has no completion text.
    """
    prompt = ft_counts_from_lengths(turns, has_sys, int(text_tokens), int(tool_tokens), name)
    return float(prompt), (float(completion_tokens) + 1.0) if has_completion else float("nan")


def count_ft_request(messages, completion=None, *, tools=None, prompt_text=None,
                     name: str = "mistral-v1") -> tuple[float, float]:
    """(prompt, completion) 7B tokens of one request: the same rule :class:`ChunkCounter` applies per chunk."""
    texts, parts, turns, has_sys = ft_request_texts(messages, prompt_text, completion, tools)
    sp = get_ft_tokenizer(name)
    lens = [len(ids) for ids in sp.encode(texts)] if texts else []
    by = [sum(n for n, p in zip(lens, parts) if p == k) for k in (PROMPT, COMPLETION, TOOLS)]
    return ft_counts(turns, has_sys, by[PROMPT], by[TOOLS], by[COMPLETION], COMPLETION in parts, name)


class ChunkCounter:
    """Counts a list of Raw records into frame rows (reusable across chunks: memos persist)."""

    def __init__(self, *, model: str | None, ft_tokenizer: str | None, threads: int):
        self.model = model
        self.ft_name = ft_tokenizer
        self.threads = threads
        self.counters: dict[str, TokenCounter] = {}
        self.hasher = TemplateHasher()
        self._ft_memo: dict[str, int] = {}

    def _counter(self, name: str) -> TokenCounter:
        if name not in self.counters:
            self.counters[name] = TokenCounter(name, threads=self.threads)
        return self.counters[name]

    def _ft_lengths(self, texts: list[str]) -> list[int]:
        sp = get_ft_tokenizer(self.ft_name)
        out = [0] * len(texts)
        todo_i, todo = [], []
        for i, t in enumerate(texts):
            if not t:
                continue
            hit = self._ft_memo.get(t)
            if hit is None:
                todo_i.append(i)
                todo.append(t)
            else:
                out[i] = hit
        if todo:
            for i, t, ids in zip(todo_i, todo, sp.encode(todo, num_threads=self.threads)):
                out[i] = len(ids)
                if len(t) >= 64:
                    if len(self._ft_memo) > 20_000:
                        self._ft_memo.clear()
                    self._ft_memo[t] = len(ids)
        return out

    def rows(self, file: str, raws: Sequence[Raw], problems: Sequence[tuple[int, str]]) -> pd.DataFrame:
        n = len(raws)
        prompt = np.full(n, np.nan)
        comp = np.full(n, np.nan)
        cached = np.zeros(n)
        source = np.empty(n, dtype=object)
        assumed = np.empty(n, dtype=object)
        task = np.empty(n, dtype=object)
        tpl = np.empty(n, dtype=object)
        prob = np.empty(n, dtype=object)
        # API-tokenizer strings to count, per encoding: (strings, owner, part)
        by_enc: dict[str, tuple[list[str], list[int], list[int]]] = {}
        fixed_p = np.zeros(n)
        # 7B strings
        ft_texts: list[str] = []
        ft_owner: list[int] = []
        ft_part: list[int] = []
        ft_meta: dict[int, tuple[int, bool]] = {}
        for i, r in enumerate(raws):
            task[i], tpl[i] = self.hasher.keys(r.messages, r.prompt_text, r.task_hint)
            has_text = r.messages is not None or r.prompt_text is not None
            if r.usage is not None:
                prompt[i], comp[i], cached[i] = r.usage
                source[i] = "usage"
            elif has_text:  # a request without its response too: its completion stays NaN
                source[i] = "counted"
                choice = resolve_encoding(r.model)
                if choice.assumed and self.model:  # --model stands in for a missing or unknown model
                    choice = resolve_encoding(self.model)
                if choice.assumed:
                    assumed[i] = f"{choice.model or '(no model)'} -> {choice.encoding}"
                strings, owner, part = by_enc.setdefault(choice.encoding, ([], [], []))
                if r.messages is not None:
                    s, fx = message_strings(r.messages, r.model or self.model or "")
                    ts, tfx = tool_strings(r.tools, choice.encoding)
                    s += ts
                    fixed_p[i] = fx + tfx
                else:
                    s = [r.prompt_text]
                strings += s
                owner += [i] * len(s)
                part += [0] * len(s)
                cs = completion_strings(r.completion)
                strings += cs
                owner += [i] * len(cs)
                part += [1] * len(cs)
            else:
                prob[i] = "no usage and no prompt/completion text to count"
            if self.ft_name and has_text:
                texts, parts, turns, has_sys = ft_request_texts(r.messages, r.prompt_text, r.completion, r.tools)
                ft_texts += texts
                ft_part += parts
                ft_owner += [i] * len(texts)
                ft_meta[i] = (turns, has_sys)
        for enc, (strings, owner, part) in by_enc.items():
            lens = np.asarray(self._counter(enc).count_many(strings), dtype=float)
            owner_a, part_a = np.asarray(owner, dtype=int), np.asarray(part)
            p_sum = np.bincount(owner_a[part_a == 0], weights=lens[part_a == 0], minlength=n)
            c_sum = np.bincount(owner_a[part_a == 1], weights=lens[part_a == 1], minlength=n)
            mask = np.zeros(n, dtype=bool)
            mask[np.unique(owner_a)] = True
            mask &= source == "counted"
            prompt[mask] = (p_sum + fixed_p)[mask]
            comp[mask] = c_sum[mask]
        no_completion = np.array([r.completion is None for r in raws], dtype=bool)
        comp[no_completion & (source == "counted")] = np.nan  # unknown, not 0: joined or assumed by the reader
        ft_p = np.full(n, np.nan)
        ft_c = np.full(n, np.nan)
        if ft_texts:
            lens = np.asarray(self._ft_lengths(ft_texts), dtype=float)
            owner_a, part_a = np.asarray(ft_owner, dtype=int), np.asarray(ft_part)
            sums = [np.bincount(owner_a[part_a == k], weights=lens[part_a == k], minlength=n)
                    for k in (PROMPT, COMPLETION, TOOLS)]
            has_c = np.bincount(owner_a[part_a == COMPLETION], minlength=n) > 0
            for i, (turns, has_sys) in ft_meta.items():
                ft_p[i], ft_c[i] = ft_counts(turns, has_sys, sums[PROMPT][i], sums[TOOLS][i], sums[COMPLETION][i],
                                             bool(has_c[i]), self.ft_name)
        good = pd.DataFrame({
            "request_id": [r.request_id for r in raws],
            "timestamp": np.array([np.nan if r.timestamp is None else r.timestamp for r in raws], dtype=float),
            "model": [r.model for r in raws],
            "task": task, "template": tpl,
            "prompt_tokens": prompt, "completion_tokens": comp, "cached_tokens": cached,
            "latency_s": np.array([np.nan if r.latency_s is None else r.latency_s for r in raws], dtype=float),
            "tokens_source": source, "ft_prompt_tokens": ft_p, "ft_completion_tokens": ft_c,
            "requests": np.array([r.requests for r in raws], dtype=float),
            "file": file, "line": np.array([r.line for r in raws], dtype=np.int64),
            "join_key": [r.join_key for r in raws], "join_side": [r.join_side for r in raws],
            "problem": prob, "assumed_encoding": assumed,
        }, columns=WORK_COLUMNS)
        if problems:
            bad = pd.DataFrame({"file": file, "line": [ln for ln, _ in problems], "problem": [p for _, p in problems]})
            good = pd.concat([good, bad.reindex(columns=WORK_COLUMNS)], ignore_index=True) if len(good) else \
                bad.reindex(columns=WORK_COLUMNS)
        return good
