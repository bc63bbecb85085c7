"""Clipped density and clipped coverage.

Salvy, Bouchard et al. 2025, "Enhanced Generative Model Evaluation with Clipped Density and
Coverage", arXiv:2507.01761. Follows ``ClippedDensityCoverage.ClippedDensity`` and
``ClippedCoverage`` of the reference implementation, nicolassalvy/ClippedDensityCoverage,
``ClippedDensityCoverage/metrics/Clipped_Density_Coverage.py`` (commit 9920dae), default ``K = 5``
(here ``k``).

Definitions, with ``ρ_i`` the distance from real point ``r_i`` to its k-th nearest other real point:

- **clipped density**: the radii are clipped at their median, ``ρ̃_i = min(ρ_i, median ρ)``, so
  that outlying real points no longer own huge balls. Each generated point ``g_j`` scores
  ``a_j = min(1, #{i : ‖g_j − r_i‖ <= ρ̃_i} / k)`` (inclusive test, as the reference's ``<=``),
  and each real point ``r_l`` likewise among the other real points' balls,
  ``b_l = min(1, #{i ≠ l : ‖r_l − r_i‖ <= ρ̃_i} / k)``. Clipped density is
  ``min(1, mean_j a_j / mean_l b_l)``: the generated points' mean score relative to what real
  points score, capped at 1.
- **clipped coverage**: each real ball (unclipped radius) counts the generated points strictly
  inside it, capped at k: ``c_i = min(k, #{j : ‖g_j − r_i‖ < ρ_i}) / k`` (the reference takes the
  k nearest generated points of ``r_i`` and counts those with distance ``< ρ_i``: the same
  number). The raw value ``y = mean_i c_i`` is mapped through the expected raw value when only
  ``m`` of the M generated points follow the real distribution:
  ``f(m) = (1/k) Σ_j min(j, k) C(m, j) B(k + j, N − k + m − j) / B(k, N − k)`` (a beta-binomial
  count of points in a k-NN ball; ``f(m) = 0`` for ``m < k``, as in the reference), and
  clipped coverage is ``g(y) = #{m ∈ 0..M : f(m) < y} / (M + 1)``, about the share of generated
  points that behave like real ones. ``f`` is non-decreasing in m (the count is stochastically
  increasing), so g is found by bisection over m with O(log M) evaluations of f, each O(m)
  terms, where the reference tabulates all M + 1 values (O(M²) terms).

Keys: ``clipped_density`` and ``clipped_coverage``, both in [0, 1], higher is better; identical
sets give 1 for both.

Shapes: ``real`` [N, D] (N > k), ``fake`` [M, D] (M >= k), features of one extractor.

Computation: the radii are the shared, memoised exact k-NN radii
(:func:`~ganbench.numerics.distances.kth_neighbour_distance`; in a battery, the shared Gram
pass). The ball tests are ganbench's exact ones
(:func:`~ganbench.numerics.distances.ball_members`): coverage's strict test on the unclipped radii
(``per_ref="count"``) can come from a battery's shared cross pass; density's inclusive tests use
the clipped radii and make their own passes, one generated x real and one real x real (the
real x real pass is a full cross pass, about twice the cost of a self pass; every ball holds its
own centre at distance 0, which is subtracted). Memory: tiles only, never an N x M matrix.

Deviations from the reference:

- distances are ganbench's canonical Euclidean distances (the reference uses scikit-learn's
  nearest-neighbour searches; they agree up to rounding, and exactly on integer features);
- the real points' scores ``b_l`` count every other real ball that holds ``r_l``; the reference
  counts ``r_l`` only among each ball's k nearest neighbours (scikit-learn's order), which is the
  same set except when several real points tie at exactly the k-th distance of an unclipped
  ball: there the reference keeps k of them in an order that depends on the row order, and
  ganbench keeps all of them (the ball's exact membership, independent of row order);
- a generated point exactly at the largest clipped radius (the median radius) from a real
  point is inside that ball here, as the reference's ``<=`` says; the reference's ball-tree
  preselection (``radius_neighbors`` with that radius) can drop such points by rounding, so on
  tied (e.g. integer) features its clipped density can come out lower;
- g is found by bisection instead of a full table (the same value whenever the table is sorted,
  which f's monotonicity guarantees up to rounding).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from scipy.special import betaln, gammaln, logsumexp

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, positive_int
from ganbench.numerics.distances import ball_members, kth_neighbour_distance
from ganbench.numerics.resampling import take_rows
from ganbench.numerics.shared_pass import BallTest, Needs


def expected_raw_coverage(m: int, *, k: int, n_real: int) -> float:
    """``f(m)``: the expected raw clipped coverage when m generated points follow the real
    distribution, ``(1/k) Σ_{j=0..m} min(j, k) C(m, j) B(k + j, N − k + m − j) / B(k, N − k)``;
    0 for ``m < k`` (the reference's convention). Summed in log space."""
    if m < k:
        return 0.0
    j = np.arange(1, m + 1, dtype=np.float64)  # j = 0 contributes min(0, k) = 0
    log_terms = (
        np.log(np.minimum(j, k))
        + gammaln(m + 1.0)
        - gammaln(j + 1.0)
        - gammaln(m - j + 1.0)
        + betaln(k + j, n_real - k + m - j)
        - betaln(k, n_real - k)
    )
    return float(np.exp(logsumexp(log_terms)) / k)


def coverage_calibration(raw: float, *, k: int, n_real: int, n_fake: int) -> float:
    """``g(raw) = #{m ∈ 0..M : f(m) < raw} / (M + 1)`` (M = ``n_fake``), by bisection on the
    non-decreasing f."""
    lo, hi = 0, n_fake + 1  # the count is the first m with f(m) >= raw, or M + 1 when there is none
    while lo < hi:
        mid = (lo + hi) // 2
        if expected_raw_coverage(mid, k=k, n_real=n_real) < raw:
            lo = mid + 1
        else:
            hi = mid
    return lo / (n_fake + 1)


def clipped_density_coverage_samples(
    *, real: np.ndarray, fake: np.ndarray, k: int = 5, device: str | torch.device = "cpu"
) -> PerSample:
    """Per generated row its capped ball score ``a_j`` (float64 [M]) and per real ball its capped
    coverage share ``c_i`` (float64 [N]), on the full sets; the real scores' mean (density's
    normaliser) is fixed. A resample's clipped density is ``min(1, mean a[drawn] / normaliser)``,
    its clipped coverage ``g(mean c[drawn])``. Arguments as :func:`clipped_density_coverage`."""
    k = positive_int("k", k)
    r, f = as_pair(real, fake, min_real=k + 1, min_fake=k, keep_float32=True)
    n, m = r.shape[0], f.shape[0]
    radii = kth_neighbour_distance(r, k, device=device)
    clipped = np.minimum(radii, np.median(radii))

    fake_counts = ball_members(f, r, clipped, inclusive=True, per_query="count", per_ref=None, device=device)
    real_counts = ball_members(r, r, clipped, inclusive=True, per_query="count", per_ref=None, device=device)
    assert fake_counts.per_query is not None and real_counts.per_query is not None
    fake_scores = np.minimum(fake_counts.per_query / k, 1.0)
    real_scores = np.minimum((real_counts.per_query - 1) / k, 1.0)  # less its own ball (distance 0)
    normaliser = float(real_scores.mean())  # > 0: the balls with ρ_i <= median hold their k neighbours

    covered = ball_members(f, r, radii, inclusive=False, per_query=None, per_ref="count", device=device)
    assert covered.per_ref is not None
    coverage_shares = np.minimum(covered.per_ref, k) / k

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        density = float(take_rows(fake_scores, fake_rows).mean()) / normaliser
        raw = float(take_rows(coverage_shares, real_rows).mean())
        return {
            "clipped_density": min(density, 1.0),
            "clipped_coverage": coverage_calibration(raw, k=k, n_real=n, n_fake=m),
        }

    return PerSample(n_real=n, n_fake=m, reduce=reduce)


def _needs(params: Mapping[str, Any]) -> Needs:
    k = int(params["k"])
    coverage = BallTest("real", k, inclusive=False, per_query=None, per_ref="count")
    return Needs(knn={"real": k}, tests={coverage})


@metric(
    "clipped-density-coverage",
    space="features",
    directions={"clipped_density": "higher", "clipped_coverage": "higher"},
    aspects={"clipped_density": ("fidelity",), "clipped_coverage": ("diversity",)},
    reference=(
        "Salvy, Bouchard et al. 2025 (arXiv:2507.01761); nicolassalvy/ClippedDensityCoverage "
        "ClippedDensityCoverage/metrics/Clipped_Density_Coverage.py"
    ),
    runtime=("device",),
    min_samples=lambda p: p["k"] + 1,
    interval="per-sample",
    per_sample=clipped_density_coverage_samples,
    shared_needs=_needs,
    notes=(
        "a real point's own score counts every other clipped real ball holding it (the reference: only "
        "balls listing it among their k nearest; they differ only on exact ties at an unclipped k-th "
        "distance)"
    ),
    interval_note=(
        "resamples per-row scores fixed on the full sets: clipped density's interval is given the real "
        "balls, their clipping and the real normaliser; clipped coverage's is given the generated set "
        "(each real ball's count) and the calibration curve of the full set sizes"
    ),
)
def clipped_density_coverage(
    *, real: np.ndarray, fake: np.ndarray, k: int = 5, device: str | torch.device = "cpu"
) -> dict[str, float]:
    """Clipped density (fidelity) and clipped coverage (diversity) from the real k-NN balls.

    Args:
        real: features [N, D], N > k.
        fake: features [M, D], M >= k.
        k: neighbourhood size (5, the reference's default).
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``{"clipped_density": float, "clipped_coverage": float}``, both in [0, 1]; higher is better.
    """
    return clipped_density_coverage_samples(real=real, fake=fake, k=k, device=device).value()
