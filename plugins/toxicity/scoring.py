"""Reading long posts whole: overlapping windows, and the model's scores as one list per label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["as_lists", "windows"]


def windows(text: str, size: int) -> list[tuple[int, int]]:
    """Overlapping ``(start, end)`` windows of at most ``size`` characters covering ``text``.

    Windows end at a space where one is near and overlap by a tenth of ``size``, so a phrase
    up to that long that one window cuts off is read whole by the next.
    """
    n = len(text)
    if n <= size:
        return [(0, n)]
    overlap = max(1, size // 10)
    out: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(n, start + size)
        if end < n:
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        out.append((start, end))
        if end >= n:
            return out
        start = max(end - overlap, start + 1)


def as_lists(scores: Mapping[str, Any], n: int) -> dict[str, list[float]]:
    """Detoxify returns a bare float per label for a single text; make every value a list."""
    out: dict[str, list[float]] = {}
    for label, values in scores.items():
        as_list = [float(values)] if isinstance(values, int | float) else [float(v) for v in values]
        if len(as_list) != n:
            raise RuntimeError(f"the model returned {len(as_list)} scores for {n} texts")
        out[label] = as_list
    return out
