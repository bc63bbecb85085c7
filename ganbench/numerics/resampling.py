"""Rows of a bootstrap resample, as a per-sample measure's reduction receives them.

A resample of one side is int64 indices [n] drawn with replacement, or ``None`` for every row
once, in order (the measure's own value). Two views of it serve every reduction: the rows
themselves (:func:`take_rows`, for a mean over per-row values) and how often each row was drawn
(:func:`row_counts`, for sums weighted by multiplicity, such as kernel sums over pairs).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch

ArrayT = TypeVar("ArrayT", np.ndarray, torch.Tensor)


def take_rows(values: ArrayT, rows: np.ndarray | None) -> ArrayT:
    """``values`` [n, ...] itself when ``rows`` is ``None``, else the rows ``rows`` (a copy, repeats kept)."""
    if rows is None:
        return values
    if isinstance(values, torch.Tensor):
        return values[torch.from_numpy(np.asarray(rows)).to(values.device)]
    return values[rows]


def row_counts(rows: np.ndarray | None, n: int) -> np.ndarray:
    """How often each of ``n`` rows was drawn: float64 [n]; all ones for ``None`` (every row once)."""
    if rows is None:
        return np.ones(n)
    return np.bincount(rows, minlength=n).astype(np.float64)
