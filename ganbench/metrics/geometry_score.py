"""Geometry Score: compare the topology (1-dimensional holes) of the real and the generated data manifolds.

Khrulkov & Oseledets 2018, "Geometry Score: A Method For Comparing Generative Adversarial
Networks" (ICML 2018, arXiv:1802.02664). Reference implementation: github KhrulkovV/geometry-score,
``gs/geom_score.py`` (``rlt``, ``rlts``, ``geom_score``) and ``gs/utils.py`` (``witness``,
``relative``); this module is our own code and agrees with it to the last bit on the same
points and landmarks (``tests/metrics/test_geometry_score.py``).

Algorithm 1 of the paper, per set X [N, D] and repetition:

1. draw ``landmarks`` rows L of X at random;
2. build the (weak, relaxed) witness complex of L witnessed by every row of X, up to
   triangles, with relaxation up to ``alpha_max = gamma * max_{x, l} ‖x − l‖``: a simplex σ ⊂ L
   is α-witnessed by x when ``max_{l ∈ σ} d(x, l) − α <= min_{l' ∉ σ} d(x, l')``; its filtration
   value is the least such α over the witnesses (``max(0, max_σ d − min_{∉σ} d)``), raised to the
   largest value of its facets, and it is in the complex when all its facets are. Distances are
   plain Euclidean distances, not squared, as the reference passes them to GUDHI's
   ``WitnessComplex``;
3. the persistence intervals of H1 (coefficients in Z/2, by GUDHI) on [0, alpha_max], an
   interval still alive at alpha_max ending there;
4. RLT(i) = the share of [0, alpha_max] during which exactly i holes are alive, i < ``i_max``.

The mean over ``repetitions`` landmark draws is the MRLT, a distribution over the number of
holes; the Geometry Score (Algorithm 2) is ``Σ_i (MRLT_real(i) − MRLT_fake(i))²``. Lower is
better: 0 when the two sets have the same topology at this scale. A one-circle set has its MRLT
mass at 1 hole, two circles at 2.

Step 2 is computed here in numpy rather than by GUDHI's ``WitnessComplex`` (GUDHI builds the
persistence): GUDHI enumerates, for every witness, every candidate simplex with a tree lookup,
which takes 4 to 20 s per repetition on 1,000 unstructured 64 to 128-d points (the complex is
then nearly full: all 41,664 triangles of 64 landmarks). Here a witness's candidate simplices
are read off its sorted landmark distances: if j is the first position (in the witness's
order) that a simplex leaves out, its value is ``s[last] − s[j]``, and the candidates for each
j are a prefix of position combinations; the least value per simplex is a scatter-min. The
simplices and values are identical to GUDHI's (compared exactly in the tests).

Departures from the reference code (also in ``notes``):
- landmarks are drawn without replacement (``numpy.random.default_rng``); the reference draws
  with replacement (``np.random.choice``), so at N = 1,000 most of its draws repeat a landmark;
- ``gamma`` is a fixed parameter (1/8, as in the reference's toy examples); the reference's
  default is ``N / 640,000`` (1/128 at 5,000 points), which at 1,000 points leaves almost no
  triangle in the complex, so that every RLT sits at dozens of holes;
- the real and the generated set draw their landmarks from two streams of ``seed``
  (``default_rng([seed, 0])`` and ``default_rng([seed, 1])``), so each MRLT depends on its set
  alone (the real one is memoised across generated sets);
- the paper reports n = 10,000 repetitions; the default here is far fewer (see
  ``repetitions``), with the Monte Carlo spread of the score in ``geometry_score_std``.

Cost at the defaults (50 repetitions per set) on one CPU core: 4.4 s for 1,000 vs 1,000 MNIST
digits in a ganbench classifier's 128-d features (about 0.04 s per repetition), 33 s for 1,000 vs
1,000 unstructured 64-d Gaussian points (0.3 s: the complex is then nearly full), about 1 s per
repetition on 128-d uniform noise (GUDHI's construction alone: 12 to 20 s). The real set's RLTs are
memoised, so each further generated set costs half.
"""

from __future__ import annotations

import functools
import itertools
import math

import gudhi
import numpy as np
from scipy.spatial.distance import cdist

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_pair, check_seed, integer, real_number
from ganbench.numerics.memo import Memo, fingerprint, readonly

#: Simplex dimension of the witness complex (triangles), as the reference's ``limit_dimension=2``.
_MAX_DIM = 2
#: Position combinations handled per block of witnesses (bounds memory: ~100 MB per block).
_BLOCK_ROWS = 2_000_000
#: Resamples of the repetitions behind ``geometry_score_std``.
_STD_RESAMPLES = 200

_RLT_MEMO = Memo(maxsize=4)


def relative_living_times(intervals: np.ndarray, alpha_max: float, i_max: int) -> np.ndarray:
    """RLT of one barcode: float64 [i_max], entry i the share of [0, alpha_max] with exactly i bars alive.

    Args:
        intervals: H1 persistence intervals [B, 2] (birth, death); a death of ``inf`` ends at
            ``alpha_max``. A bar is alive on [birth, death).
        alpha_max: the end of the filtration (> 0).
        i_max: the number of entries; time with ``i_max`` or more bars alive is left out, so
            the entries then sum to less than 1.
    """
    bars = np.asarray(intervals, dtype=np.float64).reshape(-1, 2).copy()
    bars[~np.isfinite(bars[:, 1]), 1] = alpha_max
    points = np.unique(np.concatenate([bars.ravel(), [0.0, alpha_max]]))
    mids = (points[:-1] + points[1:]) / 2
    alive = ((mids[:, None] >= bars[None, :, 0]) & (mids[:, None] < bars[None, :, 1])).sum(axis=1)
    out = np.zeros(i_max)
    kept = alive < i_max
    np.add.at(out, alive[kept], np.diff(points)[kept])
    return out / alpha_max


@functools.lru_cache(maxsize=16)
def _prefix_combinations(n: int, k: int) -> np.ndarray:
    """All k-subsets of range(n) as int64 [C(n, k), k] (read-only), rows ascending, ordered by their
    largest entry, so the subsets of range(m) are the first C(m, k) rows for every m <= n."""
    rows = [(*rest, top) for top in range(k - 1, n) for rest in itertools.combinations(range(top), k - 1)]
    return readonly(np.array(rows, dtype=np.int64).reshape(-1, k))


def _witness_values(distances: np.ndarray, alpha: float) -> list[np.ndarray]:
    """Least relaxation at which each simplex of the landmarks is witnessed, before its faces count.

    Args:
        distances: float64 [W, L], witness-to-landmark distances.
        alpha: the largest relaxation (``alpha_max``).

    Returns:
        For dimension 0, 1, 2: float64 arrays [L], [L, L], [L, L, L] holding, at sorted landmark
        indices (a < b < c), ``min_w max(0, max_σ d(w, ·) − min_{∉σ} d(w, ·))`` over the
        witnesses w with ``max_σ d − alpha <= min_{∉σ} d`` (GUDHI's test, the same floating-point
        operations), ``inf`` where no witness qualifies and off the sorted entries.

    Witness w's landmarks in its order have distances s[0] <= s[1] <= ...; a simplex of m of them
    whose first left-out position is j holds positions 0 .. j - 1 and m - j positions after j,
    the last at p, and its value for w is ``s[p] − s[j]`` (0 when j = m: the m nearest). The test
    ``s[p] − alpha <= s[j]`` keeps p below ``reach[w, j]``, so the candidates of each j are the
    first C(reach − j − 1, m − j) rows of :func:`_prefix_combinations`, shared by all witnesses
    with the same reach.
    """
    n_l = distances.shape[1]
    order = np.argsort(distances, axis=1, kind="stable")
    s = np.take_along_axis(distances, order, axis=1)
    reach = [(s - alpha <= s[:, j : j + 1]).sum(axis=1) for j in range(min(_MAX_DIM + 1, n_l))]
    out = []
    for m in range(1, _MAX_DIM + 2):  # simplex size
        table = np.full(n_l**m, np.inf)  # by landmark indices in the witness's order (any order)
        strides = n_l ** np.arange(m - 1, -1, -1)
        if m <= n_l:  # j = m: the witness's m nearest landmarks, witnessed at 0
            np.minimum.at(table, order[:, :m] @ strides, 0.0)
        for j in range(min(m, n_l)):  # j: the first position the simplex leaves out
            free = m - j
            base = order[:, :j] @ strides[:j]  # the fixed positions 0 .. j - 1
            span = reach[j] - j - 1  # free positions lie in j + 1 .. reach - 1
            every = _prefix_combinations(n_l, free) + (j + 1)
            for n in np.unique(span[span >= free]):
                combos = every[: math.comb(int(n), free)]  # [C, free]: the free positions below reach
                group = np.nonzero(span == n)[0]
                for rows in np.array_split(group, -(-len(group) * len(combos) // _BLOCK_ROWS)):
                    flat = base[rows, None] + order[rows[:, None], combos[:, 0]] * strides[j]
                    for i in range(1, free):
                        flat += order[rows[:, None], combos[:, i]] * strides[j + i]
                    values = s[rows[:, None], combos[:, -1]] - s[rows, j][:, None]
                    np.minimum.at(table, flat.ravel(), np.maximum(values, 0.0).ravel())
        cube = table.reshape((n_l,) * m)
        best = np.min([cube.transpose(p) for p in itertools.permutations(range(m))], axis=0)
        out.append(np.where(_ascending_mask(n_l, m), best, np.inf))
    return out


@functools.lru_cache(maxsize=8)
def _ascending_mask(n: int, m: int) -> np.ndarray:
    """bool [n] * m: True at strictly ascending indices (a < b < c), the sorted simplices."""
    if m == 1:
        return readonly(np.ones(n, dtype=bool))
    grids = np.indices((n,) * m)
    return readonly(np.all(grids[:-1] < grids[1:], axis=0))


def witness_complex(distances: np.ndarray, alpha: float) -> gudhi.SimplexTree:
    """The witness complex of the reference (GUDHI ``WitnessComplex``, ``limit_dimension=2``).

    Args:
        distances: float64 [W, L] distances from each witness to each landmark.
        alpha: ``max_alpha_square`` of GUDHI: the largest relaxation, in the units of
            ``distances``.

    Returns:
        A ``gudhi.SimplexTree`` with the same simplices and filtration values as
        ``gudhi.WitnessComplex(table).create_simplex_tree(alpha, limit_dimension=2)`` for the
        table of each witness's landmarks sorted by distance.
    """
    own = _witness_values(distances, alpha)
    tree = gudhi.SimplexTree()
    n_l = distances.shape[1]
    final: list[np.ndarray] = []
    for m, values in enumerate(own):
        simplices = np.array(np.nonzero(np.isfinite(values))).T  # [n, m + 1], sorted rows
        if m == 0:
            filtration = values[simplices[:, 0]]
        else:
            prev = final[m - 1]
            facets = [prev[tuple(np.delete(simplices, i, axis=1).T)] for i in range(m + 1)]
            filtration = np.maximum(values[tuple(simplices.T)], np.max(facets, axis=0))
        keep = np.isfinite(filtration)
        simplices, filtration = simplices[keep], filtration[keep]
        table = np.full((n_l,) * (m + 1), np.inf)
        table[tuple(simplices.T)] = filtration
        final.append(table)
        if len(simplices):
            tree.insert_batch(np.ascontiguousarray(simplices.T), filtration)
    return tree


def landmark_rlt(points: np.ndarray, landmarks: np.ndarray, gamma: float, i_max: int) -> np.ndarray:
    """RLT for one set of landmarks (the reference's ``rlt`` with given landmarks): float64 [i_max].

    Args:
        points: the witnesses, float64 [N, D] (the whole set).
        landmarks: float64 [L, D].
        gamma: alpha_max as a share of the largest witness-to-landmark distance.
        i_max: entries of the RLT.
    """
    distances = cdist(points, landmarks)  # the reference's distances (scipy, in a fixed order)
    alpha_max = gamma * float(distances.max())
    if alpha_max <= 0:  # every point equal: no hole ever
        out = np.zeros(i_max)
        out[0] = 1.0
        return out
    tree = witness_complex(distances, alpha_max)
    tree.persistence(homology_coeff_field=2)
    return relative_living_times(tree.persistence_intervals_in_dimension(1), alpha_max, i_max)


def relative_living_times_of_set(
    points: np.ndarray, *, landmarks: int, gamma: float, i_max: int, repetitions: int, seed: object
) -> np.ndarray:
    """RLTs of ``repetitions`` landmark draws (Algorithm 1): float64 [repetitions, i_max], read-only.

    Landmarks: ``landmarks`` distinct rows per draw, from ``numpy.random.default_rng(seed)``
    (``seed`` an int or a sequence of ints). Memoised by content, parameters and seed.
    """
    key = (fingerprint(points), landmarks, gamma, i_max, repetitions, repr(seed))

    def compute() -> np.ndarray:
        rng = np.random.default_rng(seed)
        out = np.empty((repetitions, i_max))
        for r in range(repetitions):
            rows = np.sort(rng.choice(len(points), size=landmarks, replace=False))
            out[r] = landmark_rlt(points, points[rows], gamma, i_max)
        return readonly(out)

    return _RLT_MEMO.get_or_compute(key, compute)


def score_of_rlts(rlts_real: np.ndarray, rlts_fake: np.ndarray) -> float:
    """Algorithm 2: squared L2 distance between the mean RLTs [R1, I] and [R2, I] -> float."""
    return float(((rlts_real.mean(axis=0) - rlts_fake.mean(axis=0)) ** 2).sum())


@metric(
    "geometry-score",
    space="features",
    directions={"geometry_score": "lower"},
    reference=(
        "Khrulkov & Oseledets 2018 (arXiv:1802.02664); agrees with KhrulkovV/geometry-score "
        "(rlt, geom_score) on the same points and landmarks"
    ),
    notes=(
        "witness complex computed in numpy (identical to GUDHI's WitnessComplex, limit_dimension=2), "
        "persistence by GUDHI; landmarks drawn without replacement (the reference: with); gamma fixed "
        "(the reference's default N/640000 leaves 1000 points almost without triangles); far fewer "
        "repetitions than the paper's 10000, Monte Carlo spread in geometry_score_std"
    ),
    min_samples=lambda p: p["landmarks"],
    interval="none",
    interval_note=(
        "a resample with replacement repeats points, which changes the witness complex (fewer distinct "
        "witnesses and landmarks) rather than resampling its value, and costs the whole measure per "
        "replicate; geometry_score_std is the Monte Carlo spread over landmark draws only"
    ),
    aspects={"geometry_score": ("fidelity", "diversity")},
)
def geometry_score(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    landmarks: int = 64,
    gamma: float = 0.125,
    i_max: int = 100,
    repetitions: int = 50,
    seed: int = 0,
) -> dict[str, float]:
    """Geometry Score between the real and generated feature sets.

    Args:
        real: real features [N, D], N >= ``landmarks``.
        fake: generated features [M, D], M >= ``landmarks``.
        landmarks: L_0, landmarks per draw (64 as the paper).
        gamma: alpha_max as a share of the largest witness-to-landmark distance of the draw.
        i_max: entries of each RLT (numbers of holes 0 .. i_max - 1).
        repetitions: landmark draws per set (the paper: 10,000). At 50, two sets of 1,000 real
            MNIST digits in the features of a ganbench classifier (300 steps on 3,000 digits)
            score 0.004 ± 0.001 over seeds, a set of five of the ten classes 0.066 ± 0.003
            (``geometry_score_std`` about 0.002 and 0.01): a margin of some 20 spreads.
        seed: the landmark draws (real: ``default_rng([seed, 0])``, generated: ``[seed, 1]``).

    Returns:
        ``geometry_score``: ``Σ_i (MRLT_real(i) − MRLT_fake(i))²``, in [0, 2]; lower is better.
        ``geometry_score_std``: the standard deviation of the score over 200 bootstrap resamples
        of the repetitions of both sets (its Monte Carlo error from the landmark draws, not the
        sampling error of the sets).
    """
    landmarks = integer("landmarks", landmarks, minimum=3)
    gamma = real_number("gamma", gamma, low=0.0, open_low=True)
    i_max = integer("i_max", i_max, minimum=1)
    repetitions = integer("repetitions", repetitions, minimum=1)
    seed = check_seed(seed)
    x, y = as_pair(real, fake, min_real=landmarks, min_fake=landmarks)
    params = {"landmarks": landmarks, "gamma": gamma, "i_max": i_max, "repetitions": repetitions}
    rlts_real = relative_living_times_of_set(x, seed=[seed, 0], **params)
    rlts_fake = relative_living_times_of_set(y, seed=[seed, 1], **params)
    rng = np.random.default_rng([seed, 2])
    replicates = [
        score_of_rlts(
            rlts_real[rng.integers(0, repetitions, repetitions)],
            rlts_fake[rng.integers(0, repetitions, repetitions)],
        )
        for _ in range(_STD_RESAMPLES)
    ]
    return {
        "geometry_score": score_of_rlts(rlts_real, rlts_fake),
        "geometry_score_std": float(np.std(replicates, ddof=1)),
    }
