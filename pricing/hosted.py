"""Cost of one request to a hosted fine-tuned endpoint billed per token.

Token counts are the served model's own (a Mistral tokenizer counts English prose ~13% longer
than cl100k_base); callers convert with the measured ratio from the logs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .errors import AdvisorError
from .schema import HostedPrice

__all__ = ["hosted_request_cost_usd"]


def hosted_request_cost_usd(prompt_tokens: ArrayLike, completion_tokens: ArrayLike, price: HostedPrice) -> np.ndarray | float:
    """USD per request: ``(P * p_in + C * p_out) / 1e6``, vectorised.

    Example: OpenPipe Mistral-7B (1.20 / 1.60 per 1M), P=1200, C=1000 -> (1440 + 1600)/1e6 = 0.00304 USD.
    """
    p = np.asarray(prompt_tokens, dtype=float)
    c = np.asarray(completion_tokens, dtype=float)
    if np.any(p < 0) or np.any(c < 0):
        raise AdvisorError("token counts must be >= 0")
    usd = (p * price.input_usd_per_mtok + c * price.output_usd_per_mtok) / 1e6
    return float(usd) if usd.ndim == 0 else usd
