"""One training example as a line of each dataset format, and a check of each line against its documented schema.

- ``openai``: OpenAI's chat fine-tuning JSONL (the ``FineTuneChatRequestInput`` object of OpenAI's API spec):
  ``messages`` (``system``/``developer``, ``user``, ``assistant``, ``tool``), ending with the ``assistant`` answer
  to learn, which may carry ``tool_calls``; optional ``tools`` and ``parallel_tool_calls``.
- ``hf``: Hugging Face's conversational shape (TRL, "Dataset formats and types": ``{"messages": [{"role",
  "content"}, ...]}``), with a ``tools`` column when the calls offered tools (TRL passes it to the chat template).
- ``openpipe``: OpenPipe's upload format (docs.openpipe.ai, "Uploading Data"): OpenAI's chat format plus
  ``split`` (``"TRAIN"`` or ``"TEST"``) and ``metadata`` (string values).

An example is ``(messages, answer, tools, parallel_tool_calls)``: the prompt messages as logged (system first)
and the assistant message logged as the answer (``{"role": "assistant", "content": ..., "tool_calls": ...}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["OUT_FORMATS", "example_line", "check_line"]

OUT_FORMATS = ("openai", "hf", "openpipe")
_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


def _content(c: Any) -> Any:
    """Message content as the formats take it: text, or a list of text/image parts (other parts as text)."""
    if c is None or isinstance(c, str):
        return c
    if isinstance(c, list):
        parts: list[dict[str, Any]] = []
        for p in c:
            if isinstance(p, Mapping) and p.get("type") in ("text", "input_text", "output_text"):
                parts.append({"type": "text", "text": str(p.get("text", ""))})
            elif isinstance(p, Mapping) and p.get("type") == "image_url":
                parts.append({"type": "image_url", "image_url": p.get("image_url")})
            elif isinstance(p, Mapping) and "text" in p:
                parts.append({"type": "text", "text": str(p["text"])})
        if all(p["type"] == "text" for p in parts):
            return "\n".join(p["text"] for p in parts)
        return parts
    return str(c)


def _message(m: Mapping) -> dict:
    out: dict[str, Any] = {"role": m.get("role"), "content": _content(m.get("content"))}
    for k in ("name", "tool_call_id"):
        if isinstance(m.get(k), str):
            out[k] = m[k]
    calls = m.get("tool_calls")
    if isinstance(calls, list) and calls:
        out["tool_calls"] = [_call(c, i) for i, c in enumerate(calls) if isinstance(c, Mapping)]
    if isinstance(m.get("function_call"), Mapping):  # the legacy functions shape, kept as logged
        out["function_call"] = _call({"function": m["function_call"]}, 0)["function"]
    if m.get("weight") in (0, 1) and m.get("role") == "assistant":  # OpenAI's per-message training weight
        out["weight"] = int(m["weight"])
    return out


def _call(c: Mapping, i: int) -> dict:
    fn: Mapping = c["function"] if isinstance(c.get("function"), Mapping) else {}
    args = fn.get("arguments", "")
    if not isinstance(args, str):
        import json

        args = json.dumps(args, separators=(",", ":"))
    return {"id": str(c.get("id") or f"call_{i}"), "type": "function",
            "function": {"name": str(fn.get("name", "")), "arguments": args}}


def example_line(fmt: str, messages: list, answer: Mapping, *, tools: list | None = None,
                 parallel_tool_calls: bool | None = None, split: str = "TRAIN",
                 metadata: Mapping[str, str] | None = None) -> dict:
    """One JSONL object of the format.

    >>> example_line("openai", [{"role": "user", "content": "hi"}], {"role": "assistant", "content": "hello"})
    {'messages': [{'role': 'user', 'content': 'hi'}, {'role': 'assistant', 'content': 'hello'}]}
    >>> example_line("openpipe", [{"role": "user", "content": "hi"}], {"role": "assistant", "content": "yo"},
    ...              split="TEST")["split"]
    'TEST'
    """
    msgs = [_message(m) for m in messages if isinstance(m, Mapping)] + [_message({**answer, "role": "assistant"})]
    line: dict[str, Any] = {"messages": msgs}
    if tools:
        line["tools"] = list(tools)
    if fmt == "hf":
        for m in msgs:
            m.pop("weight", None)
        return line
    if parallel_tool_calls is not None and tools:
        line["parallel_tool_calls"] = bool(parallel_tool_calls)
    if fmt == "openpipe":
        line["split"] = split
        if metadata:
            line["metadata"] = {str(k): str(v) for k, v in metadata.items()}
    elif fmt != "openai":
        raise ValueError(f"unknown format {fmt!r}")
    return line


def check_line(fmt: str, line: Any) -> list[str]:
    """What in one JSONL object breaks the format's documented schema ([] when it is valid).

    >>> check_line("openai", {"messages": [{"role": "user", "content": "hi"}]})
    ['the last message must be the assistant answer']
    """
    errs: list[str] = []
    if not isinstance(line, Mapping):
        return ["a line must be a JSON object"]
    allowed = {"openai": {"messages", "tools", "parallel_tool_calls", "functions"},
               "hf": {"messages", "tools"},
               "openpipe": {"messages", "tools", "tool_choice", "parallel_tool_calls", "split", "metadata",
                            "rejected_message", "functions", "function_call"}}[fmt]
    extra = set(line) - allowed
    if extra:
        errs.append(f"keys not in the {fmt} format: {', '.join(sorted(extra))}")
    msgs = line.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return errs + ["messages must be a non-empty list"]
    for i, m in enumerate(msgs):
        if not isinstance(m, Mapping) or m.get("role") not in _ROLES:
            errs.append(f"messages[{i}].role must be one of {', '.join(sorted(_ROLES))}")
            continue
        c = m.get("content")
        if c is None and not (m.get("role") == "assistant" and (m.get("tool_calls") or m.get("function_call"))):
            errs.append(f"messages[{i}].content is missing")
        elif c is not None and not isinstance(c, (str, list)):
            errs.append(f"messages[{i}].content must be text or a list of parts")
        for j, call in enumerate(m.get("tool_calls") or []):
            fn = call.get("function") if isinstance(call, Mapping) else None
            if not (isinstance(fn, Mapping) and isinstance(fn.get("name"), str) and isinstance(fn.get("arguments"), str)
                    and call.get("type") == "function" and isinstance(call.get("id"), str)):
                errs.append(f"messages[{i}].tool_calls[{j}] needs id, type 'function', function.name and "
                            "function.arguments (a JSON string)")
    if not isinstance(msgs[-1], Mapping) or msgs[-1].get("role") != "assistant":
        errs.append("the last message must be the assistant answer")
    if not any(isinstance(m, Mapping) and m.get("role") == "user" for m in msgs):
        errs.append("an example needs at least one user message")
    if "tools" in line and not (isinstance(line["tools"], list) and all(isinstance(t, Mapping) for t in line["tools"])):
        errs.append("tools must be a list of objects")
    if any(isinstance(m, Mapping) and m.get("weight") not in (None, 0, 1) for m in msgs):
        errs.append("a message's weight must be 0 or 1")
    if "parallel_tool_calls" in line and not isinstance(line["parallel_tool_calls"], bool):
        errs.append("parallel_tool_calls must be true or false")
    if fmt == "openpipe":
        if line.get("split", "TRAIN") not in ("TRAIN", "TEST"):
            errs.append("split must be TRAIN or TEST")
        meta = line.get("metadata")
        if meta is not None and not (isinstance(meta, Mapping) and all(isinstance(v, str) for v in meta.values())):
            errs.append("metadata must map names to strings")
    return errs
