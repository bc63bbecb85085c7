"""Tests for ``memorization``: copy share and the C_T data-copying statistic (Meehan et al. 2020).

Reference values of C_T: ``C_T`` of ``data_copying_tests.py`` in github.com/casey-meehan/data-copying
(commit a0ba2db; identical to ``dgm_eval/metrics/ct.py`` of layer6ai-labs/dgm-eval, commit 74c79f7),
run outside the repository with scipy 1.17.1, scikit-learn 1.9.1, numpy 2.4.6 on the cases built
below, with tau = 20 / m as in its experiments and the cell labels of
``KMeans(cells, n_init=3, random_state=0).fit(train)`` (ganbench's own partition, so that the
values test the statistic, not the clustering). Their ``Zu`` passes (m, 1) distance columns to
``mannwhitneyu``, which scipy of 2020 ravelled; today's scipy needs them ravelled by hand, which
was the only change. The values depend on the k-means partition, so a scikit-learn release that
changes KMeans could move them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import mannwhitneyu
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from ganbench.metrics.memorization import mann_whitney_z, memorization
from ganbench.registry import METRICS

Features = Callable[..., np.ndarray]


def digit_features() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sklearn digits as 16-d PCA features: train T (1000), held-out P_n (397), more held-out data (400)."""
    x = load_digits().data / 16.0
    x = x[np.random.default_rng(0).permutation(len(x))]
    feats = PCA(16, random_state=0).fit(x[:1000]).transform(x)
    return feats[:1000], feats[1000:1397], feats[1397:]


def copies_of(train: np.ndarray, n: int, noise: float, seed: int) -> np.ndarray:
    """A "generator" that returns training rows (uniformly, with replacement) plus tiny noise."""
    rng = np.random.default_rng(seed)
    return train[rng.integers(0, len(train), n)] + noise * rng.standard_normal((n, train.shape[1]))


def test_mann_whitney_z_matches_scipy() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=40), np.round(rng.normal(0.3, 1.0, size=60), 1)  # with ties
    u = mannwhitneyu(b, a, alternative="two-sided", method="asymptotic").statistic  # U of b
    expected = (u - (40 * 60 / 2 - 0.5)) / np.sqrt(40 * 60 * 101 / 12)  # with the reference's +1/2
    assert mann_whitney_z(a, b) == pytest.approx(expected, rel=1e-12)
    assert mann_whitney_z(a, a + 10) > 0 > mann_whitney_z(a, a - 10)


def normal(n: int, d: int, scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """Rows of N(0, scale² I) [n, d] (as the ``make_features`` fixture draws them)."""
    return np.random.default_rng(seed).standard_normal((n, d)) * scale


def gaussian_cases() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """8-d N(0, I): train T (2000), held-out P_n (1000), and three generated sets of 1000."""
    train, held = normal(2000, 8, seed=20), normal(1000, 8, seed=21)
    rng = np.random.default_rng(22)
    return (
        train,
        held,
        {
            "copying": train[rng.integers(0, 2000, 1000)] + 0.05 * rng.standard_normal((1000, 8)),
            "underfitting": normal(1000, 8, scale=1.15, seed=23),
            "held-out": normal(1000, 8, seed=24),
        },
    )


def digit_cases() -> dict[str, np.ndarray]:
    train, _, other = digit_features()
    return {
        "copying": copies_of(train, 400, 1e-3, seed=2),
        "underfitting": other + np.random.default_rng(4).normal(scale=1.0, size=other.shape),
        "held-out": other,
        "half-copying": np.concatenate([copies_of(train, 400, 1e-3, seed=3)[:200], other[200:]]),
    }


# (case, cells) -> C_T of the reference code; see the module docstring
_DIGIT_REFERENCE = {
    ("copying", 10): -7.782979525922955,
    ("underfitting", 10): 7.754729539180748,
    ("held-out", 10): -0.47942434293428704,
    ("half-copying", 10): -4.082752979211763,
    ("copying", 5): -10.957722220164367,
    ("underfitting", 5): 10.920577941675067,
    ("held-out", 5): -0.6288336372283646,
    ("half-copying", 5): -5.792309681753656,
}
# (case, tau) -> C_T of the reference code with 20 cells; tau None is 20 / m
_GAUSSIAN_REFERENCE = {
    ("copying", None): -8.542147794771251,
    ("underfitting", None): 2.450252721982588,
    ("held-out", None): 0.3127843616295597,
    ("copying", 0.06): -9.289690349640875,
    ("underfitting", 0.06): 2.318078649711219,
    ("held-out", 0.06): -0.13028628199524964,
}


@pytest.mark.parametrize(("case", "cells"), list(_DIGIT_REFERENCE))
def test_ct_matches_the_reference_code_on_digits(case: str, cells: int) -> None:
    train, held, _ = digit_features()
    out = memorization(real=held, fake=digit_cases()[case], train=train, cells=cells)
    assert out["memorization_ct"] == pytest.approx(_DIGIT_REFERENCE[case, cells], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("case", "tau"), list(_GAUSSIAN_REFERENCE))
def test_ct_matches_the_reference_code_on_gaussians(case: str, tau: float | None) -> None:
    train, held, fakes = gaussian_cases()
    out = memorization(real=held, fake=fakes[case], train=train, tau=tau)
    assert out["memorization_ct"] == pytest.approx(_GAUSSIAN_REFERENCE[case, tau], rel=1e-9, abs=1e-12)


def test_global_distance_variant_measures_to_the_whole_training_set() -> None:
    """ct_distance="global": the same statistic with d(x) to all of T (the form ganbench used before,
    where the copying Gaussian case read -8.65 against the reference's -8.54)."""
    train, held, fakes = gaussian_cases()
    fake = fakes["copying"]
    kmeans = KMeans(n_clusters=20, n_init=3, random_state=0).fit(train)
    cell_real, cell_fake = kmeans.predict(held), kmeans.predict(fake)
    d_real = np.sqrt(((held[:, None] - train[None]) ** 2).sum(-1)).min(1)
    d_fake = np.sqrt(((fake[:, None] - train[None]) ** 2).sum(-1)).min(1)
    z_sum = w_sum = 0.0
    for c in range(20):
        a, b = d_real[cell_real == c], d_fake[cell_fake == c]
        if len(b) > 20 and len(a) > 0:
            u = mannwhitneyu(b, a).statistic
            z = (u - len(a) * len(b) / 2 + 0.5) / np.sqrt(len(a) * len(b) * (len(a) + len(b) + 1) / 12)
            z_sum, w_sum = z_sum + len(a) * z, w_sum + len(a)
    out = memorization(real=held, fake=fake, train=train, ct_distance="global")
    assert out["memorization_ct"] == pytest.approx(z_sum / w_sum, rel=1e-9)
    assert out["memorization_ct"] != pytest.approx(_GAUSSIAN_REFERENCE["copying", None], abs=0.05)


def test_held_out_real_is_not_flagged() -> None:
    train, held, other = digit_features()
    out = METRICS["memorization"](real=held, fake=other, train=train, cells=10)
    assert out["memorization_copy_share"] < 0.04  # about the 1 % quantile
    assert abs(out["memorization_ct"]) < 2.0


def test_training_copies_are_flagged() -> None:
    train, held, _ = digit_features()
    out = METRICS["memorization"](real=held, fake=copies_of(train, 400, 1e-3, seed=2), train=train, cells=10)
    assert out["memorization_copy_share"] > 0.95
    assert out["memorization_ct"] < -5.0


def test_more_copying_gives_lower_values() -> None:
    train, held, other = digit_features()
    copies = copies_of(train, 400, 1e-3, seed=3)
    shares, cts = [], []
    for share in (0.0, 0.25, 0.5, 1.0):
        k = int(share * 400)
        out = memorization(real=held, fake=np.concatenate([copies[:k], other[k:]]), train=train, cells=10)
        shares.append(out["memorization_copy_share"])
        cts.append(out["memorization_ct"])
    assert shares == sorted(shares) and cts == sorted(cts, reverse=True)


def test_underfitting_generator_gives_positive_ct() -> None:
    train, held, other = digit_features()
    blurred = other + np.random.default_rng(4).normal(scale=1.0, size=other.shape)
    out = memorization(real=held, fake=blurred, train=train, cells=10)
    assert out["memorization_ct"] > 2.0 and out["memorization_copy_share"] < 0.02


def test_copy_share_uses_the_held_out_quantile(make_features: Features) -> None:
    train = make_features(500, 4, seed=5)
    held = make_features(300, 4, seed=6)
    fake = make_features(300, 4, seed=7)
    d_held = np.sqrt(((held[:, None] - train[None]) ** 2).sum(-1)).min(1)
    d_fake = np.sqrt(((fake[:, None] - train[None]) ** 2).sum(-1)).min(1)
    for q in (0.01, 0.1, 0.5):
        expected = np.mean(d_fake <= np.quantile(d_held, q))
        out = memorization(real=held, fake=fake, train=train, quantile=q, cells=5)
        assert out["memorization_copy_share"] == pytest.approx(expected)


def test_cells_with_too_few_generated_samples_are_left_out(make_features: Features) -> None:
    train, held = make_features(400, 4, seed=8), make_features(200, 4, seed=9)
    with pytest.raises(ValueError, match="lower cells or tau"):  # no cell has more than 20 of 15
        memorization(real=held, fake=make_features(15, 4, seed=10), train=train, cells=5)
    out = memorization(real=held, fake=make_features(15, 4, seed=10), train=train, cells=5, tau=0.0)
    assert np.isfinite(out["memorization_ct"])


def test_a_cell_needs_more_than_twenty_generated_samples_by_default(make_features: Features) -> None:
    """tau = 20 / m keeps cells with more than 20 generated samples, strictly, as the reference."""
    train, held = make_features(400, 4, seed=8), make_features(200, 4, seed=9)
    with pytest.raises(ValueError, match="lower cells or tau"):
        memorization(real=held, fake=make_features(20, 4, seed=10), train=train, cells=1)
    out = memorization(real=held, fake=make_features(21, 4, seed=10), train=train, cells=1)
    assert np.isfinite(out["memorization_ct"])


def test_same_seed_same_value() -> None:
    train, held, other = digit_features()
    first = memorization(real=held, fake=other, train=train, cells=10, seed=1)
    assert memorization(real=held, fake=other, train=train, cells=10, seed=1) == first


def test_registry_entry_and_keyword_only(make_features: Features) -> None:
    spec = METRICS["memorization"]
    assert spec.space == "features" and spec.extra_inputs == ("train",)
    assert spec.directions == {"memorization_copy_share": "lower", "memorization_ct": 0.0}
    assert "train" not in spec.defaults and spec.defaults["seed"] == 0
    assert spec.defaults["tau"] is None and spec.defaults["ct_distance"] == "cell"
    assert "reference code" in spec.notes
    train, held, fake = make_features(300, 4, seed=11), make_features(100, 4, seed=12), make_features(100, 4)
    out = spec(real=held, fake=fake, train=train, cells=3)
    assert set(out) == set(spec.directions) and all(isinstance(v, float) for v in out.values())
    with pytest.raises(TypeError):
        memorization(held, fake, train)  # type: ignore[misc]


def test_rejects_bad_input(make_features: Features) -> None:
    train, held = make_features(100, 4), make_features(50, 4)
    with pytest.raises(ValueError, match="same feature size"):
        memorization(real=held, fake=make_features(50, 5), train=train)
    with pytest.raises(ValueError, match="quantile"):
        memorization(real=held, fake=held, train=train, quantile=1.0)
    with pytest.raises(ValueError, match="cells"):
        memorization(real=held, fake=held, train=train, cells=500)
    with pytest.raises(ValueError, match="ct_distance"):
        memorization(real=held, fake=held, train=train, ct_distance="nearest")
    for tau in (1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="tau"):
            memorization(real=held, fake=held, train=train, cells=2, tau=tau)


@pytest.mark.parametrize("ct_distance", ["cell", "global"])
def test_a_resample_is_the_measure_of_the_resampled_sets(ct_distance: str) -> None:
    # distances to the training set and cells fitted on it do not depend on the other rows
    train, held_out, more = digit_features()
    fake = np.concatenate([copies_of(train, 100, 0.01, seed=1), more[:300]])
    options = {"cells": 5, "ct_distance": ct_distance, "seed": 2}
    samples = METRICS["memorization"].samples(real=held_out, fake=fake, train=train, **options)
    rng = np.random.default_rng(6)
    for _ in range(2):
        rows_r, rows_f = rng.integers(0, len(held_out), len(held_out)), rng.integers(0, len(fake), len(fake))
        again = memorization(real=held_out[rows_r], fake=fake[rows_f], train=train, **options)
        assert samples.reduce(rows_r, rows_f) == pytest.approx(again, rel=1e-12)
