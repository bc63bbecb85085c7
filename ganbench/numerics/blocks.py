"""Splitting a range of rows into blocks, so that no pass holds more than a block's worth of memory."""

from __future__ import annotations


def chunks(n: int, size: int) -> list[slice]:
    """Consecutive slices of ``range(n)`` of at most ``size`` items (``size`` >= 1)."""
    if size < 1:
        raise ValueError(f"block size must be >= 1; got {size}")
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]
