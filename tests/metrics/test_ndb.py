"""NDB (Richardson & Weiss 2018): held-out halves give about alpha, missing classes give much more."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from ganbench.metrics.ndb import ndb, two_proportion_z
from ganbench.registry import METRICS


def digits_splits(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """sklearn's bundled 8x8 digits (1797 x 64): train (900), two held-out halves, and their labels."""
    x, y = load_digits(return_X_y=True)
    idx = np.random.default_rng(seed).permutation(len(x))
    train, rest = idx[:900], idx[900:]
    a, b = rest[: len(rest) // 2], rest[len(rest) // 2 :]
    return x[train], x[a], x[b], y[a], y[b]


def mixture(n: int, seed: int, weights: np.ndarray | None = None) -> np.ndarray:
    """n points from unit Gaussians around 10 fixed, well-separated centres in 8-d (class ``weights``)."""
    centres = 8.0 * np.random.default_rng(123).normal(size=(10, 8))
    rng = np.random.default_rng(seed)
    return centres[rng.choice(10, size=n, p=weights)] + rng.normal(size=(n, 8))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_halves_of_digits_give_about_alpha(seed: int) -> None:
    train, a, b, _, _ = digits_splits(seed)
    out = ndb(real=a, fake=b, train=train, bins=20, seed=seed)
    assert out["ndb"] < 0.15
    assert out["ndb_js"] < 0.03


def test_digits_missing_half_the_classes_give_a_much_higher_value() -> None:
    train, a, b, _, yb = digits_splits(0)
    same = ndb(real=a, fake=b, train=train, bins=20, seed=0)
    missing = ndb(real=a, fake=b[yb < 5], train=train, bins=20, seed=0)
    assert missing["ndb"] > 0.5 > 0.15 > same["ndb"]
    assert missing["ndb_js"] > 5 * same["ndb_js"]


def test_identical_sets_give_zero() -> None:
    train, a, _, _, _ = digits_splits(0)
    out = ndb(real=a, fake=a, train=train, bins=20)
    assert out == {"ndb": 0.0, "ndb_js": 0.0}


def test_thinning_half_the_classes_raises_it_monotonically() -> None:
    train, real = mixture(3000, seed=1), mixture(2000, seed=2)
    ndbs, jss = [], []
    for thinning in (0.0, 0.2, 0.35, 0.5, 0.65):  # classes 0-4 lose this share of their weight
        weights = np.r_[np.full(5, 1.0 - thinning), np.ones(5)]
        out = ndb(
            real=real, fake=mixture(2000, seed=3, weights=weights / weights.sum()), train=train, bins=20
        )
        ndbs.append(out["ndb"])
        jss.append(out["ndb_js"])
    assert ndbs[0] < 0.15
    assert np.all(np.diff(ndbs) > 0)
    assert np.all(np.diff(jss) > 0)


def test_same_seed_same_value_and_train_subsampling() -> None:
    train, a, b, _, _ = digits_splits(0)
    first = ndb(real=a, fake=b, train=train, bins=10, max_train=500, seed=7)
    assert first == ndb(real=a, fake=b, train=train, bins=10, max_train=500, seed=7)


def test_two_proportion_z_known_answer() -> None:
    # 30/100 vs 50/100: pooled 0.4, se = sqrt(0.4 * 0.6 * 0.02), z = 0.2 / se.
    z = two_proportion_z(np.array([30, 0]), 100, np.array([50, 0]), 100)
    assert z[0] == pytest.approx(0.2 / np.sqrt(0.4 * 0.6 * 0.02))
    assert z[1] == 0.0


@pytest.mark.parametrize(
    "kwargs, match",
    [({"bins": 1}, "bins"), ({"alpha": 0.0}, "alpha"), ({"bins": 2000}, "max_train|fewer than bins")],
)
def test_bad_parameters_are_refused(kwargs: dict[str, float], match: str) -> None:
    train, a, b, _, _ = digits_splits(0)
    with pytest.raises(ValueError, match=match):
        ndb(real=a, fake=b, train=train, **kwargs)


@pytest.mark.parametrize(("n_real", "n_fake"), [(1, 400), (400, 1), (19, 400), (400, 19), (1, 1)])
def test_sets_too_small_for_the_z_test_are_refused(n_real: int, n_fake: int) -> None:
    train, a, b, _, _ = digits_splits(0)
    with pytest.raises(ValueError, match=f"at least 20 real and 20 generated.*N={n_real} real, M={n_fake}"):
        ndb(real=a[:n_real], fake=b[:n_fake], train=train, bins=10)


def test_twenty_samples_each_are_enough() -> None:
    train, a, b, _, _ = digits_splits(0)
    out = ndb(real=a[:20], fake=b[:20], train=train, bins=10)
    assert 0.0 <= out["ndb"] <= 1.0


def test_registered_contract() -> None:
    spec = METRICS["ndb"]
    assert "held-out" in spec.notes  # shown by `ganbench list metrics`
    assert spec.space == "features"
    assert spec.extra_inputs == ("train",)
    assert spec.runtime == ("artifact_dir",) and "artifact_dir" not in spec.defaults
    assert spec.directions == {"ndb": "lower", "ndb_js": "lower"}
    assert "seed" in spec.defaults and spec.defaults["bins"] == 100 and spec.defaults["alpha"] == 0.05
    train, a, b, _, yb = digits_splits(1)
    out = spec(real=a, fake=b[yb < 5], train=train, bins=20, seed=1)
    assert set(out) == {"ndb", "ndb_js"} and out["ndb"] > 0.5


def test_a_resample_is_ndb_of_the_resampled_sets() -> None:
    # the bins are fitted on the training set, which a resample does not touch
    train, a, b, _, _ = digits_splits(3)
    samples = METRICS["ndb"].samples(real=a, fake=b, train=train, bins=20, seed=1)
    rng = np.random.default_rng(5)
    for _ in range(3):
        ra, rb = rng.integers(0, len(a), len(a)), rng.integers(0, len(b), len(b))
        assert samples.reduce(ra, rb) == ndb(real=a[ra], fake=b[rb], train=train, bins=20, seed=1)


def test_artifact_holds_the_bins_behind_the_values_and_does_not_change_them(tmp_path: Path) -> None:
    train, a, b, _, yb = digits_splits(0)
    fake = b[yb < 5]
    plain = ndb(real=a, fake=fake, train=train, bins=20, seed=0)
    written = ndb(real=a, fake=fake, train=train, bins=20, seed=0, artifact_dir=tmp_path / "metrics")
    assert written == plain
    bins = json.loads((tmp_path / "metrics" / "ndb.json").read_text())
    assert bins["bins"] == 20 and bins["alpha"] == 0.05
    assert (bins["n_real"], bins["n_fake"]) == (len(a), len(fake))
    assert sum(bins["real_count"]) == len(a) and sum(bins["fake_count"]) == len(fake)
    assert sum(bins["real_share"]) == pytest.approx(1.0, abs=1e-12)
    assert sum(bins["fake_share"]) == pytest.approx(1.0, abs=1e-12)
    assert np.mean(bins["different"]) == plain["ndb"] and bins["ndb_js"] == plain["ndb_js"]
    # the generated set lacks digits 5-9: the bins it leaves empty are the significant ones it under-fills
    empty = [k for k, count in enumerate(bins["fake_count"]) if count == 0 and bins["real_count"][k] > 10]
    assert empty and all(bins["different"][k] and bins["z"][k] < 0 for k in empty)
