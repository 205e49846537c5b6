"""The recording-quirk rules (tests/tokens/recorded_quirks.py) on hand-written records: each rule finds its kind,
and real-looking calls are left alone."""

from __future__ import annotations

import base64
import json
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recorded_quirks import KINDS, Quirk, find_quirks, listed  # noqa: E402

CHAT_ID = "chatcmpl-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O"   # 29 letters and digits, the API's form
RESP_ID = "resp_" + "67ceff39d5e88191885004de76d26e43"     # 32 hex digits, the API's early form


def png(width: int, height: int) -> str:
    """A data URL of a grey PNG of ``width`` x ``height`` px."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    raw = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(data).decode()


def rec(i: str, *, rid: str = CHAT_ID, messages: list | None = None, billed: int = 20, endpoint: str = "chat.completions",
        **options) -> dict:
    body = {"model": "gpt-4o-mini", "messages": messages or [{"role": "user", "content": "Hi"}], **options}
    return {"id": i, "source": f"o/r:tests/cassettes/{i}.yaml@{'0' * 40}#0", "endpoint": endpoint,
            "request": body, "response": {"id": rid}, "usage": {"prompt_tokens": billed}}


def kinds(records: list[dict], **kw) -> dict[str, str]:
    return {i: q.kind for i, q in find_quirks(records, listed_quirks=kw.get("listed_quirks", {})).items()}


class TestNonApiId:
    @pytest.mark.parametrize("rid", ["chatcmpl-test123", "chatcmpl-CassetteBerlin01", "chatcmpl-1234567890abcdef",
                                     "chatcmpl-7311b1fd-f110-46ca-8ab6-2c48f91095af", "gen-1753242300-j60LWi6MpN4lMZw1zTHK"])
    def test_chat_ids_not_of_the_api_form(self, rid):
        # forms seen in recorded cassettes (Arize-ai/phoenix, openai/openai-dotnet, simonw/llm)
        assert kinds([rec("a", rid=rid)]) == {"a": "non-API id"}

    @pytest.mark.parametrize("rid", ["resp_1234", "resp_test123abc", "resp_test_verbosity_simple"])
    def test_responses_ids_not_of_the_api_form(self, rid):
        assert kinds([rec("a", rid=rid, endpoint="responses")]) == {"a": "non-API id"}

    def test_api_ids_kept(self):
        assert kinds([rec("a"), rec("b", rid=RESP_ID, endpoint="responses")]) == {}


class TestSameResponseId:
    def test_a_later_version_with_other_messages_is_an_edited_request(self):
        # read in the builder's order, newest cassette version first: the last read is the one recorded
        newer = rec("new", messages=[{"role": "user", "content": "Hi there"}])
        older = rec("old")
        found = find_quirks([newer, older], listed_quirks={})
        assert {i: q.kind for i, q in found.items()} == {"new": "edited request"}
        assert "first answered old" in found["new"].reason

    def test_copies_differing_in_max_tokens_only_are_duplicates(self):
        assert kinds([rec("a", max_tokens=0), rec("b", max_tokens=100)]) == {"a": "duplicate"}

    def test_three_copies_keep_the_last(self):
        assert kinds([rec("a", max_tokens=1), rec("b", max_tokens=2), rec("c")]) == {"a": "duplicate", "b": "duplicate"}

    def test_different_ids_left_alone(self):
        assert kinds([rec("a"), rec("b", rid=CHAT_ID[:-1] + "Z", messages=[{"role": "user", "content": "Yo"}])]) == {}

    def test_non_api_ids_are_not_grouped(self):
        # hand-written responses often share one id: each is a non-API id, none an edit of another
        found = kinds([rec("a", rid="chatcmpl-test123"), rec("b", rid="chatcmpl-test123", max_tokens=5)])
        assert found == {"a": "non-API id", "b": "non-API id"}


class TestDatePlaceholder:
    def test_auto_gpt_filter_date_in_a_system_message(self):
        system = {"role": "system", "content": "You are Entrepreneur-GPT.\nThe current time and date is Tue Jan  1 00:00:00 2000"}
        assert kinds([rec("a", messages=[system, {"role": "user", "content": "Go"}])]) == {"a": "date placeholder"}

    def test_the_date_elsewhere_is_not_a_placeholder(self):
        user = {"role": "user", "content": "What happened on Tue Jan  1 00:00:00 2000?"}
        assert kinds([rec("a", messages=[user])]) == {}

    def test_a_duplicate_is_reported_as_a_duplicate(self):
        system = {"role": "system", "content": "Time: Tue Jan  1 00:00:00 2000"}
        found = kinds([rec("a", messages=[system], max_tokens=0), rec("b", messages=[system])])
        assert found == {"a": "duplicate", "b": "date placeholder"}


class TestSecretPlaceholder:
    def test_a_filtered_word_in_the_prompt(self):
        # vicentereig/dspy.rb async_basic_lm_call.yml at cdaed7b (2025-09-07): GEMINI_API_KEY was 'test', so the
        # filter wrote 'Simple <GEMINI_API_KEY>t signature for async retry <GEMINI_API_KEY>ting'; billed 401, the
        # saved text counts 415 (re-recorded without the filter's rewrite in 9e0b097)
        system = {"role": "system", "content": "Simple <GEMINI_API_KEY>t signature for async retry <GEMINI_API_KEY>ting"}
        assert kinds([rec("a", messages=[system, {"role": "user", "content": "What is 2+2?"}])]) == {
            "a": "secret placeholder"}

    def test_markup_and_other_placeholders_are_not_secrets(self):
        user = {"role": "user", "content": "Keep <b>bold</b>, <USER_NAME> and <OUTPUT> as they are."}
        assert kinds([rec("a", messages=[user])]) == {}


class TestPlaceholderImage:
    @staticmethod
    def image_call(url: str, billed: int) -> dict:
        return rec("a", billed=billed, messages=[{"role": "user", "content": [
            {"type": "text", "text": "Describe this image for me."},
            {"type": "image_url", "image_url": {"url": url}}]}])

    def test_a_1x1_png_billed_thousands_is_a_placeholder(self):
        # openai/openai-dotnet's session records: a 1x1 PNG in calls billed 25,524 and 36,849 prompt tokens
        found = find_quirks([self.image_call(png(1, 1), 25_524)], listed_quirks={})
        assert found["a"].kind == "placeholder image" and "25,524" in found["a"].reason

    def test_a_1x1_png_billed_what_it_can_cost_is_kept(self):
        # gpt-4o-mini: a 1x1 image at high detail is 2,833 + 5,667 = 8,500 tokens (advisor.tokens.media)
        assert kinds([self.image_call(png(1, 1), 8_520)]) == {}

    def test_a_real_image_billed_thousands_is_kept(self):
        assert kinds([self.image_call(png(64, 64), 25_524)]) == {}


class TestListed:
    def test_listed_ids_with_their_reason(self, tmp_path):
        path = tmp_path / "quirks.json"
        path.write_text(json.dumps({"b": "the cassette's prompt was rewritten by hand (commit abc)"}))
        found = find_quirks([rec("a"), rec("b", rid=CHAT_ID[:-1] + "Z")], listed_quirks=listed(path))
        assert found == {"b": Quirk("listed", "the cassette's prompt was rewritten by hand (commit abc)")}

    def test_a_rule_names_the_kind_before_the_list(self):
        found = find_quirks([rec("a", rid="chatcmpl-test123")], listed_quirks={"a": Quirk("listed", "why")})
        assert found["a"].kind == "non-API id"

    def test_no_file_no_listed_quirks(self, tmp_path):
        assert listed(tmp_path / "quirks.json") == {}

    def test_a_malformed_list_names_the_file_and_the_form(self, tmp_path):
        path = tmp_path / "quirks.json"
        path.write_text(json.dumps(["a"]))
        with pytest.raises(ValueError, match="quirks.json: write an object of recorded call id -> reason"):
            listed(path)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="use one of non-API id"):
        Quirk("typo", "why")


def test_every_kind_has_a_rule_tested_here():
    assert KINDS == ("non-API id", "edited request", "duplicate", "date placeholder", "secret placeholder",
                     "placeholder image", "listed")
