"""Prompt templates: the system prompt with its variable parts masked, hashed.

``task`` identifies a prompt slot that stays the same across edits (an explicit prompt id from
the log's metadata when it has one, kept as written, else a hash of the masked *first sentence*
of the system prompt); ``template``
identifies one version of it (the whole masked system prompt). A task whose ``template`` values
change over time had its prompt edited: that is the churn the advice reads.
Only these hashes are kept; the text itself is dropped.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["mask", "template_keys", "static_text"]

# (pattern, placeholder, a character the pattern cannot match without: the pass is skipped when the text lacks it,
# which leaves the result unchanged and saves most passes over long system prompts; None: always run)
_MASKS = [
    (re.compile(r"https?://\S+"), "<url>", "://"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "<email>", "@"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<id>", "-"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"), "<date>", "-"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "<date>", "/"),
    (re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.I), "<id>", "digit"),
    (re.compile(r"\b[A-Z]{2,}[-_]?\d+\b"), "<id>", "digit"),
    (re.compile(r"\"[^\"\n]{0,200}\"|'[^'\n]{0,200}'|“[^”\n]{0,200}”"), "<q>", "quote"),
    (re.compile(r"[-+]?\d+(?:[.,]\d+)*"), "<n>", "digit"),
]
_DIGIT = re.compile(r"\d")
_TOKEN_PASSES = 5  # _MASKS[5:] without the quote pass: each match is a digit-holding run without whitespace


def mask(text: str) -> str:
    """The text with URLs, emails, ids, dates, quoted values and numbers replaced by placeholders, runs of
    whitespace as one space (``str.split`` splits on exactly the characters ``\\s`` matches).

    >>> mask("Call  ACME-42 at 2024-05-01 about 'x'; see https://a.b/c or ann@x.io (3 items)")
    'Call <id> at <date> about <q>; see <url> or <email> (<n> items)'
    >>> mask("You are agent 7 of deadbeef01, ticket AB-12 (2.5 h)")
    'You are agent <n> of <id>, ticket <id> (<n> h)'
    """
    digit = _DIGIT.search(text) is not None  # the placeholders add no digit, '@', '-', '/' or quote
    quote = '"' in text or "'" in text or "“" in text
    for k, (pattern, repl, needs) in enumerate(_MASKS):
        if needs == "digit":
            if not digit:
                continue
            if k == _TOKEN_PASSES and not quote:
                return _mask_digit_words(text)
        elif needs == "quote":
            if not quote:
                continue
        elif needs not in text:
            continue
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def _mask_digit_words(text: str) -> str:
    """The digit passes of :data:`_MASKS` (ids, numbers) applied to each whitespace-separated word that holds a
    digit, the words joined by one space: the same text as the passes over the whole text, since none of them
    matches whitespace and their word boundaries see whitespace and a word's ends alike (non-word), and a word
    without a digit has nothing they match. Most words of a long prompt hold none, so most are not scanned."""
    words = text.split()
    passes = [(pattern, repl) for pattern, repl, needs in _MASKS[_TOKEN_PASSES:] if needs == "digit"]
    search = _DIGIT.search
    for i, word in enumerate(words):
        if not word.isalpha() and search(word):  # letters only: no digit (a digit is never alphabetic)
            for pattern, repl in passes:
                word = pattern.sub(repl, word)
            words[i] = word
    return " ".join(words)


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def _label(hint) -> str:
    r"""An explicit prompt id is metadata, not prompt text: kept readable, bounded in length, control characters
    (newlines, terminal escapes) as '?' so a label stays on its line of any output.

    >>> _label("checkout\x1b[31m\nbot ")
    'checkout?[31m?bot'
    """
    return "".join(c if c.isprintable() else "?" for c in str(hint)[:64]).strip() or "unknown"


def _system_text(messages: Sequence[Mapping[str, Any]] | None, prompt_text: str | None) -> str | None:
    if messages:
        system = _system_prompt(messages)
        if system is not None:
            return system
        first = messages[0] if isinstance(messages[0], Mapping) else {}
        c = first.get("content")
        if isinstance(c, list):
            c = " ".join(str(p.get("text", "")) for p in c if isinstance(p, Mapping))
        return str(c or "")[:300]  # no system prompt: the opening of the first message stands in
    if prompt_text is not None:
        return prompt_text[:300]
    return None


_PLACEHOLDER = re.compile(r"<(?:url|email|id|date|q|n)>")


def static_text(messages: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The part of a request's system (or developer) prompt that never changes: the masked text without its
    placeholders (values, names, dates, quoted strings). None without a system prompt. A fine-tune learns this
    part (``advisor.compare.ft_prompt_tokens``); only its token count is kept.

    >>> static_text([{"role": "system", "content": "Answer for ACME-42 on 2024-01-02 in 3 bullets."}])
    'Answer for on in bullets.'
    >>> static_text([{"role": "user", "content": "hi"}]) is None
    True
    """
    text = _system_prompt(messages)
    return None if text is None else _static_of(text) or None


def _system_prompt(messages: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The text of the first system (or developer) message, None without one."""
    if not messages:
        return None
    for m in messages:
        if isinstance(m, (dict, Mapping)) and m.get("role") in ("system", "developer"):
            c = m.get("content")
            if isinstance(c, list):
                c = " ".join(str(p.get("text", "")) for p in c if isinstance(p, Mapping))
            return str(c or "")
    return None


def _static_from(masked: str) -> str:
    """The masked text without placeholders, whitespace collapsed."""
    return " ".join(_PLACEHOLDER.sub(" ", masked).split())


@functools.lru_cache(maxsize=4096)
def _static_of(text: str) -> str:
    return _static_from(mask(text))  # system prompts repeat: computed once each


def _masked_keys(text: str) -> tuple[str, str, str]:
    """(task hash, template hash, static text) of a system prompt: the masked first sentence, the whole masked
    text, the masked text without placeholders (one mask for the three)."""
    masked = mask(text)
    first = masked.split(". ")[0].split("\n")[0][:120]
    return _hash("task:" + first), _hash("tpl:" + masked), _static_from(masked)


class TemplateHasher:
    """Memoised (task, template) hashes: system prompts repeat, so masking runs once per distinct text.

    The memo is bounded by entries and by the characters of the prompts it holds (one per hasher, so that prompt
    text is held only while one read lasts); when full, the older half goes.
    """

    def __init__(self, max_size: int = 20_000, max_chars: int = 16 << 20):
        self.max_size, self.max_chars = max_size, max_chars
        self._memo: dict[str, tuple[str, str, str]] = {}  # text -> (task, template, static text)
        self._by_length: dict[int, tuple[str, tuple[str, str, str]]] = {}  # length -> the last such text, its keys
        self._length_chars = 0  # characters of the texts it holds
        self._chars = 0
        self._labels: dict[str, str] = {}  # prompt ids, as labels (a few per log)

    def _keys_of(self, text: str) -> tuple[str, str, str]:
        """(task, template, static text) of a system prompt, from the memo. A prompt decoded from a log line is a
        new string whose hash (SipHash over all of it: 5k instructions for 1 KB) is not cached, so the last prompt
        of the same length is tried first: comparing equal strings is a memcmp, and a different prompt of the same
        length differs early.

        >>> h = TemplateHasher(); a = h._keys_of("Answer in JSON. Ticket 42.")
        >>> h._keys_of("Answer in JSON. Ticket 42.") is a, h._keys_of("Answer in JSON. Ticket 43.") == a
        (True, True)
        """
        last = self._by_length.get(len(text))
        if last is not None and last[0] == text:
            return last[1]
        hit = self._memo.get(text)
        if hit is None:
            hit = _masked_keys(text)
            if 4 * len(text) <= self.max_chars:
                memo = self._memo
                if len(memo) >= self.max_size or self._chars + len(text) > self.max_chars:
                    for k in list(itertools.islice(memo, (len(memo) + 1) // 2)):
                        self._chars -= len(k)
                        del memo[k]
                    while memo and self._chars + len(text) > self.max_chars:
                        k = next(iter(memo))
                        self._chars -= len(k)
                        del memo[k]
                memo[text] = hit
                self._chars += len(text)
        n = len(text)
        if 4 * n <= self.max_chars:  # bounded like the memo: by entries and by characters held
            if n not in self._by_length:
                if len(self._by_length) >= 4096 or self._length_chars + n > self.max_chars // 4:
                    self._by_length.clear()
                    self._length_chars = 0
                self._length_chars += n  # (a text that replaces another has its length)
            self._by_length[n] = (text, hit)
        return hit

    def keys(self, messages, prompt_text, task_hint: str | None) -> tuple[str, str]:
        text = _system_text(messages, prompt_text)
        if text is None:
            return (self._label(task_hint) if task_hint else "unknown"), "unknown"
        task, tpl, _ = self._keys_of(text)
        if task_hint:
            task = self._label(task_hint)
        return task, tpl

    def keys_static(self, messages, prompt_text, task_hint: str | None) -> tuple[str, str, str | None]:
        """(task, template, static text): :meth:`keys` and :meth:`static` from one look for the system prompt."""
        system = _system_prompt(messages)
        if system is None:
            return (*self.keys(messages, prompt_text, task_hint), None)
        return self.system_keys(system, task_hint)

    def system_keys(self, system: str, task_hint: str | None) -> tuple[str, str, str | None]:
        """:meth:`keys_static` of a request whose system (or developer) prompt is ``system``."""
        task, tpl, static = self._keys_of(system)
        return (self._label(task_hint) if task_hint else task), tpl, static or None

    def static(self, messages) -> str | None:
        """:func:`static_text`, from the same memo as the keys (one mask per distinct system prompt)."""
        text = _system_prompt(messages)
        return None if text is None else self._keys_of(text)[2] or None

    def _label(self, hint) -> str:
        if not isinstance(hint, str):
            return _label(hint)
        label = self._labels.get(hint)
        if label is None:
            if len(self._labels) >= 4096:
                self._labels.clear()
            label = self._labels[hint] = _label(hint)
        return label


def template_keys(messages, prompt_text=None, task_hint=None) -> tuple[str, str]:
    """(task, template) hashes of one prompt."""
    return TemplateHasher().keys(messages, prompt_text, task_hint)
