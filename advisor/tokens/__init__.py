"""Token counts exactly as the API bills them, offline, and as the fine-tuned 7B model sees them.

:mod:`~advisor.tokens.counter` is the front (encodings, whole requests, the 7B tokenizer); the rules per part live
in :mod:`~advisor.tokens.chat` (messages), :mod:`~advisor.tokens.tools` (tool definitions),
:mod:`~advisor.tokens.media` (images, files, audio), :mod:`~advisor.tokens.responses` (the Responses API) and
:mod:`~advisor.tokens.periods` (billing that depended on when a call was made).
"""

from advisor.tokens.counter import (
    FT_TOKENIZERS as FT_TOKENIZERS,
)
from advisor.tokens.counter import (
    EncodingChoice as EncodingChoice,
)
from advisor.tokens.counter import (
    LengthMemo as LengthMemo,
)
from advisor.tokens.counter import (
    TokenCounter as TokenCounter,
)
from advisor.tokens.counter import (
    count_chat_prompt as count_chat_prompt,
)
from advisor.tokens.counter import (
    count_completion as count_completion,
)
from advisor.tokens.counter import (
    count_ft_chat as count_ft_chat,
)
from advisor.tokens.counter import (
    count_request as count_request,
)
from advisor.tokens.counter import (
    count_responses_request as count_responses_request,
)
from advisor.tokens.counter import (
    encoding_name_for_model as encoding_name_for_model,
)
from advisor.tokens.counter import (
    get_encoding as get_encoding,
)
from advisor.tokens.counter import (
    get_ft_tokenizer as get_ft_tokenizer,
)
from advisor.tokens.counter import (
    resolve_encoding as resolve_encoding,
)

__all__ = ["FT_TOKENIZERS", "EncodingChoice", "LengthMemo", "TokenCounter", "count_chat_prompt", "count_completion",
           "count_ft_chat", "count_request", "count_responses_request", "encoding_name_for_model", "get_encoding",
           "get_ft_tokenizer", "resolve_encoding"]
