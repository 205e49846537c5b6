"""The fast paths of reading give what the plain ones give (issue 20: reading was made faster and its memory
bounded by bytes without changing a count or a hash).

- template masks: the per-word digit passes equal every pass of ``_MASKS`` over the whole text, in order;
- step markers: the gated regexes equal the two regexes run on every answer;
- 7B lengths encoded in slices equal one call on all texts; memos bounded by characters answer as before;
- worker processes and this process sharing one queue equal one process, and a pool that cannot start leaves
  every task to this process, each counted once.
"""

import string
from concurrent.futures.process import BrokenProcessPool

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.logs import read_logs
from advisor.logs.answer import _NUMBERED, _STEPS, _step_markers
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


def _steps_plain(answer: str) -> bool:
    return bool(_STEPS.search(answer) or len(_NUMBERED.findall(answer)) >= 3)


_STEP_WORDS = ["step", "Step", "STEP", "ſtep", "by", "-", " ", "\n", "think", "THINK", "let's", "lets", "<think>",
               "chain of thought", "chain", "1.", "2)", "3. ", "step 4", "\n  5. ", "٣. ", "İ", "x", "K"]


class TestStepMarkers:
    @settings(max_examples=800, deadline=None)
    @given(st.lists(st.sampled_from(_STEP_WORDS), max_size=20).map("".join) | st.text(max_size=60))
    def test_equals_the_regexes_on_every_answer(self, answer):
        assert _step_markers(answer) == _steps_plain(answer)


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


class TestPool:
    def test_this_process_and_workers_equal_one_process(self, sample):
        one = read_logs(sample, processes=1, task_bytes=4096)
        assert _totals(read_logs(sample, processes=2, task_bytes=4096)) == _totals(one)

    def test_a_pool_that_cannot_start_leaves_the_tasks_here(self, sample, monkeypatch):
        def broken(*_a, **_k):
            raise BrokenProcessPool("workers could not start")

        monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor.submit", broken)
        one = read_logs(sample, processes=1, task_bytes=4096)
        assert _totals(read_logs(sample, processes=3, task_bytes=4096)) == _totals(one)
