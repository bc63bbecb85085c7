"""Tests for ``p-precision-recall`` (P-precision and P-recall, Park & Kim 2023, arXiv:2309.01590)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import REFERENCE_INPUTS, curve_sets, mixed_sets

from ganbench.metrics.probabilistic_pr import p_precision_recall, p_precision_recall_samples
from ganbench.numerics.shared_pass import Needs, sharing
from ganbench.registry import METRICS

# Reference values: a scratch transcription (outside the repository) of compute_pprecision_precall
# in kdst-team/Probablistic_precision_recall metric/pp_pr.py, commit 7e15c91 (numpy branch: sklearn
# pairwise_distances, argpartition(kth + 1), np.prod), run on these inputs with numpy 2.4.6 and
# scikit-learn 1.9.1. Keys: (inputs, k, a) -> (p_precision, p_recall).
REFERENCE = {
    ("curve 60x50x5", 4, 1.2): (0.33734699833318343, 0.1314472813937591),
    ("curve 60x50x5", 3, 1.5): (0.4254899736558573, 0.19445459409855934),
    ("curve 200x150x8", 4, 1.2): (0.04397841804345832, 0.0031555937918363664),
    ("mixed 120x100x6", 4, 1.2): (0.6030483469009116, 0.7719357158170279),
}


@pytest.mark.parametrize(("inputs", "k", "a"), list(REFERENCE))
def test_agrees_with_the_reference_code(inputs: str, k: int, a: float) -> None:
    real, fake = REFERENCE_INPUTS[inputs]()
    out = p_precision_recall(real=real, fake=fake, k=k, a=a)
    precision, recall = REFERENCE[(inputs, k, a)]
    assert out["p_precision"] == pytest.approx(precision, rel=1e-12, abs=1e-15)
    assert out["p_recall"] == pytest.approx(recall, rel=1e-12, abs=1e-15)


def test_swapping_the_sets_swaps_the_keys() -> None:
    real, fake = curve_sets(60, 50, 5)
    out = p_precision_recall(real=fake, fake=real)
    assert out["p_precision"] == pytest.approx(0.1314472813937591, rel=1e-12)  # the reference, swapped
    assert out["p_recall"] == pytest.approx(0.3373469983331834, rel=1e-12)


def test_hand_worked_one_dimensional_case() -> None:
    # k = 1: every real point's nearest other is 1 away, R_X = 1.5 x 1; the generated 1-NN distances
    # are 9.5, 0.5, 0.5, R_Y = 1.5 x 3.5 = 5.25.
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    fake = np.array([[0.5], [10.0], [10.5]])
    out = p_precision_recall(real=real, fake=fake, k=1, a=1.5)
    # 0.5 has real points at 0.5, 0.5 (1.5 is on the sphere: outside): 1 - (0.5/1.5)^2 = 8/9; the others 0
    assert out["p_precision"] == pytest.approx((8 / 9) / 3, rel=1e-14)
    # real points: the generated 0.5 at 0.5, 0.5, 1.5, 2.5 (10 and 10.5 are farther than 5.25)
    assert out["p_recall"] == pytest.approx((19 + 19 + 15 + 11) / (21 * 4), rel=1e-14)


def test_a_point_at_distance_zero_scores_one() -> None:
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    fake = np.array([[2.0], [50.0], [51.0]])  # 2.0 is a real point
    samples = p_precision_recall_samples(real=real, fake=fake, k=1, a=1.2)
    assert samples.reduce(None, np.array([0]))["p_precision"] == 1.0
    assert samples.reduce(None, np.array([1, 2]))["p_precision"] == 0.0


def test_identical_sets_give_one() -> None:
    real, _ = curve_sets(80, 10, 6)
    assert p_precision_recall(real=real, fake=real.copy()) == {"p_precision": 1.0, "p_recall": 1.0}


def test_float32_input() -> None:
    real, fake = mixed_sets(120, 100, 6)
    r32, f32 = real.astype(np.float32), fake.astype(np.float32)
    # the same numbers as float32 or float64 arrays: the same canonical distances, the same value
    assert p_precision_recall(real=r32, fake=f32) == pytest.approx(
        p_precision_recall(real=r32.astype(np.float64), fake=f32.astype(np.float64)), rel=1e-15
    )
    # rounding the features to float32 (relative 6e-8) moves the continuous scores by far less than 1e-5
    assert p_precision_recall(real=r32, fake=f32) == pytest.approx(
        p_precision_recall(real=real, fake=fake), abs=1e-5
    )


def test_deterministic_and_invariant_to_row_order() -> None:
    real, fake = mixed_sets(120, 100, 6)
    first = p_precision_recall(real=real, fake=fake)
    assert p_precision_recall(real=real, fake=fake) == first
    order_r, order_f = np.random.default_rng(0).permutation(120), np.random.default_rng(1).permutation(100)
    assert p_precision_recall(real=real[order_r], fake=fake[order_f]) == pytest.approx(first, rel=1e-13)


def test_resample_averages_the_drawn_scores() -> None:
    real, fake = mixed_sets(120, 100, 6)
    samples = p_precision_recall_samples(real=real, fake=fake)
    assert (samples.n_real, samples.n_fake) == (120, 100)
    full = samples.value()
    assert samples.reduce(np.arange(120), np.arange(100)) == pytest.approx(full, rel=1e-12)
    one = samples.reduce(np.zeros(5, dtype=np.int64), np.zeros(7, dtype=np.int64))
    assert 0.0 <= one["p_precision"] <= 1.0 and 0.0 <= one["p_recall"] <= 1.0


def test_shared_pass_gives_the_same_value() -> None:
    real, fake = mixed_sets(120, 100, 6)
    alone = p_precision_recall(real=real, fake=fake)
    needs = Needs()
    needs.add(METRICS["p-precision-recall"].shared_needs({"k": 4, "a": 1.2}))  # type: ignore[misc]
    with sharing(real, fake, needs) as shared:
        assert shared is not None
        assert p_precision_recall(real=real, fake=fake) == pytest.approx(alone, rel=1e-15)


def test_rejects_bad_input() -> None:
    real, fake = curve_sets(60, 50, 5)
    with pytest.raises(ValueError, match="at least 5 rows"):
        p_precision_recall(real=real[:4], fake=fake)
    with pytest.raises(ValueError, match="at least 5 rows"):
        p_precision_recall(real=real, fake=fake[:4])
    with pytest.raises(ValueError, match="k must be"):
        p_precision_recall(real=real, fake=fake, k=0)
    with pytest.raises(ValueError, match="a must be > 0"):
        p_precision_recall(real=real, fake=fake, a=0.0)
    with pytest.raises(ValueError, match="a must be a finite number"):
        p_precision_recall(real=real, fake=fake, a=float("nan"))
    with pytest.raises(ValueError, match="same number of columns"):
        p_precision_recall(real=real, fake=fake[:, :3])
    bad = real.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError):
        p_precision_recall(real=bad, fake=fake)
