"""Tests for the ``kid`` metric (Bińkowski et al. 2018) against torch-fidelity."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from helpers import bootstrap_replicates
from torch_fidelity.metric_kid import kid_features_to_metric

from ganbench.metrics.kid import kid
from ganbench.registry import METRICS

Features = Callable[..., np.ndarray]
SMALL = {"subsets": 10, "subset_size": 300}


def torch_fidelity_kid(real: np.ndarray, fake: np.ndarray, subsets: int, subset_size: int, seed: int) -> dict:
    return kid_features_to_metric(
        torch.from_numpy(fake),  # input 1: generated (its subset is drawn first in each round)
        torch.from_numpy(real),
        kid_subsets=subsets,
        kid_subset_size=subset_size,
        rng_seed=seed,
        verbose=False,
    )


def test_identical_sets_give_zero_within_the_spread(make_features: Features) -> None:
    # Subsets much smaller than the set, so that real and fake subsets rarely share rows (a
    # shared row adds k(x, x) to the cross term and biases the estimate downwards).
    x = make_features(3000, 32)
    out = kid(real=x, fake=x.copy(), subsets=20, subset_size=100)
    assert abs(out["kid"]) <= out["kid_std"]


def test_same_distribution_gives_zero_within_the_spread(make_features: Features) -> None:
    out = kid(real=make_features(600, 32, seed=0), fake=make_features(600, 32, seed=1), **SMALL)
    assert abs(out["kid"]) <= out["kid_std"]


def test_grows_with_the_shift(make_features: Features) -> None:
    real = make_features(600, 32, seed=0)
    values = [
        kid(real=real, fake=make_features(600, 32, shift=s, seed=1), **SMALL)["kid"] for s in (0.1, 0.3, 1.0)
    ]
    assert values == sorted(values)
    base = kid(real=real, fake=make_features(600, 32, seed=1), **SMALL)
    assert values[0] > base["kid"] + base["kid_std"]


@pytest.mark.parametrize("seed", [0, 7])
def test_agrees_with_torch_fidelity(make_features: Features, seed: int) -> None:
    real = make_features(900, 64, seed=2)
    fake = make_features(700, 64, shift=0.1, scale=1.1, seed=3)  # unequal sizes: the draw order matters
    ours = kid(real=real, fake=fake, seed=seed, **SMALL)
    ref = torch_fidelity_kid(real, fake, seed=seed, **SMALL)  # float64 inputs: computed in float64
    # ganbench reads the kernel from float32 Gram tiles: its rounding is about 1e-8 of the kernel
    # means (O(1) here), a thousandth of KID's own spread over the subsets.
    assert ours["kid"] == pytest.approx(ref["kernel_inception_distance_mean"], rel=1e-5, abs=1e-7)
    assert ours["kid_std"] == pytest.approx(ref["kernel_inception_distance_std"], rel=1e-4, abs=1e-7)


def test_float32_input_agrees_to_torch_fidelity_rounding(make_features: Features) -> None:
    # torch-fidelity computes in the input dtype (float32 products and kernels); ganbench in float32
    # Gram tiles with float64 sums.
    real = make_features(600, 64, seed=4, dtype=np.float32)
    fake = make_features(600, 64, shift=0.2, seed=5, dtype=np.float32)
    ours = kid(real=real, fake=fake, seed=1, **SMALL)
    ref = torch_fidelity_kid(real, fake, seed=1, **SMALL)
    assert ours["kid"] == pytest.approx(ref["kernel_inception_distance_mean"], rel=1e-3)


def test_same_seed_same_value_other_seed_other_value(make_features: Features) -> None:
    real, fake = make_features(500, 16, seed=6), make_features(500, 16, shift=0.2, seed=7)
    assert kid(real=real, fake=fake, seed=3, **SMALL) == kid(real=real, fake=fake, seed=3, **SMALL)
    assert kid(real=real, fake=fake, seed=3, **SMALL) != kid(real=real, fake=fake, seed=4, **SMALL)


def test_subset_size_larger_than_a_set_says_how_to_fix(make_features: Features) -> None:
    real, fake = make_features(500, 8), make_features(200, 8, seed=1)
    with pytest.raises(
        ValueError, match=r"subset_size=300 exceeds .* pass a smaller subset_size \(at most 200\)"
    ):
        kid(real=real, fake=fake, subset_size=300)


def test_rejects_bad_parameters(make_features: Features) -> None:
    x = make_features(50, 4)
    with pytest.raises(ValueError, match="subsets"):
        kid(real=x, fake=x, subsets=0, subset_size=10)
    with pytest.raises(ValueError, match="seed"):
        kid(real=x, fake=x, subset_size=10, seed=-1)


def test_registry_call_and_keyword_only(make_features: Features) -> None:
    real, fake = make_features(100, 8, seed=8), make_features(100, 8, seed=9)
    spec = METRICS["kid"]
    assert spec.space == "features" and spec.directions == {"kid": "lower"} and "seed" in spec.defaults
    assert spec.defaults == {"subsets": 100, "subset_size": 1000, "degree": 3, "seed": 0}
    out = spec(real=real, fake=fake, subsets=5, subset_size=50)
    assert set(out) == {"kid", "kid_std"}
    with pytest.raises(TypeError):
        spec(real, fake)  # type: ignore[misc]
    with pytest.raises(TypeError):
        kid(real, fake)  # type: ignore[misc]


def cubic_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a @ b.T / a.shape[1] + 1.0) ** 3


def mmd2_without_copies(
    fake: np.ndarray, real: np.ndarray, fake_rows: np.ndarray, real_rows: np.ndarray
) -> float:
    """Unbiased MMD² of the drawn rows by explicit loops, leaving out a row paired with its own copy."""

    def within(x: np.ndarray, rows: np.ndarray) -> float:
        k = cubic_kernel(x, x)
        return float(
            np.mean([k[a, b] for i, a in enumerate(rows) for j, b in enumerate(rows) if i != j and a != b])
        )

    cross = float(cubic_kernel(fake[fake_rows], real[real_rows]).mean())
    return within(fake, fake_rows) + within(real, real_rows) - 2.0 * cross


@pytest.mark.parametrize("subset_size", [30, 12])  # whole sets (kernels computed once), and subsets
def test_a_resample_is_kid_of_the_resampled_sets_without_copies_as_pairs(
    make_features: Features, subset_size: int
) -> None:
    real, fake = make_features(30, 4, seed=8), make_features(30, 4, shift=0.3, seed=9)
    samples = METRICS["kid"].samples(real=real, fake=fake, subsets=3, subset_size=subset_size, seed=2)
    rng = np.random.default_rng(0)
    real_rows, fake_rows = rng.integers(0, 30, 30), rng.integers(0, 30, 30)
    draws = np.random.RandomState(2)
    rounds = [
        (draws.choice(30, subset_size, replace=False), draws.choice(30, subset_size, replace=False))
        for _ in range(3)
    ]
    expected = [mmd2_without_copies(fake, real, fake_rows[fp], real_rows[rp]) for fp, rp in rounds]
    assert samples.reduce(real_rows, fake_rows)["kid"] == pytest.approx(np.mean(expected), rel=1e-10)


def test_bootstrap_replicates_are_centred_on_the_value(make_features: Features) -> None:
    # Counting a row's copies as pairs would shift every replicate up by k(x, x) / N-ish: here by
    # more than two replicate sds (measured: 2.3 at d = 8, 7 at d = 64); without them, by ~0.
    real, fake = make_features(300, 8, seed=10), make_features(300, 8, seed=11)
    samples = METRICS["kid"].samples(real=real, fake=fake, subset_size=300)
    replicates = bootstrap_replicates(samples, "kid", replicates=200)
    assert abs(replicates.mean() - samples.value()["kid"]) < 0.2 * replicates.std()


def test_whole_sets_are_one_round_and_agree_with_torch_fidelity(make_features: Features) -> None:
    real, fake = make_features(200, 16, seed=12), make_features(200, 16, shift=0.1, seed=13)
    ours = kid(real=real, fake=fake, subsets=5, subset_size=200)
    ref = torch_fidelity_kid(real, fake, subsets=5, subset_size=200, seed=0)
    assert ours["kid"] == pytest.approx(
        ref["kernel_inception_distance_mean"], rel=1e-5, abs=1e-7
    )  # float32 tiles
    assert ours["kid_std"] == 0.0  # one distinct round; torch-fidelity's spread is rounding only
