"""Kernel two-sample statistics: the unbiased MMD² estimator and the kernels KID and MMD use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch


def mmd2_unbiased(
    k_xx: torch.Tensor | np.ndarray,
    k_xy: torch.Tensor | np.ndarray,
    k_yy: torch.Tensor | np.ndarray,
    w_x: torch.Tensor | np.ndarray | None = None,
    w_y: torch.Tensor | np.ndarray | None = None,
) -> float:
    """Unbiased estimate of MMD² from kernel matrices (Gretton et al. 2012, JMLR 13; Lemma 6).

    ``sum_{i≠j} k(x_i,x_j) / (m(m−1)) + sum_{i≠j} k(y_i,y_j) / (n(n−1)) − 2 sum_{i,j} k(x_i,y_j) / (mn)``.
    For m = n this is ``torch_fidelity.metric_kid.mmd2(..., mmd_est="unbiased")``, which keeps the
    diagonal of K_XY (x and y are independent, so every cross pair is unbiased).

    With multiplicities ``w_x`` [m] and ``w_y`` [n] (how often each row was drawn into a bootstrap
    resample), the same estimate on the resample, where a row and its own copies never form a
    pair: ``(w_xᵀ K_XX w_x − Σ_i w_i² k(x_i, x_i)) / (W_x² − Σ_i w_i²)`` for each set (W = Σ w)
    and ``w_xᵀ K_XY w_y / (W_x W_y)`` across. Counting copies as pairs, as recomputing on the
    duplicated rows would, adds the self-similarity k(x, x) to about 1/m of the pairs and shifts
    the estimate up by O(1/m), as much as MMD² itself for close distributions. All-ones
    multiplicities give the unweighted estimate (up to rounding).

    Args:
        k_xx: [m, m]; k_xy: [m, n]; k_yy: [n, n]; torch tensors or numpy arrays, any float dtype
            (float64 recommended).
        w_x, w_y: optional non-negative multiplicities [m], [n] of the same kind (``None``: all 1).
    """
    m, n = k_xx.shape[0], k_yy.shape[0]
    if (
        tuple(k_xx.shape) != (m, m)
        or tuple(k_yy.shape) != (n, n)
        or tuple(k_xy.shape) != (m, n)
        or m < 2
        or n < 2
    ):
        raise ValueError(
            f"expected K_XX [m, m], K_XY [m, n], K_YY [n, n] with m, n >= 2; got "
            f"{tuple(k_xx.shape)}, {tuple(k_xy.shape)}, {tuple(k_yy.shape)}"
        )
    if w_x is None and w_y is None:
        xx = (k_xx.sum() - k_xx.diagonal().sum()) / (m * (m - 1))
        yy = (k_yy.sum() - k_yy.diagonal().sum()) / (n * (n - 1))
        return float(xx + yy - 2.0 * k_xy.sum() / (m * n))
    ones = torch.ones if isinstance(k_xx, torch.Tensor) else np.ones
    kind = {"dtype": k_xx.dtype, "device": k_xx.device} if isinstance(k_xx, torch.Tensor) else {}
    w_x = ones(m, **kind) if w_x is None else w_x
    w_y = ones(n, **kind) if w_y is None else w_y
    across = (w_x @ k_xy @ w_y) / (w_x.sum() * w_y.sum())
    return float(_within_pairs_mean(k_xx, w_x) + _within_pairs_mean(k_yy, w_y) - 2.0 * across)


def _within_pairs_mean(k: torch.Tensor | np.ndarray, w: torch.Tensor | np.ndarray) -> Any:
    """Mean kernel value over the ordered pairs of distinct rows of a resample with multiplicities ``w``."""
    squares = w * w
    pairs = w.sum() ** 2 - squares.sum()
    if not pairs > 0:
        raise ValueError("a resample needs at least two distinct rows per set for MMD²")
    return (w @ k @ w - (squares * k.diagonal()).sum()) / pairs


def kid_rounds(
    n_real: int, n_fake: int, subsets: int, subset_size: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """KID's subset draws: per round, ``subset_size`` generated positions, then ``subset_size`` real
    positions, without replacement, from ``numpy.random.RandomState(seed)`` — torch-fidelity's
    order and calls in ``kid_features_to_metric`` (its input 1, drawn first, is the generated set)."""
    rng = np.random.RandomState(seed)
    rounds = []
    for _ in range(subsets):
        fake_positions = rng.choice(n_fake, subset_size, replace=False)
        rounds.append((fake_positions, rng.choice(n_real, subset_size, replace=False)))
    return rounds


def polynomial_kernel(x: torch.Tensor, y: torch.Tensor, degree: int = 3, coef0: float = 1.0) -> torch.Tensor:
    """``(x·y / d + coef0) ** degree`` for rows x [m, d] and y [n, d] -> [m, n] (same dtype/device).

    The kernel of KID (Bińkowski et al. 2018, arXiv:1801.01401) with its defaults.
    """
    return (x @ y.T / x.shape[1] + coef0) ** degree


def gaussian_kernel(d2: np.ndarray, bandwidths: Sequence[float]) -> np.ndarray:
    """Sum over sigma in ``bandwidths`` of exp(-d2 / (2 sigma²)), for squared distances ``d2`` [P, Q].

    The same form as ``torch_fidelity.metric_kid.kernel_rbf`` for one bandwidth.
    """
    first, *rest = bandwidths
    out = np.multiply(d2, -1.0 / (2.0 * first**2))
    np.exp(out, out=out)
    buf = np.empty_like(d2) if rest else None
    for sigma in rest:
        np.multiply(d2, -1.0 / (2.0 * sigma**2), out=buf)
        np.exp(buf, out=buf)
        out += buf
    return out
