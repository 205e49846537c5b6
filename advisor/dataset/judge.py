"""``judge.md``: a pairwise LLM-as-judge prompt for the eval set, and what one judge run costs.

Method (Zheng et al., "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena", NeurIPS 2023 Datasets and
Benchmarks, arXiv 2306.05685): the judge sees the question and two answers and names the better one or a tie.
Judges favour the answer shown first (position bias), so every example is judged twice with the two answers
swapped; the candidate wins only when it wins in both orders, loses only when it loses in both, and anything
else is a tie. The reference answer is what today's model answered (the logged answer in ``eval.jsonl``).

Cost of one run, priced from the catalog for the judge model::

    usd = sum over eval examples, 2 orders each, of api_request_cost_usd(judge prompt tokens, JUDGE_OUTPUT_TOKENS)

The judge prompt is counted exactly with the judge's tokenizer for each example (the template, the
conversation, the reference, and the candidate taken as long as the reference: the candidate does not exist
yet, an assumption stated in the file); the judge's reply is budgeted at :data:`JUDGE_OUTPUT_TOKENS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from advisor.tokens.counter import TokenCounter, message_strings, resolve_encoding
from advisor.words import count_text
from pricing.api import api_request_cost_usd

__all__ = ["JUDGE_OUTPUT_TOKENS", "JUDGE_SYSTEM", "JUDGE_USER", "JudgeCost", "judge_cost", "judge_markdown",
           "judge_messages"]

JUDGE_OUTPUT_TOKENS = 150  # a short justification and the verdict tag (assumed; the reply is capped by max_tokens)

JUDGE_SYSTEM = (
    "You compare two answers to the same request, made by two assistants. Judge which answer serves the request "
    "better: correct, complete, following every instruction of the request and its format, and no longer than it "
    "needs to be. Ignore which answer comes first and how long each is; do not let names or style sway you. Give a "
    "reason of at most three sentences, then the verdict on its own last line: [[A]] if answer A is better, "
    "[[B]] if answer B is better, [[C]] for a tie.")
JUDGE_USER = (
    "[Request]\n{request}\n\n[Answer A]\n{answer_a}\n[End of answer A]\n\n[Answer B]\n{answer_b}\n[End of answer B]")


def _render(messages: Sequence[dict]) -> str:
    """The request as the judge reads it: each message as ``role: text``."""
    out = []
    for m in messages:
        c = m.get("content")
        if isinstance(c, list):
            c = "\n".join(str(p.get("text", "")) for p in c if isinstance(p, dict))
        calls = m.get("tool_calls") or []
        text = c if isinstance(c, str) else ""
        if calls:
            text += "".join(f"\n(call {x['function']['name']}({x['function']['arguments']}))" for x in calls)
        out.append(f"{m.get('role')}: {text}")
    return "\n\n".join(out)


def answer_text(answer: dict) -> str:
    return _render([{**answer, "role": "answer"}])[len("answer: "):]


def judge_messages(prompt: Sequence[dict], answer_a: str, answer_b: str) -> list[dict]:
    """The two chat messages sent to the judge for one order.

    >>> m = judge_messages([{"role": "user", "content": "2+2?"}], "4", "5")
    >>> m[0]["role"], m[1]["content"].splitlines()[:2]
    ('system', ['[Request]', 'user: 2+2?'])
    """
    return [{"role": "system", "content": JUDGE_SYSTEM},
            {"role": "user", "content": JUDGE_USER.format(request=_render(prompt), answer_a=answer_a,
                                                          answer_b=answer_b)}]


@dataclass(frozen=True)
class JudgeCost:
    judge: str
    examples: int
    calls: int                      # 2 per example (both orders)
    prompt_tokens: int              # summed over the calls
    completion_tokens: int
    usd: float
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    source: str
    effective: str


def judge_cost(examples: Sequence[tuple[list, dict]], judge: str, catalog) -> JudgeCost:
    """Cost of judging every ``(prompt messages, reference answer)`` twice (both orders) with ``judge``.

    Worked example: 10 examples of 800 judge-prompt tokens on a model at 2.50 / 10.00 USD per 1M:
    20 calls x (800 x 2.5 + 150 x 10) / 1e6 = 20 x 0.0035 = 0.07 USD.
    """
    model = catalog.api_model(judge)
    enc = resolve_encoding(judge).encoding
    counter = TokenCounter(enc)
    strings: list[str] = []
    owner: list[int] = []
    fixed: list[int] = []
    for i, (prompt, ref) in enumerate(examples):
        text = answer_text(ref)
        s, fx = message_strings(judge_messages(prompt, text, text), judge)
        strings += s
        owner += [i] * len(s)
        fixed.append(fx)
    lens = counter.count_many(strings) if strings else []
    per = list(fixed)
    for o, n in zip(owner, lens):
        per[o] += n
    n = len(examples)
    prompt_tokens = 2 * sum(per)
    completion = 2 * n * JUDGE_OUTPUT_TOKENS
    price = model.price
    usd = float(sum(2 * api_request_cost_usd(p, JUDGE_OUTPUT_TOKENS, price) for p in per))
    return JudgeCost(judge=judge, examples=n, calls=2 * n, prompt_tokens=int(prompt_tokens),
                     completion_tokens=int(completion), usd=usd, input_usd_per_mtok=price.input_usd_per_mtok,
                     output_usd_per_mtok=price.output_usd_per_mtok, source=price.source, effective=str(price.effective))


def judge_markdown(task: str, cost: JudgeCost, eval_file: str = "eval.jsonl") -> str:
    """The judge.md text: method, prompt, how to score, and the run's cost with its price source."""
    user_example = JUDGE_USER.format(request="{request}", answer_a="{answer_a}", answer_b="{answer_b}")
    name = task.replace("`", "'")  # a prompt id from the logs: no code span broken open
    return f"""# Judging the fine-tuned model on task `{name}`

Pairwise LLM-as-judge (Zheng et al. 2023, "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena",
arXiv 2306.05685). Each line of `{eval_file}` holds a request and, as its last message, the answer today's model
gave: the **reference**. Run the fine-tuned model on the same request to get the **candidate**, then ask the
judge twice, swapping the answers' positions (judges favour the first answer):

1. order 1: answer A = candidate, answer B = reference;
2. order 2: answer A = reference, answer B = candidate.

Score per example: **win** when the candidate is chosen in both orders, **loss** when the reference is chosen in
both, **tie** otherwise (including [[C]] in either order). Report wins, ties and losses over
{count_text(cost.examples, 'example')}; a fine-tune that ties or wins on most examples is as good as the model it replaces
on this traffic. Nothing here is sent anywhere: you run the judge yourself.

## Judge prompt

System message:

```text
{JUDGE_SYSTEM}
```

User message (fill `{{request}}` with the eval line's messages before the last, one `role: text` block each,
and `{{answer_a}}`, `{{answer_b}}` with the two answers):

```text
{user_example}
```

Read the verdict from the last line: `[[A]]`, `[[B]]` or `[[C]]`.

## What one judge run costs

| item | value |
|---|---|
| judge model | `{cost.judge}` |
| eval examples | {cost.examples:,} |
| judge calls (2 orders each) | {cost.calls:,} |
| judge prompt tokens (counted with the judge's tokenizer) | {cost.prompt_tokens:,} |
| judge reply tokens ({JUDGE_OUTPUT_TOKENS} per call, assumed) | {cost.completion_tokens:,} |
| price, USD per 1M input / output tokens | {cost.input_usd_per_mtok:g} / {cost.output_usd_per_mtok:g} |
| **cost of one run** | **${cost.usd:,.2f}** |

Price source: {cost.source} (effective {cost.effective}). The candidate's answers are taken as long as the
references (the candidate does not exist yet), so the prompt tokens are an estimate to that extent.
"""
