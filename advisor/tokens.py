"""Token counts exactly as the API bills them, offline; and as the fine-tuned 7B model sees them.

- OpenAI encodings (``cl100k_base``, ``o200k_base``) are built from the files shipped in the
  ``bpe-openai`` wheel, each checked against the SHA-256 that tiktoken itself pins for it; the
  regex and special tokens come from tiktoken's own constructors. Nothing is downloaded.
- Chat prompts follow OpenAI's published rules (cookbook "How to count tokens with tiktoken"):
  3 tokens per message (4 for gpt-3.5-turbo-0301), every string value encoded (role included),
  +1 per ``name`` (-1 for 0301), +3 to prime the reply; tool definitions add the cookbook's
  ``func_init`` / ``prop_*`` / ``enum_*`` / ``func_end`` constants. Reference: its six-message example
  is 129 tokens on gpt-4 (cl100k) and 124 on gpt-4o (o200k); with its weather tool, 105 / 101.
- The 7B model's tokenizer is Mistral's sentencepiece model from ``mistral-common``
  (``tokenizer.model.v1``: Mistral-7B v0.1/v0.2), counting the instruct template
  ``<s>[INST] {system}\\n\\n{user} [/INST]{assistant}</s>`` piece by piece.

Encoders are loaded lazily and cached (~0.6 s each); importing this module loads nothing.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import importlib.util
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import AdvisorError

__all__ = [
    "get_encoding",
    "encoding_name_for_model",
    "resolve_encoding",
    "EncodingChoice",
    "chat_overheads",
    "count_chat_prompt",
    "count_tools",
    "count_completion",
    "get_ft_tokenizer",
    "FT_TOKENIZERS",
    "count_ft_chat",
    "Counter",
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
    """tiktoken's loader signature, reading the file shipped in bpe-openai instead of the network."""
    name = blobpath.rsplit("/", 1)[-1].removesuffix(".tiktoken")
    if name not in _BPE_FILES:
        raise AdvisorError(f"encoding {name!r} is not available offline; available: {', '.join(_BPE_FILES)}")
    res = _bpe_data_dir() / _BPE_FILES[name]
    try:
        data = gzip.decompress(res.read_bytes())
    except OSError as exc:
        raise AdvisorError(f"{res}: cannot read ({exc}); reinstall bpe-openai") from None
    digest = hashlib.sha256(data).hexdigest()
    if expected_hash and digest != expected_hash:
        raise AdvisorError(f"{res}: SHA-256 {digest} differs from tiktoken's pinned {expected_hash}; "
                           "reinstall bpe-openai (pip install --force-reinstall bpe-openai)")
    return {base64.b64decode(tok): int(rank) for tok, rank in (ln.split() for ln in data.splitlines() if ln)}


def _bpe_data_dir() -> Path:
    """bpe-openai's data folder, found without importing the package (its import does work we skip)."""
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise AdvisorError("the bpe-openai package is missing: pip install bpe-openai (it ships OpenAI's encodings)")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@functools.lru_cache(maxsize=None)
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


def encoding_name_for_model(model: str) -> str:
    """tiktoken's model map, after stripping provider prefixes (``openai/``, ``azure/``).

    Raises KeyError for a model tiktoken cannot map.
    """
    from tiktoken.model import encoding_name_for_model as _map

    name = model.strip()
    if "/" in name and not name.startswith("ft:"):
        name = name.rsplit("/", 1)[-1]
    return _map(name)


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


def chat_overheads(model: str) -> tuple[int, int]:
    """(tokens per message, tokens per name): (4, -1) for gpt-3.5-turbo-0301, else (3, 1)."""
    return (4, -1) if "gpt-3.5-turbo-0301" in model or "gpt-35-turbo-0301" in model else (3, 1)


def _tool_constants(encoding: str) -> dict[str, int]:
    # cookbook section 7: gpt-4o family (o200k) vs gpt-3.5/gpt-4 (cl100k)
    func_init = 7 if encoding == "o200k_base" else 10
    return {"func_init": func_init, "prop_init": 3, "prop_key": 3, "enum_init": -3, "enum_item": 3, "func_end": 12}


class Counter:
    """Counts with one encoding, memoising repeated strings (system prompts, tool definitions).

    ``count_many`` encodes a list of strings with tiktoken's batch encoder, on ``threads`` threads.
    """

    def __init__(self, encoding: str, *, threads: int = 2, memo_size: int = 4096, memo_min_chars: int = 64):
        self.name = encoding
        self.enc = get_encoding(encoding)
        self.threads = threads
        self._memo: dict[str, int] = {}
        self._memo_size = memo_size
        self._memo_min = memo_min_chars
        self._executor: ThreadPoolExecutor | None = None

    def count(self, text: str) -> int:
        if not text:
            return 0
        hit = self._memo.get(text)
        if hit is not None:
            return hit
        n = len(self.enc.encode_ordinary(text))
        self._remember(text, n)
        return n

    def _remember(self, text: str, n: int) -> None:
        if len(text) >= self._memo_min:
            if len(self._memo) >= self._memo_size:
                self._memo.clear()
            self._memo[text] = n

    def _lengths(self, texts: Sequence[str]) -> list[int]:
        encode = self.enc.encode_ordinary
        return [len(encode(t)) for t in texts]

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """Token counts of many strings: memo hits first, the rest split into ``threads`` contiguous
        slices encoded in parallel (tiktoken releases the GIL while encoding). One task per slice,
        not per string, and only lengths are kept: tiktoken's own ``encode_ordinary_batch`` pays a
        future per string and returns every token id."""
        out = [0] * len(texts)
        todo_idx: list[int] = []
        todo: list[str] = []
        memo = self._memo
        for i, t in enumerate(texts):
            if not t:
                continue
            hit = memo.get(t)
            if hit is None:
                todo_idx.append(i)
                todo.append(t)
            else:
                out[i] = hit
        if not todo:
            return out
        if self.threads > 1 and len(todo) >= 64:
            lens = [n for part in self._pool().map(self._lengths, _split_by_chars(todo, self.threads)) for n in part]
        else:
            lens = self._lengths(todo)
        for i, t, n in zip(todo_idx, todo, lens):
            out[i] = n
            self._remember(t, n)
        return out

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


def _content_texts(content: Any) -> tuple[list[str], int]:
    """(text parts, image tokens) of a message content: a string or a list of parts."""
    if content is None:
        return [], 0
    if isinstance(content, str):
        return [content], 0
    texts: list[str] = []
    image_tokens = 0
    if isinstance(content, list):
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping):
                kind = part.get("type")
                if kind in ("text", "input_text", "output_text"):
                    texts.append(str(part.get("text", "")))
                elif kind in ("image_url", "input_image"):
                    image_tokens += 85  # low-detail base; high detail adds 170 per 512px tile (size not logged)
    return texts, image_tokens


def message_strings(messages: Iterable[Mapping[str, Any]], model: str) -> tuple[list[str], int]:
    """Every string the API encodes for a prompt, and the fixed tokens around them.

    fixed = per-message overhead + name adjustments + image tokens + 3 reply-priming tokens.
    """
    per_message, per_name = chat_overheads(model)
    strings: list[str] = []
    fixed = 3
    for msg in messages:
        fixed += per_message
        for key, value in msg.items():
            if key == "content":
                texts, img = _content_texts(value)
                strings.extend(texts)
                fixed += img
            elif key == "tool_calls" and isinstance(value, list):
                for call in value:
                    fn = (call or {}).get("function") or {}
                    strings.append(str(fn.get("name", "")))
                    strings.append(str(fn.get("arguments", "")))
            elif key == "function_call" and isinstance(value, Mapping):
                strings.append(str(value.get("name", "")))
                strings.append(str(value.get("arguments", "")))
            elif isinstance(value, str) and key not in ("weight",):
                strings.append(value)
                if key == "name":
                    fixed += per_name
    return strings, fixed


def tool_strings(tools: Sequence[Mapping[str, Any]] | None, encoding: str) -> tuple[list[str], int]:
    """Strings and fixed tokens of tool/function definitions (cookbook ``num_tokens_for_tools``).

    Nested object/array parameters are counted by their JSON text (the cookbook does not cover them).
    """
    if not tools:
        return [], 0
    k = _tool_constants(encoding)
    strings: list[str] = []
    fixed = 0
    for tool in tools:
        fn = tool.get("function", tool) if isinstance(tool, Mapping) else {}
        fixed += k["func_init"]
        desc = str(fn.get("description", "") or "")
        strings.append(f"{fn.get('name', '')}:{desc[:-1] if desc.endswith('.') else desc}")
        props = ((fn.get("parameters") or {}).get("properties") or {})
        if props:
            fixed += k["prop_init"]
            for key, spec in props.items():
                spec = spec if isinstance(spec, Mapping) else {}
                fixed += k["prop_key"]
                if "enum" in spec:
                    fixed += k["enum_init"]
                    for item in spec["enum"]:
                        fixed += k["enum_item"]
                        strings.append(str(item))
                pdesc = str(spec.get("description", "") or "")
                pdesc = pdesc[:-1] if pdesc.endswith(".") else pdesc
                strings.append(f"{key}:{spec.get('type', '')}:{pdesc}")
                for nested in ("properties", "items"):
                    if nested in spec:
                        strings.append(json.dumps(spec[nested], separators=(",", ":")))
    fixed += k["func_end"]
    return strings, fixed


def count_chat_prompt(messages: Sequence[Mapping[str, Any]], model: str, *, tools=None, functions=None,
                      encoding: str | None = None) -> int:
    """Prompt tokens as the API bills them (cookbook rules; tools per its section 7)."""
    enc_name = encoding or resolve_encoding(model).encoding
    counter = Counter(enc_name)
    strings, fixed = message_strings(messages, model)
    tstrings, tfixed = tool_strings(tools or functions, enc_name)
    return fixed + tfixed + sum(counter.count_many(strings + tstrings))


def count_tools(tools, encoding: str) -> int:
    strings, fixed = tool_strings(tools, encoding)
    return fixed + sum(Counter(encoding).count_many(strings))


def completion_strings(message: Any) -> list[str]:
    """Strings billed as completion: the content and any tool-call names and arguments."""
    if message is None:
        return []
    if isinstance(message, str):
        return [message]
    if isinstance(message, Mapping):
        texts, _ = _content_texts(message.get("content"))
        for call in message.get("tool_calls") or ():
            fn = (call or {}).get("function") or {}
            texts += [str(fn.get("name", "")), str(fn.get("arguments", ""))]
        if isinstance(message.get("function_call"), Mapping):
            fc = message["function_call"]
            texts += [str(fc.get("name", "")), str(fc.get("arguments", ""))]
        return texts
    return [str(message)]


def count_completion(message: Any, model: str, *, encoding: str | None = None) -> int:
    enc_name = encoding or resolve_encoding(model).encoding
    return sum(Counter(enc_name).count_many(completion_strings(message)))


# ---------------------------------------------------------------------------------------------
# the 7B model's tokenizer


@functools.lru_cache(maxsize=None)
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


def count_ft_chat(messages: Sequence[Mapping[str, Any]], completion: Any = None, *, tools=None,
                  name: str = "mistral-v1") -> tuple[int, int]:
    """(prompt, completion) tokens as the 7B model sees them; completion includes ``</s>``."""
    sp = get_ft_tokenizer(name)
    texts: list[str] = []
    turns = 0
    has_system = False
    for m in messages:
        role = m.get("role")
        if role in ("system", "developer"):
            has_system = True
        if role == "user":
            turns += 1
        texts += completion_strings(m)
    text_tokens = sum(len(t) for t in sp.encode(texts)) if texts else 0
    tool_tokens = len(sp.encode(json.dumps(tools, separators=(",", ":")))) if tools else 0
    prompt = ft_counts_from_lengths(turns, has_system, text_tokens, tool_tokens, name)
    comp_texts = completion_strings(completion)
    comp = (sum(len(t) for t in sp.encode(comp_texts)) + 1) if comp_texts else 0
    return prompt, comp
