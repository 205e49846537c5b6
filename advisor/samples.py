"""Realistic sample logs, generated (no data set is downloaded): the dashboard's default and the
tests' fixture.

Three tasks with diurnal weekday traffic, as OpenAI Chat Completions request/response records:

- ``ticket-triage``: classify support tickets (short answers), high volume; its system prompt is
  edited once, on day ``change_day`` (a prompt change the advice must notice);
- ``product-copy``: write product descriptions (long answers), medium volume;
- ``contract-fields``: extract fields from long contracts to JSON, under 100 requests a day.

``usage`` is what the API would report (counted with the API's own rules); a share of records
(``no_usage_share``) omit it, as logs from streaming calls often do, so both paths are exercised.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .tokens import Counter, message_strings

__all__ = ["SampleTask", "SAMPLE_TASKS", "generate_sample_records", "write_sample_logs", "DIURNAL_PROFILE"]

# share of a day's requests in each UTC hour (business-hours peak), sums to 1
_HOURLY = np.array([1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1, 1], dtype=float)
DIURNAL_PROFILE = _HOURLY / _HOURLY.sum()

_NAMES = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Omar", "Ines", "Kai", "Lena", "Raj", "Sofia", "Tom"]
_PRODUCTS = ["router", "kettle", "desk lamp", "backpack", "headphones", "blender", "monitor", "yoga mat",
             "coffee grinder", "office chair", "water bottle", "keyboard"]
_ISSUES = ["cannot log in after the update", "was charged twice for order", "wants to change the delivery address",
           "reports the app crashes on startup", "asks for a refund on", "package arrived damaged",
           "needs an invoice for", "cannot reset the password", "subscription renewed unexpectedly",
           "asks how to export data"]
_LABELS = ["billing", "account", "shipping", "bug", "refund", "how-to"]
_WORDS = ("the a of to and in for with on is it this that as be by from at are was can will not have our your "
          "customer service product order delivery account quality design battery steel warranty material "
          "contract party agreement term payment notice clause liability effective date renewal").split()


# production prompts carry instructions and examples: a few hundred tokens before the user's text
_FEW_SHOT_TRIAGE = "\n\nExamples:\n" + "\n".join(
    f"Ticket: {t}\nLabel: {lab}" for t, lab in [
        ("I was charged twice for my order last week and want one charge reversed.", "billing"),
        ("The app logs me out every time I open the settings page.", "bug"),
        ("Where is my parcel? Tracking has not moved for five days.", "shipping"),
        ("How can I download all my invoices as a single file?", "how-to"),
        ("Please cancel my order and return the money to my card.", "refund"),
        ("I cannot change the email address on my profile.", "account"),
        ("The discount code was not applied at checkout and I paid full price.", "billing"),
        ("My password reset link expired before I could use it.", "account"),
    ]) + "\n\nRules: never ask follow-up questions; if two labels fit, choose the one the customer needs first; " \
    "if the ticket is not in English, classify it all the same."
_STYLE_GUIDE = ("\n\nStyle guide: address the reader as 'you'; short sentences; no superlatives such as 'best' or "
                "'perfect'; metric units; mention care instructions when the material needs them; end with one "
                "sentence on who the product is for. Do not mention price, shipping or discounts. Avoid these words: "
                "amazing, revolutionary, game-changer, must-have, unleash, elevate. Use British spelling.")


@dataclass(frozen=True)
class SampleTask:
    name: str
    requests_per_weekday: float
    system: str
    system_v2: str | None = None   # the edited prompt from change_day on


SAMPLE_TASKS = (
    SampleTask(
        "ticket-triage", 1200,
        "You are a support triage assistant for Acme Store. Classify the customer's ticket into exactly one of: "
        "billing, account, shipping, bug, refund, how-to. Answer with the label only." + _FEW_SHOT_TRIAGE,
        "You are a support triage assistant for Acme Store. Classify the customer's ticket into exactly one of: "
        "billing, account, shipping, bug, refund, how-to. Answer with the label, a dash, and a one-sentence "
        "reason the agent can read." + _FEW_SHOT_TRIAGE),
    SampleTask(
        "product-copy", 1000,
        "You write product descriptions for an online shop. Write two short paragraphs in a warm, concrete tone, "
        "mention the materials and one use case, and never invent specifications that are not given." + _STYLE_GUIDE),
    SampleTask(
        "contract-fields", 40,
        "Extract the following fields from the contract and answer in JSON with keys party_a, party_b, "
        "effective_date, term_months, payment_terms, renewal: null when a field is absent."),
)


def _sentence(rng: np.random.Generator, n: int) -> str:
    words = rng.choice(_WORDS, size=n)
    return (" ".join(words)).capitalize() + "."


def _prompt_and_answer(task: SampleTask, rng: np.random.Generator, changed: bool) -> tuple[list[dict], str]:
    system = task.system_v2 if changed and task.system_v2 else task.system
    if task.name == "ticket-triage":
        name, issue = rng.choice(_NAMES), rng.choice(_ISSUES)
        order = f"#{rng.integers(10_000, 99_999)}"
        user = f"Ticket {rng.integers(100_000, 999_999)} from {name}: {name} {issue} {order}. " + _sentence(rng, int(rng.integers(8, 40)))
        label = str(rng.choice(_LABELS))
        answer = label if not changed else f"{label} - {_sentence(rng, int(rng.integers(10, 20)))}"
    elif task.name == "product-copy":
        product = rng.choice(_PRODUCTS)
        user = (f"Product: {product}. Price: {rng.integers(10, 400)} EUR. Materials: {rng.choice(_WORDS)}, "
                f"{rng.choice(_WORDS)}. Notes: " + _sentence(rng, int(rng.integers(10, 30))))
        answer = " ".join(_sentence(rng, int(rng.integers(12, 25))) for _ in range(int(rng.integers(5, 10))))
    else:
        paras = " ".join(_sentence(rng, int(rng.integers(15, 30))) for _ in range(int(rng.integers(25, 60))))
        a, b = rng.choice(_NAMES, size=2, replace=False)
        user = f"Contract between {a} Ltd and {b} GmbH dated 2024-{rng.integers(1, 12):02d}-{rng.integers(1, 28):02d}. {paras}"
        answer = json.dumps({"party_a": f"{a} Ltd", "party_b": f"{b} GmbH", "effective_date": "2024-05-01",
                             "term_months": int(rng.integers(6, 36)), "payment_terms": "net 30",
                             "renewal": bool(rng.integers(0, 2))})
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], answer


def generate_sample_records(*, days: int = 14, start: dt.date = dt.date(2025, 3, 3), seed: int = 7,
                            scale: float = 1.0, change_day: int = 9, model: str = "gpt-4-turbo-2024-04-09",
                            no_usage_share: float = 0.1) -> Iterator[dict]:
    """Yield records in time order: ``{"request", "response", "latency_s"}`` (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    tps = {"ticket-triage": 70.0, "product-copy": 60.0, "contract-fields": 55.0}
    drafts = []
    for day in range(days):
        date = start + dt.timedelta(days=day)
        weekday = date.weekday() < 5
        for hour in range(24):
            batch = []
            for task in SAMPLE_TASKS:
                lam = task.requests_per_weekday * scale * DIURNAL_PROFILE[hour] * (1.0 if weekday else 0.35)
                for _ in range(int(rng.poisson(lam))):
                    batch.append((task, float(rng.uniform(0, 3600))))
            batch.sort(key=lambda x: x[1])
            base = dt.datetime(date.year, date.month, date.day, hour, tzinfo=dt.timezone.utc).timestamp()
            for task, second in batch:
                msgs, answer = _prompt_and_answer(task, rng, changed=day >= change_day)
                drafts.append((task, base + second, msgs, answer, rng.uniform() >= no_usage_share,
                               float(rng.lognormal(0, 0.15))))
    # usage as the API reports it, counted in one batch
    counter = Counter("cl100k_base" if model.startswith("gpt-4-") or model.startswith("gpt-3.5") else "o200k_base")
    strings, owner, fixed = [], [], []
    for i, (_, _, msgs, answer, _, _) in enumerate(drafts):
        s, fx = message_strings(msgs, model)
        strings += s
        owner += [i] * len(s)
        fixed.append(fx)
        strings.append(answer)
        owner.append(-1 - i)  # completion marker
    lens = counter.count_many(strings)
    prompt = np.array(fixed, dtype=np.int64)
    comp = np.zeros(len(drafts), dtype=np.int64)
    for o, n_tok in zip(owner, lens):
        if o >= 0:
            prompt[o] += n_tok
        else:
            comp[-1 - o] += n_tok
    for n, (task, created, msgs, answer, with_usage, jitter) in enumerate(drafts, 1):
        p, c = int(prompt[n - 1]), int(comp[n - 1])
        response = {"id": f"chatcmpl-sample{n:07d}", "object": "chat.completion", "created": int(created),
                    "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                                                  "finish_reason": "stop"}]}
        if with_usage:
            response["usage"] = {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c,
                                 "prompt_tokens_details": {"cached_tokens": 0}}
        yield {"request": {"model": model, "messages": msgs, "metadata": {"task": task.name}},
               "response": response, "latency_s": round(0.35 + c / tps[task.name] * jitter, 3)}


def write_sample_logs(path: str | Path, **kw) -> Path:
    """Write the sample as JSONL (gzipped when the name ends in .gz); returns the path."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as fh:
        for rec in generate_sample_records(**kw):
            fh.write(json.dumps(rec) + "\n")
    return path
