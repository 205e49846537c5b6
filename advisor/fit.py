"""Task fit from the logs: does the task look like one a small expert model learns? Evidence, not a prediction.

Each signal is measured on the calls of the task's current prompt version (the rows whose ``template`` is the
latest; all rows when no template is known), from numbers the reader kept while counting
(:mod:`advisor.logs.answer`), never from text. Thresholds live in :class:`FitThresholds` with their reasons:

| signal | reads as | threshold |
|---|---|---|
| ``structured_share``: answers that are JSON, tool calls or one of a small label set | narrow output | >= 0.8 |
| ``label_set_size``: distinct first words when at most 50 of them cover 90% of short answers | labels | <= 50 |
| ``completion_tokens_p95`` | short answers | <= 256 |
| ``completion_tokens_p50`` with ``distinct_answer_share`` > 0.9 and ``structured_share`` < 0.2 | open-ended | p50 > 100 |
| ``prompt_tokens_p95 / prompt_tokens_p50`` (``input_spread``) | inputs of very different sizes | > 4 |
| ``multi_turn_share``, ``tool_use_share`` | conversations, agent loops | > 0.5 |
| ``reasoning_model_share``, ``reasoning_tokens_share`` (calls billing hidden reasoning), | reasoning | >= 0.2 |
| ``step_marker_share`` (step-by-step answers), ``long_answer_share`` (answers over 1,000 tokens) | | >= 0.3 / 0.2 |
| ``template_changes_per_month`` | the prompt still changes (shown; the ``prompt_stability`` rule acts on it) | >= 1 |

Why these: LoRA Land (Zhao et al., 2024, arXiv 2405.00732) fine-tuned 310 LoRA models on 31 tasks and found
narrow tasks (classification, extraction, short structured outputs) where 7B experts beat GPT-4, and that task
heuristics such as input and output length and output diversity predict the gain; the project's seed reports
small experts lose on deep reasoning and out-of-domain inputs. The numbers are this project's reading of that
evidence (round, stated), not fitted values.

Label (:func:`fit_label`): ``poor fit`` when any reasoning sign holds, or the task is open-ended and
conversational; ``suits a small expert`` when the output is narrow (structured share >= 0.8) or short
(p95 <= 256 tokens with a label set), and no sign against it (open-ended, wide inputs, conversation or tool loop);
``mixed`` otherwise. Without answer text in the logs there is nothing to measure: no label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.words import share_text
from pricing.catalog import reasoning_by_name

__all__ = ["FitThresholds", "TaskFit", "FIT_LABELS", "FIT_SCORE", "SUITS", "MIXED", "POOR", "task_fit", "fit_label"]

SUITS, MIXED, POOR = "suits a small expert", "mixed", "poor fit"
FIT_LABELS = (SUITS, MIXED, POOR)
FIT_SCORE = {SUITS: 1.0, MIXED: 0.5, POOR: 0.0}   # the task_fit reason's value (advisor.recommend)
NONE, TEXT, JSON, TOOL_CALL = 0, 1, 2, 3          # advisor.logs.answer's kinds
MULTI_TURN, TOOLS_OFFERED, TOOL_RESULTS, STEP_MARKERS = 1, 2, 4, 8


@dataclass(frozen=True)
class FitThresholds:
    structured_share: float = 0.8      # narrow output: most answers are JSON, calls or labels
    label_set_max: int = 50            # a label set a classifier learns from hundreds of examples
    label_cover: float = 0.9           # ... covering this share of answers
    label_answer_tokens_p95: float = 64.0   # label answers are short (a label and at most a sentence)
    short_answer_tokens_p95: float = 256.0
    open_answer_tokens_p50: float = 100.0   # about 75 English words: a written piece, not a field
    open_distinct_share: float = 0.9
    input_spread: float = 4.0          # p95 / p50 of prompt tokens
    conversation_share: float = 0.5    # multi-turn or tool-loop calls
    reasoning_share: float = 0.2       # calls on reasoning models or billing hidden reasoning tokens
    step_marker_share: float = 0.3
    long_answer_tokens: float = 1000.0
    long_answer_share: float = 0.2
    churn_per_month: float = 1.0       # recommend.Thresholds.max_prompt_changes_per_month


@dataclass(frozen=True)
class TaskFit:
    """The label and its signals (name -> number, None when not measurable)."""

    label: str | None
    signals: tuple[tuple[str, float | None], ...]
    reasons: tuple[str, ...] = ()      # the signals that set the label, in words

    def signal(self, name: str) -> float | None:
        return dict(self.signals).get(name)

    def as_dict(self) -> dict:
        """``{"label", "signals", "reasons", "evidence"}`` (the ``task_fit`` JSON object)."""
        return {"label": self.label, "signals": dict(self.signals), "reasons": list(self.reasons),
                "evidence": "measured from the logged calls: evidence for the decision, not a prediction of the "
                            "fine-tuned model's quality"}


def _share(mask: np.ndarray, w: np.ndarray) -> float:
    total = float(w.sum())
    return float(w[mask].sum() / total) if total > 0 else 0.0


def _quantile(values: np.ndarray, w: np.ndarray, q: float) -> float | None:
    ok = np.isfinite(values)
    if not ok.any():
        return None
    v, ww = values[ok], w[ok]
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(ww[order])
    return float(v[order][np.searchsorted(cw, q * cw[-1], side="left").clip(0, len(v) - 1)])


def _label_set(heads: np.ndarray, w: np.ndarray, t: FitThresholds) -> int | None:
    """Distinct first words when the ``label_set_max`` commonest cover ``label_cover`` of the answers, else None."""
    ok = np.isfinite(heads)
    if not ok.any():
        return None
    s = pd.Series(w[ok]).groupby(heads[ok]).sum().sort_values(ascending=False)
    top = s.iloc[:t.label_set_max].sum() / s.sum()
    return int(min(len(s), t.label_set_max)) if top >= t.label_cover and len(s) <= t.label_set_max * 4 else None


def _current(f: pd.DataFrame) -> pd.DataFrame:
    tpl = f["template"] if "template" in f else None
    if tpl is None or not len(f):
        return f
    known = f[tpl.notna() & (tpl != "unknown")]
    if known.empty:
        return f
    latest = known.sort_values("timestamp", kind="stable")["template"].iloc[-1]
    return f[f["template"] == latest]


def _reasoning_model_share(f: pd.DataFrame, w: np.ndarray) -> float:
    models = f["model"].astype(object).to_numpy() if "model" in f else np.array([None] * len(f))
    names = {m: reasoning_by_name(str(m)) for m in set(models) if m is not None}
    return _share(np.array([names.get(m, False) for m in models], dtype=bool), w)


def task_fit(frame: pd.DataFrame, *, template_changes_per_month: float | None = None,
             thresholds: FitThresholds = FitThresholds()) -> TaskFit:
    """The task's fit from its rows of the requests frame (see the module docstring for each signal)."""
    f = _current(frame)
    w = f["requests"].to_numpy(dtype=float) if "requests" in f else np.ones(len(f))
    kind = f["answer_kind"].to_numpy(dtype=float) if "answer_kind" in f else np.full(len(f), np.nan)
    answered = np.isfinite(kind) & (kind > NONE)
    base = {"calls_measured": float(len(f)), "template_changes_per_month": template_changes_per_month}
    if not answered.any():
        return TaskFit(None, tuple(base.items()), ("the logs hold no answer text to measure",))
    f, w, kind = f[answered], w[answered], kind[answered]
    flags = f["fit_flags"].fillna(0).to_numpy(dtype=np.int64) if "fit_flags" in f else np.zeros(len(f), np.int64)
    comp = f["completion_tokens"].to_numpy(dtype=float)
    prompt = f["prompt_tokens"].to_numpy(dtype=float)
    heads = f["answer_head_hash"].to_numpy(dtype=float)
    hashes = f["answer_hash"].to_numpy(dtype=float)
    t = thresholds
    c95 = _quantile(comp, w, 0.95)
    labels = _label_set(heads[kind == TEXT], w[kind == TEXT], t) if c95 is not None and \
        c95 <= t.label_answer_tokens_p95 and (kind == TEXT).any() else None
    structured = (kind == JSON) | (kind == TOOL_CALL) | ((kind == TEXT) & (labels is not None))
    p50, p95 = _quantile(prompt, w, 0.5), _quantile(prompt, w, 0.95)
    rtok = f["reasoning_tokens"].to_numpy(dtype=float) if "reasoning_tokens" in f else np.full(len(f), np.nan)
    s = {
        **base, "calls_measured": float(len(f)),
        "completion_tokens_p50": _quantile(comp, w, 0.5), "completion_tokens_p95": c95,
        "structured_share": _share(structured, w), "json_share": _share(kind == JSON, w),
        "tool_call_share": _share(kind == TOOL_CALL, w),
        "label_set_size": None if labels is None else float(labels),
        "distinct_answers": float(len(np.unique(hashes[np.isfinite(hashes)]))),
        "distinct_answer_share": float(len(np.unique(hashes[np.isfinite(hashes)])) / len(f)),
        "prompt_tokens_p50": p50, "prompt_tokens_p95": p95,
        "input_spread": (p95 / p50) if p50 and p95 is not None else None,
        "multi_turn_share": _share((flags & MULTI_TURN) > 0, w),
        "tool_use_share": _share(((flags & (TOOLS_OFFERED | TOOL_RESULTS)) > 0) | (kind == TOOL_CALL), w),
        "reasoning_model_share": _reasoning_model_share(f, w),
        "reasoning_tokens_share": _share(np.nan_to_num(rtok) > 0, w),
        "step_marker_share": _share((flags & STEP_MARKERS) > 0, w),
        "long_answer_share": _share(comp > t.long_answer_tokens, w),
    }
    label, why = fit_label(s, t)
    return TaskFit(label, tuple((k, None if v is None or not math.isfinite(v) else round(float(v), 4))
                                for k, v in s.items()), tuple(why))


def fit_label(s: dict, t: FitThresholds = FitThresholds()) -> tuple[str, list[str]]:
    """(label, reasons in words) from the signals.

    >>> fit_label({"structured_share": 1.0, "label_set_size": 6, "completion_tokens_p95": 4})[0]
    'suits a small expert'
    >>> fit_label({"structured_share": 0.0, "step_marker_share": 0.6, "completion_tokens_p50": 700})[0]
    'poor fit'
    >>> fit_label({"structured_share": 0.0, "completion_tokens_p50": 300, "completion_tokens_p95": 400,
    ...            "distinct_answer_share": 1.0})
    ('mixed', ['open-ended answers: p50 300 tokens, 100% distinct, 0% structured'])
    """
    def g(k: str) -> float:
        v = s.get(k)
        return 0.0 if v is None else float(v)

    against: list[str] = []
    reasoning = []
    if g("reasoning_model_share") >= t.reasoning_share:
        reasoning.append(f"{share_text(g('reasoning_model_share'))} of calls on a reasoning model")
    if g("reasoning_tokens_share") >= t.reasoning_share:
        reasoning.append(f"{share_text(g('reasoning_tokens_share'))} of calls bill hidden reasoning tokens")
    if g("step_marker_share") >= t.step_marker_share:
        reasoning.append(f"{share_text(g('step_marker_share'))} of answers reason step by step")
    if g("long_answer_share") >= t.long_answer_share:
        reasoning.append(f"{share_text(g('long_answer_share'))} of answers over {t.long_answer_tokens:,.0f} tokens")
    open_ended = (g("structured_share") < 0.2 and g("distinct_answer_share") > t.open_distinct_share
                  and g("completion_tokens_p50") > t.open_answer_tokens_p50)
    if open_ended:
        against.append(f"open-ended answers: p50 {g('completion_tokens_p50'):,.0f} tokens, "
                       f"{share_text(g('distinct_answer_share'))} distinct, {share_text(g('structured_share'))} structured")
    conversation = max(g("multi_turn_share"), g("tool_use_share")) > t.conversation_share
    if g("multi_turn_share") > t.conversation_share:
        against.append(f"{share_text(g('multi_turn_share'))} of calls continue a conversation")
    if g("tool_use_share") > t.conversation_share and g("tool_call_share") < t.structured_share:
        against.append(f"{share_text(g('tool_use_share'))} of calls use tools")
    if g("input_spread") > t.input_spread:
        against.append(f"inputs vary widely (p95 {g('input_spread'):.1f}x the median)")
    if reasoning or (open_ended and conversation):
        return POOR, reasoning + against
    narrow = g("structured_share") >= t.structured_share
    short = s.get("completion_tokens_p95") is not None and g("completion_tokens_p95") <= t.short_answer_tokens_p95
    if (narrow or (short and s.get("label_set_size"))) and not against:
        what = []
        if g("json_share") >= 0.5:
            what.append(f"{share_text(g('json_share'))} JSON answers")
        if g("tool_call_share") >= 0.5:
            what.append(f"{share_text(g('tool_call_share'))} tool calls")
        if s.get("label_set_size"):
            what.append(f"answers open with one of {g('label_set_size'):.0f} labels")
        if not what:
            what.append(f"{share_text(g('structured_share'))} structured answers")
        if short:
            what.append(f"answers p95 {g('completion_tokens_p95'):,.0f} tokens")
        return SUITS, what
    return MIXED, against or [f"{share_text(g('structured_share'))} structured answers, p95 "
                              f"{g('completion_tokens_p95'):,.0f} tokens: neither narrow nor open-ended"]
