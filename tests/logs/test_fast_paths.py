"""The fast paths of reading give what the plain ones give (issue 20: reading was made faster and its memory
bounded by bytes without changing a count or a hash).

- template masks: the per-word digit passes equal every pass of ``_MASKS`` over the whole text, in order;
- step markers: the gated regexes equal the two regexes run on every answer;
- records: ``openai_usage``'s whole-count shortcut and ``TemplateHasher.keys_static`` equal ``_num`` and
  ``keys`` + ``static``;
- answers: ``measure_answer`` (orjson where it decodes as json does, whitespace collapsed without a split when
  nothing would change, one lower-casing) and ``reasoning_tokens`` equal their plain definitions;
- 7B lengths encoded in slices equal one call on all texts; memos bounded by characters answer as before;
- worker processes and this process taking tasks from one counter equal one process; a pool that cannot start,
  or a worker that dies with a task, leaves those tasks to this process, each counted once; a worker's error is
  the read's; progress ends at the total, never going back.
"""

import hashlib
import json
import math
import os
import re
import string
import time
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
import xxhash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import advisor.logs.answer as answer_module
from advisor.logs import read_logs
from advisor.logs.answer import (
    _NUMBERED,
    _STEPS,
    _USAGE_PATHS,
    _as_json,
    _collapsed,
    _numbered_lines,
    _step_markers,
    is_plain,
    measure_answer,
    measure_plain,
    measure_text_flagged,
    reasoning_tokens,
)
from advisor.logs.records import RecordProblem, _num, maybe_json, openai_usage
from advisor.logs.template import _MASKS, TemplateHasher, _masked_keys, mask
from advisor.samples import write_sample_logs
from advisor.tokens.counter import LengthMemo, ft_lengths, get_ft_tokenizer


def _mask_every_pass(text: str) -> str:
    """The definition: every pass over the whole text, in order, then whitespace collapsed."""
    for pattern, repl, _ in _MASKS:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


# characters each pass turns on (digits of several scripts, superscripts that are not \d, quotes, separators,
# whitespace \s matches and str.split splits on) and words that make ids, dates, emails and URLs
_CHARS = string.ascii_letters[:8] + "AZXYfF0123456789٣²-_.,+/:@\"'“”\n\t \u00a0\u2003"
_WORDS = ["ACME-42", "AB12", "deadbeef01", "DEADBEEF", "12345678", "2024-05-01", "2024-05-01T10:00:00Z", "3/4/24",
          "https://a.b/c", "ann@x.io", "1,234.5", "-7", "+3", "'quoted 9'", "\"x 1\"", "“y 2”", "550e8400-e29b-41d4-"
          "a716-446655440000", "word", "Word.", "step", "(3", "٣٤", "x²"]
_TEXT = st.lists(st.one_of(st.text(_CHARS, max_size=12), st.sampled_from(_WORDS)), max_size=30).map(" ".join) | \
    st.text(_CHARS, max_size=80)


class TestMask:
    @settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_TEXT)
    def test_equals_every_pass_over_the_whole_text(self, text):
        assert mask(text) == _mask_every_pass(text)

    @pytest.mark.parametrize("text", ["You are assistant 12. Help with order A1B2C3D4 of 2024-05-01",
                                      "Agent 7\nof\tdeadbeef01, ticket AB-12 (2.5 h)", "no digits here", "",
                                      "He said \"call 555 0100\" at 9", "id 550e8400-e29b-41d4-a716-446655440000"])
    def test_examples(self, text):
        assert mask(text) == _mask_every_pass(text)

    def test_hasher_memo_is_bounded_by_characters(self):
        h = TemplateHasher(max_chars=4000)
        texts = [f"You are assistant {i}. " + "word " * 150 for i in range(40)]
        for t in texts:
            assert h._keys_of(t) == _masked_keys(t)
        assert h._chars <= 4000
        assert all(h._keys_of(t) == _masked_keys(t) for t in texts)  # evicted or kept, the same keys
        assert h._length_chars <= 4000 // 4

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.lists(st.sampled_from(["a", "b", "7", " ", "x1"]), min_size=0, max_size=6).map("".join),
                    max_size=30), st.sampled_from([24, 200, 16 << 20]))
    def test_hasher_keys_of_texts_of_one_length_are_their_own(self, texts, max_chars):
        """The last text of each length is tried first: texts of the same length (and the same text decoded
        again, a different object) still get their own keys, with the memos full or evicted."""
        h = TemplateHasher(max_chars=max_chars)
        for t in texts:
            assert h._keys_of("".join(list(t))) == _masked_keys(t)


def _steps_plain(answer: str) -> bool:
    return bool(_STEPS.search(answer) or len(_NUMBERED.findall(answer)) >= 3)


_STEP_WORDS = ["step", "Step", "STEP", "ſtep", "by", "-", " ", "\n", "think", "THINK", "let's", "lets", "<think>",
               "chain of thought", "chain", "1.", "2)", "3. ", "step 4", "\n  5. ", "٣. ", "İ", "x", "K", "\x1c", "\x1f",
               "\x0c", "\t", "\r\n", "Step\x1d7", "9", "0)"]


class TestStepMarkers:
    @settings(max_examples=800, deadline=None)
    @given(st.lists(st.sampled_from(_STEP_WORDS), max_size=20).map("".join) | st.text(max_size=60))
    def test_equals_the_regexes_on_every_answer(self, answer):
        assert _step_markers(answer) == _steps_plain(answer)

    @settings(max_examples=1500, deadline=None)
    @given(st.lists(st.sampled_from(["\n", "\n\n", " ", "\t", "1", "22", ".", ")", "step", "Step ", "STEP3", "a", "x.",
                                     "\r", "\x0b", "\u2003", "٣", "ſtep"]), max_size=40).map("".join))
    def test_numbered_lines_count_what_finditer_finds(self, answer):
        assert _numbered_lines(answer, most=8) == min(8, len(_NUMBERED.findall(answer)))

    @settings(max_examples=1500, deadline=None)
    @given(st.lists(st.sampled_from(["\n", "\n\n", " ", "\t", "1", "22", ".", ")", "step", "Step ", "STEP3", "a", "x.",
                                     "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "_", "9x"]),
                    max_size=40).map("".join))
    def test_ascii_patterns_count_what_the_str_patterns_find_in_ascii_text(self, answer):
        """\\s of a str pattern also matches bytes 28-31 (str.isspace's): the ASCII patterns name them."""
        got = _numbered_lines(answer, most=8, first=answer_module._NUMBERED_ASCII,
                              after=answer_module._NUMBERED_AFTER_BREAK_ASCII)
        assert got == min(8, len(_NUMBERED.findall(answer)))

    @settings(max_examples=1500, deadline=None)
    @given(st.lists(st.sampled_from(["step", "Step", "STEP", "sTeP", " ", "  ", "-", "by", "By", "let", "Let", "'", "s",
                                     "think", "THINK", "<", ">", "chain", "Chain", "of", "thought", "_", "x", "\n",
                                     "step by step", "let's think", "<think>", "chain of thought"]),
                    max_size=12).map("".join))
    def test_step_words_in_ascii_text_are_what_the_regex_finds(self, answer):
        assert answer_module._steps_ascii(answer, answer.lower()) == (_STEPS.search(answer) is not None)

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
    def test_a_digit_is_what_the_regex_finds_in_ascii_text(self, text):
        assert answer_module._has_ascii_digit(text) == (re.search(r"\d", text) is not None)


# the definitions of advisor.logs.answer before its fast paths (issue 20): json.loads, split and join, regexes
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S | re.I)
_WORD = re.compile(r"\w[\w'-]*", re.U)


def _h48(text):
    return float(xxhash.xxh3_64_intdigest(text.encode("utf-8", "replace")) >> 16)


def _blake48(text):
    return float(int.from_bytes(hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=6).digest(), "big"))


def _as_json_plain(text):
    t = text.strip()
    m = _FENCE.match(t)
    if m:
        t = m.group(1)
    if not t or t[0] not in "[{":
        return None
    try:
        return json.loads(t)
    except (ValueError, RecursionError):
        return None


def _measure_plain(messages, tools, completion, options=None):
    calls, text = [], None
    if isinstance(completion, str):
        text = completion
    elif isinstance(completion, Mapping):
        c = completion.get("content")
        text = " ".join(str(p.get("text", "")) for p in c if isinstance(p, Mapping)) if isinstance(c, list) else \
            c if isinstance(c, str) else None
        raw = completion.get("tool_calls")
        calls = [c for c in raw if isinstance(c, Mapping)] if isinstance(raw, list) else []
        if isinstance(completion.get("function_call"), Mapping):
            calls.append({"function": completion["function_call"]})
    roles = [m.get("role") for m in messages if isinstance(m, Mapping)] if isinstance(messages, list) else []
    flags = (1 if roles.count("user") > 1 or "assistant" in roles else 0) | \
        (2 if tools or (isinstance(options, Mapping) and options.get("functions")) else 0) | \
        (4 if "tool" in roles or "function" in roles else 0) | (8 if text and _steps_plain(text) else 0)
    if calls:
        names = [str((c.get("function") or {}).get("name", "")) for c in calls]
        args = [str((c.get("function") or {}).get("arguments", "")) for c in calls]
        return 3, _h48("call:" + "|".join(names) + "|" + " ".join(" ".join(args).split())), \
            _h48("call:" + "|".join(names)), flags
    if text is None or not text.strip():
        return 0, math.nan, math.nan, flags
    parsed = _as_json_plain(text)
    norm = " ".join(text.lower().split())
    if parsed is not None:
        head = ",".join(sorted(map(str, parsed))) if isinstance(parsed, dict) else "[list]"
        return 2, _h48(norm), _h48("json:" + head), flags
    word = _WORD.search(norm)
    return 1, _h48(norm), _h48("word:" + (word.group() if word else norm[:20])), flags


def _reasoning_plain(record):
    for path in _USAGE_PATHS:
        u = record
        for key in path:
            u = u.get(key) if isinstance(u, Mapping) else None
            if u is None:
                break
        if isinstance(u, str) and u.startswith("{"):
            try:
                u = json.loads(u)
            except ValueError:
                u = None
        if not isinstance(u, Mapping):
            continue
        d = u.get("completion_tokens_details") or u.get("output_tokens_details")
        v = d.get("reasoning_tokens") if isinstance(d, Mapping) else None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e9:
            return float(v)
    return None


def _same(a, b):
    return len(a) == len(b) and all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
                                    for x, y in zip(a, b))


# answers: JSON pieces (also NaN, huge numbers, lone surrogates, duplicate keys, fences), words, every whitespace
_ANSWER_BITS = ['{"a": 1}', '{"b": [1, 2], "a": "x"}', "[1, 2]", "[", "{", "}", "]", '"k"', ":", ",", " ", "  ", "\n",
                "\n\n", "\n\n\n", " \n", "\n ", "Dear Ana,\n\nThanks.", "- a\n- b\n",
                "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\xa0", "\u2003", "\u3000", "NaN", "Infinity", "1e400",
                "9" * 30, '"\\ud800"', '{"a": 1, "a": 2}', "```json\n", "```", "Step 1", "let's think", "Think",
                "chain of thought", "İ", "ß", "Billing", "- refund", "1. a", "\n2) b", "3. c", "x²", "٣", "null", "true"]
_ANSWER = st.lists(st.sampled_from(_ANSWER_BITS), max_size=14).map("".join) | st.text(max_size=40) | \
    st.recursive(st.none() | st.integers() | st.text(max_size=5),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                 max_leaves=8).map(json.dumps)
# plain ASCII answers (what measure_plain takes): words longer than its window, runs of ASCII whitespace, words
# that open a step marker or not, numbered lines, answers opening with no word
_PLAIN_ANSWER = st.lists(st.sampled_from(["Billing", "refund", "a" * 31, "b" * 32, "Supercalifragilistic-expialidocious's",
                                          " ", "  ", "\n", "\t", "\r\n", "\x0b", "\x1c", "\x1f", "step", "Step", " by ",
                                          "-by-", "STEP BY STEP", "think", "Let's", "lets", "<think>", "thin", "chai",
                                          "chain of thought", "Chain Of  Thought", "1. ", "2) ", "Step 3", "x", "_",
                                          "'", "-", "#", "*", ",", ".", "9"]), min_size=1, max_size=16).map("".join)
_COMPLETION = _ANSWER | st.builds(lambda c: {"role": "assistant", "content": c}, _ANSWER) | \
    st.builds(lambda parts: {"content": [{"type": "text", "text": p} for p in parts]}, st.lists(_ANSWER, max_size=3)) | \
    st.builds(lambda names, args: {"content": None, "tool_calls": [{"function": {"name": n, "arguments": a}}
                                                                    for n, a in zip(names, args)]},
              st.lists(st.sampled_from(["f", "get_x", ""]), min_size=1, max_size=3), st.lists(_ANSWER, max_size=3)) | \
    st.builds(lambda a: {"function_call": {"name": "f", "arguments": a}}, _ANSWER) | st.none() | st.integers()
_MESSAGES = st.none() | st.lists(st.builds(lambda r: {"role": r, "content": "x"},
                                           st.sampled_from(["system", "user", "assistant", "tool", "function"])),
                                 max_size=5)


class TestAnswer:
    @settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_MESSAGES, st.none() | st.just([{"type": "function"}]), _COMPLETION,
           st.none() | st.just({"functions": [{"name": "f"}]}))
    def test_equals_the_plain_definition(self, messages, tools, completion, options):
        assert _same(measure_answer(messages, tools, completion, options),
                     _measure_plain(messages, tools, completion, options))

    @settings(max_examples=1500, deadline=None)
    @given(_ANSWER)
    def test_json_and_whitespace_as_json_and_split_give_them(self, text):
        got, want = _as_json(text), _as_json_plain(text)
        assert (got is None) == (want is None)
        if isinstance(want, dict):
            assert sorted(got) == sorted(want)
        assert _collapsed(text) == " ".join(text.split())

    @pytest.mark.parametrize("text", ["[" * 450 + "]" * 450, "[" * 1200 + "]" * 1200, '{"a": NaN}', "[1e400]",
                                      "[" + "1" * 5000 + "]", '["\\udc80"]', '```json\n{"b": 1, "a": 2}\n```'])
    def test_edges_of_json(self, text):
        got, want = _as_json(text), _as_json_plain(text)
        assert (got is None) == (want is None) and (not isinstance(want, dict) or sorted(got) == sorted(want))

    @settings(max_examples=400, deadline=None)
    @given(st.lists(_ANSWER, max_size=8), st.sampled_from([0, 1, 2, 4, 8, 15]))
    def test_the_lean_path_with_a_memo_of_heads_equals_the_plain_definition(self, texts, flags):
        """measure_text_flagged (the usage rows' measure: ASCII answers written out, heads memoized across a
        read) gives what the plain definition gives, the prompt's flags kept."""
        heads: dict = {}
        for text in texts + texts:  # each head twice: from the memo the second time
            want = _measure_plain(None, None, text)
            assert _same(measure_text_flagged(flags, text, heads), (want[0], want[1], want[2], want[3] | flags))

    @settings(max_examples=400, deadline=None)
    @given(st.lists(_ANSWER | _PLAIN_ANSWER, max_size=10))
    def test_plain_answers_measured_together_equal_the_plain_definition(self, texts):
        """measure_plain (the usage rows' batches of plain ASCII answers: one pass over all of them) gives, for
        each answer is_plain admits, what the plain definition gives; the others are measured one by one."""
        plain = [t for t in texts if is_plain(t)]
        assert all(measure_text_flagged(0, t)[0] == 1 for t in plain)  # text, not JSON
        words: dict = {}
        for batch in (plain, plain[::-1]):  # the second time heads from the memo
            hashes, heads, steps = measure_plain(batch, words)
            got = [(1, h, head, 8 * step) for h, head, step in zip(hashes.tolist(), heads.tolist(), steps.tolist())]
            assert got == [_measure_plain(None, None, t) for t in batch]

    def test_the_answer_hash_is_xxh3_64s_top_48_bits(self):
        """XXH3-64 (seed 0) of b"" is 0x2d06800538d394c2 (xxHash's own test of the empty input), of b"billing"
        0xce821fc325e30562 (the xxhash package): the answer hash keeps the top 48 bits, exact in a float64."""
        assert answer_module._h48("") == float(0x2d06800538d3)
        assert answer_module._h48("billing") == float(0xce821fc325e3)
        assert answer_module._h48("a\udc80") == answer_module._h48("a?")  # a lone surrogate hashed as '?'

    def test_without_xxhash_the_hash_is_blake2b(self, monkeypatch):
        monkeypatch.setattr(answer_module, "_xxh3", None)
        assert answer_module._h48("billing") == _blake48("billing")
        k, h, head, _ = measure_answer(None, None, "Billing  refund")
        assert (k, h, head) == (1, _blake48("billing refund"), _blake48("word:billing"))
        hashes, heads, _ = measure_plain(["Billing  refund"], {})
        assert (hashes.tolist(), heads.tolist()) == ([_blake48("billing refund")], [_blake48("word:billing")])

    def test_whitespace_outside_ascii_is_never_printable(self):
        """_collapsed's check reads ASCII text only: every other whitespace character makes the text non-ASCII."""
        assert [hex(c) for c in range(128) if chr(c).isspace()] == \
            ["0x9", "0xa", "0xb", "0xc", "0xd", "0x1c", "0x1d", "0x1e", "0x1f", "0x20"]

    @settings(max_examples=800, deadline=None)
    @given(st.recursive(st.none() | st.integers(-5, 10**10) | st.booleans() | st.floats() |
                        st.sampled_from(['{"completion_tokens_details": {"reasoning_tokens": 7}}', "{bad", "x"]),
                        lambda inner: st.dictionaries(st.sampled_from(
                            ["usage", "response", "body", "output", "response_body", "outputs", "metadata",
                             "usage_object", "completion_tokens_details", "output_tokens_details",
                             "reasoning_tokens"]), inner, max_size=4) | st.lists(inner, max_size=2),
                        max_leaves=12))
    def test_reasoning_tokens_equal_the_plain_lookup(self, record):
        assert reasoning_tokens(record) == _reasoning_plain(record)


def _usage_plain(u, field="usage"):
    """openai_usage before its shortcut: every count through _num."""
    u = maybe_json(u)
    if not isinstance(u, dict):
        return None
    p_key = "prompt_tokens" if u.get("prompt_tokens") is not None else "input_tokens"
    c_key = "completion_tokens" if u.get("completion_tokens") is not None else "output_tokens"
    p, c = _num(u.get(p_key), f"{field}.{p_key}"), _num(u.get(c_key), f"{field}.{c_key}")
    if p is None or c is None:
        return None
    details = maybe_json(u.get("prompt_tokens_details") or u.get("input_tokens_details")) or {}
    k = _num(details.get("cached_tokens"), f"{field}.prompt_tokens_details.cached_tokens") \
        if isinstance(details, dict) else None
    k = k or 0.0
    if k > p:
        raise RecordProblem(f"cached_tokens {k:g} exceed prompt_tokens {p:g}", f"{field}.prompt_tokens_details.cached_tokens")
    return p, c, k


def _outcome(fn, *args):
    try:
        return fn(*args)
    except RecordProblem as p:
        return ("problem", p.reason, p.field)


_COUNT = st.none() | st.integers(-3, 10**13) | st.sampled_from([10**12, 10**12 + 1, True, False, "", "1,234", "12"]) | \
    st.floats(allow_nan=True) | st.just([1])


class TestRecords:
    @settings(max_examples=1500, deadline=None)
    @given(st.dictionaries(st.sampled_from(["prompt_tokens", "completion_tokens", "input_tokens", "output_tokens"]),
                           _COUNT, max_size=4),
           st.none() | st.dictionaries(st.just("cached_tokens"), _COUNT, max_size=1) | st.just("x"))
    def test_usage_equals_every_count_through_num(self, usage, details):
        if details is not None:
            usage = {**usage, "prompt_tokens_details": details}
        assert _outcome(openai_usage, usage) == _outcome(_usage_plain, usage)

    @settings(max_examples=600, deadline=None)
    @given(st.none() | st.lists(st.builds(lambda r, c: {"role": r, "content": c},
                                          st.sampled_from(["system", "developer", "user", "assistant"]),
                                          st.sampled_from(["You are bot 12.", "Answer on 2024-05-01.", "", "hi 3"]) |
                                          st.just([{"type": "text", "text": "x 9"}]) | st.none()), max_size=4),
           st.none() | st.sampled_from(["Complete: 1", ""]), st.none() | st.sampled_from(["billing", "", "x\ny"]))
    def test_keys_static_equal_keys_and_static(self, messages, prompt_text, hint):
        h, plain = TemplateHasher(), TemplateHasher()
        assert h.keys_static(messages, prompt_text, hint) == \
            (*plain.keys(messages, prompt_text, hint), plain.static(messages))


class TestLengths:
    def test_slices_equal_one_call(self, monkeypatch):
        texts = [f"Text {i}: " + "refund order please " * (i % 50) for i in range(300)] + ["", "x"]
        whole = [len(ids) for ids in get_ft_tokenizer("mistral-v1").encode(texts)]
        monkeypatch.setattr("advisor.tokens.counter._FT_SLICE_CHARS", 500)
        assert ft_lengths(texts) == whole

    def test_memo_bounded_by_characters_answers_as_before(self):
        memo = LengthMemo(size=1000, min_chars=1, max_chars=300)
        texts = [f"t{i} " * (i % 13 + 1) for i in range(200)] * 2
        assert memo.lengths(texts, lambda todo: [len(t) for t in todo]) == [len(t) for t in texts]
        assert memo.chars <= 300 and memo.chars == sum(map(len, memo._d))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("pool") / "sample.jsonl"
    write_sample_logs(path, days=2, scale=0.4, seed=5)
    return path


def _totals(r):
    s = r.summary()
    return {k: s[k] for k in ("requests", "prompt_tokens", "completion_tokens", "ft_prompt_tokens", "skipped")}


def _dies_in_a_worker(task, opts, progress=None):
    """count_task, but the first worker to take a task dies with it (this process is slowed so workers take some)."""
    from advisor.logs.reader import count_task

    if os.getpid() == opts.storage_options["parent"]:
        time.sleep(0.05)
    else:
        marker = Path(opts.storage_options["marker"])
        if not marker.exists():
            marker.write_text("died")
            os._exit(1)
    return count_task(task, opts, progress)


def _slow_here(task, opts, progress=None):
    from advisor.logs.reader import count_task

    if os.getpid() == opts.storage_options["parent"]:
        time.sleep(0.05)  # the worker starts and takes tasks meanwhile
    return count_task(task, opts, progress)


def _fails_in_a_worker(task, opts, progress=None):
    from advisor.errors import LogError
    from advisor.logs.reader import count_task

    if os.getpid() == opts.storage_options["parent"]:
        time.sleep(0.05)
        return count_task(task, opts, progress)
    raise LogError("storage refused the read")


class TestPool:
    def test_this_process_and_workers_equal_one_process(self, sample):
        one = read_logs(sample, processes=1, task_bytes=4096)
        assert _totals(read_logs(sample, processes=2, task_bytes=4096)) == _totals(one)

    def test_a_read_leaves_its_workers_exiting_and_the_next_read_waits_for_them(self, sample, monkeypatch):
        """Every result in, the workers exit while the caller goes on; the next pool is made only once they have
        exited (no fork while the last pool's threads run), and the results stay those of one process."""
        import threading
        from concurrent.futures import ProcessPoolExecutor

        from advisor.logs import dispatch, reader
        from advisor.logs.dispatch import ReadOptions, run_tasks
        from advisor.logs.pieces import plan_tasks
        from advisor.logs.sources import expand_sources

        dispatch.wait_for_workers()  # an earlier test's read
        threads_before = threading.active_count()
        ending_when_made = []
        made = ProcessPoolExecutor.__init__

        def init(pool, *a, **k):
            ending_when_made.append(list(dispatch._ENDING))
            made(pool, *a, **k)

        monkeypatch.setattr(ProcessPoolExecutor, "__init__", init)
        sources = expand_sources([sample])
        names = [s.name for s in sources]
        tasks = plan_tasks(sources, names, task_bytes=8192)
        opts = ReadOptions(threads=1, storage_options={"parent": os.getpid()})
        one = _totals(read_logs(sample, processes=1, task_bytes=8192))
        managers = []
        for _ in range(2):
            results = {r.index: r for r in run_tasks(_slow_here, tasks, opts, processes=2)}
            assert _totals(reader._reduce(tasks, results, ReadOptions(threads=1), names, None)) == one
            assert len(dispatch._ENDING) == 1  # the read's pool's manager thread, joining its workers
            managers.append(dispatch._ENDING[0])
        assert ending_when_made == [[], []]  # each pool made with none still ending
        assert not managers[0].is_alive()  # the first pool's workers joined before the second pool was made
        dispatch.wait_for_workers()
        assert not managers[1].is_alive() and dispatch._ENDING == []
        assert threading.active_count() == threads_before  # none of the pools' left (start_method may fork)

    def test_a_read_leaves_old_objects_out_of_the_collectors_passes_and_puts_them_back(self, sample, monkeypatch):
        """During a read the objects made before it are frozen (no full pass over them: issue 20), after it, and
        after a read that fails, none is; objects the caller froze stay frozen."""
        import gc

        from advisor.errors import LogError
        from advisor.logs import reader

        seen = []
        run = reader._run
        monkeypatch.setattr(reader, "_run", lambda *a, **k: seen.append(gc.get_freeze_count()) or run(*a, **k))
        assert gc.get_freeze_count() == 0
        one = _totals(read_logs(sample, processes=1))
        assert seen[-1] > 1000 and gc.get_freeze_count() == 0
        with pytest.raises(LogError):
            read_logs(sample.parent / "no-such-file.jsonl", processes=1)
        assert gc.get_freeze_count() == 0
        garbage = []
        garbage.append(garbage)  # a cycle made before the read: collected after it
        del garbage
        read_logs(sample, processes=1)
        assert gc.collect() >= 1
        gc.freeze()  # the caller's own freeze (a server before it forks)
        try:
            frozen = gc.get_freeze_count()
            assert _totals(read_logs(sample, processes=2, task_bytes=4096)) == one
            assert gc.get_freeze_count() > frozen - 1000  # still frozen (less what the read let go of)
        finally:
            gc.unfreeze()

    def test_workers_are_forked_only_without_other_threads(self):
        import sys
        import threading

        from advisor.logs.dispatch import start_method

        alone = start_method()
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        try:
            assert start_method() == "spawn"
        finally:
            stop.set()
            other.join()
        assert alone == ("fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn")

    def test_a_worker_that_dies_leaves_its_tasks_here_counted_once(self, sample, tmp_path):
        from advisor.logs import reader
        from advisor.logs.dispatch import ReadOptions, run_tasks
        from advisor.logs.pieces import plan_tasks
        from advisor.logs.sources import expand_sources

        sources = expand_sources([sample])
        names = [s.name for s in sources]
        tasks = plan_tasks(sources, names, task_bytes=8192)
        assert len(tasks) > 4
        opts = ReadOptions(threads=1, storage_options={"parent": os.getpid(), "marker": str(tmp_path / "died")})
        seen = []
        results = {r.index: r for r in run_tasks(_dies_in_a_worker, tasks, opts, processes=2,
                                                 progress=lambda done, total: seen.append((done, total)))}
        assert (tmp_path / "died").exists()  # a worker took a task and died with it
        assert sorted(results) == [t.index for t in tasks]
        got = reader._reduce(tasks, results, ReadOptions(threads=1), names, None)
        assert _totals(got) == _totals(read_logs(sample, processes=1, task_bytes=8192))
        total = sum(t.bytes for t in tasks)
        assert seen[-1] == (total, total) and all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))

    def test_an_error_in_a_worker_is_the_reads_error(self, sample, tmp_path):
        from advisor.errors import LogError
        from advisor.logs.dispatch import ReadOptions, run_tasks
        from advisor.logs.pieces import plan_tasks
        from advisor.logs.sources import expand_sources

        sources = expand_sources([sample])
        tasks = plan_tasks(sources, [s.name for s in sources], task_bytes=8192)
        opts = ReadOptions(threads=1, storage_options={"parent": os.getpid()})
        with pytest.raises(LogError, match="storage refused"):
            list(run_tasks(_fails_in_a_worker, tasks, opts, processes=2))

    def test_a_pool_that_cannot_start_leaves_the_tasks_here(self, sample, monkeypatch):
        def broken(*_a, **_k):
            raise BrokenProcessPool("workers could not start")

        monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor.submit", broken)
        one = read_logs(sample, processes=1, task_bytes=4096)
        assert _totals(read_logs(sample, processes=3, task_bytes=4096)) == _totals(one)
