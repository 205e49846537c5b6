"""What a logged call's answer and request look like, measured while the record is counted (its text is then
dropped): the few numbers the task-fit signals (:mod:`advisor.fit`) need, no text.

Per record:

- ``answer_kind``: 0 no answer, 1 free text, 2 JSON (an object or array, also inside a ```json fence), 3 a tool
  or function call;
- ``answer_hash``: a 48-bit hash of the answer (lower-cased, whitespace collapsed; a call's name and arguments),
  so distinct answers can be counted; 48 bits fit a float64 exactly;
- ``answer_head_hash``: the same of the answer's first word (a label such as ``billing`` in ``billing - ...``,
  a JSON answer's sorted keys, a call's function name), so a small label set can be told;
- ``fit_flags``: bits of :data:`MULTI_TURN` (the prompt holds an earlier assistant turn or a second user turn),
  :data:`TOOLS_OFFERED` (tools or functions in the request), :data:`TOOL_RESULTS` (tool messages in the prompt:
  an agent loop), :data:`STEP_MARKERS` (the answer reasons step by step: "step by step", "let's think",
  ``<think>``, or three or more numbered "Step N"/"N." lines).

A hash of a short answer (a label) could be matched against guessed words; the hashes stay in memory, are
never written or shown, and serve only to count.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from advisor.logs.records import fast_loads

__all__ = ["ANSWER_COLUMNS", "MULTI_TURN", "TOOLS_OFFERED", "TOOL_RESULTS", "STEP_MARKERS", "NONE", "TEXT", "JSON",
           "TOOL_CALL", "measure_answer", "reasoning_tokens"]

ANSWER_COLUMNS = ["answer_kind", "answer_hash", "answer_head_hash", "fit_flags"]
NONE, TEXT, JSON, TOOL_CALL = 0, 1, 2, 3
MULTI_TURN, TOOLS_OFFERED, TOOL_RESULTS, STEP_MARKERS = 1, 2, 4, 8

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S | re.I)
_STEPS = re.compile(r"step[- ]by[- ]step|let'?s think|<think>|\bchain of thought\b", re.I)
_NUMBERED = re.compile(r"(?m)^\s*(?:step\s*\d+\b|\d+[.)]\s)", re.I)
_NUMBERED_AFTER_BREAK = re.compile(r"\n\s*(?:step\s*\d+\b|\d+[.)]\s)", re.I)  # a break, then _NUMBERED's line
_WORD = re.compile(r"\w[\w'-]*", re.U)
_DIGIT = re.compile(r"\d")
_S_ASCII = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"  # what \s matches of ASCII text in a str pattern (str.isspace's)
_NUMBERED_ASCII = re.compile(rf"(?m)^{_S_ASCII}*(?:step{_S_ASCII}*\d+\b|\d+[.)]{_S_ASCII})", re.I | re.A)
_NUMBERED_AFTER_BREAK_ASCII = re.compile(rf"\n{_S_ASCII}*(?:step{_S_ASCII}*\d+\b|\d+[.)]{_S_ASCII})", re.I | re.A)


_xxh3: Callable[[bytes | memoryview], int] | None
try:  # a hash for counting distinct answers, not for security: XXH3 hashes 600 bytes in 50 ns, blake2b in 1.4 us
    from xxhash import xxh3_64_intdigest as _xxh3
except ImportError:  # (installed with the package; without it, blake2b: the same counts but for collisions)
    _xxh3 = None

_BLAKE48 = hashlib.blake2b(digest_size=6)  # copied for each text: what blake2b(data, digest_size=6) gives, cheaper


def _h48(text: str) -> float:
    """A 48-bit hash of the text (exact in a float64): the top 48 bits of its UTF-8 bytes' XXH3-64 (lone
    surrogates as '?'), the same in every process and run; without the xxhash package, blake2b's first 6 bytes.
    Only ever compared with hashes of the same read.

    >>> _h48("billing") == _h48("billing") != _h48("refund"), 0 <= _h48("") < 2 ** 48
    (True, True)
    """
    return _h48_bytes(text.encode("utf-8", "replace"))


def _h48_bytes(data: bytes | memoryview) -> float:
    """:func:`_h48` of the text whose UTF-8 bytes are ``data``."""
    if _xxh3 is not None:
        return float(_xxh3(data) >> 16)
    h = _BLAKE48.copy()
    h.update(data)
    return float(int.from_bytes(h.digest(), "big"))


def _text_of(completion: Any) -> str | None:
    if isinstance(completion, str):
        return completion
    if isinstance(completion, (dict, Mapping)):
        c = completion.get("content")
        if isinstance(c, list):
            return " ".join(str(p.get("text", "")) for p in c if isinstance(p, Mapping))
        return c if isinstance(c, str) else None
    return None


def _calls(completion: Any) -> list:
    if not isinstance(completion, (dict, Mapping)):
        return []
    calls = completion.get("tool_calls")
    out = [c for c in calls if isinstance(c, Mapping)] if isinstance(calls, list) else []
    fc = completion.get("function_call")
    return out + ([{"function": fc}] if isinstance(fc, Mapping) else [])


# orjson decodes what json decodes, the same keys (values differ only past 64-bit integers), and refuses NaN,
# lone surrogates and integers too large for a double, which json then decides; json gives up on deep nesting
# sooner, so a text with this many brackets is left to json
_FAST_BRACKETS = 400
_LOADS = fast_loads()


def _as_json(text: str) -> Any:
    """The answer decoded when it is a JSON object or array (also inside a ```json fence), else None: what
    ``json.loads`` gives, decoded by orjson where that gives the same (``tests/logs/test_fast_paths.py``)."""
    first = text[:1]  # JSON opens with a bracket, a fence with a backtick, either after whitespace (str.strip's)
    if first not in "[{`" and not first.isspace():  # most answers open with a word: no JSON, whatever follows
        return None
    t = text.strip()
    m = _FENCE.match(t) if t[:3] == "```" else None  # the fence opens the text
    if m:
        t = m.group(1)
    if not t or t[0] not in "[{":
        return None
    if _LOADS is not None and t.count("[") + t.count("{") < _FAST_BRACKETS:
        try:
            return _LOADS(t)
        except ValueError:
            pass
    try:
        return json.loads(t)
    except (ValueError, RecursionError):
        return None


def _collapsed(text: str) -> str:
    """``" ".join(text.split())``, without splitting an ASCII text whose only whitespace is spaces and line breaks
    (most answers, markdown included): its line breaks become spaces, runs of spaces are halved until none is
    left (a run of n spaces takes log2(n) passes), and the ends are stripped.

    >>> _collapsed("a  b\\n c "), _collapsed("a b"), _collapsed("Dear Ana,\\n\\nThanks:\\n  - a   \\n  - b\\n")
    ('a b c', 'a b', 'Dear Ana, Thanks: - a - b')

    Splitting makes a string of every word (150 in an answer of 1,000 characters); these are passes in C.
    """
    # str.split's whitespace in ASCII: the space and \t \n \x0b \x0c \r \x1c \x1d \x1e \x1f
    if not text.isascii() or "\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text or \
            "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text:
        return " ".join(text.split())
    t = text.replace("\n", " ") if "\n" in text else text
    while "  " in t:
        t = t.replace("  ", " ")
    return t.strip(" ") if t[:1] == " " or t[-1:] == " " else t


def _roles(messages: Any) -> list:
    return [m.get("role") for m in messages if isinstance(m, (dict, Mapping))] if isinstance(messages, list) else []


def _flags(roles: list, tools_offered: bool, answer: str | None, low: str | None = None) -> int:
    """:data:`fit_flags` from the prompt's roles (``m.get("role")`` of each message), whether tools or functions
    were offered, and the answer's text (``low``: its ``lower()``)."""
    flags = MULTI_TURN if roles.count("user") > 1 or "assistant" in roles else 0
    if tools_offered:
        flags |= TOOLS_OFFERED
    if "tool" in roles or "function" in roles:
        flags |= TOOL_RESULTS
    if answer and _step_markers(answer, low):
        flags |= STEP_MARKERS
    return flags


def _step_markers(answer: str, low: str | None = None) -> bool:
    """Whether the answer reasons step by step (:data:`_STEPS`, or three :data:`_NUMBERED` lines), the regexes run
    only where they can match: an ASCII answer without "step", "think" or "chain of thought" (any case) has no
    :data:`_STEPS` match (outside ASCII, case folding has other letters: the regex decides); three numbered lines
    need two line breaks and a digit.

    >>> _step_markers("Let's THINK: it is 4."), _step_markers("1. a\\n2. b\\n3. c"), _step_markers("1. a 2. b 3. c")
    (True, True, False)

    ``low``: ``answer.lower()`` when the caller has it.
    """
    if answer.isascii():
        return _step_markers_ascii(answer, answer.lower() if low is None else low)
    if _STEPS.search(answer) is not None:
        return True
    return _two_breaks(answer) and _DIGIT.search(answer) is not None and _numbered_lines(answer) >= 3


def _step_markers_ascii(answer: str, low: str) -> bool:
    """:func:`_step_markers` of an ASCII answer (``low``: its ``lower()``): the regexes in their ASCII form (``\\d``,
    ``\\s``, case: the same on ASCII text, in less work)."""
    return _steps_ascii(answer, low) or (_two_breaks(answer) and _has_ascii_digit(answer) and _numbered_lines(
        answer, first=_NUMBERED_ASCII, after=_NUMBERED_AFTER_BREAK_ASCII) >= 3)


def _steps_ascii(answer: str, low: str) -> bool:
    """``_STEPS.search(answer) is not None`` for an ASCII answer (``low``: its ``lower()``): its first three
    alternatives are words without ``\\b``, so in ASCII text, where case folding is lower-casing, each matches
    where its lower-cased spellings are in ``low``; the last needs its words and a word boundary (the regex then
    decides). Running the regex instead tries each alternative at each character: 50 us on 1,000 characters.

    >>> _steps_ascii("Step-By-Step:", "step-by-step:"), _steps_ascii("Next step: think.", "next step: think.")
    (True, False)
    """
    if "step" in low and ("step by step" in low or "step-by-step" in low or "step by-step" in low or
                          "step-by step" in low):
        return True
    if "think" in low and ("let's think" in low or "lets think" in low or "<think>" in low):
        return True
    return "chain of thought" in low and _STEPS.search(answer) is not None


def _two_breaks(text: str) -> bool:
    """Whether the text holds two line breaks (found in C, not counted), as three numbered lines need."""
    first = text.find("\n")
    return first >= 0 and text.find("\n", first + 1) >= 0


def _has_ascii_digit(text: str) -> bool:
    """Whether the text holds a digit 0-9: ten searches for one character (memchr), where a regex's \\d
    tests each character in turn (ten times the work on 500 characters without a digit).

    >>> _has_ascii_digit("step two"), _has_ascii_digit("2 steps")
    (False, True)
    """
    return "0" in text or "1" in text or "2" in text or "3" in text or "4" in text or "5" in text or \
        "6" in text or "7" in text or "8" in text or "9" in text


def _numbered_lines(answer: str, most: int = 3, *, first: re.Pattern = _NUMBERED,
                    after: re.Pattern = _NUMBERED_AFTER_BREAK) -> int:
    """How many matches ``_NUMBERED.finditer`` gives (up to ``most``), found by a search for a line break followed
    by a numbered line's start, which the regex engine finds in C, instead of trying ``^`` at every position.

    >>> _numbered_lines("1. a\\n2. b\\n\\n  3) c"), _numbered_lines("1.\\n2.\\n3.\\n"), _numbered_lines("a 1. b")
    (3, 3, 0)

    ``finditer`` resumes after each match, at the first line start from there: a line start is the text's start
    or a position after a line break, so the next match is the first line break at or after (match end - 1)
    whose next line matches (a match may end with the line break it consumed).
    """
    m = first.match(answer)  # at the text's start (^ there)
    n, end = (1, m.end()) if m else (0, 0)
    while n < most:
        m = after.search(answer, max(end - 1, 0))
        if m is None:
            break
        n, end = n + 1, m.end()
    return n


_USAGE_PATHS = (("usage",), ("response", "usage"), ("response", "body", "usage"), ("output", "usage"),
                ("response_body", "usage"), ("outputs", "usage"), ("metadata", "usage_object"))
_USAGE_STEPS = tuple((path[0], path[1:]) for path in _USAGE_PATHS)


def reasoning_tokens(record: Any) -> float | None:
    """Hidden reasoning tokens a record's usage reports (``completion_tokens_details.reasoning_tokens`` of Chat
    Completions, ``output_tokens_details.reasoning_tokens`` of the Responses API), looked up where the OpenAI-shaped
    exports keep their usage object; None when none is reported.

    >>> reasoning_tokens({"response": {"usage": {"completion_tokens_details": {"reasoning_tokens": 640}}}})
    640.0
    >>> reasoning_tokens({"usage": {"output_tokens_details": {"reasoning_tokens": 0}}}), reasoning_tokens([1])
    (0.0, None)
    """
    if not isinstance(record, (dict, Mapping)):
        return None
    for first, rest in _USAGE_STEPS:
        u: Any = record.get(first)
        if u is None:  # most paths end at their first key (absent)
            continue
        for key in rest:
            u = u.get(key) if isinstance(u, (dict, Mapping)) else None
            if u is None:
                break
        if u is None:
            continue
        if isinstance(u, str) and u.startswith("{"):
            try:
                u = json.loads(u)
            except ValueError:
                u = None
        if not isinstance(u, (dict, Mapping)):
            continue
        d = u.get("completion_tokens_details") or u.get("output_tokens_details")
        v = d.get("reasoning_tokens") if isinstance(d, (dict, Mapping)) else None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e9:
            return float(v)
    return None


def measure_answer(messages: Any, tools: Any, completion: Any, options: Any = None) -> tuple[int, float, float, int]:
    """(answer_kind, answer_hash, answer_head_hash, fit_flags) of one call; hashes NaN without an answer.

    >>> k, h, head, f = measure_answer([{"role": "user", "content": "hi"}], None, "billing - charged twice")
    >>> k, head == measure_answer(None, None, "Billing: refund")[2], f
    (1, True, 0)
    >>> measure_answer(None, None, '```json\\n{"a": 1}\\n```')[0], measure_answer(None, None, None)[0]
    (2, 0)
    >>> measure_answer(None, [{"type": "function"}], {"tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]})[::3]
    (3, 2)
    """
    offered = bool(tools or (options is not None and isinstance(options, (dict, Mapping)) and options.get("functions")))
    if type(completion) is dict and completion.get("tool_calls") is None and completion.get("function_call") is None:
        text = completion.get("content")  # an answer without calls (most): what _calls gives, without its checks
        return measure_text(_roles(messages), offered, text if type(text) is str else _text_of(completion))
    calls = _calls(completion)
    text = _text_of(completion)
    if not calls:
        return measure_text(_roles(messages), offered, text)
    flags = _flags(_roles(messages), offered, text, text.lower() if text else None)
    fns = [f if isinstance(f := c.get("function"), (dict, Mapping)) else {} for c in calls]  # (a malformed call: no name)
    names = [str(f.get("name", "")) for f in fns]
    args = [str(f.get("arguments", "")) for f in fns]
    return TOOL_CALL, _h48("call:" + "|".join(names) + "|" + _collapsed(" ".join(args))), \
        _h48("call:" + "|".join(names)), flags


def measure_text(roles: list, tools_offered: bool, text: str | None,
                 heads: dict[str, float] | None = None) -> tuple[int, float, float, int]:
    """:func:`measure_answer` of an answer without tool or function calls: ``roles`` the prompt's (``m.get("role")``
    of each message), ``tools_offered`` whether the request offered tools or functions, ``text`` the answer's text.
    ``heads``: a memo of head hashes the caller keeps for a read (answers of a task share a few heads).

    >>> measure_text(["system", "user"], False, "billing") == measure_answer(
    ...     [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}], None, "billing")
    True
    """
    return measure_text_flagged(_flags(roles, tools_offered, None), text, heads)


def measure_text_flagged(flags: int, text: str | None,
                         heads: dict[str, float] | None = None) -> tuple[int, float, float, int]:
    """:func:`measure_text` with the prompt's flags already known (``flags``: :data:`MULTI_TURN`,
    :data:`TOOLS_OFFERED`, :data:`TOOL_RESULTS` as :func:`_flags` gives them without an answer), for a reader that
    saw the roles as it decoded the messages.

    >>> measure_text_flagged(MULTI_TURN, "Let's think step by step: 4")[::3]
    (1, 9)
    """
    if not text or text.isspace():  # (None, empty, or only whitespace: no answer, and no step markers)
        return NONE, _NAN, _NAN, flags
    low = text.lower()
    if not text.isascii():
        return _measured(flags | STEP_MARKERS if _step_markers(text, low) else flags, text, low, heads)
    # an ASCII answer (most; this runs on every record read): its step test without _step_markers' look at the
    # text, and an answer that opens with a word is no JSON (_as_json's first look, without the call)
    if _step_markers_ascii(text, low):
        flags |= STEP_MARKERS
    first = text[0]
    if first in "[{`" or first.isspace():  # what may open JSON or a fence
        return _measured(flags, text, low, heads)
    norm = _collapsed(low)
    word = _WORD.search(norm)
    return TEXT, _h48(norm), _h48_of(heads, "word:" + (word.group() if word else norm[:20])), flags


def _measured(flags: int, text: str, low: str, heads: dict[str, float] | None) -> tuple[int, float, float, int]:
    """:func:`measure_text_flagged` of a text answer whose step markers are in ``flags``; ``low``: its
    ``lower()``."""
    parsed = _as_json(text)
    norm = _collapsed(low)
    if parsed is not None:
        head = ",".join(sorted(map(str, parsed))) if isinstance(parsed, dict) else "[list]"
        return JSON, _h48(norm), _h48_of(heads, "json:" + head), flags
    word = _WORD.search(norm)
    return TEXT, _h48(norm), _h48_of(heads, "word:" + (word.group() if word else norm[:20])), flags


_NAN = float("nan")


def is_plain(text: str) -> bool:
    """Whether :func:`measure_text_flagged` reads the answer ``text`` as plain ASCII text, which
    :func:`measure_plain` measures in batches: ASCII, opening with no whitespace, bracket or backtick (no JSON).

    >>> is_plain("Billing: refund"), is_plain('{"a": 1}'), is_plain(" x"), is_plain("café"), is_plain("")
    (True, False, False, False, False)
    """
    return text.isascii() and text[:1] not in ("", "[", "{", "`") and not text[0].isspace()


# ASCII folded as the answer hash reads it: A-Z lower-cased, each character str.split splits on made a space
_FOLD = bytes(c + 32 if 65 <= c <= 90 else 32 if chr(c).isspace() else c for c in range(128)) + bytes(range(128, 256))
# where a step marker may be (_steps_ascii needs "step", "think" or "chain of thought"): 4 bytes, little-endian
_MARKER_STARTS = tuple(int.from_bytes(w, "little") for w in (b"step", b"thin", b"chai"))
_WORD_BYTES = re.compile(rb"\w[\w'-]*")  # _WORD on ASCII bytes (\w is [a-zA-Z0-9_] in both)
_HEAD_BYTES = 32  # a first word is looked for in this many bytes at once; a longer one by _WORD_BYTES
_PAD = "\x00" * _HEAD_BYTES


def measure_plain(texts: Sequence[str], words: dict[bytes, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(answer_hash, answer_head_hash, step markers) of answers that are :func:`is_plain`: what
    :func:`measure_text_flagged` gives for each (its kind is :data:`TEXT`, its flags gain :data:`STEP_MARKERS`
    where the third is True), from passes over all of them at once. ``words``: a memo of head hashes by first
    word (bounded: cleared at 4,096 words).

    >>> texts = ["Billing  refund", "Step 1. a\\n2. b\\n3. c", "ok"]
    >>> h, head, step = measure_plain(texts, {})
    >>> got = [(TEXT, a, b, STEP_MARKERS * c) for a, b, c in zip(h.tolist(), head.tolist(), step.tolist())]
    >>> got == [measure_text_flagged(0, t) for t in texts]
    True

    One answer at a time, lower-casing, the step-marker searches and the whitespace checks each scanned the text
    (1 ns a character each, 5 us an answer of 800 characters); here the answers are joined and each pass runs once
    over all of them: the text folded (lower case, whitespace as spaces) by ``bytes.translate``, runs of spaces
    dropped by a mask, the places a step marker may start found by comparing 4 bytes at once. Only the answers
    where a marker may be, or with two line breaks (numbered lines), are tested one by one (:func:`_step_markers_ascii`).
    """
    n = len(texts)
    if not n:
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    ends = np.cumsum(lens)
    starts = ends - lens
    raw = "".join((*texts, _PAD)).encode("ascii")  # (_PAD: the last answer's first-word window reads past it)
    folded = raw.translate(_FOLD)
    f = np.frombuffer(folded, dtype=np.uint8, count=len(raw) - len(_PAD))
    # " ".join(low.split()): a space is kept where a word follows it in the same answer (none opens with a space)
    space = f == 32
    keep = ~space
    keep[:-1] |= keep[1:]
    keep[ends - 1] = ~space[ends - 1]
    if keep.all():
        norm, n_ends = folded, ends
    else:
        norm, n_ends = f[keep].tobytes(), np.cumsum(keep)[ends - 1]
    spans = list(zip(np.concatenate(([0], n_ends[:-1])).tolist(), n_ends.tolist()))
    view = memoryview(norm)
    if _xxh3 is not None:
        x = _xxh3
        hashes = (np.fromiter([x(view[s:e]) for s, e in spans], dtype=np.uint64, count=n) >> np.uint64(16)).astype(float)
    else:
        hashes = np.fromiter([_h48_bytes(view[s:e]) for s, e in spans], dtype=float, count=n)
    heads = _first_word_hashes(f, folded, norm, starts, ends, spans, words)
    return hashes, heads, _plain_steps(texts, raw, folded, ends)


def _first_word_hashes(f: np.ndarray, folded: bytes, norm: bytes, starts: np.ndarray, ends: np.ndarray,
                       spans: list[tuple[int, int]], words: dict[bytes, float]) -> np.ndarray:
    """The head hash of each answer of :func:`measure_plain`: ``_h48("word:" + w)``, ``w`` its first ``_WORD``
    match in the collapsed text (``norm``, at ``spans``), else that text's first 20 characters. An answer that
    opens with ``\\w`` has it from its start to the first character out of ``[\\w'-]``, found in its first
    ``_HEAD_BYTES`` (folded) at once for all; the others (or a longer word) are searched one by one."""
    padded = np.frombuffer(folded, dtype=np.uint8)  # f, then _PAD
    win = np.lib.stride_tricks.as_strided(padded, shape=(len(f), _HEAD_BYTES), strides=(1, 1))[starts]
    wordish = ((win - 97) < 26) | ((win - 48) < 10) | (win == 95) | (win == 39) | (win == 45)  # [\w'-], lower case
    k = np.argmin(wordish, axis=1)  # the first byte out of it (0: none in the window, or the first)
    first = win[:, 0]
    opens = ((first - 97) < 26) | ((first - 48) < 10) | (first == 95)
    ends_in_window = (k > 0) | (ends - starts < _HEAD_BYTES)  # (a window past the answer's end is cut below)
    stops = np.minimum(starts + np.where(k == 0, _HEAD_BYTES, k), ends)
    heads = [folded[s:e] for s, e in zip(starts.tolist(), stops.tolist())]
    for i in np.flatnonzero(~(opens & ends_in_window)).tolist():
        s, e = spans[i]
        m = _WORD_BYTES.search(norm, s, e)
        heads[i] = m.group() if m is not None else norm[s:min(s + 20, e)]
    get = words.get
    out = [get(w) for w in heads]
    for i in [i for i, h in enumerate(out) if h is None]:  # (a word may be new twice in the batch)
        h = get(heads[i])
        if h is None:
            if len(words) >= 4096:
                words.clear()
            h = words[heads[i]] = _h48_bytes(b"word:" + heads[i])
        out[i] = h
    return np.array(out, dtype=float)


def _plain_steps(texts: Sequence[str], raw: bytes, folded: bytes, ends: np.ndarray) -> np.ndarray:
    """:func:`_step_markers_ascii` of each answer of :func:`measure_plain`, run only where it can be True: where
    "step", "thin" or "chai" starts (``folded``: its words need one of them) or two line breaks are (``raw``)."""
    n = len(ends)
    may = np.zeros(n, dtype=bool)
    for offset in range(4):  # 4-byte words at each offset: aligned views compared in C
        count = (len(folded) - offset) // 4
        if count > 0:
            v = np.frombuffer(folded, dtype="<u4", count=count, offset=offset)
            at = np.flatnonzero((v == _MARKER_STARTS[0]) | (v == _MARKER_STARTS[1]) | (v == _MARKER_STARTS[2]))
            may[np.searchsorted(ends, at * 4 + offset, side="right")] = True
    breaks = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 10)
    if len(breaks):
        may |= np.bincount(np.searchsorted(ends, breaks, side="right"), minlength=n) >= 2
    out = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(may).tolist():
        t = texts[i]
        out[i] = _step_markers_ascii(t, t.lower())
    return out


def _h48_of(memo: dict[str, float] | None, text: str) -> float:
    """:func:`_h48`, looked up in ``memo`` first (bounded: cleared at 4,096 texts)."""
    if memo is None:
        return _h48(text)
    h = memo.get(text)
    if h is None:
        if len(memo) >= 4096:
            memo.clear()
        h = memo[text] = _h48(text)
    return h
