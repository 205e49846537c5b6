"""The dataset export (advisor.dataset): cleaning, dedupe, time split, formats, scrubbing, atomic writes, CLI."""

import json
from collections import Counter
from pathlib import Path

import pytest

from advisor.dataset import (
    OUT_FORMATS,
    DatasetError,
    build_dataset,
    check_line,
    dataset_files,
    duplicates,
    jaccard,
    judge_run_cost,
    luhn_ok,
    scrub_text,
    shingles,
    training_costs,
    write_dataset,
)
from advisor.samples import write_sample_logs

FIXTURES = Path(__file__).parents[1] / "fixtures" / "exports"
TASKS = ("product-copy", "ticket-triage", "contract-fields")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return write_sample_logs(tmp_path_factory.mktemp("ds") / "sample.jsonl")


@pytest.fixture(scope="module")
def built(sample):
    return {t: build_dataset([sample], t) for t in TASKS}


class TestScrub:
    @pytest.mark.parametrize("text, kind", [
        ("write to ana.lopez+news@example.co.uk today", "email"),
        ("call +44 20 7946 0958 after five", "phone"),
        ("call (555) 123-4567", "phone"),
        ("card 4111 1111 1111 1111 expires", "card"),           # Visa test number, Luhn-valid
        ("card 5500-0000-0000-0004", "card"),                    # Mastercard test number, Luhn-valid
        ("key sk-proj-Abcdefghijklmnop1234567890", "api_key"),
        ("AWS AKIAIOSFODNN7EXAMPLE in the log", "api_key"),      # AWS's documented example key id
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload", "api_key"),
    ])
    def test_replaced_and_counted(self, text, kind):
        c = Counter()
        out = scrub_text(text, c)
        assert c == Counter({kind: 1}) and f"[{kind.upper()}]" in out

    @pytest.mark.parametrize("text", [
        "card 4111 1111 1111 1112 fails Luhn",    # last digit off by one: not a card
        "order 1234567 shipped",                  # a bare number, no phone shape
        "on 2024-05-01 10:00 the price was 1,234.56 EUR",
        "version 1.2.3.4 of the app",
    ])
    def test_left_alone(self, text):
        c = Counter()
        assert scrub_text(text, c) == text and not c

    def test_luhn(self):
        # 79927398713 is the Luhn algorithm's textbook example (valid); changing its check digit breaks it
        assert luhn_ok("79927398713") and not luhn_ok("79927398710")


class TestDedupe:
    BASE = "the parcel arrived with a cracked jug and the customer wants a replacement sent today please"

    def test_exact_and_near(self):
        exact, near = duplicates([self.BASE, "  " + self.BASE.upper(), self.BASE + " thanks", "a different ticket"])
        assert exact == [1] and near == [2]

    def test_jaccard_by_hand(self):
        # 6 words -> 2 five-word shingles; 7 words sharing the first 6 -> 3 shingles, 2 shared: J = 2/3
        a, b = shingles("a b c d e f"), shingles("a b c d e f g")
        assert jaccard(a, b) == pytest.approx(2 / 3)

    def test_below_threshold_kept(self):
        # a third of the words changed: Jaccard well under 0.8, both kept
        other = self.BASE.replace("cracked", "broken").replace("replacement", "refund").replace("today", "now")
        assert duplicates([self.BASE, other]) == ([], [])


class TestSample:
    def test_each_task_valid_and_split_by_time(self, built):
        for task, ds in built.items():
            s = ds.summary
            assert s.kept_train >= 10 and s.kept_eval >= 5, task
            assert max(e.timestamp for e in ds.train) < min(e.timestamp for e in ds.eval), task
            assert s.train_tokens_7b == int(sum(e.tokens_7b for e in ds.train))

    def test_no_example_twice(self, built):
        for task, ds in built.items():
            keys = [json.dumps([list(e.messages), dict(e.answer)], sort_keys=True) for e in ds.train + ds.eval]
            assert len(keys) == len(set(keys)), task

    def test_current_version_only(self, built):
        # ticket-triage's prompt changed on days 2 and 5 (advisor.samples): only the last version is kept
        s = built["ticket-triage"].summary
        assert s.dropped["old_version"] > 0
        assert s.kept_train + s.kept_eval + sum(s.dropped.values()) == s.records

    @pytest.mark.parametrize("fmt", OUT_FORMATS)
    def test_formats_valid(self, built, fmt):
        ds = built["contract-fields"]
        files = dataset_files(ds, fmt, judge_run_cost(ds.eval))
        for name in ("train.jsonl", "eval.jsonl"):
            lines = [json.loads(x) for x in files[name].splitlines()]
            assert lines and all(check_line(fmt, x) == [] for x in lines)
            assert all(x["messages"][-1]["role"] == "assistant" for x in lines)
        if fmt == "openpipe":
            assert {json.loads(x)["split"] for x in files["eval.jsonl"].splitlines()} == {"TEST"}

    def test_eval_keeps_the_logged_answer(self, built, sample):
        ds = built["product-copy"]
        logged = {}
        for line in Path(sample).read_text().splitlines():
            rec = json.loads(line)
            logged[rec["response"]["id"]] = rec["response"]["choices"][0]["message"]["content"]
        assert all(e.answer["content"] in logged.values() for e in ds.eval)

    def test_training_cost_is_tokens_times_price(self, built):
        ds = built["ticket-triage"]
        rows = {r["option"]: r for r in training_costs(ds.train, as_of="2025-06-01")}
        op = rows["openpipe/mistral-7b"]
        # hosted: train tokens x 3 epochs / 1e6 x the catalog's training price (pricing.training)
        from pricing import load_catalog
        price = load_catalog("2025-06-01").hosted_endpoint("openpipe/mistral-7b").price.training_usd_per_mtok
        assert op["usd"] == pytest.approx(ds.summary.train_tokens_7b * 3 / 1e6 * price, rel=1e-3)

    def test_judge_cost_two_orders(self, built):
        ds = built["ticket-triage"]
        j = judge_run_cost(ds.eval, "gpt-4o-2024-08-06", as_of="2025-06-01")
        assert j.calls == 2 * len(ds.eval) and j.judge == "gpt-4o-2024-08-06"
        # usd = (prompt x in + reply x out) / 1e6 summed over calls
        assert j.usd == pytest.approx((j.prompt_tokens * j.input_usd_per_mtok
                                       + j.completion_tokens * j.output_usd_per_mtok) / 1e6)


class TestBadInput:
    def test_unknown_task_lists_tasks(self, sample):
        with pytest.raises(DatasetError) as e:
            build_dataset([sample], "no-such-task")
        assert all(t in str(e.value) for t in TASKS)

    def test_too_few_examples_says_how_many(self, write):
        recs = [{"request": {"model": "gpt-4o", "messages": [{"role": "system", "content": "Label it."},
                                                            {"role": "user", "content": f"ticket number {i}"}],
                             "metadata": {"task": "t"}},
                 "response": {"id": f"r{i}", "created": 1741000000 + i, "model": "gpt-4o",
                              "choices": [{"message": {"role": "assistant", "content": f"label{i % 3}"}}]}}
                for i in range(7)]
        p = write("few.jsonl", "".join(json.dumps(r) + "\n" for r in recs))
        with pytest.raises(DatasetError) as e:
            build_dataset([p], "t")
        assert "has 7 usable examples" in str(e.value)

    def test_out_refused_then_forced(self, built, tmp_path):
        ds = built["ticket-triage"]
        files = dataset_files(ds, "openai", judge_run_cost(ds.eval))
        out = tmp_path / "ds"
        out.mkdir()
        (out / "keep.txt").write_text("mine")
        with pytest.raises(DatasetError, match="--force"):
            write_dataset(files, out)
        assert (out / "keep.txt").read_text() == "mine"
        write_dataset(files, out, force=True)
        assert sorted(p.name for p in out.iterdir()) == ["eval.jsonl", "judge.md", "summary.json", "train.jsonl"]
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    def test_failed_write_leaves_nothing(self, tmp_path):
        out = tmp_path / "ds"
        with pytest.raises(TypeError):
            write_dataset({"train.jsonl": "x\n", "eval.jsonl": None}, out)  # type: ignore[dict-item]
        assert list(tmp_path.iterdir()) == []


class TestFixtures:
    @pytest.mark.parametrize("path", ["openpipe/request-logs.jsonl", "helicone/export.jsonl",
                                      "langfuse/observations-export.jsonl", "openai/fine-tuning.jsonl"])
    def test_every_example_writes_valid_lines(self, path):
        from advisor.dataset.build import collect_examples
        from advisor.dataset.shapes import example_line

        examples, per_task, _ = collect_examples([FIXTURES / path])
        assert examples, path
        for fmt in OUT_FORMATS:
            for e in examples:
                line = example_line(fmt, list(e.messages), e.answer, tools=list(e.tools) if e.tools else None,
                                    parallel_tool_calls=e.parallel_tool_calls)
                assert check_line(fmt, line) == [], (path, fmt)
