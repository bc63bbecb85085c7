"""Ties built on purpose: the k-NN measures decide each exact tie alike in every tile, order and frame.

A user found density 1.0016 instead of 1 for identical sets on an AVX-512 CPU: a real point's
k-NN radius and its distance to the identical fake point came from different tiles and differed
in the last bits, so the strict ball test flipped. Distances are now canonical (see
``ganbench.numerics.distances``). Each case below is built so that many distances are exactly
equal (copies, duplicated rows, points of a small integer grid, points placed exactly on a k-NN
sphere), its value is worked out by hand in the comment above it, and it is checked

- with tiles of 1, 3, 7 and 2048 rows (one tile, or the radius and the cross distance of a pair
  from different tiles), with the rows of both sets in their given and in a permuted order;
- against the reference implementation where that computes exactly on the input: integer
  features, where float64 Gram arithmetic (prdc via sklearn, torch-fidelity via torch.cdist)
  is exact; on Gaussian features the references round the Gram form and may break a tie
  either way, so those cases are checked against the hand value only;
- after adding a common offset of 1e3 or 1e6 to every feature: a translation changes no
  distance, but it makes every Gram-form value inexact (norms of 1e12 and more).

Grid points: ``grid(5)`` is {0..4}², 25 points. In it an interior point (9 of them) has 4
neighbours at 1 and 4 at √2; an edge point (12) has 3 at 1 and 2 at √2; a corner (4) has 2 at
1, 1 at √2 and 2 at 2. So the k=3 radius is 1 inside and on edges and √2 at corners; the k=5
radius is √2 inside and on edges, and 2 at corners.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from itertools import product

import numpy as np
import pytest
import torch
from prdc import compute_prdc
from torch_fidelity.metric_prc import prc_features_to_metric

from ganbench.numerics import distances
from ganbench.numerics.memo import clear_memos
from ganbench.registry import METRICS

PARAMS = {"precision-recall": {"k": 3}, "density-coverage": {"k": 5}, "c2st-1nn": {}}
CHUNKS = (1, 3, 7, 2048)


def grid(n: int, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The n x n integer grid {0..n-1}² shifted by ``origin``, float64 [n², 2]."""
    return np.array([(origin[0] + i, origin[1] + j) for i in range(n) for j in range(n)], dtype=np.float64)


def points(*xy: tuple[float, float]) -> np.ndarray:
    return np.array(xy, dtype=np.float64)


@dataclass(frozen=True)
class Case:
    real: np.ndarray
    fake: np.ndarray
    expected: dict[str, dict[str, float]]  # measure -> key -> the hand value
    integer: bool  # integer features: the references compute exactly


def _gaussian_copy() -> Case:
    # fake = a copy of 40 generic Gaussian points (no two distances equal).
    # precision-recall: every point is at distance 0 <= radius from its copy: 1 and 1.
    # density-coverage: ball i holds, strictly, the copy of i (0 < radius) and the copies of
    #   its k-1 nearer neighbours, not the k-th (at exactly the radius): k points per ball,
    #   N·k in all, so density = N·k / (k·N) = 1; every ball holds its copy: coverage 1.
    # c2st-1nn: each point's copy (distance 0) beats its own set's nearest (> 0): all wrong, 0.
    real = np.random.default_rng(0).standard_normal((40, 8))
    return Case(
        real,
        real.copy(),
        {
            "precision-recall": {"precision": 1.0, "recall": 1.0},
            "density-coverage": {"density": 1.0, "coverage": 1.0},
            "c2st-1nn": {"c2st_1nn": 0.0, "c2st_1nn_real": 0.0, "c2st_1nn_fake": 0.0},
        },
        integer=False,
    )


def _grid_copy() -> Case:
    # fake = a copy of grid(5). precision-recall: copies at distance 0: 1 and 1.
    # density (k=5, strict, radii √2 / √2 / 2): an interior ball holds itself and its 4
    #   neighbours at 1 (those at √2 lie on the sphere): 5; an edge ball itself and 3 at 1: 4;
    #   a corner ball itself, 2 at 1 and 1 at √2 (those at 2 lie on the sphere): 4.
    #   9·5 + 12·4 + 4·4 = 109, density 109 / (5·25). Identical sets give density below 1
    #   here because the sets are full of ties, which the strict test leaves out, as prdc does.
    # coverage: every ball holds its copy: 1. c2st-1nn: every copy is nearer than any other point: 0.
    real = grid(5)
    return Case(
        real,
        real.copy(),
        {
            "precision-recall": {"precision": 1.0, "recall": 1.0},
            "density-coverage": {"density": 109 / 125, "coverage": 1.0},
            "c2st-1nn": {"c2st_1nn": 0.0, "c2st_1nn_real": 0.0, "c2st_1nn_fake": 0.0},
        },
        integer=True,
    )


def _duplicated_rows() -> Case:
    # real = grid(3) with its centre O listed twice (O, O'), 10 rows; fake = a copy.
    # k=5 radii: O: 0 (O'), 1,1,1,1 (edges) -> 1; edge: O, O', 2 corners at 1, then √2 -> √2;
    #   corner: 2 edges at 1, O, O' at √2, then 2 -> 2.
    # density (strict): ball O holds the copies of O and O' (0 < 1): 2, twice; an edge ball
    #   holds itself, O, O' and 2 corners: 5, four times; a corner ball holds itself, 2 edges,
    #   O and O': 5, four times. 4 + 20 + 20 = 44, density 44 / (5·10); coverage 1.
    # c2st-1nn: O's nearest points are all at 0: O' (same set) and the copies of O and O'
    #   (other set): 1/3; so for O'; every other point is wrong (its copy at 0): each side
    #   (1/3 + 1/3) / 10 = 1/15.
    real = np.concatenate([grid(3), points((1, 1))])
    return Case(
        real,
        real.copy(),
        {
            "precision-recall": {"precision": 1.0, "recall": 1.0},
            "density-coverage": {"density": 44 / 50, "coverage": 1.0},
            "c2st-1nn": {"c2st_1nn": 1 / 15, "c2st_1nn_real": 1 / 15, "c2st_1nn_fake": 1 / 15},
        },
        integer=True,
    )


def _subset() -> Case:
    # real = grid(5), fake = its 3x3 interior {1..3}² (a subset; c2st-1nn would subsample, so
    # it is left out). Fake k=3 radii: 1 at the centre and edges, √2 at the corners (1,1)...
    # precision: every fake is a real point (distance 0): 1.
    # recall (inclusive): an edge point like (0,2) is at 1 from the fake (1,2), whose radius
    #   is 1 (on the sphere: inside); (0,1) is at 1 from the fake corner (1,1) (radius √2); a
    #   corner (0,0) is at √2 from (1,1), exactly its radius: inside. Recall 1 (a strict test
    #   would leave out the 4 middle-edge points and the 4 corners: 17/25).
    # density (k=5, strict): a fake interior point lies in its own ball, in its 4 neighbours'
    #   balls (distance 1 < √2), and in a corner's ball when diagonal to it (√2 < 2): the four
    #   fakes (1,1), (1,3), (3,1), (3,3) each once more. 9·5 + 4 = 49, density 49 / (5·9).
    # coverage: interior balls hold a fake at 0, edge balls one at 1 < √2, corner balls (1,1)
    #   at √2 < 2: 1.
    real = grid(5)
    return Case(
        real,
        grid(3, origin=(1, 1)),
        {
            "precision-recall": {"precision": 1.0, "recall": 1.0},
            "density-coverage": {"density": 49 / 45, "coverage": 1.0},
        },
        integer=True,
    )


def _on_the_k3_sphere() -> Case:
    # real = grid(5); each fake lies exactly on one real point's k=3 sphere and outside every
    # other ball: (-1,-1) and (5,5) at √2 from a corner (radius √2), (-1,2) and (2,5) at 1
    # from a middle-edge point (radius 1); the nearest other real points are at √2 > 1 or
    # farther. precision (inclusive d <= r): 4/4 = 1 (a strict test: 0).
    # recall: the 3rd nearest fake of (-1,-1) is (5,5) at √72, and its ball holds the whole
    # grid (the farthest grid point, (4,4), is at √50): 1.
    return Case(
        grid(5),
        points((-1, -1), (5, 5), (-1, 2), (2, 5)),
        {"precision-recall": {"precision": 1.0, "recall": 1.0}},
        integer=True,
    )


def _on_the_k5_sphere() -> Case:
    # real = grid(5); 8 fakes lie exactly on a corner's k=5 sphere (radius 2, two steps out
    # along an edge line, e.g. (-2,0) from (0,0)) and at √5 or more from every other real
    # point (radii √2): the strict test puts them in no ball. The ninth fake, (2,2), lies in
    # its own ball and its 4 neighbours' (1 < √2), not its diagonal neighbours' (√2, on the
    # sphere): 5 balls. density 5 / (5·9); coverage: those 5 real points of 25.
    fake = points((-2, 0), (0, -2), (6, 4), (4, 6), (-2, 4), (0, 6), (6, 0), (4, -2), (2, 2))
    return Case(grid(5), fake, {"density-coverage": {"density": 5 / 45, "coverage": 5 / 25}}, integer=True)


def _three_to_one() -> Case:
    # The real point (0,0) has 4 nearest points at distance 1: 3 real, (1,0), (0,1), (-1,0),
    # and 1 generated, (0,-1). A random tie-break is right with probability 3/4.
    # Other real points: (1,0) has (0,0) at 1 and the fake (0,-1) at √2: right; (-1,0) the
    # same; (0,1) has (0,0) at 1, the fake at 2: right. Real side (3/4 + 3) / 4 = 15/16.
    # Fakes: (0,-1) is at 1 from (0,0) and far from the other fakes: wrong; the three fakes
    # around (10,10) are at 1 from each other: right. Fake side 3/4. Overall 27/32.
    real = points((0, 0), (1, 0), (0, 1), (-1, 0))
    fake = points((0, -1), (10, 10), (10, 11), (11, 10))
    return Case(
        real,
        fake,
        {"c2st-1nn": {"c2st_1nn": 27 / 32, "c2st_1nn_real": 15 / 16, "c2st_1nn_fake": 3 / 4}},
        integer=True,
    )


CASES = {
    "gaussian copy": _gaussian_copy(),
    "grid copy": _grid_copy(),
    "duplicated rows": _duplicated_rows(),
    "subset": _subset(),
    "on the k=3 sphere": _on_the_k3_sphere(),
    "on the k=5 sphere": _on_the_k5_sphere(),
    "3 same vs 1 other": _three_to_one(),
}
CASE_MEASURES = [(case, measure) for case in CASES for measure in CASES[case].expected]


def measure(name: str, real: np.ndarray, fake: np.ndarray, chunk: int, patch: pytest.MonkeyPatch) -> dict:
    """The measure's value with tiles of ``chunk`` rows, from empty memos (no pass reused)."""
    clear_memos()
    patch.setattr(distances, "DEFAULT_CHUNK_SIZE", chunk)
    return METRICS[name](real=real, fake=fake, **PARAMS[name])


@pytest.mark.parametrize(("case", "name"), CASE_MEASURES)
def test_hand_value_in_every_tiling_and_row_order(
    case: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = CASES[case]
    rng = np.random.default_rng(1)
    orders = {
        "given": (c.real, c.fake),
        "permuted": (c.real[rng.permutation(len(c.real))], c.fake[rng.permutation(len(c.fake))]),
    }
    for chunk, (order, (real, fake)) in product(CHUNKS, orders.items()):
        got = measure(name, real, fake, chunk, monkeypatch)
        # the hand values are ratios of small counts; a flipped tie moves one by 1/(k·M) or more
        assert got == pytest.approx(c.expected[name], abs=1e-12), (chunk, order)


# c2st-1nn has no exact peer: the reference 1-NN code breaks ties by memory order, ganbench
# counts the expected accuracy of a random tie-break (its hand values are checked above)
REFERENCE_CASES = [(c, m) for c, m in CASE_MEASURES if CASES[c].integer and m != "c2st-1nn"]


@pytest.mark.parametrize(("case", "name"), REFERENCE_CASES)
def test_reference_agrees_on_integer_features(case: str, name: str) -> None:
    c = CASES[case]
    expected = c.expected[name]
    if name == "precision-recall":
        # torch.cdist on integer float64 rows: exact squared distances, so exact ties
        ref = prc_features_to_metric(
            torch.from_numpy(c.fake),
            torch.from_numpy(c.real),
            prc_neighborhood=PARAMS[name]["k"],
            prc_batch_size=10000,
            save_cpu_ram=False,
            verbose=False,
        )
        assert ref["precision"] == pytest.approx(expected["precision"], abs=1e-7)  # rounded to float32
        assert ref["recall"] == pytest.approx(expected["recall"], abs=1e-7)
    else:
        assert name == "density-coverage"
        # sklearn's float64 Gram form on small integers: exact
        with contextlib.redirect_stdout(io.StringIO()):
            ref = compute_prdc(real_features=c.real, fake_features=c.fake, nearest_k=PARAMS[name]["k"])
        assert ref["density"] == pytest.approx(expected["density"], abs=1e-12)
        assert ref["coverage"] == pytest.approx(expected["coverage"], abs=1e-12)


@pytest.mark.parametrize("offset", [1e3, 1e6])
def test_a_common_offset_changes_no_value(offset: float, monkeypatch: pytest.MonkeyPatch) -> None:
    # Integer features plus an offset below 2^53 stay exact, and so do their differences: the
    # canonical distances are the very same numbers, so every value is bit-identical. The
    # Gram form sees norms of D·offset² and decides none of these ties by itself.
    # (The references are inexact here: they would have to be compared with the hand values.)
    for case, name in CASE_MEASURES:
        c = CASES[case]
        for chunk in (3, 2048):
            base = measure(name, c.real, c.fake, chunk, monkeypatch)
            moved = measure(name, c.real + offset, c.fake + offset, chunk, monkeypatch)
            if c.integer:
                assert moved == base, (case, name, chunk)
            else:  # Gaussian rows round to the offset's grid, but the copy stays a copy: same hand value
                assert moved == pytest.approx(c.expected[name], abs=1e-12), (case, name, chunk)
            assert base == pytest.approx(c.expected[name], abs=1e-12)


def test_issue_case_far_points_do_not_make_everything_a_tie(monkeypatch: pytest.MonkeyPatch) -> None:
    # Features of scale 0.01; the fakes are shifted by 0.02 in every coordinate (16 of them,
    # 0.08 in all), several nearest-neighbour distances (about 0.01·√32 ≈ 0.057): every
    # point's nearest neighbour is in its own set, so the accuracy is 1.
    rng = np.random.default_rng(0)
    real = 0.01 * rng.standard_normal((100, 16))
    fake = 0.01 * rng.standard_normal((100, 16)) + 0.02
    for chunk in (7, 2048):
        assert measure("c2st-1nn", real, fake, chunk, monkeypatch) == {
            "c2st_1nn": 1.0,
            "c2st_1nn_real": 1.0,
            "c2st_1nn_fake": 1.0,
        }
    # One real row far away (every coordinate 1e5 or 1e6). It is no one's nearest neighbour
    # and it is nearer the fakes (shifted towards it) than the reals: it alone is wrong, so
    # the real side is 99/100 and the whole 199/200. A tolerance scaled by the largest norm
    # called every pair a tie here (0.70 at 1e5, 0.50 at 1e6); float64 brute force agrees
    # with the hand value.
    for far in (1e5, 1e6):
        moved = real.copy()
        moved[-1] = far
        for chunk in (7, 2048):
            got = measure("c2st-1nn", moved, fake, chunk, monkeypatch)
            assert got == pytest.approx(
                {"c2st_1nn": 199 / 200, "c2st_1nn_real": 99 / 100, "c2st_1nn_fake": 1.0}, abs=1e-12
            ), (far, chunk)
