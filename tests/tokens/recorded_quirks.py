"""Recording quirks: recorded calls whose request or response is not what the API saw or sent, found from the
records themselves (tests/fixtures/recorded/README.md, "Recording quirks").

A quirk call says nothing about counting: its bill belongs to another request (edited after recording, or
rewritten by a VCR filter before it was saved), to no request at all (a response written by hand), or repeats a call
already read. The billed tests leave such calls out of every measure and report how many each rule took from each
file. Rules, in order (the first that applies names the call's kind):

1. ``non-API id``: the response id is not of the OpenAI API's form (``chatcmpl-`` and 29 or more letters and
   digits; ``resp_`` and 32 or more hex digits): written by hand, or by another server. Not when the response's
   time is 0 too (:func:`scrubbed`): a recorder that replays by the request wrote both over, and the call is kept.
2. ``edited request`` / ``duplicate``: records with the same (API-form) response id are one call. The record read
   last is kept: tools/build_fixtures.py writes a cassette's versions newest first, so that is the oldest version,
   the one recorded. A later copy whose billed fields (messages, tools, ...) differ was edited after recording; one
   differing only in other options (``max_tokens``) is the same call re-serialized.
3. ``date placeholder``: a system message holding ``Tue Jan  1 00:00:00 2000``, the date
   Significant-Gravitas/Auto-GPT's VCR filter wrote over the real one before saving the request.
4. ``secret placeholder``: prompt text holding a secret's placeholder (``<GEMINI_API_KEY>``): a VCR filter
   replaced every occurrence of a secret's value, and a short value (vicentereig/dspy.rb's test key ``test``)
   rewrote ordinary words (``<GEMINI_API_KEY>ting`` for ``testing``) before the request was saved.
5. ``placeholder image``: an inline image of at most 1 x 1 px in a call billed more than its request can cost (one
   token per character of the request without its images, plus each such image at high detail): the record holds
   a stand-in for the image that was sent.
6. ``listed``: an id in tests/fixtures/recorded/quirks.json (``{id: reason}``), for what no rule can see.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.tokens.media import data_url_bytes, image_rule, image_size, image_tokens

LISTED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded" / "quirks.json"

API_ID = {"chat.completions": re.compile(r"chatcmpl-[A-Za-z0-9]{29,}"), "responses": re.compile(r"resp_[0-9a-f]{32,}")}
# request fields that decide the prompt's tokens; copies of one call differing elsewhere are re-serializations
BILLED_FIELDS = ("model", "messages", "input", "instructions", "tools", "functions", "function_call", "tool_choice",
                 "response_format", "text", "parallel_tool_calls", "prediction", "reasoning", "reasoning_effort")
AUTO_GPT_DATE = "Tue Jan  1 00:00:00 2000"
# a VCR filter's stand-in for a secret (VCR's filter_sensitive_data writes <NAME>); never in a prompt the API saw
SECRET_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*(?:_API_KEY|_KEY|_TOKEN|_SECRET)>")
KINDS = ("non-API id", "edited request", "duplicate", "date placeholder", "secret placeholder", "placeholder image",
         "listed")


@dataclass(frozen=True)
class Quirk:
    """Why a recorded call is left out: its rule's ``kind`` (one of :data:`KINDS`) and a reason naming the evidence."""

    kind: str
    reason: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"quirk kind {self.kind!r}: use one of {', '.join(KINDS)}")


def response_id(rec: Mapping[str, Any]) -> str | None:
    rid = (rec.get("response") or {}).get("id")
    return rid if isinstance(rid, str) else None


def non_api_id(rec: Mapping[str, Any]) -> Quirk | None:
    """A response id the OpenAI API does not write: the response was written by hand (or by another server), unless
    the recorder scrubbed it (:func:`scrubbed`).

    >>> non_api_id({"endpoint": "chat.completions", "response": {"id": "chatcmpl-test123"}}).kind
    'non-API id'
    >>> non_api_id({"endpoint": "responses", "response": {"id": "resp_67ceff39d5e88191885004de76d26e43"}}) is None
    True
    """
    form = API_ID.get(rec.get("endpoint", ""))
    rid = response_id(rec)
    if form is None or rid is None or form.fullmatch(rid) or scrubbed(rec):
        return None
    return Quirk("non-API id", f"response id {rid!r} is not of the API's form ({form.pattern})")


def scrubbed(rec: Mapping[str, Any]) -> bool:
    """A response whose id and time a recorder wrote over (an id not of the API's form, and ``created`` /
    ``created_at`` 0): its usage is the API's, and the call is measured; its id names no call (rule 2 skips it).

    The recorders that do this replay a response by its request, so the request recorded is the one sent:
    ogx-ai/ogx's api_recorder names each recording by a hash of the normalized request and writes ``rec-<hash>``
    ids and ``created: 0`` over the response (its normalize_recordings: "make IDs deterministic and timestamps
    constant"); 0xPlaygrounds/rig's cassette scrubber writes ``chatcmpl-REDACTED_n`` / ``resp_REDACTED_n`` and 0 into
    httpmock documents matched on the request body (heldout7: all 817 and 412 records). No response written by hand
    in the recorded sets has a time of 0 (the other 38 records with a non-API id, fixtures and heldout3-7, all carry
    a real time), so the time separates the two there; a hand-written response with ``created: 0`` would be
    measured. Its time is no time (test_billed.created_at_s).

    >>> scrubbed({"endpoint": "chat.completions", "response": {"id": "chatcmpl-REDACTED_1", "created": 0}})
    True
    >>> scrubbed({"endpoint": "chat.completions", "response": {"id": "chatcmpl-test123", "created": 1735689600}})
    False
    """
    form = API_ID.get(rec.get("endpoint", ""))
    rid = response_id(rec)
    response = rec.get("response") or {}
    t = response.get("created_at", response.get("created"))
    return (form is not None and rid is not None and not form.fullmatch(rid)
            and type(t) in (int, float) and t == 0)


def date_placeholder(rec: Mapping[str, Any]) -> Quirk | None:
    """A system message holding Auto-GPT's VCR filter date: the request was rewritten before it was saved."""
    body = rec.get("request") or {}
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    if any(isinstance(m, dict) and m.get("role") == "system" and AUTO_GPT_DATE in json.dumps(m.get("content"))
           for m in messages):
        return Quirk("date placeholder", f"a system message holds {AUTO_GPT_DATE!r}, written over the real date "
                                         "by the project's VCR filter before recording")
    return None


def secret_placeholder(rec: Mapping[str, Any]) -> Quirk | None:
    """Prompt text holding a secret's VCR placeholder: the filter rewrote the request's words before saving it
    (vicentereig/dspy.rb 2025-09: 4 calls 14-53 tokens over, 'Simple <GEMINI_API_KEY>t signature').

    >>> secret_placeholder({"request": {"messages": [{"role": "user", "content": "a <GEMINI_API_KEY>t"}]}}).kind
    'secret placeholder'
    >>> secret_placeholder({"request": {"messages": [{"role": "user", "content": "a <b>test</b>"}]}}) is None
    True
    """
    body = rec.get("request") or {}
    found = SECRET_PLACEHOLDER.search(json.dumps([body.get(k) for k in ("messages", "input", "instructions")]))
    if found is None:
        return None
    return Quirk("secret placeholder", f"the prompt holds {found.group()!r}, a VCR filter's stand-in for a secret "
                                       "written over the request's own words before recording")


def _data_images(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        if node.startswith("data:image/"):
            yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _data_images(v)
    elif isinstance(node, list):
        for v in node:
            yield from _data_images(v)


def placeholder_image(rec: Mapping[str, Any]) -> Quirk | None:
    """An image of at most 1 x 1 px in a call billed more than the request can cost: a stand-in was recorded.

    The most the request can cost: a token per character of its JSON without images (a token is at least one
    byte, and JSON escapes every non-ASCII character) plus each tiny image at high detail.
    """
    body = rec.get("request") or {}
    tiny = []
    for url in _data_images(body):
        head = data_url_bytes(url, limit=1024)
        size = image_size(head) if head else None
        if size is not None and size[0] * size[1] <= 1:
            tiny.append(url)
    if not tiny:
        return None
    text = json.dumps(body)
    for url in _data_images(body):
        text = text.replace(url, "")
    rule, _ = image_rule(body.get("model") or rec.get("model") or "")
    most = len(text) + len(tiny) * image_tokens(1, 1, "high", rule)
    billed = _billed(rec)
    if billed is None or billed <= most:
        return None
    return Quirk("placeholder image", f"a 1 x 1 px image in a call billed {billed:,} prompt tokens; the request can "
                                      f"cost at most {most:,}")


def _billed(rec: Mapping[str, Any]) -> int | None:
    usage = rec.get("usage") or {}
    billed = usage.get("prompt_tokens", usage.get("input_tokens"))
    return billed if isinstance(billed, int) else None


def _billed_fields(rec: Mapping[str, Any]) -> str:
    body = rec.get("request") or {}
    return json.dumps({k: body.get(k) for k in BILLED_FIELDS}, sort_keys=True)


def same_response(records: list[Mapping[str, Any]]) -> dict[str, Quirk]:
    """Edited requests and duplicates among records sharing a response id (rule 2 of the module docstring);
    ``records`` in reading order, the last of each id kept."""
    last: dict[str, Mapping[str, Any]] = {}
    for rec in records:
        rid = response_id(rec)
        if rid is not None:
            last[rid] = rec
    out = {}
    for rec in records:
        rid = response_id(rec)
        kept = last.get(rid) if rid is not None else None
        if kept is None or kept is rec:
            continue
        if _billed_fields(rec) != _billed_fields(kept):
            out[rec["id"]] = Quirk("edited request", f"response {rid} first answered {kept['id']} ({kept['source']}), "
                                                     "whose request differs: edited after recording")
        else:
            out[rec["id"]] = Quirk("duplicate", f"response {rid} is {kept['id']}'s ({kept['source']}); only options "
                                                "that bill nothing differ")
    return out


def listed(path: Path = LISTED) -> dict[str, Quirk]:
    """The quirks of tests/fixtures/recorded/quirks.json, ``{id: reason}``; none when the file is absent."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in data.items()):
        raise ValueError(f"{path}: write an object of recorded call id -> reason (a non-empty string)")
    return {k: Quirk("listed", v) for k, v in data.items()}


RECORD_RULES: tuple[Callable[[Mapping[str, Any]], Quirk | None], ...] = (date_placeholder, secret_placeholder,
                                                                         placeholder_image)


def find_quirks(records: list[Mapping[str, Any]], *, listed_quirks: Mapping[str, Quirk] | None = None,
                ) -> dict[str, Quirk]:
    """Each quirk call's id -> its :class:`Quirk`, by the rules of the module docstring in their order;
    ``records`` in reading order (files in order, lines in order)."""
    out: dict[str, Quirk] = {}
    for rec in records:
        found = non_api_id(rec)
        if found:
            out[rec["id"]] = found
    for rid, found in same_response([r for r in records if r["id"] not in out and not scrubbed(r)]).items():
        out[rid] = found
    for rec in records:
        for rule in RECORD_RULES:
            found = rule(rec) if rec["id"] not in out else None
            if found:
                out[rec["id"]] = found
    by_list = listed() if listed_quirks is None else listed_quirks
    for rec in records:
        if rec["id"] in by_list and rec["id"] not in out:
            out[rec["id"]] = by_list[rec["id"]]
    return out
