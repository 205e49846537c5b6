"""Cost of one request to a pay-per-token API model.

Units: token counts per request; prices in USD per 1M tokens; results in USD.
OpenAI's ``prompt_tokens`` *includes* ``cached_tokens``: cached tokens bill at the cached rate and
only the rest at the input rate, never both (a common 2-10x bug in other tools).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import AdvisorError
from .schema import ApiPrice

__all__ = ["api_request_cost_usd"]


def api_request_cost_usd(
    prompt_tokens: ArrayLike,
    completion_tokens: ArrayLike,
    price: ApiPrice,
    *,
    cached_tokens: ArrayLike = 0,
    batch: bool = False,
) -> np.ndarray | float:
    """USD per request, vectorised over arrays of token counts.

    ``cost = ((P - K) * p_in + K * p_cached + C * p_out) / 1e6 * (1 - d_batch)``

    where P = prompt tokens (cached included), K = cached tokens, C = completion tokens,
    ``p_cached = p_in`` when the model had no caching discount, ``d_batch`` the Batch API discount.

    Example: gpt-4-0613 (30 / 60 USD per 1M), P=1000, C=500 -> (1000*30 + 500*60)/1e6 = 0.06 USD.
    """
    p: Any
    c: Any
    k: Any
    negative: Any
    if type(prompt_tokens) in _NUMBERS and type(completion_tokens) in _NUMBERS and type(cached_tokens) in _NUMBERS:
        p, c, k = float(prompt_tokens), float(completion_tokens), float(cached_tokens)  # type: ignore[arg-type]
        negative, over = p < 0 or c < 0 or k < 0, k > p   # one request: Python floats, numpy's IEEE arithmetic
    else:
        p = np.asarray(prompt_tokens, dtype=float)
        c = np.asarray(completion_tokens, dtype=float)
        k = np.asarray(cached_tokens, dtype=float)
        negative, over = np.any(p < 0) or np.any(c < 0) or np.any(k < 0), np.any(k > p)
    if negative:
        raise AdvisorError("token counts must be >= 0")
    if over:
        raise AdvisorError("cached tokens exceed prompt tokens: OpenAI's prompt_tokens include cached_tokens, "
                           "so pass cached <= prompt")
    if batch and price.batch_discount == 0:
        raise AdvisorError("the Batch API was not available on the catalog date for this model; drop --batch or "
                           "choose a later --as-of")
    cached_rate = price.input_usd_per_mtok if price.cached_input_usd_per_mtok is None else price.cached_input_usd_per_mtok
    usd = ((p - k) * price.input_usd_per_mtok + k * cached_rate + c * price.output_usd_per_mtok) / 1e6
    if batch:
        usd = usd * (1.0 - price.batch_discount)
    return float(usd) if np.ndim(usd) == 0 else usd


_NUMBERS = (int, float, np.float64)
