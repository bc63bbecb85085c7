"""Kernel Inception Distance (KID).

Bińkowski, Sutherland, Arbel & Gretton 2018, "Demystifying MMD GANs", arXiv:1801.01401:
the unbiased MMD² with the cubic polynomial kernel ``k(a, b) = (a·b / d + 1)³``, averaged over
random subsets. Matches ``torch_fidelity.metric_kid.kid_features_to_metric`` (torch-fidelity
0.4.0) called as ``kid_features_to_metric(fake, real, rng_seed=seed, ...)``: torch-fidelity's
input 1 is the generated set, and it draws input 1's subset first in each round.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_pair, check_seed, integer
from ganbench.numerics.distances import to_tensor
from ganbench.numerics.kernels import mmd2_unbiased, polynomial_kernel


@metric(
    "kid",
    space="features",
    directions={"kid": "lower"},
    reference="Bińkowski et al. 2018 (arXiv:1801.01401); torch_fidelity.metric_kid.kid_features_to_metric",
    runtime=("device",),
)
def kid(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Mean and spread of the unbiased polynomial-kernel MMD² over random subsets.

    Each of ``subsets`` rounds draws ``subset_size`` generated rows, then ``subset_size`` real
    rows, without replacement, from ``numpy.random.RandomState(seed)`` (torch-fidelity's order
    and calls), and computes ``mmd2_unbiased`` on the three kernel matrices in float64 on the
    compute ``device``. torch-fidelity computes in the input's
    dtype, so on float32 features it differs from this float64 value by its own rounding.

    Args:
        real: features [N, D].
        fake: features [M, D].
        subsets: number of rounds (>= 1).
        subset_size: rows per set per round; at most min(N, M).
        degree: polynomial degree (3 in the paper).
        seed: seed of the subset draws.
        device: where the kernel matrices are computed (runtime, not recorded).

    Returns:
        ``{"kid": mean, "kid_std": std}`` (std with divisor ``subsets``, as numpy's default);
        lower is better; slightly negative values are valid (unbiased estimate of 0). When the
        two sets share rows (e.g. identical sets) and ``subset_size`` is a large share of them,
        the real and fake subsets overlap and the value is biased below 0, here as in
        torch-fidelity.
    """
    r, f = as_pair(real, fake)
    seed = check_seed(seed)
    subsets = integer("KID subsets", subsets, minimum=1)
    subset_size = integer("KID subset_size", subset_size, minimum=2)
    degree = integer("KID degree", degree, minimum=1)
    if subset_size > min(len(r), len(f)):
        raise ValueError(
            f"KID subset_size={subset_size} exceeds the number of samples (real: {len(r)}, fake: {len(f)}); "
            f"pass a smaller subset_size (at most {min(len(r), len(f))}) or provide more samples"
        )
    device = torch.device(device)
    rt, ft = to_tensor(r, device), to_tensor(f, device)
    rng = np.random.RandomState(seed)
    mmds = np.empty(subsets)
    for i in range(subsets):
        fi = torch.from_numpy(rng.choice(len(f), subset_size, replace=False)).to(device)
        ri = torch.from_numpy(rng.choice(len(r), subset_size, replace=False)).to(device)
        x, y = ft[fi], rt[ri]
        mmds[i] = mmd2_unbiased(
            polynomial_kernel(x, x, degree), polynomial_kernel(x, y, degree), polynomial_kernel(y, y, degree)
        )
    return {"kid": float(mmds.mean()), "kid_std": float(mmds.std())}
