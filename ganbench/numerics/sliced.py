"""The 1-D core of sliced Wasserstein distances: project two sets on directions, sort, compare.

Shared by ``swd`` (Karras et al. 2018: W1 of image-patch descriptors) and ``mind`` (Berthet et al.:
squared W2 of features). For two sets of the same size K, the optimal 1-D coupling pairs the
order statistics, so W_p^p along a direction u is ``mean_k |sort(a u)_k - sort(b u)_k|^p``.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.numerics.blocks import chunks

_DIRECTIONS_PER_BATCH = 32


def sliced_wasserstein(
    a: torch.Tensor, b: torch.Tensor, directions: torch.Tensor, *, power: int = 1
) -> float:
    """Mean over unit ``directions`` [D, P] of ``mean_k |sort(a u)_k - sort(b u)_k| ** power``.

    ``a``, ``b``: [K, D], the same K (the order statistics are paired). ``power=1`` is the sliced
    W1 distance; ``power=2`` the mean of squared W2 distances (no square root). Memory: two
    [32, K] projection blocks at a time; sums over K in float64.
    """
    total = 0.0
    for cols in chunks(directions.shape[1], _DIRECTIONS_PER_BATCH):
        dirs = directions[:, cols].T.contiguous()
        # [P, K] rows, sorted by numpy's vectorised sort (much faster than torch.sort on CPU)
        pa = (dirs @ a.T).numpy()
        pb = (dirs @ b.T).numpy()
        pa.sort(axis=1)
        pb.sort(axis=1)
        pa -= pb
        np.abs(pa, out=pa)
        if power != 1:
            np.power(pa, power, out=pa)
        total += float(pa.mean(axis=1, dtype=np.float64).sum())
    return total / directions.shape[1]
