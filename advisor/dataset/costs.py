"""What the very dataset costs to train on each fine-tune option, and to judge once: priced from the catalog.

Training: every fine-tune option of the scenario is priced by :func:`advisor.compare.price_options` on a
workload whose 7B tokens per example are this dataset's mean and whose examples are its training examples, so
``training_usd_per_run`` is ``train tokens x epochs`` at each option's training price (hosted) or GPU time
(self-run LoRA): the same formula the decision uses (:mod:`pricing.training`), applied to the exact tokens.
Every option is priced on the dataset's Mistral 7B count (:data:`TOKENS_NOTE`, printed with the costs).
"""

from __future__ import annotations

from collections.abc import Sequence

from advisor.compare import catalog_for, judge_model, price_options
from advisor.dataset.build import Example
from advisor.dataset.judge import JudgeCost, answer_text, judge_cost
from advisor.scenario import Scenario
from advisor.workload import Workload

__all__ = ["TOKENS_NOTE", "dataset_scenario", "judge_run_cost", "training_costs"]

TOKENS_NOTE = ("every option is priced on the dataset's Mistral 7B token count; a model with another tokenizer "
               "(OpenAI's, Llama's) counts the same text somewhat differently")


def dataset_scenario(train: Sequence[Example], **scenario_kw):
    """A Scenario for pricing the dataset: one request a day of the dataset's mean example (the volume does
    not enter training costs), ``training_examples`` = the training examples."""
    n = len(train)
    p = sum(e.prompt_tokens_7b for e in train) / n
    c = max(sum(e.completion_tokens_7b for e in train) / n, 1.0)
    w = Workload(requests_per_day=1.0, prompt_tokens=p, completion_tokens=c, ft_prompt_tokens=p,
                 ft_completion_tokens=c, task="dataset", examples=n, source="dataset")
    return Scenario(workload=w, training_examples=n, **scenario_kw)


def training_costs(train: Sequence[Example], **scenario_kw) -> list[dict]:
    """One row per fine-tune option: option, examples, tokens (one epoch), epochs, training tokens, USD.

    ``usd`` is the option's ``training_usd_per_run`` (:mod:`advisor.compare`).
    """
    s = dataset_scenario(train, **scenario_kw)
    _, options = price_options(s)
    tokens = int(sum(e.tokens_7b for e in train))
    rows = []
    for o in options:
        if not o.fine_tuned:
            continue
        rows.append({"option": o.name, "examples": len(train), "tokens_7b": tokens, "epochs": s.epochs,
                     "training_tokens": tokens * s.epochs, "usd": round(float(o.training_usd_per_run), 6)})
    return rows


def judge_run_cost(evals: Sequence[Example], judge: str | None = None, **scenario_kw) -> JudgeCost:
    """The judge run over the eval set, on ``judge`` (None: the decision's default judge,
    :func:`advisor.compare.judge_model`)."""
    s = dataset_scenario(evals, judge_model=judge, **scenario_kw)
    cat = catalog_for(s)
    baseline, _ = price_options(s, cat)
    name = judge_model(s, cat, baseline.name)
    return judge_cost([(list(e.messages), dict(e.answer)) for e in evals], name, cat)


_ = answer_text
