"""Density and coverage.

Naeem, Oh, Uh, Choi & Yoo 2020, "Reliable Fidelity and Diversity Metrics for Generative
Models", arXiv:2002.09797. Matches ``prdc.compute_prdc(real, fake, nearest_k=k)`` (prdc 0.2),
including its strict ball test ``d < radius``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, positive_int
from ganbench.numerics.distances import ball_members, kth_neighbour_distance
from ganbench.numerics.resampling import take_rows
from ganbench.numerics.shared_pass import BallTest, Needs


def density_coverage_samples(
    *, real: np.ndarray, fake: np.ndarray, k: int = 5, device: str | torch.device = "cpu"
) -> PerSample:
    """Per-sample ball counts on the full sets: the real balls holding each generated row (int [M])
    and whether each real ball holds a generated row (bool [N]); a resample's density is the mean
    count of the drawn generated rows over k, its coverage the covered share of the drawn real
    rows. Arguments as :func:`density_coverage`."""
    k = positive_int("k", k)
    r, f = as_pair(real, fake, min_real=k + 1, keep_float32=True)
    radii = kth_neighbour_distance(r, k, device=device)
    members = ball_members(f, r, radii, inclusive=False, per_query="count", per_ref="any", device=device)
    balls_per_fake, covered = members.per_query, members.per_ref

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        drawn = take_rows(balls_per_fake, fake_rows)
        return {
            "density": float(drawn.sum() / (k * len(drawn))),
            "coverage": float(take_rows(covered, real_rows).mean()),
        }

    return PerSample(n_real=r.shape[0], n_fake=f.shape[0], reduce=reduce)


def _needs(params: Mapping[str, Any]) -> Needs:
    k = int(params["k"])
    return Needs(
        knn={"real": k}, tests={BallTest("real", k, inclusive=False, per_query="count", per_ref="any")}
    )


@metric(
    "density-coverage",
    space="features",
    directions={"density": "higher", "coverage": "higher"},
    aspects={"density": ("fidelity",), "coverage": ("diversity",)},
    reference="Naeem et al. 2020 (arXiv:2002.09797); prdc.compute_prdc",
    runtime=("device",),
    min_samples=lambda p: p["k"] + 1,
    interval="per-sample",
    per_sample=density_coverage_samples,
    shared_needs=_needs,
    interval_note=(
        "resamples per-row ball counts fixed on the full sets: density's interval is given the real "
        "balls, coverage's given the generated set (which balls it reaches)"
    ),
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
    return density_coverage_samples(real=real, fake=fake, k=k, device=device).value()
