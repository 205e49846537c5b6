"""``python -m advisor dataset`` and ``advise --json``'s task_fit on the built-in sample (issue 21's contracts)."""

import json

import pytest

from advisor.cli.main import main
from advisor.dataset import check_line
from advisor.samples import write_sample_logs


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return str(write_sample_logs(tmp_path_factory.mktemp("cli") / "sample.jsonl"))


class TestDatasetCommand:
    @pytest.mark.parametrize("task", ["product-copy", "ticket-triage", "contract-fields"])
    def test_writes_valid_files_for_each_task(self, capsys, sample, tmp_path, task):
        out = tmp_path / task
        code, text, err = run(capsys, "dataset", sample, "--task", task, "--out", str(out), "--json",
                              "--as-of", "2025-06-01")
        assert code == 0, err
        doc = json.loads(text)
        s = doc["summary"]
        train = [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]
        evals = [json.loads(x) for x in (out / "eval.jsonl").read_text().splitlines()]
        assert len(train) == s["kept_train"] and len(evals) == s["kept_eval"]
        assert all(check_line("openai", x) == [] for x in train + evals)
        keys = [json.dumps(x, sort_keys=True) for x in train + evals]
        assert len(set(keys)) == len(keys)                                   # no duplicate, none in both files
        assert s["train_last"] < s["eval_first"]                            # ISO times: eval strictly later
        assert {r["option"] for r in s["training_cost"]} >= {"openpipe/mistral-7b"}
        assert "Pairwise" in (out / "judge.md").read_text() and doc["judge"]["calls"] == 2 * len(evals)

    def test_text_summary(self, capsys, sample, tmp_path):
        code, text, _ = run(capsys, "dataset", sample, "--task", "ticket-triage", "--out", str(tmp_path / "d"),
                            "--scrub", "--format", "hf", "--as-of", "2025-06-01")
        assert code == 0
        assert "calls of an earlier prompt version" in text and "scrubbed: 0 email" in text
        assert "training tokens (Mistral 7B tokenizer, one epoch)" in text and "openpipe/mistral-7b" in text

    def test_unknown_task_lists_tasks(self, capsys, sample, tmp_path):
        code, out, err = run(capsys, "dataset", sample, "--task", "nope", "--out", str(tmp_path / "d"))
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "product-copy" in err and "ticket-triage" in err and "contract-fields" in err
        assert not (tmp_path / "d").exists()

    def test_existing_out_refused(self, capsys, sample, tmp_path):
        code, _, err = run(capsys, "dataset", sample, "--task", "ticket-triage", "--out", str(tmp_path))
        assert code == 2 and "--force" in err


class TestAdviseTaskFit:
    def test_every_task_of_the_whole_bill_carries_task_fit(self, capsys, sample):
        code, out, _ = run(capsys, "advise", sample, "--json", "--draws", "200")
        assert code == 0
        tasks = {t["task"]: t["task_fit"] for t in json.loads(out)["whole_bill"]["tasks"]}
        assert set(tasks) == {"product-copy", "ticket-triage", "contract-fields"}
        assert all(set(f) >= {"label", "signals"} for f in tasks.values())
        # the classifier and the open-ended writer are told apart
        assert tasks["ticket-triage"]["label"] == "suits a small expert"
        assert tasks["product-copy"]["label"] == "mixed"
        assert tasks["ticket-triage"]["signals"]["label_set_size"] == 6

    def test_reason_in_text_and_flag_overrides(self, capsys, sample):
        code, out, _ = run(capsys, "advise", sample, "--draws", "200", "--needs-deep-reasoning")
        assert code == 0
        assert "Task fit from the logs" in out and "not a prediction" in out and "your flag" in out
