"""Estimated cost of model usage: USD per million tokens, by model name.

The figures are list prices at the time of writing and only an estimate (providers change prices, discount
cached input and bill some models by characters). Local and fake models cost nothing; a model with no known
price is reported as unpriced rather than guessed. `MODEL_PRICES` adds to or replaces this list.
"""

from __future__ import annotations

from collections.abc import Mapping

from backend.core.config import get_settings

FREE_PROVIDERS = frozenset({"local", "fake"})

BUILT_IN_PRICES: dict[str, tuple[float, float]] = {
    "gemini-2.5-pro": (1.25, 10.00),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-embedding-001": (0.15, 0.0),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "text-embedding-3-small": (0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.0),
}


def price_list() -> Mapping[str, tuple[float, float]]:
    """The built-in prices with the configured ones over them."""
    return {**BUILT_IN_PRICES, **get_settings().model_prices}


def estimate_cost(
    provider: str, model: str, tokens_in: int, tokens_out: int, prices: Mapping[str, tuple[float, float]]
) -> float | None:
    """USD for these tokens, 0 for local models, None when the model's price is unknown."""
    if provider in FREE_PROVIDERS:
        return 0.0
    price = prices.get(model)
    if price is None:
        return None
    return (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000


__all__ = ["BUILT_IN_PRICES", "FREE_PROVIDERS", "estimate_cost", "price_list"]
