import json
import subprocess
import sys

import pytest

from advisor.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class TestCompare:
    ARGS = ("compare", "--requests-per-day", "2000", "--prompt-tokens", "1200", "--completion-tokens", "1000")

    def test_json_contract(self, capsys):
        code, out, _ = run(capsys, *self.ARGS, "--as-of", "2024-03-28", "--baseline", "gpt-4-0613", "--json")
        assert code == 0
        doc = json.loads(out)
        assert doc["baseline"] == "gpt-4-0613"
        names = [o["name"] for o in doc["options"]]
        assert "openpipe/mistral-7b" in names
        for o in doc["options"]:
            assert {"name", "kind", "usd_per_request", "usd_per_month", "ttft_s", "e2e_s"} <= set(o)
            assert o["kind"] in ("api", "hosted", "selfhost")
        op = next(o for o in doc["options"] if o["name"] == "openpipe/mistral-7b")
        assert op["usd_per_request"] == pytest.approx(0.00304)
        # 2000/day * 365/12 days * 0.00304
        assert op["usd_per_month"] == pytest.approx(2000 * 365 / 12 * 0.00304)

    def test_selfhost_option_name(self, capsys):
        code, out, _ = run(capsys, *self.ARGS, "--option", "selfhost/mistral-7b@a100-80gb", "--json")
        doc = json.loads(out)
        sh = next(o for o in doc["options"] if o["kind"] == "selfhost")
        # 2,000 requests/day fit one GPU, but production keeps min_replicas = 2 always on (people.yaml)
        assert sh["name"] == "selfhost/mistral-7b@a100-80gb" and sh["gpus"] == 2

    def test_table(self, capsys):
        code, out, _ = run(capsys, *self.ARGS)
        assert code == 0 and "USD/request" in out and "assumptions" in out

    @pytest.mark.parametrize("extra, needle", [
        (("--baseline", "gpt-5-ultra"), "unknown option 'gpt-5-ultra'"),
        (("--option", "selfhost/mistral-7b@a100-8gb"), "close ids: "),
        (("--option", "selfhost/mistral-7b"), "selfhost/<model>@<gpu>"),
        (("--as-of", "yesterday"), "YYYY-MM-DD"),
        (("--cached-tokens", "5000"), "cached_tokens=5000.0"),
    ])
    def test_errors_are_one_line(self, capsys, extra, needle):
        code, out, err = run(capsys, *self.ARGS, *extra)
        assert code == 2 and out == ""
        assert err.startswith("error: ") and err.count("\n") == 1 and needle in err
        assert "Traceback" not in err

    def test_missing_flag(self, capsys):
        code, _, err = run(capsys, "compare", "--requests-per-day", "10")
        assert code == 2 and "--prompt-tokens" in err and err.count("\n") == 1


class TestCapacity:
    def test_json_contract(self, capsys):
        code, out, _ = run(capsys, "capacity", "--model", "mistral-7b", "--gpu", "a100-80gb", "--input-tokens", "500",
                           "--output-tokens", "200", "--max-throughput", "--json")
        doc = json.loads(out)
        assert code == 0
        assert {"output_tokens_per_s", "requests_per_s", "ttft_s", "itl_s", "max_concurrency"} <= set(doc)
        assert doc["output_tokens_per_s"] == pytest.approx(doc["requests_per_s"] * 200)

    def test_concurrency(self, capsys):
        code, out, _ = run(capsys, "capacity", "--model", "mistral-7b", "--gpu", "l4", "--input-tokens", "500",
                           "--output-tokens", "200", "--concurrency", "4", "--json")
        assert json.loads(out)["concurrency"] == 4

    def test_mode_required(self, capsys):
        code, _, err = run(capsys, "capacity", "--model", "mistral-7b", "--gpu", "l4", "--input-tokens", "5",
                           "--output-tokens", "5")
        assert code == 2 and "--max-throughput" in err


def test_module_entry_point():
    p = subprocess.run([sys.executable, "-m", "advisor", "capacity", "--model", "nope", "--gpu", "l4",
                        "--input-tokens", "1", "--output-tokens", "1", "--max-throughput"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.startswith("error: unknown open model 'nope'")


class TestCount:
    def test_json_contract(self, capsys, tmp_path):
        from advisor.samples import write_sample_logs
        p = write_sample_logs(tmp_path / "s.jsonl", days=1, scale=0.05)
        with open(p, "a") as fh:
            fh.write("not json\n")
        code, out, err = run(capsys, "count", str(p), "--json")
        doc = json.loads(out)
        assert code == 0 and err == ""  # no progress bar when not a terminal
        assert {"requests", "prompt_tokens", "completion_tokens", "cached_tokens", "skipped", "problems",
                "tokens_source", "tasks"} <= set(doc)
        assert doc["skipped"] == 1 and doc["problems"][0]["file"] == str(p) and doc["problems"][0]["reason"]
        assert doc["tokens_source"]["usage"] + doc["tokens_source"]["counted"] == doc["requests"]
        assert doc["tasks"] == 3

    def test_unlabelled_requests_are_one_task_as_advise_counts_them(self, capsys, tmp_path):
        # advise says "task unknown" and the page "in 1 task" of a log whose requests carry no task label: count too
        rec = {"model": "gpt-4o", "created": 1735689600, "messages": [{"role": "user", "content": "hi"}],
               "usage": {"prompt_tokens": 8, "completion_tokens": 2}}
        p = tmp_path / "u.jsonl"
        p.write_text(json.dumps(rec) + "\n")
        code, out, _ = run(capsys, "count", str(p), "--json")
        assert code == 0 and json.loads(out)["tasks"] == 1

    def test_progress_on_request(self, capsys, tmp_path):
        from advisor.samples import write_sample_logs
        p = write_sample_logs(tmp_path / "s.jsonl", days=1, scale=0.05)
        code, out, err = run(capsys, "count", str(p), "--progress")
        assert code == 0 and "100%" in err and "requests" in out

    def test_model_flag_counts_records_that_name_none(self, capsys, tmp_path):
        p = tmp_path / "ft.jsonl"
        msgs = [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}]
        p.write_text(json.dumps({"messages": msgs}) + "\n")
        _, out4, _ = run(capsys, "count", str(p), "--model", "gpt-4", "--json")
        _, out4o, _ = run(capsys, "count", str(p), "--model", "gpt-4o", "--json")
        _, outnone, _ = run(capsys, "count", str(p), "--json")
        assert json.loads(out4)["assumptions"] == [] and json.loads(out4o)["assumptions"] == []
        assert "counted with o200k_base" in json.loads(outnone)["assumptions"][0]
        # user "What is 2+2?" = 3 + 1 + 7 (o200k) + 3 priming = 14 prompt tokens
        assert json.loads(out4o)["prompt_tokens"] == 14

    def test_unusable_file(self, capsys, tmp_path):
        p = tmp_path / "empty.jsonl"
        p.write_text("")
        code, out, err = run(capsys, "count", str(p))
        assert code == 2 and err == f"error: {p}: is empty: no records to read\n"


class TestHelp:
    def test_every_argument_of_every_command_has_help(self):
        import argparse

        from advisor.cli import build_parser
        sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
        missing = [f"{name} {a.option_strings or a.dest}" for name, p in sub.choices.items() for a in p._actions
                   if not a.help and not isinstance(a, argparse._HelpAction)]
        assert not missing, missing
        assert all(sub._choices_actions), "every command has a one-line help"

    def test_prices_kind_model_lists_what_capacity_takes(self, capsys):
        import json

        from advisor.cli import main
        assert main(["prices", "--kind", "model", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)["rows"]
        models = {r["id"] for r in rows if r["kind"] == "open model"}
        gpus = {r["id"] for r in rows if r["kind"] == "gpu spec"}
        assert "mistral-7b" in models and "a100-80gb" in gpus
        assert all(r["source"] for r in rows)
        capsys.readouterr()
        for model in models:  # every listed model runs on the largest listed GPU
            assert main(["capacity", "--model", model, "--gpu", "h100-sxm", "--input-tokens", "100",
                         "--output-tokens", "10", "--concurrency", "1", "--json"]) == 0, model


class TestStartup:
    """``--help`` builds every command's parser from :mod:`advisor.fields` alone: the data stack (pandas, numpy) and
    the price catalog load when a command runs, not to print help (what loaded is read from ``-X importtime``)."""

    HEAVY = ("pandas", "numpy", "pydantic", "pricing.catalog", "pricing.schema", "advisor.scenario", "advisor.compare")

    @staticmethod
    def loaded(argv: list[str]) -> set[str]:
        p = subprocess.run([sys.executable, "-X", "importtime", "-m", "advisor", *argv], capture_output=True, text=True)
        assert p.returncode == 0 and p.stdout.startswith("usage:"), p.stderr[-500:]
        names = {line.rsplit("|", 1)[1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}
        assert "advisor.cli.main" in names, "-X importtime listed the imports"
        return names

    @pytest.mark.parametrize("argv", [["--help"], ["advise", "--help"], ["compare", "--help"], ["dataset", "--help"],
                                      ["count", "--help"], ["prices", "--help"]])
    def test_help_loads_no_data_stack(self, argv):
        loaded = self.loaded(argv)
        assert not loaded.intersection(self.HEAVY), sorted(loaded.intersection(self.HEAVY))

    def test_capacity_help_loads_the_engines_not_pandas(self):
        loaded = self.loaded(["capacity", "--help"])   # --engine's choices are read from pricing.selfhost to show them
        assert "pricing.selfhost" in loaded and not loaded.intersection({"pandas", "pricing.catalog", "advisor.scenario"})

    def test_flag_defaults_are_the_scenarios(self):
        import dataclasses

        from advisor.cli import build_parser
        from advisor.fields import FIELDS
        from advisor.scenario import Scenario
        args = build_parser().parse_args(["compare", "--requests-per-day", "1", "--prompt-tokens", "1",
                                          "--completion-tokens", "1"])
        defaults = {f.name: f.default for f in dataclasses.fields(Scenario)}
        for name in ("horizon_months", "growth_per_month", "epochs", "retrains_per_year", "precision", "batch"):
            assert getattr(args, name) == defaults[name] == FIELDS[name].default, name
