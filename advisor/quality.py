"""Whether a switch to another API model, with no training, is like for like: the rule that keeps a cheaper but
weaker general model from being the headline over a fine-tune.

The premise the tool prices (small experts beat GPT-4 on narrow tasks) is about *fine-tuned* small models. Without
training, a model is assumed to do the baseline's task as well only when nothing published says it is weaker:

* **A small open model** (at most :data:`SMALL_MODEL_PARAMS_B` billion parameters) replacing a larger or closed
  baseline is not like for like: LoRA Land (Zhao et al., Predibase, arXiv:2405.00732, 2024) measured 310 fine-tunes
  on 31 tasks: 4-bit LoRA fine-tuned 7B models beat their base models by 34 points and GPT-4 by 10 points on
  average, i.e. the base models score about 24 points under GPT-4 on those tasks. Fine-tuning it is another path.
* **A lower published MMLU** than the baseline's by more than :data:`MMLU_GAP_POINTS`: the three gpt-4o snapshots
  score 85.7, 87.2 and 88.7 in OpenAI's simple-evals (one model family, 3.0 points apart), so a gap within 3 points
  is within what one model's versions differ by; beyond it the model is weaker in general.

A model with no published score is not judged (it stays a candidate, with the standing advice to check it on your
evaluation set). The rule only demotes: such a switch is still priced and shown, never the headline.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["MMLU_GAP_POINTS", "SMALL_MODEL_PARAMS_B", "switch_quality_gap"]

# one model's snapshots differ by this much on MMLU (gpt-4o 2024-05-13 / 08-06 / 11-20: 87.2 / 88.7 / 85.7, simple-evals)
MMLU_GAP_POINTS = 3.0
# the open models this tool fine-tunes are 7-8B; 14B is the largest "small" size vendors publish beside them
# (Ministral 3: 3B, 8B, 14B; arXiv:2601.08584)
SMALL_MODEL_PARAMS_B = 14.0


class _Scored(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def mmlu(self) -> float | None: ...
    @property
    def params_b(self) -> float | None: ...


def switch_quality_gap(baseline: _Scored, switch: _Scored) -> str | None:
    """Why ``switch`` (no training) is not like for like with ``baseline``; None when nothing published says so.

    >>> from types import SimpleNamespace as M
    >>> gpt4 = M(name="gpt-4-0613", mmlu=86.4, params_b=None)
    >>> switch_quality_gap(gpt4, M(name="gpt-3.5-turbo", mmlu=70.0, params_b=None))[:60]
    'gpt-3.5-turbo scores 70.0 on MMLU against gpt-4-0613’s 86.4 '
    >>> switch_quality_gap(gpt4, M(name="gpt-4.1-mini", mmlu=87.5, params_b=None)) is None
    True
    >>> switch_quality_gap(gpt4, M(name="gpt-4o-2024-11-20", mmlu=85.7, params_b=None)) is None   # 0.7 < 3 points
    True
    >>> switch_quality_gap(gpt4, M(name="ministral-8b", mmlu=None, params_b=8.4))[:40]
    'ministral-8b is a 8.4B open model: witho'
    >>> switch_quality_gap(gpt4, M(name="new-model", mmlu=None, params_b=None)) is None   # nothing published
    True
    """
    if switch.params_b is not None and switch.params_b <= SMALL_MODEL_PARAMS_B and (
            baseline.params_b is None or baseline.params_b > SMALL_MODEL_PARAMS_B):
        return (f"{switch.name} is a {switch.params_b:g}B open model: without fine-tuning it is not assumed to do "
                f"{baseline.name}’s task as well (LoRA Land, arXiv:2405.00732: base 7B models score about 24 points "
                "under GPT-4 on 31 tasks, fine-tuned ones 10 above); priced, never the headline")
    if switch.mmlu is not None and baseline.mmlu is not None and switch.mmlu < baseline.mmlu - MMLU_GAP_POINTS:
        return (f"{switch.name} scores {switch.mmlu:.1f} on MMLU against {baseline.name}’s {baseline.mmlu:.1f} "
                f"(published; more than {MMLU_GAP_POINTS:g} points under): a weaker general model is not assumed to "
                "do the task as well without training; priced, never the headline")
    return None
