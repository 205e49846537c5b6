"""Realistic sample logs, generated (no data set is downloaded): the dashboard's default and the
tests' fixture. They tell the story the advice is about, at production volumes and prompt sizes:

- ``product-copy``: write product descriptions (long answers), ~20,000 requests a weekday with a
  ~1,000-token prompt: pays off with default costs, people's time included;
- ``ticket-triage``: classify support tickets, ~6,000 a weekday; its system prompt is still being
  edited (versions from days ``change_days``): retraining after every edit eats the savings;
- ``contract-fields``: extract fields from long contracts to JSON, ~30 a weekday: too small to bother.

Traffic is diurnal with quiet weekends, as OpenAI Chat Completions request/response records. Busy
tasks are logged as a known sample (``logged_one_in``: one record stands for that many requests),
as production logging often is, so the sample stays small and opens fast. Each record says so itself
(``request.metadata.sample_rate``, the share of requests kept: 0.005 = one in 200), so every reader of
the file (``advise``, ``report``, the notebooks, the page) weighs it the same way.

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

from advisor.outfile import write_atomically
from advisor.tokens.chat import family_for_model
from advisor.tokens.counter import TokenCounter, message_strings, resolve_encoding
from advisor.tokens.periods import end_token_period_tokens

__all__ = ["SampleTask", "SAMPLE_TASKS", "generate_sample_records", "write_sample_logs", "read_sample",
           "sample_weights", "SAMPLE_DIGEST", "DIURNAL_PROFILE"]

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


# production prompts carry instructions and examples: several hundred tokens before the user's text
_TRIAGE_EXAMPLES = [
    ("I was charged twice for my order last week and want one charge reversed.", "billing"),
    ("The app logs me out every time I open the settings page.", "bug"),
    ("Where is my parcel? Tracking has not moved for five days.", "shipping"),
    ("How can I download all my invoices as a single file?", "how-to"),
    ("Please cancel my order and return the money to my card.", "refund"),
    ("I cannot change the email address on my profile.", "account"),
    ("The discount code was not applied at checkout and I paid full price.", "billing"),
    ("My password reset link expired before I could use it.", "account"),
    ("The blender arrived with a cracked jug and I want a new one sent.", "shipping"),
    ("Is there a way to share one account between two people in the same house?", "how-to"),
    ("Since yesterday the checkout page shows an error after I enter my card.", "bug"),
    ("I returned the headphones three weeks ago and have not been refunded yet.", "refund"),
]
_TRIAGE_BASE = ("You are a support triage assistant for Acme Store. Classify the customer's ticket into exactly "
                "one of: billing, account, shipping, bug, refund, how-to.")
_TRIAGE_RULES = ("\n\nRules: never ask follow-up questions; if two labels fit, choose the one the customer needs "
                 "first; if the ticket is not in English, classify it all the same; a ticket about a charge that "
                 "was refunded is billing, not refund; damaged goods are shipping unless the customer asks for the "
                 "money back.")


def _triage_prompt(answer_rule: str, n_examples: int) -> str:
    shots = "\n".join(f"Ticket: {t}\nLabel: {lab}" for t, lab in _TRIAGE_EXAMPLES[:n_examples])
    return f"{_TRIAGE_BASE} {answer_rule}\n\nExamples:\n{shots}{_TRIAGE_RULES}"


_COPY_EXAMPLES = [
    ("desk lamp", "Warm light where you need it. The arm is powder-coated steel and the head turns a full circle, so "
     "you can point it at the page or bounce it off the wall for a softer glow. The base is weighted cast iron with "
     "a felt underside that keeps your desk free of scratches.\nWipe it with a dry cloth; no sprays on the dimmer. "
     "For anyone who reads, sketches or works late and wants light without glare."),
    ("water bottle", "Cold for a day, hot for twelve hours. The double wall is food-grade stainless steel with no "
     "lining to flake, and the lid seals with one quarter turn, so it rides in a bag on its side without a drip. It "
     "holds 750 ml and fits most car cup holders.\nHand wash the lid; the bottle goes in the dishwasher. For "
     "commuters, hikers and anyone who forgets to drink water at a desk."),
    ("office chair", "Sit for a full day without thinking about your back. The mesh back follows your spine and the "
     "lumbar pad moves up and down by 8 cm, so it meets you where you need it. The seat depth slides forward for "
     "long legs, and the armrests move in four directions.\nVacuum the mesh now and then; spot-clean the seat with "
     "mild soap. For people who work from home and want one chair that fits the whole household."),
]
_STYLE_GUIDE = ("\n\nStyle guide: address the reader as 'you'; short sentences; no superlatives such as 'best' or "
                "'perfect'; metric units; mention care instructions when the material needs them; end with one "
                "sentence on who the product is for. Do not mention price, shipping or discounts. Avoid these words: "
                "amazing, revolutionary, game-changer, must-have, unleash, elevate. Use British spelling. Never "
                "invent a certification, a warranty period or a test result. If the notes contradict each other, "
                "follow the materials list. Keep each paragraph under 70 words and put care instructions in the "
                "second paragraph.\n\nExamples of descriptions we published:\n"
                + "\n\n".join(f"Product: {p}\nDescription: {d}" for p, d in _COPY_EXAMPLES))


@dataclass(frozen=True)
class SampleTask:
    name: str
    requests_per_weekday: float     # real traffic; weekends get 35%
    system: str
    versions: tuple[str, ...] = ()  # later system prompts, one from each of ``change_days``
    logged_one_in: int = 1          # the log keeps one request in this many (a known sampling rate)


SAMPLE_TASKS = (
    SampleTask(
        "product-copy", 20_000,
        "You write product descriptions for an online shop. Write two short paragraphs in a warm, concrete tone, "
        "mention the materials and one use case, and never invent specifications that are not given." + _STYLE_GUIDE,
        logged_one_in=200),
    SampleTask(
        "ticket-triage", 6_000, _triage_prompt("Answer with the label only.", 8),
        versions=(_triage_prompt("Answer with the label, a dash, and a one-sentence reason the agent can read.", 8),
                  _triage_prompt("Answer with the label, a dash, and a one-sentence reason the agent can read.", 12)),
        logged_one_in=100),
    SampleTask(
        "contract-fields", 30,
        "Extract the following fields from the contract and answer in JSON with keys party_a, party_b, "
        "effective_date, term_months, payment_terms, renewal: null when a field is absent."),
)
SAMPLE_DIGEST = "builtin-sample-v4"  # the cache key of the generated sample (bump when it or its measuring changes)


def sample_weights() -> dict[str, float]:
    """Requests each logged record stands for, per task."""
    return {t.name: float(t.logged_one_in) for t in SAMPLE_TASKS}


def _sentence(rng: np.random.Generator, n: int) -> str:
    return " ".join([_WORDS[i] for i in rng.integers(0, len(_WORDS), size=n)]).capitalize() + "."


def _sentences(rng: np.random.Generator, k: int, lo: int, hi: int) -> str:
    """``k`` sentences of ``lo``..``hi`` words, drawn in two calls (long texts stay fast to generate)."""
    lengths = rng.integers(lo, hi, size=k)
    words = rng.integers(0, len(_WORDS), size=int(lengths.sum()))
    out, i = [], 0
    for n in lengths:
        out.append(" ".join([_WORDS[j] for j in words[i:i + n]]).capitalize() + ".")
        i += n
    return " ".join(out)


def _prompt_and_answer(task: SampleTask, rng: np.random.Generator, version: int) -> tuple[list[dict], str]:
    system = task.system if version == 0 else task.versions[min(version, len(task.versions)) - 1]
    if task.name == "ticket-triage":
        name, issue = rng.choice(_NAMES), rng.choice(_ISSUES)
        order = f"#{rng.integers(10_000, 99_999)}"
        user = (f"Ticket {rng.integers(100_000, 999_999)} from {name}: {name} {issue} {order}. "
                + _sentence(rng, int(rng.integers(8, 40))))
        label = str(rng.choice(_LABELS))
        answer = label if version == 0 else f"{label} - {_sentence(rng, int(rng.integers(10, 20)))}"
    elif task.name == "product-copy":
        product = rng.choice(_PRODUCTS)
        user = (f"Product: {product}. Price: {rng.integers(10, 400)} EUR. Materials: {rng.choice(_WORDS)}, "
                f"{rng.choice(_WORDS)}. Notes: " + _sentence(rng, int(rng.integers(10, 30))))
        answer = _sentences(rng, int(rng.integers(6, 11)), 12, 25)
    else:
        paras = _sentences(rng, int(rng.integers(40, 80)), 15, 30)
        a, b = rng.choice(_NAMES, size=2, replace=False)
        dated = f"2024-{rng.integers(1, 12):02d}-{rng.integers(1, 28):02d}"
        user = f"Contract between {a} Ltd and {b} GmbH dated {dated}. {paras}"
        answer = json.dumps({"party_a": f"{a} Ltd", "party_b": f"{b} GmbH", "effective_date": "2024-05-01",
                             "term_months": int(rng.integers(6, 36)), "payment_terms": "net 30",
                             "renewal": bool(rng.integers(0, 2))})
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], answer


def generate_sample_records(*, days: int = 7, start: dt.date = dt.date(2025, 3, 3), seed: int = 7,
                            scale: float = 1.0, change_days: tuple[int, ...] = (2, 5),
                            model: str = "gpt-4o-2024-08-06", no_usage_share: float = 0.1) -> Iterator[dict]:
    """Yield the logged records in time order: ``{"request", "response", "latency_s"}`` (deterministic
    for a seed). ``scale`` multiplies every task's traffic."""
    rng = np.random.default_rng(seed)
    tps = {"ticket-triage": 70.0, "product-copy": 60.0, "contract-fields": 55.0}
    drafts = []
    for day in range(days):
        date = start + dt.timedelta(days=day)
        weekday = date.weekday() < 5
        version = sum(day >= d for d in change_days)
        for hour in range(24):
            batch = []
            for task in SAMPLE_TASKS:
                lam = (task.requests_per_weekday / task.logged_one_in * scale * DIURNAL_PROFILE[hour]
                       * (1.0 if weekday else 0.35))
                for _ in range(int(rng.poisson(lam))):
                    batch.append((task, float(rng.uniform(0, 3600))))
            batch.sort(key=lambda x: x[1])
            base = dt.datetime(date.year, date.month, date.day, hour, tzinfo=dt.UTC).timestamp()
            for task, second in batch:
                msgs, answer = _prompt_and_answer(task, rng, version if task.versions else 0)
                drafts.append((task, base + second, msgs, answer, rng.uniform() >= no_usage_share,
                               float(rng.lognormal(0, 0.15))))
    # usage as the API reports it, counted in one batch (the counter memoises the repeated system prompts)
    counter = TokenCounter(resolve_encoding(model).encoding)
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
    family = family_for_model(model, resolve_encoding(model).encoding).name
    for n, (task, created, msgs, answer, with_usage, jitter) in enumerate(drafts, 1):
        # an answer of early 2025 billed one token more than its text (advisor.tokens.periods.EndTokenPeriod)
        p, c = int(prompt[n - 1]), int(comp[n - 1]) + end_token_period_tokens(family, created, {})
        response = {"id": f"chatcmpl-sample{n:07d}", "object": "chat.completion", "created": int(created),
                    "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                                                  "finish_reason": "stop"}]}
        if with_usage:
            response["usage"] = {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c,
                                 "prompt_tokens_details": {"cached_tokens": 0}}
        meta = {"task": task.name} if task.logged_one_in == 1 else {"task": task.name,
                                                                    "sample_rate": 1 / task.logged_one_in}
        yield {"request": {"model": model, "messages": msgs, "metadata": meta},
               "response": response, "latency_s": round(0.35 + c / tps[task.name] * jitter, 3)}


def write_sample_logs(path: str | Path, **kw) -> Path:
    """Write the sample as JSONL (gzipped when the name ends in .gz); returns the path."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open

    def write(tmp: str) -> None:
        with opener(tmp, "wt", encoding="utf-8") as fh:
            for rec in generate_sample_records(**kw):
                fh.write(json.dumps(rec) + "\n")

    return write_atomically(path, write)


def read_sample(**kw):
    """The sample read in memory (nothing written to disk), as :func:`advisor.logs.read_logs` reads the file
    :func:`write_sample_logs` writes (each record weighted by its own ``sample_rate``)."""
    from advisor.logs import MemoryFile, read_logs

    data = "".join(json.dumps(rec) + "\n" for rec in generate_sample_records(**kw)).encode()
    return read_logs([MemoryFile("sample.jsonl", data)])
