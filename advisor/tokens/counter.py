"""Token counts exactly as the API bills them, offline; and as the fine-tuned 7B model sees them.

- OpenAI encodings (``cl100k_base``, ``o200k_base``) are built from the files shipped in the
  ``bpe-openai`` wheel, each checked against the SHA-256 that tiktoken itself pins for it; the
  regex and special tokens come from tiktoken's own constructors. Nothing is downloaded.
- Chat requests are counted part by part as billed by :mod:`advisor.tokens.chat` (messages, names, tool
  calls and results, response formats, per model family), :mod:`advisor.tokens.tools` (tool definitions
  rendered as the model sees them) and :mod:`advisor.tokens.media` (images, PDF files, audio). Reference:
  the cookbook's six-message example is 129 tokens on gpt-4 (cl100k) and 124 on gpt-4o (o200k); with its
  weather tool, 105 / 101; real recorded calls are checked in ``tests/tokens/test_billed.py``.
- :class:`TokenCounter` encodes many strings at once with a bounded memo (:class:`LengthMemo`).
- The 7B model's tokenizer is Mistral's sentencepiece model from ``mistral-common``
  (``tokenizer.model.v1``: Mistral-7B v0.1/v0.2), counting the instruct template
  ``<s>[INST] {system}\\n\\n{user} [/INST]{assistant}</s>`` piece by piece: one rule,
  :func:`ft_request_texts` + :func:`ft_counts`, used by :func:`count_ft_chat` and the log reader.

Encoders are loaded lazily and cached (~0.6 s each); importing this module loads nothing.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import importlib.util
import itertools
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError
from advisor.tokens.chat import completion_parts, prompt_parts

__all__ = [
    "get_encoding",
    "encoding_name_for_model",
    "resolve_encoding",
    "EncodingChoice",
    "count_chat_prompt",
    "count_responses_request",
    "count_completion",
    "get_ft_tokenizer",
    "FT_TOKENIZERS",
    "count_ft_chat",
    "TokenCounter",
    "LengthMemo",
    "prompt_parts",
    "completion_parts",
    "count_request",
    "ft_request_texts",
    "ft_counts",
]

_BPE_FILES: dict[str, str] = {
    "cl100k_base": "cl100k_base.tiktoken.gz",  # gpt-4, gpt-4-turbo, gpt-3.5-turbo
    "o200k_base": "o200k_base.tiktoken.gz",    # gpt-4o, gpt-4o-mini, gpt-4.1, o-series
}
FT_TOKENIZERS: dict[str, str] = {
    "mistral-v1": "tokenizer.model.v1",                          # Mistral-7B v0.1 / v0.2 (32,000 pieces)
    "mistral-v3": "mistral_instruct_tokenizer_240323.model.v3",  # Mistral-7B v0.3 (32,768 pieces)
}
_PATCH_LOCK = threading.Lock()


def _load_ranks(blobpath: str, expected_hash: str | None = None) -> dict[bytes, int]:
    """tiktoken's loader signature, reading the file shipped in bpe-openai instead of the network; the table
    decoded once is kept in a binary cache (:func:`_cached_ranks`), so later processes (a pool's workers, Dask
    workers, the next command) skip the base64 decoding."""
    name = blobpath.rsplit("/", 1)[-1].removesuffix(".tiktoken")
    if name not in _BPE_FILES:
        raise AdvisorError(f"encoding {name!r} is not available offline; available: {', '.join(_BPE_FILES)}")
    cache = _rank_cache_path(name, expected_hash)
    ranks = _cached_ranks(cache) if cache else None
    if ranks is not None:
        return ranks
    res = _bpe_data_dir() / _BPE_FILES[name]
    try:
        data = gzip.decompress(res.read_bytes())
    except OSError as exc:
        raise AdvisorError(f"{res}: cannot read ({exc}); reinstall bpe-openai") from None
    digest = hashlib.sha256(data).hexdigest()
    if expected_hash and digest != expected_hash:
        raise AdvisorError(f"{res}: SHA-256 {digest} differs from tiktoken's pinned {expected_hash}; "
                           "reinstall bpe-openai (pip install --force-reinstall bpe-openai)")
    ranks = {base64.b64decode(tok): int(rank) for tok, rank in (ln.split() for ln in data.splitlines() if ln)}
    if cache:
        _write_rank_cache(cache, ranks)
    return ranks


_RANKS_MAGIC = b"finetune-advisor ranks 1"


def _rank_cache_path(name: str, expected_hash: str | None) -> Path | None:
    """Where the decoded table of ``name`` is cached: named by tiktoken's pinned SHA-256 of the source (only a
    table whose source matched it is cached), under ``$FINETUNE_ADVISOR_CACHE`` (``none`` turns it off), else
    ``$XDG_CACHE_HOME/finetune-advisor`` or ``~/.cache/finetune-advisor``."""
    if not expected_hash:
        return None
    root = os.environ.get("FINETUNE_ADVISOR_CACHE")
    if root and root.lower() == "none":
        return None
    base = Path(root) if root else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "finetune-advisor"
    return base / f"{name}-{expected_hash[:16]}.ranks"


def _cached_ranks(path: Path) -> dict[bytes, int] | None:
    """The table from the cache, or None when it is missing or fails its check: a header with the count and the
    SHA-256 of the payload (each token's length, then the tokens in rank order), checked before use."""
    try:
        blob = path.read_bytes()
        magic, count, digest, payload = blob.split(b"\n", 3)
        n = int(count)
    except (OSError, ValueError):
        return None
    if magic != _RANKS_MAGIC or hashlib.sha256(payload).hexdigest().encode() != digest or len(payload) < n:
        return None
    offsets = list(itertools.accumulate(payload[:n], initial=n))
    if offsets[-1] != len(payload):
        return None
    return dict(zip(map(payload.__getitem__, map(slice, offsets, offsets[1:])), range(n)))


def _write_rank_cache(path: Path, ranks: dict[bytes, int]) -> None:
    """Write the cache atomically; a table that is not ranks 0..n-1 of tokens under 256 bytes, or a cache folder
    that cannot be written, is simply not cached (it only saves time)."""
    tokens = sorted(ranks, key=ranks.__getitem__)
    if [ranks[t] for t in tokens] != list(range(len(tokens))) or any(len(t) > 255 for t in tokens):
        return
    payload = bytes(len(t) for t in tokens) + b"".join(tokens)
    blob = b"\n".join([_RANKS_MAGIC, str(len(tokens)).encode(), hashlib.sha256(payload).hexdigest().encode(), payload])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    except OSError:
        pass


def _bpe_data_dir() -> Path:
    """bpe-openai's data folder, found without importing the package (its import does work we skip)."""
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise AdvisorError("the bpe-openai package is missing: pip install bpe-openai (it ships OpenAI's encodings)")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@functools.cache
def get_encoding(name: str):
    """A ``tiktoken.Encoding`` for ``cl100k_base`` or ``o200k_base``, built offline and hash-checked."""
    import tiktoken
    import tiktoken_ext.openai_public as public

    if name not in _BPE_FILES:
        raise AdvisorError(f"encoding {name!r} is not available offline; use one of {', '.join(_BPE_FILES)}")
    with _PATCH_LOCK:  # run tiktoken's own constructor (pattern, special tokens, pinned hash) with our file reader
        original = public.load_tiktoken_bpe
        public.load_tiktoken_bpe = _load_ranks
        try:
            params = public.ENCODING_CONSTRUCTORS[name]()
        finally:
            public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**params)


# OpenAI models that tiktoken's map (0.12) does not name, all on o200k_base: the billed counts of recorded calls
# match it (codex-mini-latest: 30 calls, computer-use-preview-2025-03-11: 7, gpt-audio*: 6, in public codebases'
# cassettes; see tests/tokens).
_O200K_PREFIXES = ("codex-mini", "computer-use-preview", "gpt-audio", "gpt-realtime")


def encoding_name_for_model(model: str) -> str:
    """tiktoken's model map, after stripping provider prefixes (``openai/``, ``azure/``), and the OpenAI models it
    does not name yet (``codex-mini-latest``, ``computer-use-preview``, ``gpt-audio``, ``gpt-realtime``: o200k_base).

    Raises KeyError for a model neither can map.

    >>> encoding_name_for_model("openai/gpt-4-0613"), encoding_name_for_model("codex-mini-latest")
    ('cl100k_base', 'o200k_base')
    """
    from tiktoken.model import encoding_name_for_model as _map

    name = model.strip()
    if "/" in name and not name.startswith("ft:"):
        name = name.rsplit("/", 1)[-1]
    try:
        return _map(name)
    except KeyError:
        if name.startswith(_O200K_PREFIXES):
            return "o200k_base"
        raise


@dataclass(frozen=True)
class EncodingChoice:
    encoding: str
    assumed: bool          # True: the model was unknown and the encoding is an assumption
    model: str


@functools.lru_cache(maxsize=4096)
def resolve_encoding(model: str | None, assume: str = "o200k_base") -> EncodingChoice:
    """The model's encoding, or ``assume`` flagged as an assumption (reported by callers)."""
    if model:
        try:
            return EncodingChoice(encoding_name_for_model(model), False, model)
        except KeyError:
            pass
    return EncodingChoice(assume, True, model or "")


class LengthMemo:
    """A bounded memo ``text -> token count`` for texts of at least ``min_chars`` characters (system prompts,
    tool definitions, repeated instructions). Bounded by entries (``size``) and by the characters the texts hold
    (``max_chars``: a memo of long texts, each seen once, would otherwise hold them all): when either is
    exceeded, the older half is dropped (insertion order). A text longer than a quarter of ``max_chars`` is
    not kept.

    ``lengths(texts, encode_lengths)`` answers hits from the memo and encodes the rest in one call.

    >>> memo = LengthMemo(size=2, min_chars=1)
    >>> memo.lengths(["ab", "ab", "c"], lambda todo: [len(t) for t in todo])
    [2, 2, 1]
    >>> memo = LengthMemo(size=100, min_chars=1, max_chars=16)
    >>> _ = memo.lengths(["abcd", "efgh", "ijkl", "mnop", "qrst", "a-text-too-long"], lambda todo: [len(t) for t in todo])
    >>> list(memo._d), memo.chars
    (['ijkl', 'mnop', 'qrst'], 12)
    """

    def __init__(self, size: int = 4096, min_chars: int = 64, max_chars: int = 8 << 20):
        self.size, self.min_chars, self.max_chars = size, min_chars, max_chars
        self._d: dict[str, int] = {}
        self.chars = 0  # characters of the texts held

    def get(self, text: str) -> int | None:
        return self._d.get(text)

    def put(self, text: str, n: int) -> None:
        size = len(text)
        if size < self.min_chars or 4 * size > self.max_chars or text in self._d:
            return
        d = self._d
        if len(d) >= self.size or self.chars + size > self.max_chars:
            keep = min(len(d), self.size) // 2
            for k in list(itertools.islice(d, len(d) - keep)):
                self.chars -= len(k)
                del d[k]
            while d and self.chars + size > self.max_chars:  # the newer half still too large: go on dropping
                k = next(iter(d))
                self.chars -= len(k)
                del d[k]
        d[text] = n
        self.chars += size

    def lengths(self, texts: Sequence[str], encode_lengths) -> list[int]:
        out = [0] * len(texts)
        todo_idx: list[int] = []
        todo: list[str] = []
        seen: dict[str, int] = {}
        get = self._d.get
        for i, t in enumerate(texts):
            if not t:
                continue
            hit = get(t)
            if hit is None:
                hit = seen.get(t)
            if hit is None:
                if len(t) >= self.min_chars:
                    seen[t] = -1 - len(todo)  # repeated within this batch: encode once
                todo_idx.append(i)
                todo.append(t)
            elif hit < 0:
                todo_idx.append(i)
                todo.append("")  # filled from its first occurrence below
                seen[t] = hit
            else:
                out[i] = hit
        if todo:
            uniq = [t for t in todo if t]
            lens = iter(encode_lengths(uniq)) if uniq else iter(())
            first: dict[str, int] = {}
            for i, t in zip(todo_idx, todo):
                if t:
                    n = next(lens)
                    out[i] = n
                    self.put(t, n)
                    first.setdefault(t, n)
                else:
                    out[i] = first[texts[i]]
        return out


class TokenCounter:
    """Counts with one encoding, memoising repeated strings (system prompts, tool definitions).

    ``count_many`` encodes a list of strings with tiktoken's encoder, on ``threads`` threads.
    """

    def __init__(self, encoding: str, *, threads: int = 2, memo_size: int = 4096, memo_min_chars: int = 64):
        self.name = encoding
        self.enc = get_encoding(encoding)
        self.threads = threads
        self.memo = LengthMemo(memo_size, memo_min_chars)
        self._executor: ThreadPoolExecutor | None = None

    def count(self, text: str) -> int:
        return self.count_many([text])[0]

    def _lengths(self, texts: Sequence[str]) -> list[int]:
        encode = self.enc.encode_ordinary
        return [len(encode(t)) for t in texts]

    def _encode_lengths(self, todo: list[str]) -> list[int]:
        if self.threads > 1 and len(todo) >= 64:
            return [n for part in self._pool().map(self._lengths, _split_by_chars(todo, self.threads)) for n in part]
        return self._lengths(todo)

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """Token counts of many strings: memo hits first, the rest split into ``threads`` contiguous
        slices encoded in parallel (tiktoken releases the GIL while encoding). One task per slice,
        not per string, and only lengths are kept: tiktoken's own ``encode_ordinary_batch`` pays a
        future per string and returns every token id."""
        return self.memo.lengths(texts, self._encode_lengths)

    def _pool(self):
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="count")
        return self._executor


def _split_by_chars(texts: Sequence[str], parts: int) -> list[Sequence[str]]:
    """Contiguous slices with about the same number of characters each."""
    total = sum(len(t) for t in texts)
    bounds, acc, target = [0], 0, total / parts
    for i, t in enumerate(texts):
        acc += len(t)
        if acc >= target * len(bounds) and len(bounds) < parts:
            bounds.append(i + 1)
    bounds.append(len(texts))
    return [texts[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def _as_text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _content_texts(content: Any) -> list[str]:
    """Text parts of a message content (a string, a list of parts, or a scalar a log put there)."""
    if content is None:
        return []
    if isinstance(content, (str, int, float)):
        return [_as_text(content)]
    items = content if isinstance(content, list) else [content] if isinstance(content, Mapping) else []
    texts: list[str] = []
    for part in items:
        if isinstance(part, (str, int, float)):
            texts.append(_as_text(part))
        elif isinstance(part, Mapping) and part.get("type", "text") in ("text", "input_text", "output_text",
                                                                         "refusal"):
            texts.append(_as_text(part.get("text", part.get("refusal"))))
    return texts


def message_strings(messages: Iterable[Mapping[str, Any]], model: str,
                    encoding: str | None = None) -> tuple[list[str], int]:
    """Every string the API encodes for a prompt without tools, and the fixed tokens around them
    (:func:`advisor.tokens.chat.prompt_parts`)."""
    enc = encoding or resolve_encoding(model).encoding
    parts = prompt_parts(list(messages), model, enc)
    return parts.strings, parts.fixed


def count_request(messages: Any, model: str, *, tools: Any = None, options: Mapping[str, Any] | None = None,
                  completion: Any = None, encoding: str | None = None,
                  timestamp_s: float | None = None) -> tuple[int, int | None, list[str]]:
    """(prompt tokens, completion tokens or None, assumptions) of one chat request, as billed; ``timestamp_s``
    (epoch seconds) when the call was made, if known (PDF page images: :func:`advisor.tokens.media.pdf_page_image_tokens`;
    answers of early 2025: :class:`advisor.tokens.chat.EndTokenPeriod`)."""
    enc = encoding or resolve_encoding(model).encoding
    counter = TokenCounter(enc, threads=1)
    p = prompt_parts(messages, model, enc, tools=tools, options=options, timestamp_s=timestamp_s)
    prompt = p.fixed + sum(counter.count_many(p.strings))
    notes = list(p.assumptions)
    if completion is None:
        return prompt, None, notes
    c = completion_parts(completion, model, enc, options, tools=tools, timestamp_s=timestamp_s)
    return prompt, c.fixed + sum(counter.count_many(c.strings)), notes + c.assumptions


def count_responses_request(request: Mapping[str, Any], model: str | None = None, *,
                            encoding: str | None = None, timestamp_s: float | None = None,
                            output_calls: int = 0) -> tuple[int, list[str]]:
    """(input tokens, assumptions) of one Responses API request body, as billed
    (:mod:`advisor.tokens.responses`); ``timestamp_s`` (epoch seconds) when the call was made, if known;
    ``output_calls``: how many function calls its answer made (:func:`advisor.tokens.responses.split_usage_divisor`)."""
    from advisor.tokens.responses import responses_prompt_parts
    model = model or (request.get("model") if isinstance(request, Mapping) else None)
    enc = encoding or resolve_encoding(model).encoding
    p = responses_prompt_parts(request, model, enc, timestamp_s=timestamp_s, output_calls=output_calls)
    return (p.fixed + sum(TokenCounter(enc, threads=1).count_many(p.strings))) // p.divisor, list(p.assumptions)


def count_chat_prompt(messages: Sequence[Mapping[str, Any]], model: str, *, tools=None, functions=None,
                      options: Mapping[str, Any] | None = None, encoding: str | None = None) -> int:
    """Prompt tokens as the API bills them (:mod:`advisor.tokens.chat`)."""
    opts = dict(options or {})
    if functions is not None:
        opts["functions"] = functions
    return count_request(messages, model, tools=tools, options=opts, encoding=encoding)[0]


def completion_strings(message: Any) -> list[str]:
    """Texts of a message (content, refusal, tool-call names and arguments): the 7B model's view."""
    if message is None:
        return []
    if isinstance(message, (str, int, float)):
        return [_as_text(message)]
    if isinstance(message, list):
        return _content_texts(message)
    if not isinstance(message, Mapping):
        return []
    texts = _content_texts(message.get("content"))
    if isinstance(message.get("refusal"), str):
        texts.append(message["refusal"])
    calls = message.get("tool_calls")
    calls = [calls] if isinstance(calls, Mapping) else calls if isinstance(calls, list) else []
    if isinstance(message.get("function_call"), Mapping):
        calls = [*calls, message["function_call"]]
    for call in calls:
        fn = call.get("function", call) if isinstance(call, Mapping) else {}
        fn = fn if isinstance(fn, Mapping) else {}
        args = fn.get("arguments", "")
        texts += [_as_text(fn.get("name", "")), args if isinstance(args, str) else json.dumps(args)]
    return texts


def count_completion(message: Any, model: str, *, encoding: str | None = None) -> int:
    """Completion tokens of an assistant message as billed (a lower bound for reasoning models)."""
    enc = encoding or resolve_encoding(model).encoding
    c = completion_parts(message, model, enc)
    return c.fixed + sum(TokenCounter(enc, threads=1).count_many(c.strings))


# ---------------------------------------------------------------------------------------------
# the 7B model's tokenizer


@functools.cache
def get_ft_tokenizer(name: str = "mistral-v1"):
    """A ``sentencepiece.SentencePieceProcessor`` for the 7B model (offline, from mistral-common)."""
    import sentencepiece

    if name not in FT_TOKENIZERS:
        raise AdvisorError(f"7B tokenizer {name!r} is not available offline; use one of {', '.join(FT_TOKENIZERS)}")
    path = resources.files("mistral_common").joinpath("data", FT_TOKENIZERS[name])
    if not path.is_file():
        raise AdvisorError(f"{path} is missing; reinstall mistral-common")
    return sentencepiece.SentencePieceProcessor(model_file=str(path))


@functools.lru_cache(maxsize=8)
def _ft_template_tokens(name: str) -> tuple[int, int]:
    """Tokens of ``[INST]`` + ``[/INST]`` around a user turn, and of the system separator."""
    sp = get_ft_tokenizer(name)
    inst = len(sp.encode("[INST]")) + len(sp.encode("[/INST]"))
    return inst, len(sp.encode("\n\n"))


def ft_counts_from_lengths(n_user_turns: int, has_system: bool, prompt_text_tokens: int, tool_json_tokens: int,
                           name: str = "mistral-v1") -> int:
    """``1 (BOS) + turns * ([INST] + [/INST]) + separator + text + tools`` for the prompt."""
    inst, sep = _ft_template_tokens(name)
    return 1 + max(n_user_turns, 1) * inst + (sep if has_system else 0) + prompt_text_tokens + tool_json_tokens


FT_PROMPT, FT_COMPLETION, FT_TOOLS = 0, 1, 2  # parts of a request's 7B texts


def ft_request_texts(messages: Any, prompt_text: str | None, completion: Any,
                     tools: Any) -> tuple[list[str], list[int], int, bool]:
    """(texts, part of each text, user turns, has a system message) of one request for the 7B model.

    Parts: 0 prompt text, 1 completion text, 2 the tool definitions as compact JSON.

    >>> ft_request_texts([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}], None, "A", None)
    (['S', 'U', 'A'], [0, 0, 1], 1, True)
    """
    msgs = messages if isinstance(messages, list) else [{"role": "user", "content": prompt_text or ""}]
    texts: list[str] = []
    parts: list[int] = []
    turns, has_sys = 0, False
    for m in msgs:
        role = m.get("role") if isinstance(m, Mapping) else None
        turns += role == "user"
        has_sys = has_sys or role in ("system", "developer")
        for t in completion_strings(m):
            texts.append(t)
            parts.append(FT_PROMPT)
    if tools:
        texts.append(json.dumps(tools, separators=(",", ":"), default=str))
        parts.append(FT_TOOLS)
    for t in completion_strings(completion):
        texts.append(t)
        parts.append(FT_COMPLETION)
    return texts, parts, turns, has_sys


def ft_counts(turns: int, has_sys: bool, text_tokens: float, tool_tokens: float, completion_tokens: float,
              has_completion: bool, name: str) -> tuple[float, float]:
    """(prompt, completion) 7B tokens from the encoded lengths of one request's parts.

    Completion = its text tokens + 1 (``</s>``), NaN when the request has no completion text.
    """
    prompt = ft_counts_from_lengths(turns, has_sys, int(text_tokens), int(tool_tokens), name)
    return float(prompt), (float(completion_tokens) + 1.0) if has_completion else float("nan")


_FT_SLICE_CHARS = 1 << 20  # characters encoded per sentencepiece call: its id lists are dropped slice by slice
_FT_SEGMENT = re.compile(r" +[^ ]*")  # a run of spaces and the characters up to the next space
_FT_SEGMENTS_KEPT = 1 << 17  # segments a call remembers across its slices (then forgotten: no text outlives a call)
# tokenizers whose pieces hold '▁' only as a leading run, normalised as written ('identity', a dummy prefix, spaces
# kept): a text's tokens are its segments' tokens (checked against whole texts in tests/tokens/test_ft_segments.py)
_FT_BY_SEGMENT = frozenset(FT_TOKENIZERS)


def ft_lengths(texts: Sequence[str], name: str = "mistral-v1", *, threads: int = 1) -> list[int]:
    """7B token counts of ``texts``, encoded in slices of about a million characters so that only one slice's
    token ids are held at a time (a chunk of long records makes millions); text sentencepiece cannot take (lone
    surrogates) is encoded with the offending characters replaced, never an error.

    Counted segment by segment (:func:`_ft_segments`): sentencepiece writes a space as '▁' and puts a '▁' before
    the text; no piece of these tokenizers holds a '▁' after another character, so no token spans the point where
    a run of spaces follows a character, and ``len(encode(text)) = sum over segments s of len(encode(s[1:]))``
    (``s[1:]``: sentencepiece's own '▁' stands for the segment's first space; a lone trailing space is the piece
    '▁', 1 token). Each distinct segment (a word and the spaces before it) is encoded once per call: about 4x
    faster on logs, whose words repeat. The same counts as encoding each text whole.
    """
    sp = get_ft_tokenizer(name)
    out: list[int] = []
    known: dict[str, int] = {}  # this call's segments -> tokens
    for part in _slices_by_chars(texts, _FT_SLICE_CHARS):
        if name in _FT_BY_SEGMENT and all(type(t) is str for t in part):
            if len(known) > _FT_SEGMENTS_KEPT:
                known.clear()
            try:
                out += _ft_lengths_by_segment(sp, part, known, threads)
                continue
            except (RuntimeError, TypeError, UnicodeError):
                pass  # a lone surrogate: the slice as below
        out += _ft_lengths_whole(sp, part, threads)
    return out


def _ft_lengths_whole(sp, part: list[str], threads: int) -> list[int]:
    """Each text encoded whole (the plain definition); a slice sentencepiece refuses is encoded cleaned."""
    try:
        return [len(ids) for ids in sp.encode(part, num_threads=threads)]
    except (RuntimeError, TypeError, UnicodeError):
        clean = [t.encode("utf-8", "replace").decode("utf-8") if isinstance(t, str) else str(t) for t in part]
        return [len(ids) for ids in sp.encode(clean, num_threads=threads)]


def _ft_segments(text: str) -> list[str]:
    """The text after sentencepiece's leading '▁', cut before every run of spaces that follows another character
    (a '▁' written in the text is a space to sentencepiece too).

    >>> _ft_segments("Hello  world, hi "), _ft_segments("  two"), _ft_segments("")
    ([' Hello', '  world,', ' hi', ' '], ['   two'], [])
    """
    if not text:
        return []
    if "\u2581" in text:
        text = text.replace("\u2581", " ")
    return _FT_SEGMENT.findall(" " + text)


def _ft_lengths_by_segment(sp, part: list[str], known: dict[str, int], threads: int) -> list[int]:
    """:func:`ft_lengths` of one slice, by segment; ``known`` holds the segments counted so far (and gains this
    slice's)."""
    cut = [_ft_segments(t) for t in part]
    new = list({s: None for segments in cut for s in segments if s not in known})
    if new:
        lengths = sp.encode([s[1:] for s in new], num_threads=threads)
        for s, ids in zip(new, lengths):
            known[s] = len(ids) if len(s) > 1 else 1  # ' ' alone: the piece '▁' (encode("") is no token)
    return [sum(map(known.__getitem__, segments)) for segments in cut]


def _slices_by_chars(texts: Sequence[str], max_chars: int) -> Iterator[list[str]]:
    """Consecutive lists of texts of at most ``max_chars`` characters together (a longer text alone).

    >>> [len(s) for s in _slices_by_chars(["ab", "cd", "efghi", "j"], 4)]
    [2, 1, 1]
    """
    part: list[str] = []
    chars = 0
    for t in texts:
        size = len(t) if isinstance(t, str) else 0
        if part and chars + size > max_chars:
            yield part
            part, chars = [], 0
        part.append(t)
        chars += size
    if part:
        yield part


def count_ft_chat(messages: Any, completion: Any = None, *, tools=None, prompt_text: str | None = None,
                  name: str = "mistral-v1") -> tuple[float, float]:
    """(prompt, completion) tokens as the 7B model sees them; completion includes ``</s>`` (NaN without one).

    The one 7B rule: :func:`ft_request_texts` + :func:`ft_counts` (the log reader applies the same two
    functions to a whole chunk at once).
    """
    texts, parts, turns, has_sys = ft_request_texts(messages, prompt_text, completion, tools)
    lens = ft_lengths(texts, name) if texts else []
    by = [sum(n for n, p in zip(lens, parts) if p == k) for k in (FT_PROMPT, FT_COMPLETION, FT_TOOLS)]
    return ft_counts(turns, has_sys, by[FT_PROMPT], by[FT_TOOLS], by[FT_COMPLETION], FT_COMPLETION in parts, name)


