"""Birthday-paradox support estimate, made automatic.

Arora & Zhang 2017, "Do GANs actually learn the distribution? An empirical study",
arXiv:1706.08224: if a batch of s samples from a distribution holds a duplicate with
probability about 1/2, the distribution's support has about s² elements: for a generator that
draws uniformly from K items, P(duplicate | s) = 1 − Π_{i<s} (1 − i/K) ≈ 1 − exp(−s² / (2K)).
The paper judged near-duplicates by eye among the closest pairs of each batch.
Here the judgement is a distance threshold calibrated on real data, the duplicate share is
measured at several batch sizes, and K is fitted by maximum likelihood. Images (as in the
paper) are compared in pixel space: Euclidean distance of the flattened [0, 1] pixels.

**Threshold τ (calibrated on real data).** τ is the ``quantile`` (1 % by default) of the
distances from each held-out real image (``real``, N of them) to its nearest training image
(``train``, T of them). Held-out-to-training distances rather than distances within the held-out
set: the same low quantile then rests on N·T pairs instead of N²/2, so τ, and with it the
smallest pair rate one can resolve, is T/N times finer. The same pass counts all real–training
pairs within τ, which gives the real data's own near-duplicate rate per pair, p_real (about
``quantile`` / T), and its apparent support K_real = 1 / p_real: the support the test assigns
to the data distribution itself. A generator of support K is measured as about
1 / (1/K + p_real): K itself while K << K_real, and at most about K_real (a generator more
diverse than that cannot be told from the data by this test).

**Batch sizes.** 12 (``n_sizes``) sizes, geometrically spaced from 2 to
s_max = min(M'/2, s_real), where M' is the number of generated images used (see below) and
s_real is the largest batch size at which real data would hold a near-duplicate in at most
``max_real_dup`` (10 %) of batches: 1 − exp(−s(s − 1) p_real / 2) <= max_real_dup. So at every
batch size used, real data of that size shows a duplicate only rarely (the requirement of
METRICS.md), and larger batches, which could only measure p_real again, are not drawn. The
informative sizes for support K are s ≈ 0.3·sqrt(K) to 3·sqrt(K); with s_max ≈ 0.46·sqrt(K_real)
every K up to about K_real is covered (MNIST-5k, T = 4,000: K_real ≈ 3·10⁵, s_max ≈ 270;
K = 4,000 needs s ≈ 20–200, far below the set size).

**Batches.** ``batches`` (B) random orderings of the generated set are drawn with
``numpy.random.default_rng(seed)``; the batch of size s is the first s images of an ordering,
so every batch is a uniform random s-subset and one scan per ordering, which finds the first
position whose image has a near-duplicate earlier in the ordering, answers every size at once.
A pair counts as near-duplicate when its distance is <= τ. All such pairs of the generated set
are found first, in one chunked pass over the pairs (:func:`~ganbench.numerics.distances.pair_tiles`,
float64), and stored as a sparse graph; a batch check then only looks at the graph neighbours
of the batch's members, so B batches cost O(B · s_max · degree) after the one O(M² D) pass.

**Fit.** With d_s of the B batches of size s holding a near-duplicate, K̂ maximises the
binomial log-likelihood Σ_s [d_s log P(dup | s, K) + (B − d_s) log(1 − P(dup | s, K))] with the
exact birthday probability P(dup | s, K) = 1 − Π_{i=1}^{s−1} (1 − i/K) (search over log K, see
:func:`fit_support`). METRICS.md's 1 − exp(−s²/(2K)) is the large-K form of the same curve;
it is not used because at s ≈ sqrt(K) it overstates the no-duplicate probability and biases K̂
low for small supports (by about 10 % at K = 100). The fit is at least 1. ``birthday_dup_rate``
is d_s / B at the largest size s_max: about ``max_real_dup`` for a generator as diverse as the
data, larger for a collapsed one.

**Confidence interval (``level``, 95 %): parametric bootstrap.** The batches of different sizes
are nested and all batches are drawn from one finite generated set, so the binomial likelihood
treats far more batches as independent than there are, and a profile-likelihood interval would
be too narrow. Instead the whole procedure is replayed ``n_boot`` times under the fitted model:
M' labels drawn uniformly from round(K̂) items (a generator of support K̂; duplicates = equal
labels), checked with the same orderings, and refitted; ``birthday_support_low`` and
``birthday_support_high`` are the (1 − level)/2 and (1 + level)/2 quantiles of the refitted
values. When more than that share of replays sees no duplicate at all, the interval has no
finite upper end and ``birthday_support_high`` is left out of the result.

**Censoring.** When no batch holds a near-duplicate, K is only bounded below: the result then
has ``birthday_censored`` = 1.0, and ``birthday_support`` = ``birthday_support_low`` = the
one-sided bound E / log(2 / (1 − level)), where E = C(M', 2) · (1 − (1 − s_max(s_max − 1) /
(M'(M' − 1)))^B) is the expected number of distinct generated pairs that some batch looked at
(a support below the bound would have shown a duplicate among them with probability
> 1 − (1 − level)/2); ``birthday_support_high`` is left out. Otherwise ``birthday_censored`` = 0.0.

**Large duplicate graphs.** A strongly collapsed generator has up to M²/2 near-duplicate pairs.
When there are more than ``max_pairs``, the test runs on a random subset of M' < M generated
images (drawn with ``seed``) that holds at most ``max_pairs`` of them; the estimate stays valid
(it estimates the same pair rate from fewer images) and a small support needs only small
batches.

**Diagnostics.** With ``artifact_dir``: ``birthday_curve.png`` (observed duplicate share per
batch size with binomial error bars, the fitted curve with its interval, and the real-data
curve), ``birthday_pairs.png`` (the 16 closest generated pairs side by side, with distances
and τ, for a person to check, as Arora & Zhang did) and ``birthday.json`` (τ, p_real, the
sizes, counts, fitted values and the closest pairs).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch
from scipy.optimize import minimize_scalar

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import (
    as_matrix,
    check_images,
    check_same_shape,
    check_seed,
    integer,
    positive_int,
)
from ganbench.numerics.distances import count_within_radii, nearest_neighbours, pair_tiles

_N_SHOW = 16  # closest pairs drawn in birthday_pairs.png
_CALIBRATION_K = 16  # real-to-train neighbours kept to count the pairs within tau


# ---------------------------------------------------------------------------------------------
# Threshold and duplicate graph
# ---------------------------------------------------------------------------------------------


def calibrate_threshold(
    real: np.ndarray, train: np.ndarray, quantile: float, device: torch.device | str = "cpu"
) -> tuple[float, float]:
    """τ and the real near-duplicate pair rate from held-out real [N, D] and training [T, D] rows.

    Returns:
        ``(tau, pair_rate)``: τ = the ``quantile`` of the held-out rows' nearest-training-row
        distances; pair_rate = #{(i, t): ‖real_i − train_t‖ <= τ} / (N·T), > 0.
    """
    n, t = real.shape[0], train.shape[0]
    k = min(_CALIBRATION_K, t)
    knn = nearest_neighbours(real, train, k, device=device)
    tau = float(np.quantile(knn.distances[:, 0], quantile))
    within = (knn.distances <= tau).sum(axis=1)
    full = within == k  # all k kept neighbours inside: count that row's pairs exactly
    if k < t and full.any():
        radii = np.full(int(full.sum()), tau)
        within[full] = count_within_radii(train, real[full], radii, device=device).per_ref
    return tau, float(within.sum()) / (n * t)


def near_duplicate_graph(
    x: np.ndarray, tau: float, max_pairs: int, rank: np.ndarray, device: torch.device | str = "cpu"
) -> tuple[np.ndarray, np.ndarray, int, list[tuple[int, int, float]]]:
    """All pairs of rows of ``x`` [M, D] within distance τ, and the closest pairs overall.

    Rows are kept in the order of ``rank`` (a permutation of range(M)): while more than
    ``max_pairs`` pairs fall within τ, the rows of highest rank are dropped until the pairs among
    the rest fit, so the kept rows are a uniformly random subset.

    Returns:
        ``(i, j, kept, closest)``: int64 [E] endpoints, renumbered as ``rank`` (0 .. kept − 1),
        of the E <= max_pairs pairs within τ among the ``kept`` rows; and the ``_N_SHOW``
        closest pairs of all M rows as (row, row, distance), nearest first.
    """
    kept = x.shape[0]
    ii: list[np.ndarray] = []
    jj: list[np.ndarray] = []
    count = 0
    best = (np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    for tile in pair_tiles(x, device=device):
        flat = tile.squared.reshape(-1)
        _, pos = torch.topk(flat, min(_N_SHOW, flat.numel()), largest=False)
        width = tile.squared.shape[1]
        a_show, b_show = pos // width, pos % width
        d = torch.where(torch.isfinite(flat[pos]), tile.canonical(a_show, b_show), torch.inf)
        cand_d = np.concatenate([best[0], d.cpu().numpy()])
        cand_i = np.concatenate([best[1], a_show.cpu().numpy() + tile.rows.start])
        cand_j = np.concatenate([best[2], b_show.cpu().numpy() + tile.cols.start])
        order = np.lexsort((cand_j, cand_i, cand_d))[:_N_SHOW]
        best = (cand_d[order], cand_i[order], cand_j[order])

        a, b = torch.nonzero(tile.within(tau), as_tuple=True)
        a = a.cpu().numpy() + tile.rows.start
        b = b.cpu().numpy() + tile.cols.start
        keep = (rank[a] < kept) & (rank[b] < kept)
        ii.append(a[keep])
        jj.append(b[keep])
        count += int(keep.sum())
        while count > max_pairs:  # pairs scale with kept², so shrink by the square root
            kept = max(2, min(kept - 1, int(kept * 0.95 * math.sqrt(max_pairs / count))))
            for n, (p, q) in enumerate(zip(ii, jj, strict=True)):
                sel = (rank[p] < kept) & (rank[q] < kept)
                ii[n], jj[n] = p[sel], q[sel]
            count = sum(p.shape[0] for p in ii)
    i = rank[np.concatenate(ii)] if ii else np.empty(0, dtype=np.int64)
    j = rank[np.concatenate(jj)] if jj else np.empty(0, dtype=np.int64)
    finite = np.isfinite(best[0])
    closest = [(int(p), int(q), float(d)) for d, p, q in zip(*(v[finite] for v in best), strict=True)]
    return i.astype(np.int64), j.astype(np.int64), kept, closest


def _csr(i: np.ndarray, j: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Adjacency lists of the undirected graph with edges (i, j) on n nodes: (indptr [n + 1], nbrs)."""
    src = np.concatenate([i, j])
    dst = np.concatenate([j, i])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order]


def _gather_rows(indptr: np.ndarray, nodes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Flat positions in the neighbour array of the adjacency lists of ``nodes`` (concatenated)."""
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(indptr[nodes] - offsets, counts) + np.arange(total)


# ---------------------------------------------------------------------------------------------
# Batches: first near-duplicate position along each ordering
# ---------------------------------------------------------------------------------------------


def first_duplicate_positions(orders: np.ndarray, n: int, indptr: np.ndarray, nbrs: np.ndarray) -> np.ndarray:
    """For each ordering, the least s such that its first s items hold a graph edge.

    Args:
        orders: int [B, L], B orderings (prefixes of length L) of distinct nodes of range(n).
        n: the number of nodes.
        indptr, nbrs: the graph as adjacency lists (:func:`_csr`).

    Returns:
        int64 [B]: the batch size at which the first duplicate appears, L + 1 when none does.
    """
    b_count, length = orders.shape
    pos = np.full((b_count, n), length, dtype=np.int32)  # position in each ordering; length = absent
    pos[np.arange(b_count)[:, None], orders] = np.arange(length)
    deg = np.diff(indptr)
    first = np.full(b_count, length + 1, dtype=np.int64)
    active = np.arange(b_count)
    start, width = 0, 16
    while start < length and active.size:
        block = orders[active, start : start + width]
        w = block.shape[1]
        nodes = block.ravel()
        counts = deg[nodes]
        if counts.sum():
            rows = np.repeat(np.repeat(active, w), counts)
            at = np.repeat(np.tile(np.arange(start, start + w), active.size), counts)
            other = nbrs[_gather_rows(indptr, nodes, counts)]
            hit = pos[rows, other] < at  # the neighbour came earlier in this ordering
            np.minimum.at(first, rows[hit], at[hit] + 1)
        active = active[first[active] > length]
        start += w
        width = min(2 * width, 4096)
    return first


def first_repeat_positions(orders: np.ndarray, labels: np.ndarray, support: float) -> np.ndarray:
    """:func:`first_duplicate_positions` when duplicates are equal ``labels`` [n] (the replay model).

    Only the first ``~sqrt(90·support)`` positions are searched first (a repeat later than that
    has probability below e^-45); orderings without a repeat there are searched in full.
    """
    b_count, length = orders.shape
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    touched = counts[inverse] >= 2  # items whose label occurs again somewhere in the set
    first = np.full(b_count, length + 1, dtype=np.int64)
    rows = np.arange(b_count)
    short = min(length, math.ceil(math.sqrt(90.0 * support)) + 2)
    for prefix in (short, length) if short < length else (length,):
        sub = orders[rows, :prefix]
        b, p = np.nonzero(touched[sub])  # row-major: p ascending within each row
        key = b * counts.shape[0] + inverse[sub[b, p]]
        order = np.argsort(key, kind="stable")  # groups (row, label), p still ascending inside
        key, b, p = key[order], b[order], p[order]
        second = key[1:] == key[:-1]  # the later of two neighbours in a group: a repeat
        found = np.full(rows.size, length + 1, dtype=np.int64)
        np.minimum.at(found, b[1:][second], p[1:][second] + 1)
        first[rows] = found
        rows = rows[found > length]
        if rows.size == 0:
            break
    return first


# ---------------------------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------------------------


def log_no_duplicate(sizes: np.ndarray, support: float | np.ndarray) -> np.ndarray:
    """log P(no duplicate among s draws) for uniform support K: [S] for one K, [G, S] for K of shape [G].

    log Π_{i=1}^{s-1} (1 − i/K), summed term by term with ``log1p`` (accurate for any K,
    where a ratio of Gamma functions would lose everything to cancellation once K >> s);
    −inf when s > K (pigeonhole). ``sizes`` must be ascending integers >= 1.
    """
    k = np.atleast_1d(np.asarray(support, dtype=np.float64))[:, None]
    i = np.arange(1, int(sizes[-1]), dtype=np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(i < k, np.log1p(-i / k), -math.inf)
    cumulative = np.concatenate([np.zeros((k.shape[0], 1)), np.cumsum(terms, axis=1)], axis=1)
    out = cumulative[:, np.asarray(sizes, dtype=np.int64) - 1]
    return out if np.ndim(support) else out[0]


def collision_probability(sizes: np.ndarray, support: float) -> np.ndarray:
    """P(a batch of each size [S] holds a duplicate) for uniform support K: 1 − Π_{i<s} (1 − i/K)."""
    return -np.expm1(log_no_duplicate(sizes, support))


def log_likelihood(
    sizes: np.ndarray, dups: np.ndarray, batches: int, support: float | np.ndarray
) -> np.ndarray:
    """Σ_s d_s log P(dup | s, K) + (B − d_s) log P(no dup | s, K) (binomial, constants dropped).

    Returns a scalar array for one K, [G] for K of shape [G].
    """
    log_p0 = log_no_duplicate(sizes, support)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 · (−inf) terms are dropped by the where
        log_p1 = np.log(-np.expm1(log_p0))
        terms = np.where(dups > 0, dups * log_p1, 0.0) + np.where(
            dups < batches, (batches - dups) * log_p0, 0.0
        )
    return terms.sum(axis=-1)


def fit_support(sizes: np.ndarray, dups: np.ndarray, batches: int) -> float:
    """Maximum-likelihood K from d_s duplicate batches out of ``batches`` at each size s (ascending).

    The likelihood is evaluated over log K on a grid of 120 points between the smallest
    admissible K (a batch of size s without a duplicate needs K > s − 1; at least 1) and
    1000 · B · Σ_s s(s − 1)/2 (beyond which the data could not show a duplicate), then refined
    by a bounded Brent search between the best grid point's neighbours.

    Returns +inf when no batch holds a duplicate (K is then only bounded below).
    """
    if dups.sum() == 0:
        return math.inf
    sizes = np.asarray(sizes, dtype=np.int64)
    clean = sizes[dups < batches]
    k_lo = max(1.0, 0.0 if clean.size == 0 else float(clean[-1] - 1) * (1.0 + 1e-9))
    k_hi = max(1e3 * batches * float((sizes * (sizes - 1) / 2.0).sum()), 2.0 * k_lo)
    grid = np.linspace(math.log(k_lo), math.log(k_hi), 120)
    values = log_likelihood(sizes, dups, batches, np.exp(grid))
    best = int(np.argmax(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    res = minimize_scalar(
        lambda g: -float(log_likelihood(sizes, dups, batches, math.exp(g))),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return math.exp(res.x) if -res.fun >= values[best] else math.exp(grid[best])


def bootstrap_interval(
    sizes: np.ndarray,
    orders: np.ndarray,
    n_used: int,
    support: float,
    batches: int,
    n_boot: int,
    alpha: float,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Parametric-bootstrap percentile interval for K (see the module docstring).

    Each replay draws ``n_used`` labels uniformly from round(``support``) items, finds the
    first repeat along the same ``orders`` [B, s_max], counts duplicate batches per size and
    refits K. Returns the ``alpha`` and ``1 − alpha`` quantiles (order statistics) of the
    refitted values; the upper one is +inf when more than that share of replays saw no duplicate.
    """
    k_int = max(1, round(support))
    refits = []
    for _ in range(n_boot):
        first = first_repeat_positions(orders, rng.integers(0, k_int, n_used), k_int)
        dups = (first[None, :] <= sizes[:, None]).sum(axis=1)
        refits.append(fit_support(sizes, dups, batches))
    ordered = np.sort(refits)
    low = float(ordered[math.floor(alpha * n_boot)])
    high = float(ordered[min(n_boot - 1, math.ceil((1.0 - alpha) * n_boot) - 1)])
    return low, high


def batch_sizes(n_used: int, pair_rate: float, max_real_dup: float, n_sizes: int) -> np.ndarray:
    """The batch sizes [S]: ``n_sizes`` geometric steps from 2 to min(n_used // 2, s_real), deduplicated."""
    lam = -math.log1p(-max_real_dup)
    s_real = int((1.0 + math.sqrt(1.0 + 8.0 * lam / pair_rate)) / 2.0)
    s_max = max(2, min(n_used // 2, s_real))
    return np.unique(np.round(np.geomspace(2, s_max, n_sizes)).astype(np.int64))


# ---------------------------------------------------------------------------------------------
# The metric
# ---------------------------------------------------------------------------------------------


@metric(
    "birthday",
    space="pixels",
    directions={
        "birthday_support": "higher",
        "birthday_support_low": "higher",
        "birthday_support_high": "higher",
        "birthday_dup_rate": "lower",
        "birthday_censored": "lower",
    },
    aspects={
        k: ("diversity",)
        for k in (
            "birthday_support",
            "birthday_support_low",
            "birthday_support_high",
            "birthday_dup_rate",
            "birthday_censored",
        )
    },
    reference="Arora & Zhang 2017 (arXiv:1706.08224), automated with a real-data threshold and an ML fit",
    extra_inputs=("train",),
    runtime=("device", "artifact_dir"),
    min_samples=4,
    interval="none",
    interval_note=(
        "a resample with replacement puts exact copies in the generated set, which are the "
        "near-duplicates the test counts; its own parametric-bootstrap interval is birthday_support_low/high"
    ),
)
def birthday(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    quantile: float = 0.01,
    max_real_dup: float = 0.1,
    n_sizes: int = 12,
    batches: int = 200,
    level: float = 0.95,
    n_boot: int = 200,
    max_pairs: int = 2_000_000,
    seed: int = 0,
    device: str | torch.device = "cpu",
    artifact_dir: Path | None = None,
) -> dict[str, float]:
    """Support size of the generator from near-duplicate rates in batches (see the module docstring).

    Args:
        real: held-out real images [N, C, H, W] in [0, 1]: calibrate τ with ``train``.
        fake: generated images [M, C, H, W] in [0, 1], M >= 4.
        train: training images [T, C, H, W] in [0, 1].
        quantile: τ is this quantile of the held-out-to-nearest-training-image distances.
        max_real_dup: the largest batch size is where real data would hold a near-duplicate in
            this share of batches (and at most M'/2).
        n_sizes: number of batch sizes (geometric from 2 to the largest).
        batches: B, batches per size (the orderings whose prefixes are the batches).
        level: confidence level of the interval and of the censored lower bound.
        n_boot: parametric-bootstrap replays for the interval.
        max_pairs: most near-duplicate pairs held; above it a random subset of the generated set
            is used.
        seed: draws the subset order, the orderings and the replays.
        device: where the distance tiles are computed (runtime; the value does not depend on it).
        artifact_dir: where to write ``birthday_curve.png``, ``birthday_pairs.png`` and
            ``birthday.json``; nothing is written when ``None``. Does not change the values.

    Returns:
        ``birthday_support`` (K̂; higher = more distinct images), ``birthday_support_low`` and,
        when finite, ``birthday_support_high`` (the interval), ``birthday_dup_rate`` (duplicate
        share at the largest batch size; lower is better) and ``birthday_censored`` (1.0 when no
        duplicate was seen and the support values are a lower bound, else 0.0).
    """
    real_t = check_images("real", real)
    fake_t = check_images("fake", fake, min_images=4)
    train_t = check_images("train", train)
    check_same_shape(real_t, fake_t)
    check_same_shape(real_t, train_t, other="train")
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1); got {quantile!r}")
    if not 0.0 < max_real_dup < 1.0:
        raise ValueError(f"max_real_dup must be in (0, 1); got {max_real_dup!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    n_sizes = integer("n_sizes", n_sizes, minimum=1)
    batches = integer("batches", batches, minimum=10)
    n_boot = integer("n_boot", n_boot, minimum=10)
    max_pairs = positive_int("max_pairs", max_pairs)
    rng = np.random.default_rng(check_seed(seed))

    x_fake = as_matrix("fake", fake_t.flatten(1).numpy())
    tau, pair_rate = calibrate_threshold(
        as_matrix("real", real_t.flatten(1).numpy()),
        as_matrix("train", train_t.flatten(1).numpy()),
        quantile,
        device,
    )
    rank = rng.permutation(x_fake.shape[0])
    i, j, n_used, closest = near_duplicate_graph(x_fake, tau, max_pairs, rank, device)
    del x_fake
    indptr, nbrs = _csr(i, j, n_used)

    sizes = batch_sizes(n_used, pair_rate, max_real_dup, n_sizes)
    s_max = int(sizes[-1])
    orders = np.stack([rng.permutation(n_used)[:s_max] for _ in range(batches)])
    first = first_duplicate_positions(orders, n_used, indptr, nbrs)
    dups = (first[None, :] <= sizes[:, None]).sum(axis=1)
    support = fit_support(sizes, dups, batches)

    alpha = (1.0 - level) / 2.0
    censored = math.isinf(support)
    if censored:
        n_pairs = n_used * (n_used - 1) / 2.0
        covered = -math.expm1(batches * math.log1p(-s_max * (s_max - 1) / (n_used * (n_used - 1.0))))
        support = low = n_pairs * covered / -math.log(alpha)
        high = math.inf
    else:
        low, high = bootstrap_interval(sizes, orders, n_used, support, batches, n_boot, alpha, rng)

    out = {
        "birthday_support": float(support),
        "birthday_support_low": float(low),
        "birthday_dup_rate": float(dups[-1] / batches),
        "birthday_censored": float(censored),
    }
    if math.isfinite(high):
        out["birthday_support_high"] = float(high)
    if artifact_dir is not None:
        summary = {
            "tau": tau,
            "quantile": quantile,
            "real_pair_rate": pair_rate,
            "real_support": 1.0 / pair_rate,
            "n_fake": int(fake_t.shape[0]),
            "n_used": n_used,
            "pairs_within_tau": int(i.shape[0]),
            "batches": batches,
            "batch_sizes": sizes.tolist(),
            "dup_batches": dups.tolist(),
            "dup_share": (dups / batches).tolist(),
            "fitted_share": collision_probability(sizes, out["birthday_support"]).tolist(),
            "support": out["birthday_support"],
            "support_low": out["birthday_support_low"],
            "support_high": out.get("birthday_support_high"),
            "censored": censored,
            "level": level,
            "closest_pairs": [{"a": a, "b": b, "distance": d} for a, b, d in closest],
        }
        write_artifacts(Path(artifact_dir), summary, fake_t)
    return out


# ---------------------------------------------------------------------------------------------
# Diagnostics
# ---------------------------------------------------------------------------------------------


def write_artifacts(directory: Path, summary: dict, fake: torch.Tensor) -> None:
    """``birthday.json``, ``birthday_curve.png`` and ``birthday_pairs.png`` in ``directory``.

    Args:
        summary: the values listed in the module docstring (JSON-serialisable).
        fake: the generated images [M, C, H, W] in [0, 1], for the closest pairs.
    """
    from matplotlib.figure import Figure  # no pyplot: no global backend or figure state

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "birthday.json", "w") as fh:
        json.dump(summary, fh, indent=2)

    sizes = np.asarray(summary["batch_sizes"], dtype=np.int64)
    share = np.asarray(summary["dup_share"])
    grid = np.unique(np.geomspace(2, max(sizes[-1], 3), 200).astype(np.int64))
    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.add_subplot()
    err = np.sqrt(share * (1 - share) / summary["batches"])
    ax.errorbar(sizes, share, yerr=err, fmt="o", color="k", label="observed (generated)")
    label = "lower bound (censored)" if summary["censored"] else "fit"
    ax.plot(
        grid,
        collision_probability(grid, summary["support"]),
        "C0-",
        label=f"{label} K = {summary['support']:.4g}",
    )
    if summary["support_high"] is not None:
        ax.fill_between(
            grid,
            collision_probability(grid, summary["support_low"]),
            collision_probability(grid, summary["support_high"]),
            color="C0",
            alpha=0.2,
            label=f"{summary['level']:.0%} interval "
            f"[{summary['support_low']:.3g}, {summary['support_high']:.3g}]",
        )
    ax.plot(grid, collision_probability(grid, summary["real_support"]), "C3--", label="real data at τ")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("batch size s")
    ax.set_ylabel("share of batches with a near-duplicate")
    ax.set_title(f"birthday test, τ = {summary['tau']:.3g} (quantile {summary['quantile']:g})")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(directory / "birthday_curve.png")

    pairs = summary["closest_pairs"]
    cols = 4
    nrows = max(1, math.ceil(len(pairs) / cols))
    fig = Figure(figsize=(2.4 * cols, 1.5 * nrows), dpi=100)
    for k, pair in enumerate(pairs):
        ax = fig.add_subplot(nrows, cols, k + 1)
        a, b = fake[pair["a"]], fake[pair["b"]]
        gap = torch.ones(a.shape[0], a.shape[1], max(1, a.shape[2] // 8))
        img = torch.cat([a, gap, b], dim=2).numpy()
        if img.shape[0] == 3:
            ax.imshow(np.transpose(img, (1, 2, 0)).clip(0, 1))
        else:
            ax.imshow(img[0], cmap="gray", vmin=0, vmax=1)
        mark = " ≤ τ" if pair["distance"] <= summary["tau"] else ""
        ax.set_title(f"{pair['a']} / {pair['b']}: {pair['distance']:.3g}{mark}", fontsize=7)
        ax.axis("off")
    fig.suptitle("closest generated pairs (distance in pixels)", fontsize=9)
    fig.tight_layout()
    fig.savefig(directory / "birthday_pairs.png")
