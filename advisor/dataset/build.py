"""A task's logged calls turned into a training set and an eval set (in memory; :mod:`.write` puts them on disk).

Steps, each counted in :class:`DatasetSummary` (kept and dropped, by reason):

1. the logs are read again with their text (:func:`advisor.logs.iter_raw_records`); a record that could not be
   read or whose call failed is a problem of the reader (``failed``); a call without an answer (no text, no tool
   call) is ``no_answer``; the calls of other tasks are counted per task (an unknown task lists them);
2. only the current prompt version: calls whose ``template`` is not the latest one's are ``old_version``;
3. ``--scrub`` replaces emails, phone numbers, Luhn-valid card numbers and API keys (:mod:`.scrub`), counted;
4. ordered by time; without any time in the task the order of the files stands (said); calls without a time
   among timed ones cannot be placed in a time split (``no_time``);
5. exact and near-duplicates removed, the earliest kept (:mod:`.dedupe`);
6. 7B tokens counted exactly per example (:func:`advisor.tokens.ft_request_texts` + ``ft_counts``, the rule the
   reader uses); examples over ``limit_tokens`` (the 7B base's context) are listed (file, line, tokens) and left
   out (``over_limit``);
7. the latest ``EVAL_SHARE`` of the examples (at least ``MIN_EVAL_EXAMPLES``) by time are the eval set; calls at
   the same second as the first eval example go to eval too, so every eval example is strictly later than every
   training example. Fewer than ``MIN_TRAIN_EXAMPLES + MIN_EVAL_EXAMPLES`` examples: no split (an error that
   says how many there are).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from advisor.dataset.dedupe import NEAR_JACCARD, SHINGLE_WORDS, duplicates
from advisor.dataset.scrub import SCRUB_KINDS, scrub_text
from advisor.dataset.shapes import example_line
from advisor.errors import AdvisorError
from advisor.logs import iter_raw_records
from advisor.logs.template import TemplateHasher
from advisor.tokens.counter import FT_COMPLETION, FT_PROMPT, FT_TOOLS, ft_counts, ft_lengths, ft_request_texts
from advisor.words import count_text

__all__ = ["EVAL_SHARE", "MIN_TRAIN_EXAMPLES", "MIN_EVAL_EXAMPLES", "Example", "DatasetSummary", "Dataset",
           "build_dataset", "collect_examples", "DatasetError"]

EVAL_SHARE = 0.1          # OpenPipe's default train/test split is 90:10 (docs.openpipe.ai, "Uploading Data")
MIN_TRAIN_EXAMPLES = 10   # OpenAI's fine-tuning minimum (platform docs, "Preparing your dataset")
MIN_EVAL_EXAMPLES = 5     # fewer eval examples than this say nothing a judge could weigh (an assumption)


class DatasetError(AdvisorError):
    """The dataset cannot be built as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Example:
    file: str
    line: int
    timestamp: float | None
    messages: tuple           # prompt messages (system first when logged)
    answer: Mapping           # the assistant message logged as the answer
    tools: tuple | None = None
    parallel_tool_calls: bool | None = None
    model: str | None = None
    task: str = ""
    template: str = ""        # the prompt version (advisor.logs.template)
    prompt_tokens_7b: float = math.nan
    completion_tokens_7b: float = math.nan

    @property
    def tokens_7b(self) -> float:
        return self.prompt_tokens_7b + self.completion_tokens_7b


@dataclass(frozen=True)
class DatasetSummary:
    task: str
    records: int                               # records of the task read
    kept_train: int
    kept_eval: int
    dropped: dict[str, int]                    # reason -> examples
    scrubbed: dict[str, int] | None            # kind -> replacements (None: not asked)
    over_limit: tuple[tuple[str, int, int], ...]  # (file, line, 7B tokens)
    limit_tokens: int
    train_tokens_7b: int                       # exact, one epoch
    eval_tokens_7b: int
    train_first: str | None                    # ISO times of the splits
    train_last: str | None
    eval_first: str | None
    eval_last: str | None
    notes: tuple[str, ...] = ()
    dedupe: str = (f"exact: same text after lower-casing and collapsing whitespace; near: MinHash over word "
                   f"{SHINGLE_WORDS}-grams, confirmed by Jaccard >= {NEAR_JACCARD}; the earliest of each group kept")
    training_cost: tuple[dict, ...] = ()       # per fine-tune option: name, examples, tokens, epochs, usd
    judge: dict | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["over_limit"] = [{"file": f, "line": ln, "tokens_7b": t} for f, ln, t in self.over_limit]
        d["training_cost"] = list(self.training_cost)
        return d


@dataclass(frozen=True)
class Dataset:
    train: tuple[Example, ...]
    eval: tuple[Example, ...]
    summary: DatasetSummary
    tasks: dict[str, int] = field(default_factory=dict)   # every task in the logs -> calls


def _scrub_value(v: Any, counts: Counter) -> Any:
    if isinstance(v, str):
        return scrub_text(v, counts)
    if isinstance(v, list):
        return [_scrub_value(x, counts) for x in v]
    if isinstance(v, Mapping):
        return {k: (_scrub_value(x, counts) if k in ("content", "text", "arguments", "function", "tool_calls")
                    or isinstance(x, (list, dict)) else x) for k, x in v.items()}
    return v


def _answer(completion: Any) -> dict | None:
    """The assistant message of a logged completion; None when it holds no text and no call."""
    if isinstance(completion, str):
        return {"role": "assistant", "content": completion} if completion.strip() else None
    if isinstance(completion, Mapping):
        calls = completion.get("tool_calls")
        fc = completion.get("function_call")
        if not calls and isinstance(fc, Mapping):
            calls = [{"id": "call_0", "type": "function", "function": fc}]
        content = completion.get("content")
        if isinstance(content, list):
            content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
        has_text = isinstance(content, str) and content.strip()
        if not has_text and not calls:
            return None
        out: dict[str, Any] = {"role": "assistant", "content": content if has_text else None}
        if calls:
            out["tool_calls"] = calls
        return out
    return None


def _dedupe_text(e: Example) -> str:
    """What makes two examples the same: the non-system messages and the answer."""
    msgs = example_line("openai", [m for m in e.messages if m.get("role") not in ("system", "developer")], e.answer,
                        tools=list(e.tools) if e.tools else None)["messages"]
    parts = []
    for m in msgs:
        c = m.get("content")
        parts.append(c if isinstance(c, str) else str(c or ""))
        parts += [f"{x['function']['name']} {x['function']['arguments']}" for x in m.get("tool_calls", [])]
    return "\n".join(parts)


def _iso(t: float | None) -> str | None:
    return None if t is None else dt.datetime.fromtimestamp(t, dt.UTC).isoformat().replace("+00:00", "Z")


def _count_7b(examples: list[Example], name: str = "mistral-v1") -> list[Example]:
    texts: list[str] = []
    owner: list[int] = []
    parts: list[int] = []
    meta = []
    for i, e in enumerate(examples):
        t, kinds, turns, has_sys = ft_request_texts(list(e.messages), None, dict(e.answer),
                                                    list(e.tools) if e.tools else None)
        texts += t
        parts += kinds
        owner += [i] * len(t)
        meta.append((turns, has_sys))
    lens = ft_lengths(texts, name) if texts else []
    sums = [[0.0, 0.0, 0.0] for _ in examples]
    has_c = [False] * len(examples)
    for o, k, n in zip(owner, parts, lens):
        sums[o][k] += n
        has_c[o] = has_c[o] or k == FT_COMPLETION
    out = []
    for e, (turns, has_sys), s, hc in zip(examples, meta, sums, has_c):
        p7, c7 = ft_counts(turns, has_sys, s[FT_PROMPT], s[FT_TOOLS], s[FT_COMPLETION], hc, name)
        out.append(replace(e, prompt_tokens_7b=p7, completion_tokens_7b=0.0 if math.isnan(c7) else c7))
    return out


def collect_examples(paths: Sequence, task: str | None = None, format: str | None = None
                     ) -> tuple[list[Example], Counter, Counter]:
    """(examples of ``task``, or of every task when None; calls per task; drops by reason) from the logs."""
    per_task: Counter = Counter()
    drops: Counter = Counter()
    found: list[Example] = []
    hasher = TemplateHasher()  # memoised: a task's system prompt is masked once, not once per call
    inputs: dict[str, Any] = {}
    outputs: list = []
    for file, raw in iter_raw_records(paths, format=format):
        if raw is None:
            drops["failed"] += 1
        elif raw.join_side == "input":
            inputs[str(raw.join_key)] = (file, raw)
        elif raw.join_side == "output":
            outputs.append(raw)
        else:
            _add(file, raw, task, per_task, drops, found, hasher)
    for out in outputs:  # a Batch output takes its prompt from the input line with its custom_id
        file, inp = inputs.pop(str(out.join_key), (None, None))
        if inp is None:
            drops["failed"] += 1
            continue
        inp.completion, inp.timestamp, inp.line = out.completion, out.timestamp, out.line
        _add(file, inp, task, per_task, drops, found, hasher)
    for file, inp in inputs.values():  # a Batch input without its output: no answer
        _add(file, inp, task, per_task, drops, found, hasher)
    return found, per_task, drops


def _add(file: str, raw: Any, task: str | None, per_task: Counter, drops: Counter, found: list,
         hasher: TemplateHasher) -> None:
    t, tpl = hasher.keys(raw.messages, raw.prompt_text, raw.task_hint)
    per_task[t] += 1
    if task is not None and t != task:
        return
    answer = _answer(raw.completion)
    messages = raw.messages if isinstance(raw.messages, list) else (
        [{"role": "user", "content": raw.prompt_text}] if isinstance(raw.prompt_text, str) else None)
    if answer is None or not messages:
        drops["no_answer"] += 1
        return
    opts = raw.request_options if isinstance(raw.request_options, Mapping) else {}
    ptc = opts.get("parallel_tool_calls")
    found.append(Example(file=file, line=raw.line, timestamp=raw.timestamp,
                         messages=tuple(m for m in messages if isinstance(m, Mapping)), answer=answer,
                         tools=tuple(raw.tools) if isinstance(raw.tools, list) and raw.tools else None,
                         parallel_tool_calls=ptc if isinstance(ptc, bool) else None, model=raw.model, task=t,
                         template=tpl))


def build_dataset(paths: Sequence, task: str, *, format: str | None = None, scrub: bool = False,
                  limit_tokens: int = 32_768, eval_share: float = EVAL_SHARE, min_train: int = MIN_TRAIN_EXAMPLES,
                  min_eval: int = MIN_EVAL_EXAMPLES) -> Dataset:
    """The task's train and eval examples, and the summary of what was kept and dropped (see the module)."""
    found, per_task, drops = collect_examples(paths, task, format)
    records = per_task.get(task, 0)
    if task not in per_task:
        listed = ", ".join(f"{t} ({count_text(n, 'call')})" for t, n in per_task.most_common(20))
        raise DatasetError(f"no task {task!r} in the logs; the tasks are: {listed or 'none'}")
    notes: list[str] = []
    timed = [e for e in found if e.timestamp is not None]
    latest = max(timed, key=lambda e: e.timestamp or 0.0).template if timed else (found[-1].template if found else None)
    examples = [e for e in found if e.template == latest or latest in (None, "unknown")]
    drops["old_version"] += len(found) - len(examples)
    counts: Counter | None = Counter() if scrub else None
    if counts is not None:
        examples = [replace(e, messages=tuple(_scrub_value(dict(m), counts) for m in e.messages),
                            answer=_scrub_value(dict(e.answer), counts)) for e in examples]
    if any(e.timestamp is not None for e in examples):
        drops["no_time"] += sum(e.timestamp is None for e in examples)
        examples = sorted((e for e in examples if e.timestamp is not None),
                          key=lambda e: (e.timestamp, e.file, e.line))
    else:
        notes.append("the calls carry no time: the split follows their order in the files (the last ones evaluate)")
    exact, near = duplicates([_dedupe_text(e) for e in examples])
    drops["exact_duplicate"] += len(exact)
    drops["near_duplicate"] += len(near)
    gone = set(exact) | set(near)
    examples = _count_7b([e for i, e in enumerate(examples) if i not in gone])
    over = [e for e in examples if e.tokens_7b > limit_tokens]
    drops["over_limit"] += len(over)
    examples = [e for e in examples if e.tokens_7b <= limit_tokens]
    need = min_train + min_eval
    if len(examples) < need:
        raise DatasetError(f"task {task!r} has {len(examples):,} usable examples after cleaning; a train/eval split "
                           f"needs at least {need} ({min_train} to train, OpenAI's minimum, and {min_eval} to "
                           "evaluate); nothing written. Log more calls of this task.")
    n_eval = max(min_eval, math.ceil(len(examples) * eval_share))
    cut = len(examples) - n_eval
    first_eval = examples[cut].timestamp
    while cut > 0 and first_eval is not None and examples[cut - 1].timestamp == first_eval:
        cut -= 1  # same second as the first eval example: evaluates too, so eval is strictly later
    if cut < min_train:
        raise DatasetError(f"task {task!r}: {len(examples):,} usable examples, but too many share the split's time "
                           f"to leave {min_train} strictly earlier ones to train; nothing written")
    train, evals = tuple(examples[:cut]), tuple(examples[cut:])
    summary = DatasetSummary(
        task=task, records=records, kept_train=len(train), kept_eval=len(evals),
        dropped={k: int(drops.get(k, 0)) for k in ("failed", "no_answer", "old_version", "no_time",
                                                   "exact_duplicate", "near_duplicate", "over_limit")},
        scrubbed=None if counts is None else {k: int(counts.get(k, 0)) for k in SCRUB_KINDS},
        over_limit=tuple((e.file, e.line, int(e.tokens_7b)) for e in over), limit_tokens=int(limit_tokens),
        train_tokens_7b=int(sum(e.tokens_7b for e in train)), eval_tokens_7b=int(sum(e.tokens_7b for e in evals)),
        train_first=_iso(train[0].timestamp), train_last=_iso(train[-1].timestamp),
        eval_first=_iso(evals[0].timestamp), eval_last=_iso(evals[-1].timestamp), notes=tuple(notes))
    return Dataset(train=train, eval=evals, summary=summary, tasks=dict(per_task))
