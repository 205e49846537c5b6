"""7B counts by segment equal sentencepiece on whole texts (issue 20: the 7B counts were half the CPU of reading
the sample; a word is now encoded once per call).

The rule (:func:`advisor.tokens.counter.ft_lengths`): sentencepiece writes spaces as '▁' and puts one before the
text; no piece of the shipped tokenizers holds a '▁' after another character, so a text's tokens are the tokens of
its segments (a run of spaces and the word after it), each encoded alone.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.tokens import counter
from advisor.tokens.counter import FT_TOKENIZERS, _ft_segments, ft_lengths, get_ft_tokenizer

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# spaces of every kind, '▁' written in the text, line ends, tabs, control characters, digits, accents, CJK, emoji,
# the instruct template's markers, and words
_CHARS = st.sampled_from(list(" \t\n\r\u2581\u3000\u00a0\u200bab.,!?09éü漢字😀\x00\x01\x7f<>/{}\"'") +
                         ["the", " of", "  ", "    ", "\n\n", "```", "▁▁", "[INST]", "[/INST]", "<s>", "</s>",
                          "Hello", " world", "ＡＢ", "ﬁ", "e\u0301"])
_TEXT = st.lists(_CHARS, max_size=40).map("".join) | st.text(max_size=60)


def _whole(texts: list[str], name: str) -> list[int]:
    """The plain definition: each text encoded whole (a text with a lone surrogate, cleaned as ft_lengths does)."""
    sp = get_ft_tokenizer(name)
    out = []
    for t in texts:
        try:
            out.append(len(sp.encode(t)))
        except (RuntimeError, TypeError, UnicodeError):
            out.append(len(sp.encode(t.encode("utf-8", "replace").decode("utf-8"))))
    return out


@pytest.mark.parametrize("name", list(FT_TOKENIZERS))
class TestBySegment:
    @SETTINGS
    @given(texts=st.lists(_TEXT, max_size=8))
    def test_equals_each_text_encoded_whole(self, name, texts):
        assert ft_lengths(texts, name) == _whole(texts, name)

    def test_the_pieces_hold_no_space_after_another_character(self, name):
        sp = get_ft_tokenizer(name)
        pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        assert not [p for p in pieces if "▁" in p.lstrip("▁")]
        assert sp.piece_to_id("▁") != sp.unk_id()  # a lone trailing space is this one piece

    def test_slices_and_a_full_memo_change_nothing(self, name, monkeypatch):
        texts = [f"word{i % 7} and  more words {i}\nline two " for i in range(300)] + ["é\ud800x y", "", "  "]
        expected = _whole(texts, name)
        monkeypatch.setattr(counter, "_FT_SLICE_CHARS", 100)
        monkeypatch.setattr(counter, "_FT_SEGMENTS_KEPT", 5)
        assert ft_lengths(texts, name, threads=2) == expected


def test_segments_cover_the_text_after_the_leading_space():
    for text in ["Hello  world, hi ", "  two", "a\u2581b", " ", "x\t y\n z"]:
        assert "".join(_ft_segments(text)) == " " + text.replace("\u2581", " ")
        assert all(s.startswith(" ") and " " not in s.lstrip(" ") for s in _ft_segments(text))


def test_a_text_that_is_not_a_string_is_encoded_as_before():
    assert ft_lengths(["ab", 12], "mistral-v1") == [len(get_ft_tokenizer("mistral-v1").encode(t)) for t in ("ab", "12")]
