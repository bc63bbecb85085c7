"""Topological precision and recall (TopP&R): precision and recall over KDE supports with a confidence band.

Kim, Jang, Kim & Yoo 2023, "TopP&R: Robust Support Estimation Approach for Evaluating Fidelity
and Diversity in Generative Models", NeurIPS 2023, arXiv:2306.08013. Follows the reference
implementation, ``compute_top_pr`` in ``top_pr/top_pr.py`` of the PyPI package ``top-pr`` 0.2.1
(github.com/LAIT-CVLab/TopPR), with its defaults.

Inputs: real [N, D] and fake [M, D] features. Steps, for each set X (n rows) separately:

1. Random projection (``random_projection``, default on, only when D > 32, as the reference):
   both sets are mapped to 32 dimensions by one fixed linear map W [32, D], drawn as the
   reference draws it (``torch.nn.init.xavier_normal_`` with a torch generator seeded 99: N(0,
   2 / (D + 32)) entries), in float32 (``x @ Wᵀ``, as the reference's ``nn.Linear``). d below is
   the dimension after this step.
2. Bandwidth h (a "balloon" estimate), the reference's rule: k = 5 d; for each row i < n − k, the
   k-th smallest distance to the rows *after* it (``sorted(dist[i, i+1:])[k-1]``); h = the element
   of index ``int(0.5 (n − k)) − 1`` of these n − k values, sorted. The rule looks only forward,
   so h depends on the order of the rows (as the reference's does): a permutation of a set gives
   a slightly different h. Distances are ganbench's exact canonical ones (k-NN of each block of
   rows among the rows after it, plus the pairs inside the block). ``bandwidth_real`` /
   ``bandwidth_fake`` fix h instead.
3. Kernel density estimate with the cosine kernel: ``p̂(y) = (1/n) Σ_i cos(π/2 · ‖y − x_i‖ / h)``
   over the rows with ``‖y − x_i‖ <= h``.
4. Confidence band c_X: B = ``repeats`` bootstrap resamples X*_b of X (rows drawn with
   replacement); ``θ_b = max_i |p̂(x_i) − p̂*_b(x_i)|`` over the rows of X, p̂*_b the KDE on X*_b
   with the same h; ``c_X`` = the (1 − ``alpha``) quantile of θ_1..θ_B (numpy's linear
   interpolation). The draws come from ``numpy.random.RandomState(seed)``, the real set's B
   draws first, then the generated set's: the reference's stream after its ``np.random.seed(42)``.
5. A row counts in the support of X when the KDE of X there exceeds c_X. With p̂ the real KDE and
   q̂ the generated one:
   ``top_precision = #{j: q̂(y_j) > c_Y and p̂(y_j) > c_X} / #{j: q̂(y_j) > c_Y}``,
   ``top_recall = #{i: p̂(x_i) > c_X and q̂(x_i) > c_Y} / #{i: p̂(x_i) > c_X}``,
   ``top_f1`` = their harmonic mean, 0 when either is <= 1e-4 (the reference's rule).

Deviations from ``top-pr`` 0.2.1, each on purpose:

- Normalisation: the kernel's constant (π / (4h))^d is left out of both the KDE and the band;
  each comparison ``p̂ > c`` has it on both sides, so only rounding changes (the constant
  overflows float64 for d of a few hundred without the projection).
- Seeding: the reference seeds its bootstrap (``np.random.seed(42)``) only on the projection path;
  for D <= 32 it draws from numpy's unseeded global state. Here the draws always come from
  ``RandomState(seed)``.
- For D <= 3 the reference picks h by a grid search over persistent homology (gudhi) and then
  fails (``score_rr`` is never assigned on that path); here the balloon estimate serves every D.
- Only the reference's default kernel (cosine) is offered; its Epanechnikov branch sums
  distances over h² rather than squared distances.
- Distances inside the KDE are the float64 Gram form in tiles (the reference: scikit-learn's
  ``euclidean_distances`` in float32); the kernel vanishes at distance h, so a pair whose distance
  rounds to either side of h changes a sum by about the rounding alone.

Agreement: on the same inputs ``compute_top_pr`` and this function give the same three values to
1e-12 (tests/metrics/test_top_pr.py; numpy's global state seeded 42 for D <= 32).

Errors rather than NaN: a set whose bandwidth is 0 (over half its rows have k exact duplicates
among the rows after them: pass a bandwidth), and a set none of whose rows lies above its own
band (the support estimate is empty: more samples or a larger ``alpha``).

Memory: the KDE passes are tiled (1024 x 4096 float64 distances, 32 MiB, with B + 1 weight columns);
never an n x n matrix. Time: O((N² + M² + 2 N M) d); the bootstrap adds B columns to one pass
rather than B passes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_pair, check_seed, integer, real_number
from ganbench.numerics.distances import canonical_distances, nearest_neighbours
from ganbench.numerics.resampling import take_rows

#: The reference's constants: the projection's width and seed, k = 5 d neighbours for the bandwidth.
PROJECTED_DIM = 32
PROJECTION_SEED = 99
BALLOON_FACTOR = 5
_ROWS, _COLS = 1024, 4096  # a tile of squared distances: 1024 x 4096 float64 = 32 MiB
_BALLOON_ROWS = 256  # rows per block of the bandwidth's k-NN (256² / 2 pairs inside a block)


def project(real: np.ndarray, fake: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both sets [N, D], [M, D] mapped to [N, 32], [M, 32] float32 by the reference's fixed map
    (xavier-normal W [32, D] from a generator seeded 99; ``x @ Wᵀ`` in float32)."""
    weight = torch.empty(PROJECTED_DIM, real.shape[1])
    torch.nn.init.xavier_normal_(weight, generator=torch.Generator().manual_seed(PROJECTION_SEED))
    with torch.no_grad():
        out = [
            torch.nn.functional.linear(torch.as_tensor(np.asarray(x, dtype=np.float32)), weight).numpy()
            for x in (real, fake)
        ]
    return out[0], out[1]


def later_kth_distance(x: np.ndarray, k: int, *, device: str | torch.device = "cpu") -> np.ndarray:
    """For each row i < n − k of ``x`` [n, d], the k-th smallest canonical distance to the rows
    *after* it (j > i): float64 [n − k], the reference's balloon values (``sorted(dist[i, i+1:])[k-1]``).

    In blocks of rows [a, b): the k nearest rows of x[b:] (ganbench's exact k-NN) and the pairs
    inside the block with j > i are the only candidates a row can need, so the k-th smallest of
    their union is the value. Memory O(block · (k + block)).
    """
    n = x.shape[0]
    out = np.empty(n - k)
    for rows in chunks(n - k, _BALLOON_ROWS):
        a, b = rows.start, rows.stop
        size = b - a
        candidates = np.full((size, k + size), np.inf)
        outside = min(k, n - b)
        if outside:
            candidates[:, :outside] = nearest_neighbours(x[a:b], x[b:], outside, device=device).distances
        i, j = np.triu_indices(size, 1)
        if i.size:
            candidates[i, k + j] = canonical_distances(x[a + i], x[a + j], device=device)
        out[rows] = np.partition(candidates, k - 1, axis=1)[:, k - 1]
    return out


def balloon_bandwidth(x: np.ndarray, name: str, *, device: str | torch.device = "cpu") -> float:
    """The reference's bandwidth for ``x`` [n, d]: the median (index ``int(0.5 (n − k)) − 1`` of the
    sorted values) of :func:`later_kth_distance` with k = 5 d."""
    n, d = x.shape
    k = BALLOON_FACTOR * d
    if n <= k:
        raise ValueError(
            f"top-pr: the {name} set's bandwidth is a median distance to the {k}-th nearest neighbour "
            f"(k = 5 x {d} dimensions), which needs more than {k} rows; got {n}. Pass more samples, "
            f"or fix the bandwidth with bandwidth_{name}=..."
        )
    values = np.sort(later_kth_distance(x, k, device=device))
    h = float(values[int(values.shape[0] * 0.5) - 1])
    if h <= 0.0:
        raise ValueError(
            f"top-pr: the {name} set's bandwidth came out 0 (over half its rows have {k} exact "
            f"duplicates among the rows after them); pass bandwidth_{name}=... to fix it"
        )
    return h


def cosine_kde(
    query: np.ndarray, data: np.ndarray, h: float, weights: np.ndarray, *, device: str | torch.device = "cpu"
) -> np.ndarray:
    """Cosine-kernel density sums ``(1/n) Σ_i w[i, b] cos(π/2 · ‖q − x_i‖ / h)`` over ``‖q − x_i‖ <= h``.

    Args:
        query: [Nq, d]; data: [n, d] (the kernel centres); h: bandwidth > 0.
        weights: [n, B] non-negative multiplicities of the centres (a column of ones: the KDE of
            ``data``; bootstrap counts: the KDE of a resample).

    Returns:
        float64 [Nq, B], without the kernel's constant (π / (4h))^d.
    """
    dev = torch.device(device)
    shift = np.mean(data, axis=0, dtype=np.float64)  # distances are translation invariant
    x = torch.as_tensor(np.asarray(data, dtype=np.float64) - shift, device=dev)
    q = torch.as_tensor(np.asarray(query, dtype=np.float64) - shift, device=dev)
    w = torch.as_tensor(np.asarray(weights, dtype=np.float64), device=dev)
    x_sq = (x * x).sum(dim=1)
    out = torch.zeros((q.shape[0], w.shape[1]), dtype=torch.float64, device=dev)
    for rows in chunks(q.shape[0], _ROWS):
        qb = q[rows]
        q_sq = (qb * qb).sum(dim=1, keepdim=True)
        for cols in chunks(x.shape[0], _COLS):
            d2 = (q_sq + x_sq[None, cols] - 2.0 * (qb @ x[cols].T)).clamp_min_(0.0)
            kernel = torch.cos((math.pi / 2.0) * torch.sqrt(d2) / h)
            kernel.masked_fill_(d2 > h * h, 0.0)
            out[rows] += kernel @ w[cols]
    return (out / x.shape[0]).cpu().numpy()


def support_threshold(
    x: np.ndarray,
    h: float,
    alpha: float,
    repeats: int,
    rng: np.random.RandomState,
    *,
    device: str | torch.device,
) -> tuple[np.ndarray, float]:
    """The KDE of ``x`` [n, d] at its own rows (float64 [n]) and its confidence band c: the
    (1 − alpha) quantile of ``max_i |p̂(x_i) − p̂*_b(x_i)|`` over ``repeats`` bootstrap resamples."""
    n = x.shape[0]
    weights = np.ones((n, 1 + repeats))
    for b in range(repeats):
        weights[:, 1 + b] = np.bincount(rng.choice(np.arange(n), size=n, replace=True), minlength=n)
    sums = cosine_kde(x, x, h, weights, device=device)
    p_hat = sums[:, 0]
    theta = np.abs(p_hat[:, None] - sums[:, 1:]).max(axis=0)
    return p_hat, float(np.quantile(theta, 1 - alpha))


def _ratio(both: np.ndarray, own: np.ndarray, what: str, strict: bool) -> float:
    if own.sum() == 0:
        if not strict:  # a resample that drew no row of the support: no value
            return math.nan
        raise ValueError(
            f"top-pr: no {what} row lies above its set's confidence band, so its estimated support is "
            "empty; use more samples or a larger alpha"
        )
    return float(both.sum() / own.sum())


def top_pr_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    alpha: float = 0.1,
    repeats: int = 10,
    random_projection: bool = True,
    bandwidth_real: float | None = None,
    bandwidth_fake: float | None = None,
    seed: int = 42,
    device: str | torch.device = "cpu",
) -> PerSample:
    """Per-row support memberships on the full sets (each row: in its own set's support, in the
    other set's); a resample reduces the drawn rows' memberships. Arguments as :func:`top_pr`."""
    alpha = real_number("alpha", alpha, low=0.0, high=1.0)
    repeats = integer("repeats", repeats, minimum=1)
    seed = check_seed(seed)
    if not isinstance(random_projection, bool):
        raise ValueError(f"random_projection must be True or False; got {random_projection!r}")
    fixed = {
        name: None if value is None else real_number(name, value, low=0.0, open_low=True)
        for name, value in (("bandwidth_real", bandwidth_real), ("bandwidth_fake", bandwidth_fake))
    }
    r, f = as_pair(real, fake, min_real=2, min_fake=2, keep_float32=True)
    if random_projection and r.shape[1] > PROJECTED_DIM:
        r, f = project(r, f)
    h_r = fixed["bandwidth_real"] or balloon_bandwidth(r, "real", device=device)
    h_f = fixed["bandwidth_fake"] or balloon_bandwidth(f, "fake", device=device)
    rng = np.random.RandomState(seed)
    p_rr, c_r = support_threshold(r, h_r, alpha, repeats, rng, device=device)
    p_ff, c_f = support_threshold(f, h_f, alpha, repeats, rng, device=device)
    p_rf = cosine_kde(r, f, h_f, np.ones((f.shape[0], 1)), device=device)[:, 0]  # fake KDE at real rows
    p_fr = cosine_kde(f, r, h_r, np.ones((r.shape[0], 1)), device=device)[:, 0]  # real KDE at fake rows
    real_own, real_other = p_rr > c_r, p_rf > c_f
    fake_own, fake_other = p_ff > c_f, p_fr > c_r

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        strict = real_rows is None and fake_rows is None
        own_f = take_rows(fake_own, fake_rows)
        precision = _ratio(own_f & take_rows(fake_other, fake_rows), own_f, "generated", strict)
        own_r = take_rows(real_own, real_rows)
        recall = _ratio(own_r & take_rows(real_other, real_rows), own_r, "real", strict)
        f1 = 2 / (1 / precision + 1 / recall) if precision > 1e-4 and recall > 1e-4 else 0.0
        if math.isnan(precision) or math.isnan(recall):
            f1 = math.nan
        return {"top_precision": precision, "top_recall": recall, "top_f1": f1}

    return PerSample(n_real=r.shape[0], n_fake=f.shape[0], reduce=reduce)


def _min_samples(params: Mapping[str, Any]) -> int:
    if params.get("bandwidth_real") is not None and params.get("bandwidth_fake") is not None:
        return 2
    return BALLOON_FACTOR * PROJECTED_DIM + 1  # the projected features' k = 160, plus the row itself


@metric(
    "top-pr",
    space="features",
    directions={"top_precision": "higher", "top_recall": "higher", "top_f1": "higher"},
    aspects={"top_precision": ("fidelity",), "top_recall": ("diversity",)},
    reference="Kim et al. 2023 (arXiv:2306.08013); top-pr 0.2.1 compute_top_pr (cosine kernel)",
    runtime=("device",),
    notes=(
        "the reference's balloon bandwidth (k-th distance to later rows only: depends on the row order); "
        "bootstrap seeded for every D; kernel constant left out of both sides of each comparison; "
        "cosine kernel only; the reference's D <= 3 grid-search path is not reproduced"
    ),
    min_samples=_min_samples,
    interval="per-sample",
    per_sample=top_pr_samples,
    interval_note=(
        "resamples per-row support memberships fixed on the full sets: the bandwidths, KDEs and "
        "confidence bands (both supports) are held fixed; a resample with no row in a support has no value"
    ),
)
def top_pr(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    alpha: float = 0.1,
    repeats: int = 10,
    random_projection: bool = True,
    bandwidth_real: float | None = None,
    bandwidth_fake: float | None = None,
    seed: int = 42,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """TopP&R of ``fake`` against ``real`` (see the module docstring).

    Args:
        real: features [N, D]; fake: features [M, D]. Without fixed bandwidths each set needs more
            than 5 d rows (d = 32 with the projection: 161).
        alpha: significance level of the confidence band (0.1, the reference's default).
        repeats: bootstrap resamples per set for the band (10, the reference's fixed count).
        random_projection: project D > 32 features to 32 dimensions first (the reference's default).
        bandwidth_real, bandwidth_fake: fixed KDE bandwidths (after the projection), or ``None``
            for the balloon estimate.
        seed: seeds the bootstrap draws (42: the reference's seed).
        device: where the KDE tiles are computed (runtime; the value depends on it only by rounding).

    Returns:
        ``{"top_precision", "top_recall", "top_f1"}``, each in [0, 1], higher is better.
    """
    return top_pr_samples(
        real=real,
        fake=fake,
        alpha=alpha,
        repeats=repeats,
        random_projection=random_projection,
        bandwidth_real=bandwidth_real,
        bandwidth_fake=bandwidth_fake,
        seed=seed,
        device=device,
    ).value()
