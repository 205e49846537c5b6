"""Task fit from the logs (advisor.fit, advisor.logs.answer): signals on tasks built to be classification-like,
extraction-like and open-ended-reasoning-like, the label on the built-in sample, and its place in the advice."""

import json

import numpy as np
import pytest

from advisor.fit import MIXED, POOR, SUITS, FitThresholds, fit_label, task_fit
from advisor.logs import read_logs
from advisor.logs.answer import JSON, MULTI_TURN, STEP_MARKERS, TEXT, TOOL_CALL, TOOLS_OFFERED, measure_answer
from advisor.workload import profile_tasks

LABELS = ["billing", "account", "shipping", "bug", "refund"]
WORDS = "the a of to and in for with on is it this that as be by from at are was can will not have our".split()


def _record(i: int, task: str, system: str, user: str, answer, *, model: str = "gpt-4o-2024-08-06",
            reasoning: int | None = None, tools=None) -> dict:
    msg = {"role": "assistant", "content": answer} if isinstance(answer, str) else answer
    usage = {"prompt_tokens": 50 + len(user) // 4, "completion_tokens": 5 + len(str(answer)) // 4,
             "total_tokens": 0}
    if reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    req = {"model": model, "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
           "metadata": {"task": task}}
    if tools:
        req["tools"] = tools
    return {"request": req, "response": {"id": f"{task}-{i}", "created": 1741000000 + 60 * i, "model": model,
                                         "choices": [{"message": msg}], "usage": usage}}


def built_tasks(rng: np.random.Generator) -> list[dict]:
    """120 calls each of a classifier, an extractor and a step-by-step reasoning task."""
    recs = []
    for i in range(120):
        words = " ".join(rng.choice(WORDS, int(rng.integers(10, 60))))
        recs.append(_record(i, "classify", "Classify the ticket.", f"Ticket {i}: {words}", str(rng.choice(LABELS))))
        recs.append(_record(i, "extract", "Extract the fields as JSON.", f"Contract {i}: {words}",
                            json.dumps({"party": f"P{i}", "months": int(rng.integers(1, 40))})))
        steps = "\n".join(f"Step {k}: " + " ".join(rng.choice(WORDS, 60)) for k in range(1, 8))
        recs.append(_record(i, "reason", "Solve the problem.", f"Problem {i}: {words}",
                            f"Let's think step by step.\n{steps}\nSo the answer is {i}.", model="o3-mini",
                            reasoning=int(rng.integers(500, 3000))))
    return recs


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    p = tmp_path_factory.mktemp("fit") / "built.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in built_tasks(np.random.default_rng(3))))
    frame = read_logs([p]).frame
    return {t: task_fit(g) for t, g in frame.groupby("task")}


class TestMeasureAnswer:
    @pytest.mark.parametrize("completion, kind", [
        ("billing", TEXT), ('{"a": 1}', JSON), ("```json\n[1, 2]\n```", JSON), ("{not json", TEXT),
        ({"content": None, "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}, TOOL_CALL),
    ])
    def test_kinds(self, completion, kind):
        assert measure_answer([{"role": "user", "content": "x"}], None, completion)[0] == kind

    def test_flags(self):
        msgs = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                {"role": "user", "content": "c"}]
        flags = measure_answer(msgs, [{"type": "function"}], "Step 1: x\nStep 2: y\nStep 3: z")[3]
        assert flags == MULTI_TURN | TOOLS_OFFERED | STEP_MARKERS

    def test_same_label_same_head(self):
        a, b = measure_answer(None, None, "Billing - charged twice"), measure_answer(None, None, "billing: refund")
        assert a[2] == b[2] and a[1] != b[1]


class TestLabel:
    @pytest.mark.parametrize("signals, label", [
        ({"structured_share": 1.0, "json_share": 1.0, "completion_tokens_p95": 60}, SUITS),
        ({"structured_share": 1.0, "label_set_size": 5, "completion_tokens_p95": 3}, SUITS),
        # open-ended: unstructured, all distinct, median answer over 100 tokens
        ({"structured_share": 0.0, "distinct_answer_share": 1.0, "completion_tokens_p50": 148,
          "completion_tokens_p95": 198}, MIXED),
        ({"structured_share": 1.0, "json_share": 1.0, "completion_tokens_p95": 60, "input_spread": 6.0}, MIXED),
        ({"structured_share": 0.3, "reasoning_model_share": 0.5}, POOR),
        ({"structured_share": 0.0, "step_marker_share": 0.4}, POOR),
        ({"structured_share": 0.0, "distinct_answer_share": 1.0, "completion_tokens_p50": 400,
          "multi_turn_share": 0.9}, POOR),
    ])
    def test_table(self, signals, label):
        assert fit_label(signals)[0] == label

    def test_thresholds_are_parameters(self):
        s = {"structured_share": 0.7, "json_share": 0.7, "completion_tokens_p95": 60}
        assert fit_label(s)[0] == MIXED and fit_label(s, FitThresholds(structured_share=0.6))[0] == SUITS


class TestBuiltTasks:
    def test_classification_suits(self, built):
        f = built["classify"]
        assert f.label == SUITS and f.signal("label_set_size") == 5 and f.signal("structured_share") == 1.0

    def test_extraction_suits(self, built):
        f = built["extract"]
        assert f.label == SUITS and f.signal("json_share") == 1.0

    def test_reasoning_poor(self, built):
        f = built["reason"]
        assert f.label == POOR
        assert f.signal("step_marker_share") == 1.0 and f.signal("reasoning_tokens_share") == 1.0
        assert f.signal("reasoning_model_share") == 1.0

    def test_no_text_no_label(self, write):
        p = write("usage.jsonl", json.dumps({"model": "gpt-4o", "prompt_tokens": 10, "completion_tokens": 5,
                                             "timestamp": 1741000000}) + "\n")
        f = task_fit(read_logs([p]).frame)
        assert f.label is None and "no answer text" in f.reasons[0]


class TestSample:
    def test_labels_separate_classifier_from_open_ended(self):
        from advisor.samples import read_sample

        result = read_sample()
        ws = profile_tasks(result.frame)
        assert ws["ticket-triage"].fit.label == SUITS
        assert ws["contract-fields"].fit.label == SUITS
        assert ws["product-copy"].fit.label == MIXED
        assert ws["ticket-triage"].fit.signal("template_changes_per_month") > 1
