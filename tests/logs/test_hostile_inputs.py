"""Red-team regressions (issue 9): one test per class of hostile input found by the red-team generators
(``python bench/fuzz.py --only redteam``). Oracle as in test_fuzz_logs.py: only AdvisorError escapes, every
record accounted for at its physical line, no record text in any message, strict JSON out."""

from __future__ import annotations

import json

import pytest

from advisor.errors import AdvisorError
from advisor.logs import MemoryFile, read_logs

CANARY = "SECRET-CANARY-7f3a"
GOOD = b'{"model": "gpt-4o", "prompt_tokens": 5, "completion_tokens": 1}\n'


def _read(name: str, data: bytes):
    return read_logs([MemoryFile(name, data)], ft_tokenizer=None)


@pytest.mark.parametrize("name", ["a.jsonl", "a.json", "a.csv", "a"])
def test_integer_over_python_digit_limit_is_a_problem_not_a_crash(name):
    # Python refuses int() of more than 4,300 digits with a ValueError that has no JSON position
    big = b'{"model": "gpt-4o", "prompt_tokens": ' + b"9" * 5000 + b', "completion_tokens": 1}\n'
    r = _read(name, big + GOOD)
    assert len(r.frame) == 1 and [p.line for p in r.problems] == [1]
    assert "prompt_tokens" in r.problems[0].reason
    r = _read("b.json", b"[" + big.strip() + b",\n" + GOOD.strip() + b"]")
    assert len(r.frame) == 1 and [p.line for p in r.problems] == [1]


def _lines(r):
    return sorted(int(x) for x in r.frame["line"])


def test_lone_cr_line_endings_read_line_by_line():
    # classic Mac / Excel "CSV (Macintosh)": every line ends in a lone CR; before, the CSV had "no header row"
    r = _read("mac.csv", b"model,prompt_tokens,completion_tokens\rgpt-4o,1,2\rgpt-4o,3,4\r")
    assert _lines(r) == [2, 3] and r.summary()["prompt_tokens"] == 4
    r = _read("mac.jsonl", GOOD.replace(b"\n", b"\r") * 2)
    assert _lines(r) == [1, 2]


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text_not_binary(enc):
    r = _read("u.jsonl", (GOOD * 3).decode().encode(enc))
    assert _lines(r) == [1, 2, 3]


@pytest.mark.parametrize("first", [b"# exported from prod\n", b"garbage, line\n", b"a\nb\nc\n"])
def test_jsonl_with_leading_non_json_lines_keeps_its_records(first):
    # before: the first non-JSON line made the whole file CSV, every record lost
    r = _read("x.jsonl", first + GOOD + GOOD)
    n = first.count(b"\n")
    assert _lines(r) == [n + 1, n + 2]
    assert [p.line for p in r.problems] == list(range(1, n + 1))


@pytest.mark.parametrize("data, lines", [
    (b"sep=;\nmodel;prompt_tokens;completion_tokens\ngpt-4o;1;2\n", [3]),          # Excel's delimiter hint
    (b"sep=,\r\nmodel,prompt_tokens,completion_tokens\r\ngpt-4o,1,2\r\n", [3]),
    (b"Usage export\n\nmodel,prompt_tokens,completion_tokens\ngpt-4o,1,2\ngpt-4o,3,4\n", [4, 5]),  # a title line
    (b"Usage export\nmodel\tprompt_tokens\tcompletion_tokens\ngpt-4o\t1\t2\n", [3]),
])
def test_csv_preamble_lines_above_the_header(data, lines):
    assert _lines(_read("x.csv", data)) == lines


def test_single_column_csv_row_read_ahead_is_not_lost():
    from advisor.logs.files import iter_records
    assert list(iter_records(MemoryFile("one.csv", b"model\n\ngpt-4o\nx\n"))) == [(3, {"model": "gpt-4o"}),
                                                                                (4, {"model": "x"})]


@pytest.mark.parametrize("name, data", [
    # a CSV header that holds record text (a mutated or hand-made export): the "unknown shape" message listed it
    ("x.csv", f'start_time,{{"model": "{CANARY} says hi"}},end_time\n1,2,3\n'.encode()),
    ("x.jsonl", json.dumps({f"You are {CANARY}, a bot.": 1, "x": 2}).encode() + b"\n" + GOOD),
    # a usage key that holds text: the bad value's field path echoed it
    ("y.jsonl", json.dumps({"model": "gpt-4o", "usage": {"prompt_tokens": 5, "completion_tokens": 1,
                                                         f"{CANARY} is here.": "x"}}).encode() + b"\n" + GOOD),
])
def test_keys_holding_text_never_reach_a_message(name, data):
    try:
        r = _read(name, data)
    except AdvisorError as e:
        assert CANARY not in str(e)
        return
    assert not any(CANARY in p.reason for p in r.problems)
    assert CANARY not in json.dumps(r.summary())


def test_safe_field_keeps_ordinary_paths():
    from advisor.logs.records import safe_field
    for f in ["messages[-1].role", "output.choices[0].message.tool_calls[1].function.arguments", "Prompt Tokens",
              "gen_ai.usage.input_tokens", "Helicone-Property-Feature"]:
        assert safe_field(f) == f
    assert safe_field(f"usage.{CANARY} hi there you") == "usage.<key of 31 characters>"


def test_response_with_usage_only_is_counted():
    # {"model", "usage", "created"}: a chat response logged without choices; before, "unknown shape" for all
    rec = {"model": "gpt-4o", "usage": {"prompt_tokens": 50, "completion_tokens": 10}, "created": 1730000000}
    r = _read("u.jsonl", (json.dumps(rec) + "\n").encode() * 3)
    assert r.summary()["prompt_tokens"] == 150 and r.summary()["completion_tokens"] == 30


def test_thousands_of_tasks_are_advised_in_bounded_time(tmp_path, monkeypatch, capsys):
    # one prompt id per customer: 3,000 tasks took 101 s and 970 MB (a Monte Carlo run each); the long tail pools
    import advisor.workload as W
    from advisor.cli.main import main
    monkeypatch.setattr(W, "MAX_TASKS_ADVISED", 3)
    p = tmp_path / "t.jsonl"
    p.write_text("".join(json.dumps({"model": "gpt-4o", "usage": {"prompt_tokens": 50, "completion_tokens": 10},
                                     "metadata": {"prompt_id": f"p{i % 7}"}, "created": 1730000000 + 60 * i}) + "\n"
                         for i in range(70 + 3)))  # p0, p1, p2 have 11 requests, the rest 10
    assert main(["advise", str(p), "--ft-tokenizer", "none", "--draws", "100", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(out["tasks"]) == ["other (5 tasks)", "p0", "p1"]  # 7 tasks: 2 busiest + 5 pooled
    f = W.pd.DataFrame({"task": ["a"] * 3 + ["b"] * 2 + ["c"], "requests": [1.0] * 6})
    g, n = W.pool_small_tasks(f, 2)
    assert n == 2 and g["task"].tolist() == ["a"] * 3 + ["other (2 tasks)"] * 3
    assert W.pool_small_tasks(f, 3) == (f, 0)


def test_langsmith_run_type_in_capitals_is_a_model_call():
    from pathlib import Path
    runs = [json.loads(x) for x in
            (Path(__file__).parents[1] / "fixtures/exports/langsmith/runs-export.jsonl").read_text().splitlines() if x.strip()]
    shout = [{**r, "run_type": str(r.get("run_type")).upper()} for r in runs]

    def kept(rs):
        return len(_read("r.jsonl", "".join(json.dumps(r) + "\n" for r in rs).encode()).frame)
    assert kept(shout) == kept(runs) > 0


def test_spreadsheet_title_case_csv_headers_are_read():
    # a CSV re-saved from a spreadsheet with friendly headers: before, every row "of an unknown shape"
    r = _read("x.csv", b"Model,Prompt Tokens,Completion Tokens\ngpt-4o,10,2\ngpt-4o,5,1\n")
    assert _lines(r) == [2, 3] and r.summary()["prompt_tokens"] == 15


@pytest.mark.parametrize("bad", [1, 253402300000, "9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "1999-01-01"])
def test_a_placeholder_date_never_stretches_the_logged_span(bad):
    # one record dated 9999-12-31 (or epoch 1) made 200 requests over 1.4 days read as 0.01 requests/day
    from advisor.workload import profile_tasks
    recs = [{"model": "gpt-4o", "usage": {"prompt_tokens": 50, "completion_tokens": 10}, "created": 1730000000 + i * 600}
            for i in range(200)]
    recs.append({**recs[0], "created": bad})
    r = _read("t.jsonl", "".join(json.dumps(x) + "\n" for x in recs).encode())
    assert not r.problems and len(r.frame) == 201  # its token counts are good: kept, with no time
    # 200 requests, 10 minutes apart: 199 x 600 s = 1.382 days observed (+ one request interval) -> ~143/day
    assert 100 < profile_tasks(r.frame)["all"].requests_per_day < 200


def test_per_request_csv_cells_never_start_a_formula(tmp_path):
    # model names and request ids come from whoever calls the API: "=HYPERLINK(...)" ran in a spreadsheet
    from advisor.cli.main import main
    rec = {"id": "=cmd|' /C calc'!A0", "model": "+SUM(1)", "usage": {"prompt_tokens": 5, "completion_tokens": 1},
           "created": 1730000000}
    log, out = tmp_path / "i.jsonl", tmp_path / "pr.csv"
    log.write_text(json.dumps(rec) + "\n")
    assert main(["count", str(log), "--ft-tokenizer", "none", "--per-request", str(out)]) == 0
    import csv as _csv
    rows = list(_csv.DictReader(out.open()))
    assert rows[0]["request_id"] == "'=cmd|' /C calc'!A0" and rows[0]["model"] == "'+SUM(1)"
    assert rows[0]["prompt_tokens"] == "5.0"


@pytest.mark.parametrize("doc, n", [
    ({"generations": [json.loads(GOOD), json.loads(GOOD), 5]}, 3),   # a list under a key we do not know
    ({"run-1": json.loads(GOOD), "run-2": json.loads(GOOD)}, 2),     # an object keyed by id
])
def test_records_under_an_unknown_wrapper_are_each_accounted(doc, n):
    # before: one "unknown shape" problem stood for every record inside
    r = _read("w.json", json.dumps(doc, indent=1).encode())
    assert len(r.frame) == 2 and len(r.frame) + len(r.problems) == n


def test_task_labels_stay_on_one_line_of_the_text_output():
    # a prompt id with a newline and a terminal escape split the `advise` text output and recoloured the terminal
    rec = {"model": "gpt-4o", "usage": {"prompt_tokens": 5, "completion_tokens": 1}, "created": 1730000000,
           "metadata": {"prompt_id": "t\x1b[2J\nfake line"}}
    r = _read("a.jsonl", (json.dumps(rec) + "\n").encode())
    assert r.frame["task"].astype(str).tolist() == ["t?[2J?fake line"]


def test_a_key_holding_text_is_never_listed_as_a_field_name():
    # `{"SECRET-CANARY-7f3a key.": 1}` as a record: the "unknown shape (keys: ...)" message showed the key, which
    # passed for a spreadsheet header of a few words (bench/fuzz.py --only redteam --mutations 600 --seed 3)
    rec = json.dumps({f"{CANARY} key.": 1, "Prompt Tokens x": 2}).encode() + b"\n"
    r = _read("k.jsonl", rec + GOOD)
    assert len(r.frame) == 1 and [p.line for p in r.problems] == [1]
    assert CANARY not in r.problems[0].reason and "<key of" in r.problems[0].reason
    with pytest.raises(AdvisorError) as e:
        _read("k2.jsonl", rec)
    assert CANARY not in str(e.value)


def test_a_langsmith_batch_with_a_broken_half_lists_it_and_keeps_the_other():
    # found by mutating a real wrap_openai payload (exports3): 'patch' not a list beside a list of posts raised a
    # TypeError; now the broken half is a problem naming 'patch' and the posts are read
    run = {"id": "r1", "name": "ChatOpenAI", "run_type": "llm", "start_time": "2025-01-01T00:00:00Z",
           "inputs": {"messages": [{"role": "user", "content": "hi"}]},
           "outputs": {"generations": [[{"text": "hello"}]]}}
    res = _read("runs.json", json.dumps({"post": [run], "patch": 1.5}).encode())
    assert [p.reason for p in res.problems] == ["patch: field 'patch': expected a list of runs"]
    assert len(res.frame) == 1   # the post, read alone


def test_a_logs_insights_cell_whose_field_is_no_name_is_a_problem_not_a_crash():
    # found by mutating a real CloudWatch Logs Insights result (exports3): a cell {"field": [...], "value": ...}
    # raised "unhashable type"; such a cell is no cell: the row is listed as a problem
    rows = [[{"field": "@timestamp", "value": "2025-08-22 14:48:41.000"}, {"field": ["@message"], "value": "{}"}]]
    with pytest.raises(AdvisorError, match=r"results\[0\]: expected a row of \{field, value\} cells"):
        _read("insights.json", json.dumps({"results": rows, "status": "Complete", "statistics": {}}).encode())
