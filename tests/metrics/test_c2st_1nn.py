"""Tests for ``c2st-1nn``, the leave-one-out 1-NN two-sample test (Lopez-Paz & Oquab 2017; Xu et al. 2018)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from sklearn.datasets import load_digits

from ganbench.evaluation.bootstrap import bootstrap_intervals
from ganbench.metrics.c2st_1nn import c2st_1nn, subsample_to_equal_size
from ganbench.numerics import distances
from ganbench.numerics.memo import clear_memos
from ganbench.registry import METRICS

Features = Callable[..., np.ndarray]


def brute_force(real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """LOO 1-NN accuracy from the full pooled distance matrix, ties counted 1/2."""
    pooled = np.concatenate([real, fake])
    labels = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    dist = np.sqrt(((pooled[:, None, :] - pooled[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    same = np.where(labels[:, None] == labels[None, :], dist, np.inf).min(1)
    other = np.where(labels[:, None] != labels[None, :], dist, np.inf).min(1)
    correct = (same < other) + 0.5 * (same == other)
    n = len(real)
    return {
        "c2st_1nn": correct.mean(),
        "c2st_1nn_real": correct[:n].mean(),
        "c2st_1nn_fake": correct[n:].mean(),
    }


def digits() -> np.ndarray:
    """sklearn's 1797 digits as [0, 1] pixel features [1797, 64], in a fixed random order."""
    x = load_digits().data / 16.0
    return x[np.random.default_rng(0).permutation(len(x))]


def test_matches_brute_force_including_ties(make_features: Features) -> None:
    real = make_features(150, 6, seed=1)
    fake = make_features(150, 6, shift=0.3, seed=2)
    fake[:20] = real[:20]  # exact cross duplicates: ties at distance 0
    ours = c2st_1nn(real=real, fake=fake)
    expected = brute_force(real, fake)
    assert ours == pytest.approx(expected, abs=1e-12)
    # and with small tiles (several tiles per pass)
    clear_memos()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(distances, "DEFAULT_CHUNK_SIZE", 37)
        assert c2st_1nn(real=real, fake=fake) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_two_halves_of_one_gaussian_give_about_one_half(make_features: Features, seed: int) -> None:
    x = make_features(2000, 32, seed=seed)
    out = METRICS["c2st-1nn"](real=x[:1000], fake=x[1000:])
    assert abs(out["c2st_1nn"] - 0.5) < 0.06
    assert abs(out["c2st_1nn_real"] - 0.5) < 0.08 and abs(out["c2st_1nn_fake"] - 0.5) < 0.08


def test_two_halves_of_real_digits_give_about_one_half() -> None:
    x = digits()
    out = METRICS["c2st-1nn"](real=x[:850], fake=x[850:1700])
    assert abs(out["c2st_1nn"] - 0.5) < 0.06


def test_real_digits_vs_noise_give_about_one() -> None:
    x = digits()[:800]
    noise = np.random.default_rng(3).uniform(size=x.shape)
    out = METRICS["c2st-1nn"](real=x, fake=noise)
    assert out["c2st_1nn"] > 0.99 and out["c2st_1nn_real"] > 0.99 and out["c2st_1nn_fake"] > 0.99


def test_grows_monotonically_with_the_shift(make_features: Features) -> None:
    real = make_features(800, 16, seed=4)
    values = [
        c2st_1nn(real=real, fake=make_features(800, 16, shift=s, seed=5))["c2st_1nn"]
        for s in (0.0, 0.2, 0.4, 0.8, 1.6)
    ]
    assert values == sorted(values)
    assert values[0] < 0.56 and values[-1] > 0.98


def test_copies_of_the_real_set_score_below_one_half(make_features: Features) -> None:
    real = make_features(500, 16, seed=6)
    fake = real + 1e-3 * make_features(500, 16, seed=7)  # a memorising generator
    out = c2st_1nn(real=real, fake=fake)
    assert out["c2st_1nn"] < 0.05


def test_unequal_sizes_subsample_the_larger_set_with_the_seed(make_features: Features) -> None:
    real, fake = make_features(300, 8, seed=8), make_features(500, 8, seed=9)
    r, f = subsample_to_equal_size(real, fake, seed=3)
    assert r is real and f.shape == (300, 8)
    assert (f[:, None, :] == fake[None, :, :]).all(-1).any(1).all()  # rows of fake, no repeats
    assert len({row.tobytes() for row in f}) == 300
    out = c2st_1nn(real=real, fake=fake, seed=3)
    assert out == pytest.approx(brute_force(r, f), abs=1e-12)
    assert c2st_1nn(real=real, fake=fake, seed=4) != out  # another draw


def test_same_seed_same_value(make_features: Features) -> None:
    real, fake = make_features(400, 8, seed=10), make_features(600, 8, shift=0.2, seed=11)
    assert c2st_1nn(real=real, fake=fake, seed=1) == c2st_1nn(real=real, fake=fake, seed=1)


def test_reuses_the_memoised_self_pass(make_features: Features) -> None:
    real, fake = make_features(300, 8, seed=12), make_features(300, 8, seed=13)
    METRICS["precision-recall"](real=real, fake=fake)  # fills the self-kNN memo of both sets
    radius = distances.kth_neighbour_distance(real, 1)
    c2st_1nn(real=real, fake=fake)
    assert distances.kth_neighbour_distance(real, 1) is radius  # still the same memo entry


def test_registry_entry_and_keyword_only(make_features: Features) -> None:
    spec = METRICS["c2st-1nn"]
    assert spec.space == "features"
    assert spec.directions == {"c2st_1nn": 0.5, "c2st_1nn_real": 0.5, "c2st_1nn_fake": 0.5}
    assert spec.defaults == {"seed": 0}
    real, fake = make_features(50, 4, seed=14), make_features(50, 4, seed=15)
    out = spec(real=real, fake=fake)
    assert set(out) == set(spec.directions) and all(isinstance(v, float) for v in out.values())
    with pytest.raises(TypeError):
        c2st_1nn(real, fake)  # type: ignore[misc]


def test_rejects_bad_input(make_features: Features) -> None:
    with pytest.raises(ValueError, match="same number of columns"):
        c2st_1nn(real=make_features(10, 4), fake=make_features(10, 5))
    with pytest.raises(ValueError, match="at least 2 rows"):
        c2st_1nn(real=make_features(10, 4), fake=make_features(1, 4))
    with pytest.raises(ValueError, match="seed"):
        c2st_1nn(real=make_features(10, 4), fake=make_features(10, 4), seed=-1)


@pytest.mark.slow
def test_bootstrap_interval_is_one_for_disjoint_sets_and_covers_a_half_for_one_distribution(
    make_features: Features,
) -> None:
    far = METRICS["c2st-1nn"].samples(
        real=make_features(100, 4, seed=1), fake=make_features(100, 4, shift=50.0)
    )
    intervals = bootstrap_intervals(far.reduce, 100, 100, far.value(), replicates=50, seed=0, name="t")
    assert intervals == {key: (1.0, 1.0) for key in ("c2st_1nn", "c2st_1nn_real", "c2st_1nn_fake")}
    # two samples of one distribution: the expected accuracy is just below 1/2 ((n - 1) / (2n - 1));
    # neighbouring points' correctness is correlated, so allow 6 misses of 30 (about 1.5 expected)
    misses = 0
    for trial in range(30):
        same = METRICS["c2st-1nn"].samples(
            real=make_features(200, 4, seed=100 + trial), fake=make_features(200, 4, seed=200 + trial)
        )
        low, high = bootstrap_intervals(
            same.reduce, 200, 200, same.value(), replicates=200, seed=trial, name="t"
        )["c2st_1nn"]
        misses += not low <= 0.5 <= high
    assert misses <= 6, misses
