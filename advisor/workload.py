"""A task's traffic as the pricing needs it, from typed numbers or from the normalized log frame.

Units: tokens are per request and counted by the *API's* tokenizer unless prefixed ``ft_`` (the
7B model's tokenizer); volumes are requests per day; ``peak_to_mean`` is the busiest hour's
request rate over the mean hourly rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .errors import ScenarioError

__all__ = ["Workload", "DEFAULT_PEAK_TO_MEAN"]

# Typical diurnal business traffic: busiest hour ~2x the daily mean. Used only for typed numbers,
# and reported as an assumption whenever it is.
DEFAULT_PEAK_TO_MEAN = 2.0


@dataclass(frozen=True)
class Workload:
    """One task's traffic (means per request)."""

    requests_per_day: float
    prompt_tokens: float
    completion_tokens: float
    cached_tokens: float = 0.0
    peak_to_mean: float = DEFAULT_PEAK_TO_MEAN
    ft_prompt_tokens: float | None = None       # None: same as prompt_tokens (ratio 1, reported)
    ft_completion_tokens: float | None = None
    task: str = "all"
    # statistics that only logs can give (None for typed numbers)
    prompt_tokens_p50: float | None = None
    prompt_tokens_p95: float | None = None
    completion_tokens_p50: float | None = None
    completion_tokens_p95: float | None = None
    template_changes_per_month: float | None = None
    examples: int | None = None
    days_observed: float | None = None
    source: str = "typed"
    assumptions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.requests_per_day < 0:
            raise ScenarioError(f"requests_per_day={self.requests_per_day}: must be >= 0")
        if self.prompt_tokens < 0 or self.completion_tokens < 0:
            raise ScenarioError("prompt and completion tokens per request must be >= 0")
        if self.completion_tokens == 0 and self.requests_per_day > 0:
            raise ScenarioError("completion_tokens=0: every request generates at least one token; pass the mean "
                                "completion tokens per request")
        if not 0 <= self.cached_tokens <= self.prompt_tokens:
            raise ScenarioError(f"cached_tokens={self.cached_tokens}: must be between 0 and prompt_tokens "
                                f"({self.prompt_tokens}), since OpenAI's prompt_tokens include cached tokens")
        if self.peak_to_mean < 1:
            raise ScenarioError(f"peak_to_mean={self.peak_to_mean}: the busiest hour is at least the mean, so >= 1")

    @classmethod
    def typed(cls, requests_per_day: float, prompt_tokens: float, completion_tokens: float, *,
              cached_tokens: float = 0.0, peak_to_mean: float | None = None,
              ft_token_ratio: float | None = None, **kw) -> "Workload":
        """A workload from typed numbers; every default it takes is listed in ``assumptions``."""
        notes = list(kw.pop("assumptions", ()))
        if peak_to_mean is None:
            peak_to_mean = DEFAULT_PEAK_TO_MEAN
            notes.append(f"peak hour = {DEFAULT_PEAK_TO_MEAN:g}x the mean rate (typical diurnal traffic; "
                         "logs with timestamps measure it)")
        if ft_token_ratio is None:
            ft_token_ratio = 1.0
            notes.append("the 7B tokenizer is assumed to count the same tokens as the API's (logs measure the "
                         "ratio: ~1.13 for English prose with Mistral's tokenizer)")
        if ft_token_ratio <= 0:
            raise ScenarioError(f"ft_token_ratio={ft_token_ratio}: must be > 0")
        return cls(requests_per_day=requests_per_day, prompt_tokens=prompt_tokens,
                   completion_tokens=completion_tokens, cached_tokens=cached_tokens, peak_to_mean=peak_to_mean,
                   ft_prompt_tokens=prompt_tokens * ft_token_ratio, ft_completion_tokens=completion_tokens * ft_token_ratio,
                   assumptions=tuple(notes), **kw)

    @property
    def ft_prompt(self) -> float:
        return self.prompt_tokens if self.ft_prompt_tokens is None else self.ft_prompt_tokens

    @property
    def ft_completion(self) -> float:
        return self.completion_tokens if self.ft_completion_tokens is None else self.ft_completion_tokens

    @property
    def input_output_ratio(self) -> float:
        """Prompt tokens per completion token."""
        return self.prompt_tokens / self.completion_tokens if self.completion_tokens else float("inf")

    def with_volume(self, requests_per_day: float) -> "Workload":
        return replace(self, requests_per_day=requests_per_day)
