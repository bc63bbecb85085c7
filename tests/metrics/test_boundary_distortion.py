"""Boundary distortion (Santurkar, Schmidt & Madry 2018, arXiv:1711.00970): Gaussian classes, known answers.

Two classes: N(-e_1, I) and N(+e_1, I) in 8-d, equally likely; the Bayes classifier thresholds x_1 at
0 and is right with probability Phi(1) = 0.841. A linear classifier learnt from a generated set that
lacks the band -2 < x_1 < 0 (one side of the boundary) puts its threshold inside the gap, near -1,
where its accuracy is Phi(0) / 2 + Phi(2) / 2 = 0.739.
"""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.boundary_distortion import boundary_distortion
from ganbench.registry import METRICS


def two_classes(n: int, seed: int, d: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, d))
    x[:, 0] += 2.0 * y - 1.0
    return x, y


def three_modes(n: int, seed: int, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Unit Gaussians at 8 e_k, k < ``classes``, in 8-d: separable but for a 4-sigma tail (about 3e-5)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.normal(size=(n, 8))
    x[np.arange(n), y] += 8.0
    return x, y


TRAIN, TRAIN_Y = two_classes(4000, seed=0)
REAL, REAL_Y = two_classes(2000, seed=1)


def score(fake: np.ndarray, seed: int = 0, **sets: np.ndarray) -> dict[str, float]:
    inputs = {"real": REAL, "real_labels": REAL_Y, "train": TRAIN, "train_labels": TRAIN_Y} | sets
    return boundary_distortion(fake=fake, seed=seed, **inputs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_sample_of_the_real_distribution_has_no_gap(seed: int) -> None:
    """Both classifiers are fitted on 1000 rows of the same distribution (one with annotator labels) and
    land within about 0.005 of the Bayes accuracy on these 2000 test rows; tolerance 0.02 for the gap."""
    fake, _ = two_classes(1000, seed=10 + seed)
    out = score(fake, seed=seed)
    assert abs(out["boundary_distortion_gap"]) < 0.02
    assert out["boundary_distortion_accuracy"] == pytest.approx(0.841, abs=0.025)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_losing_one_side_of_the_boundary_opens_a_gap(seed: int) -> None:
    """No generated row in -2 < x_1 < 0: the threshold moves into the gap; the accuracy drops towards
    0.739 (observed 0.75 to 0.79) and the gap is at least 0.04, twice the no-distortion tolerance."""
    many, _ = two_classes(3000, seed=20 + seed)
    fake = many[(many[:, 0] < -2.0) | (many[:, 0] > 0.0)][:1000]
    same = score(two_classes(1000, seed=10 + seed)[0], seed=seed)
    out = score(fake, seed=seed)
    assert out["boundary_distortion_gap"] > 0.04
    assert out["boundary_distortion_gap"] > same["boundary_distortion_gap"] + 0.04
    assert out["boundary_distortion_accuracy"] < 0.80


def test_a_dropped_class_costs_its_share() -> None:
    """Three separable classes, the generator makes two and the annotator gives none of its rows class 2
    (the modes are 11 sigma apart): class 2 is never predicted, so the accuracy is the real share of
    classes 0 and 1 (about 2/3) while the baseline is about 1; gap about 1/3 (the class share's binomial
    sd at 1500 test rows is 0.012; tolerance 0.04). With modes at 4 e_k, 4 of 1000 generated rows fell
    in class 2's region, and the linear model, extrapolating from them, predicted class 2 well (0.956)."""
    train, train_y = three_modes(3000, seed=0)
    real, real_y = three_modes(1500, seed=1)
    fake, _ = three_modes(1000, seed=2, classes=2)
    out = boundary_distortion(real=real, fake=fake, train=train, train_labels=train_y, real_labels=real_y)
    assert out["boundary_distortion_accuracy"] == pytest.approx(np.mean(real_y < 2), abs=0.01)
    assert out["boundary_distortion_gap"] == pytest.approx(1 / 3, abs=0.04)


def test_a_collapsed_generator_scores_the_share_of_its_one_class() -> None:
    """Every generated row is one point deep in class 1: the annotator gives one class, the generated-trained
    classifier predicts it everywhere, and its accuracy is exactly the real share of class 1."""
    fake = np.tile(np.r_[3.0, np.zeros(7)], (200, 1))
    out = score(fake)
    assert out["boundary_distortion_accuracy"] == float(np.mean(REAL_Y == 1))


def test_same_seed_same_value_and_unequal_sizes() -> None:
    """More generated rows than training rows: the generated set is cut to T, seeded."""
    fake, _ = two_classes(600, seed=5)
    small_train = {"train": TRAIN[:300], "train_labels": TRAIN_Y[:300]}
    first = score(fake, seed=3, **small_train)
    assert first == score(fake, seed=3, **small_train)
    assert set(score(fake, seed=4, **small_train)) == {
        "boundary_distortion_accuracy",
        "boundary_distortion_gap",
    }


def test_a_resample_reduces_the_drawn_test_rows() -> None:
    fake, _ = two_classes(500, seed=6)
    inputs = {"real": REAL, "real_labels": REAL_Y, "train": TRAIN, "train_labels": TRAIN_Y}
    samples = METRICS["boundary-distortion"].samples(fake=fake, **inputs)
    assert (samples.n_real, samples.n_fake) == (2000, 0)
    value = samples.value()
    first_half = samples.reduce(np.arange(1000), None)
    second_half = samples.reduce(np.arange(1000, 2000), None)
    for key in value:  # the mean over all test rows is the mean of the two halves' means
        assert value[key] == pytest.approx((first_half[key] + second_half[key]) / 2, abs=1e-12)


@pytest.mark.parametrize(
    ("sets", "match"),
    [
        ({"real_labels": REAL_Y[:-1]}, "real_labels"),
        ({"train_labels": TRAIN_Y.astype(np.float64)}, "train_labels"),
        ({"train_labels": np.r_[-1, TRAIN_Y[1:]]}, "train_labels"),
        ({"train_labels": np.zeros_like(TRAIN_Y)}, "at least 2 classes"),
        ({"train": TRAIN[:, :4]}, "same feature size"),
    ],
)
def test_bad_labels_and_shapes_are_refused(sets: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        score(REAL[:100], **sets)
