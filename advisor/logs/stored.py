"""OpenAI's stored chat completion messages (``GET /v1/chat/completions/{completion_id}/messages``): recognised, and
why they cannot be counted.

The list is ``{"object": "list", "data": [{"id", "role", "content", "name", "content_parts"}], "first_id",
"last_id", "has_more"}`` (``ChatCompletionStoreMessage``: a chat message with its ``id``, "the identifier of the chat
message", and ``content_parts``). These are a stored request's input messages: no usage, no answer, and, as the API
reference describes them, nothing that names their completion (its id is the request path's, not the body's). So
they are ignored, with a reason saying what to export instead (a problem would refuse the upload of the completions
list beside them: a file of problems only is an error), never guessed onto a completion by the form of their ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["looks_like_stored_message", "STORED_MESSAGE"]

STORED_MESSAGE = ("OpenAI stored completion message (a request's input, with no usage or answer, naming no "
                  "completion): count the stored completions list instead (GET /v1/chat/completions)")
_MESSAGE_KEYS = frozenset(("id", "role", "content", "name", "content_parts", "refusal", "audio", "annotations",
                           "tool_calls", "function_call", "tool_call_id"))


def looks_like_stored_message(rec: Any) -> bool:
    """A stored completion message: ``id``, ``role`` and ``content_parts`` (the stored message's own key), no key a
    chat message does not have.

    >>> looks_like_stored_message({"id": "c-0", "role": "user", "content": "hi", "name": None, "content_parts": None})
    True
    >>> looks_like_stored_message({"id": "c-0", "role": "user", "content": "hi", "usage": {}})
    False
    """
    return isinstance(rec, Mapping) and "content_parts" in rec and "role" in rec and "id" in rec and \
        rec.keys() <= _MESSAGE_KEYS
