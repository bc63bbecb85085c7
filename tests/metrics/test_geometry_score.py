"""Geometry Score (Khrulkov & Oseledets 2018, arXiv:1802.02664).

Known answers:
- a hand-computed barcode for the relative living times;
- the witness complex against GUDHI's own ``WitnessComplex`` (what the reference code builds),
  simplex by simplex, on point clouds with and without ties and repeated points;
- RLTs recorded from the reference implementation, github KhrulkovV/geometry-score at commit
  b3102aa (``gs.geom_score.rlt`` with ``gs.utils.random_landmarks`` patched to return the
  landmarks below; gudhi 3.13, scipy 1.17), on the same points and landmarks;
- the paper's toy clouds: the MRLT of one circle has its mass at 1 hole, of two circles at 2.
"""

from __future__ import annotations

import itertools

import gudhi
import numpy as np
import pytest
from scipy.spatial.distance import cdist

from ganbench.metrics.geometry_score import (
    geometry_score,
    landmark_rlt,
    relative_living_times,
    relative_living_times_of_set,
    witness_complex,
)
from ganbench.numerics.memo import clear_memos
from ganbench.registry import METRICS


def circles(n: int, centres: list[tuple[float, float]], seed: int, noise: float = 0.05) -> np.ndarray:
    """n points [n, 2] on unit circles around ``centres`` (chosen uniformly), plus N(0, noise²)
    (the reference's ``gs.circle`` with several centres)."""
    rng = np.random.default_rng(seed)
    phi = rng.uniform(0, 2 * np.pi, n)
    centre = np.asarray(centres, dtype=float)[rng.integers(0, len(centres), n)]
    return centre + np.stack([np.cos(phi), np.sin(phi)], 1) + noise * rng.standard_normal((n, 2))


def reference_landmarks(points: np.ndarray, count: int) -> np.ndarray:
    return points[np.sort(np.random.default_rng(3).choice(len(points), count, replace=False))]


def test_relative_living_times_of_a_hand_made_barcode() -> None:
    """Bars [0, 1), [0.5, 2), [1.5, inf) on [0, 4]: 1 bar alive on 0-0.5, 1-1.5, 2-4 (3 units),
    2 bars on 0.5-1 and 1.5-2 (1 unit), never 0: RLT = (0, 3/4, 1/4)."""
    bars = np.array([[0.0, 1.0], [0.5, 2.0], [1.5, np.inf]])
    assert relative_living_times(bars, 4.0, 4) == pytest.approx([0.0, 0.75, 0.25, 0.0], abs=1e-15)
    assert relative_living_times(bars, 4.0, 2) == pytest.approx([0.0, 0.75], abs=1e-15)  # i_max cuts
    assert relative_living_times(np.empty((0, 2)), 4.0, 3) == pytest.approx([1.0, 0.0, 0.0])


def gudhi_complex(distances: np.ndarray, alpha: float) -> dict[tuple[int, ...], float]:
    """What the reference builds: GUDHI's WitnessComplex from the sorted landmark table."""
    order = np.argsort(distances, axis=1)
    ranked = np.take_along_axis(distances, order, axis=1)
    table = [list(zip(o.tolist(), d.tolist(), strict=True)) for o, d in zip(order, ranked, strict=True)]
    tree = gudhi.WitnessComplex(table).create_simplex_tree(max_alpha_square=alpha, limit_dimension=2)
    return {tuple(s): f for s, f in tree.get_filtration()}


CLOUDS = {
    "circle": lambda: circles(200, [(0.0, 0.0)], 0),
    "gaussian 8-d": lambda: np.random.default_rng(1).standard_normal((150, 8)),
    "repeated points": lambda: np.repeat(np.random.default_rng(2).standard_normal((15, 3)), 6, axis=0),
    "integer grid (ties)": lambda: np.random.default_rng(3).integers(0, 3, (120, 4)).astype(float),
}


@pytest.mark.parametrize("cloud", CLOUDS)
@pytest.mark.parametrize("gamma", [1 / 8, 1 / 3])
def test_witness_complex_is_gudhis(cloud: str, gamma: float) -> None:
    """Same simplices, same filtration values (the same floating-point operations on the same
    distances; compared to 1e-12 though they agree to the bit here)."""
    points = CLOUDS[cloud]()
    landmarks = [3, 24] if cloud != "circle" else [24]
    for count in landmarks:
        distances = cdist(points, reference_landmarks(points, count))
        alpha = gamma * distances.max()
        tree = witness_complex(distances, alpha)  # held: GUDHI's iterator does not keep its tree alive
        ours = {tuple(s): f for s, f in tree.get_filtration()}
        theirs = gudhi_complex(distances, alpha)
        assert ours.keys() == theirs.keys()
        assert max(abs(ours[s] - theirs[s]) for s in ours) <= 1e-12
        if count > 3:
            assert max(len(s) for s in ours) == 3  # triangles are compared too


#: RLTs from the reference code (see the module docstring), points and landmarks as below.
REFERENCE_GAUSSIAN_RLT = [
    0.9066277269344806, 0.02583139638455496, 0.00014003868848800062, 0.0042123992955909895,
    0.0028463627980644538, 0.00048749332869602594, 0.007960294972115346, 0.00018535093672393638,
    0.0, 0.00023548342720110507, 0.0006899466862624425, 0.0, 2.8950417611343468e-05,
    0.002149041695209711, 0.0031729538124842275, 0.0006341016067643838, 0.0032023243595663666,
    0.003140917542009207, 0.002099720653673548, 0.0022049661264846644,
]  # fmt: skip


def test_rlt_agrees_with_the_reference_implementation() -> None:
    gaussian = np.random.default_rng(2).standard_normal((300, 5))
    ours = landmark_rlt(gaussian, reference_landmarks(gaussian, 32), 1 / 4, 20)
    assert ours == pytest.approx(REFERENCE_GAUSSIAN_RLT, rel=1e-9, abs=1e-12)
    # one circle (200 points, 16 landmarks): one hole all along; two circles: two
    one = circles(200, [(0.0, 0.0)], 0)
    assert landmark_rlt(one, reference_landmarks(one, 16), 1 / 8, 10) == pytest.approx(np.eye(10)[1])
    two = circles(300, [(-1.5, 0.0), (1.5, 0.0)], 1)
    assert landmark_rlt(two, reference_landmarks(two, 24), 1 / 8, 10) == pytest.approx(np.eye(10)[2])


PARAMS = {"landmarks": 64, "gamma": 1 / 8, "i_max": 100}


def test_one_circle_has_one_hole_two_circles_two() -> None:
    """The paper's toy example (its Fig. 4 uses these clouds): the MRLT is a distribution over the
    number of holes; it peaks at the number of circles."""
    one = relative_living_times_of_set(circles(500, [(0.0, 0.0)], 0), repetitions=8, seed=0, **PARAMS)
    two = relative_living_times_of_set(
        circles(500, [(-1.5, 0.0), (1.5, 0.0)], 2), repetitions=8, seed=0, **PARAMS
    )
    assert one.shape == (8, 100)
    assert one.sum(axis=1) == pytest.approx(np.ones(8))  # never 100 holes: every RLT is a distribution
    assert one.mean(axis=0)[1] > 0.8
    assert two.mean(axis=0)[2] > 0.8


def test_score_is_small_for_the_same_shape_and_large_for_another() -> None:
    """Two samples of one circle: under 0.01 (Monte Carlo error of 10 landmark draws each: we
    measured 2e-4); one circle against two: about (0.9 - 0)² + (0 - 0.95)², near 1.7."""
    one_a, one_b = circles(400, [(0.0, 0.0)], 0), circles(400, [(0.0, 0.0)], 1)
    two = circles(400, [(-1.5, 0.0), (1.5, 0.0)], 2)
    same = geometry_score(real=one_a, fake=one_b, repetitions=10)
    copy = geometry_score(real=one_a, fake=one_a.copy(), repetitions=10)
    other = geometry_score(real=one_a, fake=two, repetitions=10)
    assert same["geometry_score"] < 0.01 and copy["geometry_score"] < 0.01
    assert other["geometry_score"] > 1.2
    assert 0 < other["geometry_score_std"] < 0.2
    assert copy["geometry_score_std"] < 0.01


def test_seeded_and_memoised() -> None:
    points = np.random.default_rng(4).standard_normal((120, 6))
    other = np.random.default_rng(5).standard_normal((120, 6)) * 1.5
    clear_memos()
    a = METRICS["geometry-score"](real=points, fake=other, repetitions=4, seed=1)
    clear_memos()
    b = METRICS["geometry-score"](real=points, fake=other, repetitions=4, seed=1)
    c = METRICS["geometry-score"](real=points, fake=other, repetitions=4, seed=2)
    assert a == b
    assert a != c
    # the real set's RLTs depend on the real set and the seed only (its own landmark stream)
    key = {"repetitions": 4, "seed": [1, 0], **PARAMS}
    assert relative_living_times_of_set(points, **key) is relative_living_times_of_set(points.copy(), **key)


def test_the_landmark_draws_are_distinct_rows() -> None:
    """Without replacement (the reference draws with): 64 landmarks of 64 points are all of them,
    so every repetition gives the same RLT."""
    points = np.random.default_rng(6).standard_normal((64, 3))
    rlts = relative_living_times_of_set(points, repetitions=3, seed=0, **PARAMS)
    assert np.all(rlts == rlts[0])


def test_bad_parameters_are_refused() -> None:
    points = np.random.default_rng(7).standard_normal((80, 4))
    with pytest.raises(ValueError, match="landmarks must be an integer >= 3"):
        geometry_score(real=points, fake=points, landmarks=2)
    with pytest.raises(ValueError, match="gamma must be > 0"):
        geometry_score(real=points, fake=points, gamma=0.0)
    with pytest.raises(ValueError, match="repetitions must be an integer"):
        geometry_score(real=points, fake=points, repetitions=1.5)
    with pytest.raises(ValueError, match="fake needs at least 64 rows"):
        geometry_score(real=points, fake=points[:40])
    with pytest.raises(ValueError, match="same number of columns"):
        geometry_score(real=points, fake=points[:, :3])
    assert list(itertools.islice(METRICS["geometry-score"].defaults, 5)) == [
        "landmarks",
        "gamma",
        "i_max",
        "repetitions",
        "seed",
    ]
