"""Tests for the kernel two-sample statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_fidelity.metric_kid import mmd2 as tf_mmd2

from ganbench.numerics import kernels as C


def test_mmd2_unbiased_matches_torch_fidelity() -> None:
    rng = np.random.default_rng(12)
    a, b = rng.standard_normal((40, 40)), rng.standard_normal((40, 40))
    k_xx, k_yy, k_xy = a @ a.T, b @ b.T, a @ b.T
    ours = C.mmd2_unbiased(torch.from_numpy(k_xx), torch.from_numpy(k_xy), torch.from_numpy(k_yy))
    assert ours == pytest.approx(tf_mmd2(k_xx, k_xy, k_yy), rel=1e-12)


def test_weighted_mmd2_is_the_resample_without_a_row_paired_with_its_copies() -> None:
    rng = np.random.default_rng(13)
    a, b = rng.standard_normal((12, 3)), rng.standard_normal((9, 3))
    k = np.exp(-((np.concatenate([a, b])[:, None] - np.concatenate([a, b])[None]) ** 2).sum(-1))
    k_xx, k_xy, k_yy = k[:12, :12], k[:12, 12:], k[12:, 12:]
    rows_x, rows_y = rng.integers(0, 12, 12), rng.integers(0, 9, 9)

    def within(kk: np.ndarray, rows: np.ndarray) -> float:
        pairs = [kk[i, j] for p, i in enumerate(rows) for q, j in enumerate(rows) if p != q and i != j]
        return float(np.mean(pairs))

    expected = within(k_xx, rows_x) + within(k_yy, rows_y) - 2.0 * float(k_xy[np.ix_(rows_x, rows_y)].mean())
    w_x, w_y = np.bincount(rows_x, minlength=12).astype(float), np.bincount(rows_y, minlength=9).astype(float)
    assert C.mmd2_unbiased(k_xx, k_xy, k_yy, w_x, w_y) == pytest.approx(expected, rel=1e-12)
    as_torch = [torch.from_numpy(m) for m in (k_xx, k_xy, k_yy, w_x, w_y)]
    assert C.mmd2_unbiased(*as_torch) == pytest.approx(expected, rel=1e-12)
    # all ones: the unweighted estimate, up to rounding
    ones = C.mmd2_unbiased(k_xx, k_xy, k_yy, np.ones(12), np.ones(9))
    assert ones == pytest.approx(C.mmd2_unbiased(k_xx, k_xy, k_yy), rel=1e-12)
    with pytest.raises(ValueError, match="two distinct rows"):
        C.mmd2_unbiased(k_xx, k_xy, k_yy, np.eye(12)[0] * 5, w_y)
