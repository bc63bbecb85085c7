"""Density and coverage.

Naeem, Oh, Uh, Choi & Yoo 2020, "Reliable Fidelity and Diversity Metrics for Generative
Models", arXiv:2002.09797. Matches ``prdc.compute_prdc(real, fake, nearest_k=k)`` (prdc 0.2),
including its strict ball test ``d < radius``.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_pair, positive_int
from ganbench.numerics.distances import count_within_radii, kth_neighbour_distance


@metric(
    "density-coverage",
    space="features",
    directions={"density": "higher", "coverage": "higher"},
    reference="Naeem et al. 2020 (arXiv:2002.09797); prdc.compute_prdc",
    runtime=("device",),
    min_samples=lambda p: p["k"] + 1,
)
def density_coverage(
    *, real: np.ndarray, fake: np.ndarray, k: int = 5, device: str | torch.device = "cpu"
) -> dict[str, float]:
    """Density and coverage from k-NN balls around the real points only.

    With ``B_i`` the ball around real point i reaching its k-th nearest other real point:
    density = ``1/(k·M) Σ_j #{i : fake_j ∈ B_i}``; coverage = share of real points whose ball
    holds at least one generated point. Both come from one chunked pass over the real x fake
    distances; the radii come from the shared, memoised k-NN pass. Distances are canonical
    (:mod:`ganbench.numerics.distances`), so the strict ball test treats a generated point at
    exactly a radius the same way on every machine: identical sets give density exactly 1.

    Args:
        real: features [N, D], N > k.
        fake: features [M, D], M >= 1.
        k: neighbourhood size (5 in the paper).
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``{"density": float, "coverage": float}``; higher is better for both. Coverage is in
        [0, 1]. Density is about 1 when the two sets come from the same distribution and is
        not bounded by 1: generated samples crowded into dense real regions score above 1, so
        read it as "closer to 1 from below is better, above 1 means concentration".
    """
    k = positive_int("k", k)
    r, f = as_pair(real, fake, min_real=k + 1)
    radii = kth_neighbour_distance(r, k, device=device)
    counts = count_within_radii(f, r, radii, inclusive=False, device=device)
    density = counts.per_query.sum() / (k * len(f))
    coverage = (counts.per_ref > 0).mean()
    return {"density": float(density), "coverage": float(coverage)}
