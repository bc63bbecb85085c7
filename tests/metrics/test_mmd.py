"""Gaussian-kernel MMD² (Gretton et al. 2012): agreement with torch-fidelity, permutation test, shifts."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import bootstrap_replicates
from scipy.spatial.distance import pdist
from torch_fidelity.metric_kid import kernel_rbf
from torch_fidelity.metric_kid import mmd2 as tf_mmd2

from ganbench.metrics.mmd import gaussian_kernel, median_bandwidth, mmd, permutation_null, squared_distances
from ganbench.numerics.kernels import mmd2_unbiased
from ganbench.registry import METRICS


def gaussians(n: int, shift: float, seed: int, dim: int = 16) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, dim)) + shift


def test_unbiased_mmd2_equals_torch_fidelity_on_the_same_kernels() -> None:
    x, y = gaussians(120, 0.0, seed=0), gaussians(120, 0.3, seed=1)
    sigma = 3.7
    k_xx = kernel_rbf(x, x, kid_kernel_rbf_sigma=sigma)
    k_xy = kernel_rbf(x, y, kid_kernel_rbf_sigma=sigma)
    k_yy = kernel_rbf(y, y, kid_kernel_rbf_sigma=sigma)
    ref = tf_mmd2(k_xx, k_xy, k_yy, mmd_est="unbiased")
    assert mmd2_unbiased(k_xx, k_xy, k_yy) == pytest.approx(ref, rel=1e-10)
    # Our kernel on the pooled squared distances is the same matrix.
    k = gaussian_kernel(squared_distances(np.concatenate([x, y])), [sigma])
    np.testing.assert_allclose(k[:120, 120:], k_xy, rtol=1e-10, atol=1e-14)


def test_metric_value_equals_torch_fidelity_with_the_median_bandwidth() -> None:
    x, y = gaussians(150, 0.0, seed=2), gaussians(150, 0.2, seed=3)
    sigma = float(np.median(pdist(np.concatenate([x, y]))))
    ref = tf_mmd2(
        kernel_rbf(x, x, kid_kernel_rbf_sigma=sigma),
        kernel_rbf(x, y, kid_kernel_rbf_sigma=sigma),
        kernel_rbf(y, y, kid_kernel_rbf_sigma=sigma),
        mmd_est="unbiased",
    )
    out = mmd(real=x, fake=y, permutations=0)
    assert out == {"mmd": pytest.approx(ref, rel=1e-9)}


def test_median_bandwidth_is_the_median_pairwise_distance() -> None:
    z = gaussians(101, 0.0, seed=4, dim=5)
    assert median_bandwidth(squared_distances(z)) == pytest.approx(np.median(pdist(z)), rel=1e-12)


def test_permutation_null_matches_brute_force_relabelling() -> None:
    z = gaussians(60, 0.0, seed=5, dim=3)
    k = gaussian_kernel(squared_distances(z), [1.0, 2.0])
    null = permutation_null(k, 25, 70, np.random.default_rng(9))  # crosses a chunk boundary
    rng = np.random.default_rng(9)
    for value in null:
        idx = rng.permutation(60)
        a, b = idx[:25], idx[25:]
        assert value == pytest.approx(
            mmd2_unbiased(k[np.ix_(a, a)], k[np.ix_(a, b)], k[np.ix_(b, b)]), rel=1e-9
        )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_samples_of_one_distribution_are_not_told_apart(seed: int) -> None:
    out = mmd(real=gaussians(300, 0.0, seed=10 + seed), fake=gaussians(300, 0.0, seed=20 + seed), seed=seed)
    assert out["mmd_pvalue"] > 0.01
    assert abs(out["mmd"]) < 0.01


def test_shifted_samples_are_told_apart() -> None:
    out = mmd(real=gaussians(300, 0.0, seed=30), fake=gaussians(300, 0.5, seed=31))
    assert out["mmd_pvalue"] < 0.01


def test_identical_sets_are_ideal() -> None:
    x = gaussians(200, 0.0, seed=6)
    out = mmd(real=x, fake=x)
    # For X = Y the unbiased estimate is -2 (n² - sum K) / (n² (n - 1)), in [-2 / (n - 1), 0].
    assert -2.0 / 199 < out["mmd"] <= 0.0
    assert out["mmd_pvalue"] > 0.5


def test_growing_shift_raises_it_monotonically() -> None:
    real = gaussians(300, 0.0, seed=7)
    values = [
        mmd(real=real, fake=gaussians(300, s, seed=8), permutations=0)["mmd"] for s in (0, 0.2, 0.4, 0.8, 1.6)
    ]
    assert np.all(np.diff(values) > 0)


def test_same_seed_same_value_with_subsampling() -> None:
    x, y = gaussians(500, 0.0, seed=11), gaussians(400, 0.1, seed=12)
    a = mmd(real=x, fake=y, max_samples=200, permutations=50, seed=3)
    assert a == mmd(real=x, fake=y, max_samples=200, permutations=50, seed=3)
    assert a != mmd(real=x, fake=y, max_samples=200, permutations=50, seed=4)


def test_unequal_sizes_and_several_bandwidths() -> None:
    x, y = gaussians(120, 0.0, seed=13), gaussians(80, 0.0, seed=14)
    out = mmd(real=x, fake=y, bandwidth_multipliers=(0.5, 1.0, 2.0), permutations=50)
    assert np.isfinite(out["mmd"]) and 0.0 < out["mmd_pvalue"] <= 1.0


def test_multipliers_may_be_any_sequence_of_numbers() -> None:
    x, y = gaussians(60, 0.0, seed=13), gaussians(60, 0.5, seed=14)
    want = mmd(real=x, fake=y, bandwidth_multipliers=(0.5, 2.0), permutations=0)
    assert mmd(real=x, fake=y, bandwidth_multipliers=[0.5, 2], permutations=0) == want
    assert mmd(real=x, fake=y, bandwidth_multipliers=np.array([0.5, 2.0]), permutations=0) == want


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"bandwidth_multipliers": ()}, "bandwidth_multipliers"),
        ({"bandwidth_multipliers": (1.0, -1.0)}, "bandwidth_multipliers"),
        ({"bandwidth_multipliers": (1.0, float("nan"))}, "bandwidth_multipliers"),
        ({"bandwidth_multipliers": "1.0"}, "bandwidth_multipliers"),
        ({"bandwidth_multipliers": 1.0}, "bandwidth_multipliers"),
        ({"max_samples": 1}, "max_samples"),
        ({"permutations": -1}, "permutations"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, object], match: str) -> None:
    x = gaussians(10, 0.0, seed=0)
    with pytest.raises(ValueError, match=match):
        mmd(real=x, fake=x, **kwargs)


def test_registered_contract() -> None:
    spec = METRICS["mmd"]
    assert spec.space == "features"
    assert spec.directions == {"mmd": "lower", "mmd_pvalue": "higher"}
    assert (
        "seed" in spec.defaults
        and spec.defaults["max_samples"] == 2000
        and spec.defaults["permutations"] == 200
    )
    out = spec(real=gaussians(200, 0.0, seed=15), fake=gaussians(200, 1.0, seed=16))
    assert set(out) == {"mmd", "mmd_pvalue"} and out["mmd_pvalue"] < 0.01


def test_a_resample_keeps_the_bandwidth_and_leaves_out_a_row_paired_with_its_copies() -> None:
    real, fake = gaussians(40, 0.0, seed=20, dim=4), gaussians(30, 0.5, seed=21, dim=4)
    samples = METRICS["mmd"].samples(real=real, fake=fake, permutations=50)
    assert samples.fixed == {"mmd_pvalue": mmd(real=real, fake=fake, permutations=50)["mmd_pvalue"]}
    d2 = squared_distances(np.concatenate([real, fake]))
    k = gaussian_kernel(d2, [median_bandwidth(d2)])  # fixed on the full sets
    rng = np.random.default_rng(1)
    rows_r, rows_f = rng.integers(0, 40, 40), rng.integers(0, 30, 30)
    pairs_r = [k[i, j] for p, i in enumerate(rows_r) for q, j in enumerate(rows_r) if p != q and i != j]
    pairs_f = [
        k[40 + i, 40 + j] for p, i in enumerate(rows_f) for q, j in enumerate(rows_f) if p != q and i != j
    ]
    cross = k[np.ix_(rows_r, 40 + rows_f)].mean()
    expected = np.mean(pairs_r) + np.mean(pairs_f) - 2.0 * cross
    assert samples.reduce(rows_r, rows_f) == {"mmd": pytest.approx(expected, rel=1e-10)}


def test_bootstrap_replicates_are_centred_on_the_value() -> None:
    real, fake = gaussians(300, 0.0, seed=22), gaussians(300, 0.0, seed=23)
    samples = METRICS["mmd"].samples(real=real, fake=fake, permutations=0)
    replicates = bootstrap_replicates(samples, "mmd", replicates=200)
    assert abs(replicates.mean() - samples.value()["mmd"]) < 0.2 * replicates.std()
