"""Tests for ``pr-cover`` (cover precision and cover recall, Cheema & Urner 2023, AISTATS)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import REFERENCE_INPUTS, curve_sets, mixed_sets

from ganbench.metrics.pr_cover import pr_cover, pr_cover_samples
from ganbench.numerics.shared_pass import Needs, sharing
from ganbench.registry import METRICS

# Reference values: a scratch transcription (outside the repository) of PRCover(P, Q, k, C) and
# PR_Cover_Indicator from Fasil Cheema's GenerativeMetrics.py as published in
# DPBayes/position-fidelity-diversity-metrics-flawed metrics/precision_recall_cover/GenerativeMetrics.py
# (commit 7000abf; sklearn kd-tree k-NN, numpy norms), P = real, Q = generated, run with numpy 2.4.6
# and scikit-learn 1.9.1. Keys: (inputs, k, k' = C k) -> (cover_precision, cover_recall).
REFERENCE = {
    ("curve 60x50x5", 3, 9): (0.48333333333333334, 0.36),
    ("curve 60x50x5", 2, 4): (0.35, 0.22),
    ("curve 60x50x5", 1, 4): (0.4166666666666667, 0.3),
    ("curve 200x150x8", 3, 9): (0.08, 0.0),
    ("mixed 120x100x6", 3, 9): (0.9416666666666667, 0.69),
    ("mixed 120x100x6", 2, 4): (0.7, 0.58),
}


@pytest.mark.parametrize(("inputs", "k", "k_prime"), list(REFERENCE))
def test_agrees_with_the_reference_code(inputs: str, k: int, k_prime: int) -> None:
    real, fake = REFERENCE_INPUTS[inputs]()
    out = pr_cover(real=real, fake=fake, k=k, k_prime=k_prime)
    precision, recall = REFERENCE[(inputs, k, k_prime)]
    assert out["cover_precision"] == pytest.approx(precision, abs=1e-15)
    assert out["cover_recall"] == pytest.approx(recall, abs=1e-15)


def test_hand_worked_one_dimensional_case() -> None:
    # k = k' = 2. Real radii (2nd nearest other real): 0 -> 2, 1 -> 1, 2 -> 2, 10 -> 9.
    # Generated radii: 0.5 -> 19.5, 3 -> 17, 20 -> 17, 21 -> 18.
    real = np.array([[0.0], [1.0], [2.0], [10.0]])
    fake = np.array([[0.5], [3.0], [20.0], [21.0]])
    out = pr_cover(real=real, fake=fake, k=2, k_prime=2)
    # real balls holding >= 2 generated points: only 2's (0.5 at 1.5, 3 at 1)
    assert out["cover_precision"] == 0.25
    # generated balls holding >= 2 real points: 0.5's and 3's (all four); 20's and 21's hold only 10
    assert out["cover_recall"] == 0.5


def test_a_point_on_the_sphere_is_inside() -> None:
    # k = k' = 1: the real radii are 1 and 1; the generated 2 lies exactly 1 from the real 1
    real = np.array([[0.0], [1.0]])
    fake = np.array([[2.0], [5.0]])
    out = pr_cover(real=real, fake=fake, k=1, k_prime=1)
    assert out == {"cover_precision": 0.5, "cover_recall": 0.5}  # generated radii 3, 3: 2 holds both reals


def test_identical_sets_give_one() -> None:
    real, _ = curve_sets(80, 10, 6)
    assert pr_cover(real=real, fake=real.copy()) == {"cover_precision": 1.0, "cover_recall": 1.0}


def test_float32_input() -> None:
    real, fake = mixed_sets(120, 100, 6)
    r32, f32 = real.astype(np.float32), fake.astype(np.float32)
    # the same numbers as float32 or float64 arrays: the same canonical distances, the same counts
    assert pr_cover(real=r32, fake=f32) == pr_cover(real=r32.astype(np.float64), fake=f32.astype(np.float64))
    # rounding these features to float32 moves no point across a sphere (a count can only change when
    # a distance lies within about 1e-7 relative of a radius; none does here)
    assert pr_cover(real=r32, fake=f32) == pr_cover(real=real, fake=fake)


def test_deterministic_and_invariant_to_row_order() -> None:
    real, fake = mixed_sets(120, 100, 6)
    first = pr_cover(real=real, fake=fake)
    assert pr_cover(real=real, fake=fake) == first
    order_r, order_f = np.random.default_rng(0).permutation(120), np.random.default_rng(1).permutation(100)
    assert pr_cover(real=real[order_r], fake=fake[order_f]) == pytest.approx(first, abs=1e-15)


def test_resample_takes_the_drawn_points() -> None:
    real, fake = mixed_sets(120, 100, 6)
    samples = pr_cover_samples(real=real, fake=fake)
    assert (samples.n_real, samples.n_fake) == (120, 100)
    assert samples.reduce(np.arange(120), np.arange(100)) == pytest.approx(samples.value(), abs=1e-15)
    # the second half of the generated rows lies off the real curves: fewer of them are covered
    first = samples.reduce(None, np.arange(50))["cover_recall"]
    second = samples.reduce(None, np.arange(50, 100))["cover_recall"]
    assert first > second


def test_shared_pass_gives_the_same_value() -> None:
    real, fake = mixed_sets(120, 100, 6)
    alone = pr_cover(real=real, fake=fake)
    needs = Needs()
    needs.add(METRICS["pr-cover"].shared_needs({"k": 3, "k_prime": 9}))  # type: ignore[misc]
    with sharing(real, fake, needs) as shared:
        assert shared is not None
        assert pr_cover(real=real, fake=fake) == alone


def test_rejects_bad_input() -> None:
    real, fake = curve_sets(60, 50, 5)
    with pytest.raises(ValueError, match="at least 10 rows"):
        pr_cover(real=real[:9], fake=fake)
    with pytest.raises(ValueError, match="at least 10 rows"):
        pr_cover(real=real, fake=fake[:9])
    with pytest.raises(ValueError, match="k must be"):
        pr_cover(real=real, fake=fake, k=0)
    with pytest.raises(ValueError, match="k_prime must be an integer >= 3"):
        pr_cover(real=real, fake=fake, k=3, k_prime=2)
    with pytest.raises(ValueError, match="same number of columns"):
        pr_cover(real=real, fake=fake[:, :3])
