"""Tests for ``memorization``: copy share and the C_T data-copying statistic (Meehan et al. 2020)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import mannwhitneyu
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
    expected = (u - 40 * 60 / 2) / np.sqrt(40 * 60 * 101 / 12)
    assert mann_whitney_z(a, b) == pytest.approx(expected, rel=1e-12)
    assert mann_whitney_z(a, a + 10) > 0 > mann_whitney_z(a, a - 10)


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
    with pytest.raises(ValueError, match="min_cell_fake"):
        memorization(real=held, fake=make_features(15, 4, seed=10), train=train, cells=5)
    out = memorization(real=held, fake=make_features(15, 4, seed=10), train=train, cells=5, min_cell_fake=1)
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
