"""Tests for ``birthday``: the automatic birthday-paradox support estimate (Arora & Zhang 2017).

Known answers: a "generator" that draws uniformly, with replacement, from K distinct real images
has support K, and the estimate must land within a factor of 2 of it; held-out real data must
not look like a small support.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from ganbench.datasets import Dataset
from ganbench.metrics.birthday import (
    _csr,
    batch_sizes,
    birthday,
    calibrate_threshold,
    collision_probability,
    first_duplicate_positions,
    first_repeat_positions,
    fit_support,
    log_no_duplicate,
    near_duplicate_graph,
)
from ganbench.registry import METRICS


def digits() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's 8x8 digits as [0, 1] pixels [N, 1, 8, 8]: 1297 training and 500 held-out images."""
    x = (load_digits().images / 16.0).astype(np.float32)[:, None]
    x = x[np.random.default_rng(0).permutation(len(x))]
    return x[:1297], x[1297:]


def uniform_generator(images: np.ndarray, k: int, n: int, seed: int) -> np.ndarray:
    """n draws, uniform with replacement, from the first k of ``images``: a generator of support k."""
    return images[np.random.default_rng(seed).integers(0, k, size=n)]


def brute_first_positions(orders: np.ndarray, adjacent: np.ndarray) -> np.ndarray:
    out = []
    for order in orders:
        first = orders.shape[1] + 1
        for pos in range(orders.shape[1]):
            if adjacent[order[pos], order[:pos]].any():
                first = pos + 1
                break
        out.append(first)
    return np.array(out)


# --- pieces --------------------------------------------------------------------------------


def test_log_no_duplicate_is_the_exact_birthday_product() -> None:
    sizes = np.array([2, 3, 10, 23, 40])
    exact = [np.prod(1.0 - np.arange(1, s) / 365.0) for s in sizes]
    np.testing.assert_allclose(np.exp(log_no_duplicate(sizes, 365.0)), exact, rtol=1e-12)
    assert collision_probability(np.array([23]), 365.0)[0] == pytest.approx(0.5073, abs=1e-4)
    assert log_no_duplicate(np.array([2, 5, 6]), 5.0)[-1] == -math.inf  # pigeonhole
    big = collision_probability(np.array([100]), 1e12)[0]  # no cancellation for K >> s
    assert big == pytest.approx(100 * 99 / 2 / 1e12, rel=1e-6)
    grid = log_no_duplicate(sizes, np.array([365.0, 1000.0]))
    np.testing.assert_allclose(grid[0], log_no_duplicate(sizes, 365.0))


@pytest.mark.parametrize("support", [3.0, 40.0, 1000.0, 1e6])
def test_fit_support_recovers_k_from_expected_counts(support: float) -> None:
    sizes = np.unique(np.round(np.geomspace(2, 3000, 14)).astype(np.int64))
    batches = 100_000  # counts close to their expectation
    dups = np.round(batches * collision_probability(sizes, support)).astype(np.int64)
    assert fit_support(sizes, dups, batches) == pytest.approx(support, rel=0.02)


def test_fit_support_edge_cases() -> None:
    sizes = np.array([2, 4, 8, 16])
    assert fit_support(sizes, np.zeros(4, dtype=np.int64), 50) == math.inf
    assert fit_support(sizes, np.full(4, 50), 50) == 1.0  # every pair a duplicate: support 1


@pytest.mark.parametrize("support", [5, 60, 3000, 10**7])
def test_first_positions_match_brute_force(support: int) -> None:
    rng = np.random.default_rng(support)
    n, length = 300, 150
    orders = np.stack([rng.permutation(n)[:length] for _ in range(40)])
    labels = rng.integers(0, support, n)
    equal = (labels[:, None] == labels[None, :]) & ~np.eye(n, dtype=bool)
    expected = brute_first_positions(orders, equal)
    np.testing.assert_array_equal(first_repeat_positions(orders, labels, support), expected)
    i, j = np.nonzero(np.triu(equal))
    np.testing.assert_array_equal(first_duplicate_positions(orders, n, *_csr(i, j, n)), expected)


def test_first_duplicate_positions_on_a_non_transitive_graph() -> None:
    rng = np.random.default_rng(7)
    n = 200
    upper = np.triu(rng.random((n, n)) < 0.002, 1)
    orders = np.stack([rng.permutation(n)[:120] for _ in range(50)])
    got = first_duplicate_positions(orders, n, *_csr(*np.nonzero(upper), n))
    np.testing.assert_array_equal(got, brute_first_positions(orders, upper | upper.T))


def test_near_duplicate_graph_finds_all_pairs_and_caps_them() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=(120, 3))
    dist = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    tau = float(np.quantile(dist[np.triu_indices(120, 1)], 0.05))
    rank = rng.permutation(120)
    i, j, kept, closest = near_duplicate_graph(x, tau, 10**6, rank)
    expected = {(min(a, b), max(a, b)) for a, b in zip(*np.nonzero(np.triu(dist <= tau, 1)), strict=True)}
    assert kept == 120 and len(i) == len(expected)
    inverse = np.argsort(rank)  # graph nodes are numbered by rank
    assert {tuple(sorted((inverse[a], inverse[b]))) for a, b in zip(i, j, strict=True)} == expected
    assert [d for _, _, d in closest] == pytest.approx(np.sort(dist[np.triu_indices(120, 1)])[:16])
    # with a cap the kept nodes are the lowest ranks and all their pairs are there
    i, j, kept, _ = near_duplicate_graph(x, tau, 50, rank)
    assert kept < 120 and len(i) <= 50
    keep = inverse[:kept]
    sub = np.triu(dist[np.ix_(keep, keep)] <= tau, 1)
    assert len(i) == sub.sum() and max(i.max(), j.max()) < kept


def test_calibrate_threshold_matches_brute_force() -> None:
    rng = np.random.default_rng(9)
    real, train = rng.normal(size=(200, 5)), rng.normal(size=(300, 5))
    train[:40] = train[40]  # one point with many training neighbours inside tau
    real[:5] = train[40] + 1e-3
    dist = np.sqrt(((real[:, None] - train[None]) ** 2).sum(-1))
    tau, rate = calibrate_threshold(real, train, 0.05)
    assert tau == pytest.approx(np.quantile(dist.min(1), 0.05))
    assert rate == pytest.approx((dist <= tau).sum() / dist.size)


def test_batch_sizes_stop_where_real_data_would_show_duplicates() -> None:
    sizes = batch_sizes(10_000, 1e-6, 0.1, 12)
    assert sizes[0] == 2 and len(sizes) == 12
    assert collision_probability(sizes[-1:], 1e6)[0] <= 0.1 < collision_probability(sizes[-1:] + 1, 1e6)[0]
    assert batch_sizes(100, 1e-9, 0.1, 12)[-1] == 50  # capped at half the set


# --- the metric ----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [100, 1000])
def test_uniform_generators_on_digits_get_their_support(k: int) -> None:
    train, held = digits()
    fake = uniform_generator(train, k, 3000, seed=k)
    out = METRICS["birthday"](real=held, fake=fake, train=train, n_boot=50)
    assert k / 2 < out["birthday_support"] < 2 * k
    assert (
        k / 3 < out["birthday_support_low"] <= out["birthday_support"] <= out["birthday_support_high"] < 3 * k
    )
    assert out["birthday_censored"] == 0.0 and out["birthday_dup_rate"] == 1.0


def test_held_out_digits_do_not_look_like_a_small_support() -> None:
    train, held = digits()
    out = birthday(real=held, fake=held, train=train, n_boot=50)
    assert out["birthday_censored"] == 1.0 or out["birthday_support"] > 20 * len(held)
    assert out["birthday_dup_rate"] < 0.5


def test_no_duplicates_give_a_censored_lower_bound() -> None:
    train, held = digits()
    noise = np.random.default_rng(10).uniform(size=(400, 1, 8, 8)).astype(np.float32)
    out = birthday(real=held, fake=noise, train=train, n_boot=20)
    assert out["birthday_censored"] == 1.0 and out["birthday_dup_rate"] == 0.0
    assert out["birthday_support"] == out["birthday_support_low"] > 400
    assert "birthday_support_high" not in out  # unbounded above; records store no infinities
    # the bound: pairs the batches looked at / log(2 / (1 - level))
    s = batch_sizes(
        400, calibrate_threshold(held.reshape(500, -1), train.reshape(1297, -1), 0.01)[1], 0.1, 12
    )[-1]
    covered = 1 - (1 - s * (s - 1) / (400 * 399)) ** 200
    assert out["birthday_support"] == pytest.approx(400 * 399 / 2 * covered / math.log(2 / 0.05))


def test_a_collapsed_generator_has_support_about_one_and_the_pair_cap_holds() -> None:
    train, held = digits()
    fake = uniform_generator(train, 2, 2000, seed=11)  # about 10⁶ near-duplicate pairs
    out = birthday(real=held, fake=fake, train=train, n_boot=20, max_pairs=20_000)
    assert 1.0 <= out["birthday_support"] < 4.0
    assert out["birthday_dup_rate"] == 1.0


def test_writes_the_curve_the_pairs_and_the_json(tmp_path: Path) -> None:
    train, held = digits()
    fake = uniform_generator(train, 300, 2000, seed=12)
    out = birthday(real=held, fake=fake, train=train, n_boot=20, artifact_dir=tmp_path / "metrics")
    for name in ("birthday_curve.png", "birthday_pairs.png", "birthday.json"):
        assert (tmp_path / "metrics" / name).stat().st_size > 0
    summary = json.loads((tmp_path / "metrics" / "birthday.json").read_text())
    assert summary["support"] == out["birthday_support"]
    assert len(summary["batch_sizes"]) == len(summary["dup_share"]) == len(summary["fitted_share"])
    assert summary["dup_share"][-1] == out["birthday_dup_rate"]
    assert summary["closest_pairs"][0]["distance"] == 0.0  # exact copies come first
    assert summary["tau"] > 0 and summary["real_support"] == pytest.approx(1 / summary["real_pair_rate"])
    # the artifact directory does not change the values
    assert birthday(real=held, fake=fake, train=train, n_boot=20) == out


def test_same_seed_same_value() -> None:
    train, held = digits()
    fake = uniform_generator(train, 200, 1500, seed=13)
    first = birthday(real=held, fake=fake, train=train, n_boot=20, seed=5)
    assert birthday(real=held, fake=fake, train=train, n_boot=20, seed=5) == first
    assert birthday(real=held, fake=fake, train=train, n_boot=20, seed=6) != first


def test_registry_entry_and_keyword_only() -> None:
    spec = METRICS["birthday"]
    assert (
        spec.space == "pixels"
        and spec.extra_inputs == ("train",)
        and spec.runtime == ("device", "artifact_dir")
    )
    assert spec.directions == {
        "birthday_support": "higher",
        "birthday_support_low": "higher",
        "birthday_support_high": "higher",
        "birthday_dup_rate": "lower",
        "birthday_censored": "lower",
    }
    assert "artifact_dir" not in spec.defaults and "train" not in spec.defaults
    assert spec.defaults["seed"] == 0 and spec.defaults["quantile"] == 0.01
    train, held = digits()
    with pytest.raises(TypeError):
        birthday(held, held, train)  # type: ignore[misc]


def test_rejects_bad_input() -> None:
    train, held = digits()
    with pytest.raises(ValueError, match="floating point"):
        birthday(real=held, fake=(held * 255).astype(np.uint8), train=train)
    with pytest.raises(ValueError, match="same"):
        birthday(real=held, fake=np.zeros((10, 1, 4, 4), dtype=np.float32), train=train)
    with pytest.raises(ValueError, match="at least 4"):
        birthday(real=held, fake=held[:3], train=train)
    with pytest.raises(ValueError, match="quantile"):
        birthday(real=held, fake=held, train=train, quantile=0.0)


# --- the acceptance bar on MNIST: 10,000 samples from K distinct digits ------------------------


@pytest.mark.slow
@pytest.mark.parametrize("k", [100, 1000, 4000])
def test_uniform_generators_on_mnist_get_their_support(mnist_5k: Dataset, k: int) -> None:
    train = mnist_5k.train.images.numpy().astype(np.float32) / 255.0  # 4,000 distinct digits
    held = mnist_5k.test.images.numpy().astype(np.float32) / 255.0
    fake = uniform_generator(train, k, 10_000, seed=0)
    out = METRICS["birthday"](real=held, fake=fake, train=train)
    assert k / 2 < out["birthday_support"] < 2 * k
    assert out["birthday_support_low"] < k * 1.25 and out["birthday_support_high"] > k / 1.25
    assert out["birthday_censored"] == 0.0


@pytest.mark.slow
def test_held_out_mnist_does_not_look_like_a_small_support(mnist_5k: Dataset) -> None:
    train = mnist_5k.train.images.numpy().astype(np.float32) / 255.0
    held = mnist_5k.test.images.numpy().astype(np.float32) / 255.0
    out = METRICS["birthday"](real=held, fake=held, train=train)
    assert out["birthday_censored"] == 1.0 or out["birthday_support"] > 100 * len(held)
