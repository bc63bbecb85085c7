"""Tests for the ``density-coverage`` metric (Naeem et al. 2020) against prdc."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import numpy as np
import pytest
from prdc import compute_prdc

from ganbench.evaluation.bootstrap import bootstrap_intervals
from ganbench.metrics.density_coverage import density_coverage
from ganbench.metrics.precision_recall import precision_recall
from ganbench.numerics import distances
from ganbench.registry import METRICS

Features = Callable[..., np.ndarray]


def prdc_reference(real: np.ndarray, fake: np.ndarray, k: int) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):  # compute_prdc prints the set sizes
        return compute_prdc(real_features=real, fake_features=fake, nearest_k=k)


def test_identical_sets_give_one(make_features: Features) -> None:
    x = make_features(500, 32)
    out = density_coverage(real=x, fake=x.copy())
    assert out["density"] == pytest.approx(1.0, abs=1e-12)
    assert out["coverage"] == 1.0


def test_falls_as_the_shift_grows(make_features: Features) -> None:
    real = make_features(800, 32, seed=0)
    outs = [
        density_coverage(real=real, fake=make_features(800, 32, shift=s, seed=1))
        for s in (0.0, 0.2, 0.4, 0.8)
    ]
    for key in ("density", "coverage"):
        values = [o[key] for o in outs]
        assert values == sorted(values, reverse=True) and values[0] > values[-1] + 0.3


def test_density_exceeds_one_when_fakes_crowd_dense_regions(make_features: Features) -> None:
    real = make_features(800, 16, seed=2)
    out = density_coverage(real=real, fake=0.5 * make_features(800, 16, seed=3))
    assert out["density"] > 1.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [5, 2])
def test_agrees_with_prdc(make_features: Features, dtype: type, k: int) -> None:
    real = make_features(1200, 64, seed=4, dtype=dtype)
    fake = make_features(1000, 64, shift=0.1, scale=1.2, seed=5, dtype=dtype)
    ours = density_coverage(real=real, fake=fake, k=k)
    ref = prdc_reference(real, fake, k)
    assert ours["density"] == pytest.approx(ref["density"], rel=1e-6)
    assert ours["coverage"] == pytest.approx(ref["coverage"], rel=1e-6)


def test_one_knn_pass_per_array_serves_both_metrics(
    make_features: Features, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, fake = make_features(300, 16, seed=6), make_features(300, 16, shift=0.2, seed=7)
    calls: list[int] = []
    original = distances.self_candidates

    def counting(*args: object, **kwargs: object) -> distances.SelfCandidates:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(distances, "self_candidates", counting)
    precision_recall(real=real, fake=fake)  # self passes over real and fake (k=3)
    assert len(calls) == 2
    density_coverage(real=real, fake=fake)  # k=5 on real: served by the same pass
    assert len(calls) == 2


def test_deterministic(make_features: Features) -> None:
    real, fake = make_features(300, 16, seed=8), make_features(300, 16, shift=0.3, seed=9)
    assert density_coverage(real=real, fake=fake) == density_coverage(real=real, fake=fake)


def test_rejects_bad_k(make_features: Features) -> None:
    with pytest.raises(ValueError, match="at least 6 rows"):
        density_coverage(real=make_features(5, 4), fake=make_features(10, 4))
    with pytest.raises(ValueError, match="k must be"):
        density_coverage(real=make_features(10, 4), fake=make_features(10, 4), k=-1)


def test_registry_call_and_keyword_only(make_features: Features) -> None:
    real, fake = make_features(100, 8, seed=10), make_features(100, 8, seed=11)
    spec = METRICS["density-coverage"]
    assert spec.space == "features" and spec.directions == {"density": "higher", "coverage": "higher"}
    assert spec.defaults == {"k": 5}
    assert set(spec(real=real, fake=fake)) == {"density", "coverage"}
    with pytest.raises(TypeError):
        spec(real, fake)  # type: ignore[misc]
    with pytest.raises(TypeError):
        density_coverage(real, fake)  # type: ignore[misc]


@pytest.mark.slow
def test_bootstrap_interval_of_density_covers_its_value_given_the_real_balls() -> None:
    # Given the real balls, density is the mean ball count of independent generated samples over
    # k; its target is that mean for fresh samples (200,000 of them). 100 experiments at 95 %:
    # about 5 misses (binomial sd 2.2), so at most 12.
    rng = np.random.default_rng(31)
    real = rng.standard_normal((150, 4))
    radii = distances.kth_neighbour_distance(real, 5)
    fresh = rng.standard_normal((200_000, 4)) + 0.3
    target = distances.count_within_radii(fresh, real, radii, inclusive=False).per_query.mean() / 5
    misses = 0
    for trial in range(100):
        fake = rng.standard_normal((150, 4)) + 0.3
        samples = METRICS["density-coverage"].samples(real=real, fake=fake)
        low, high = bootstrap_intervals(
            samples.reduce,
            150,
            150,
            samples.value(),
            replicates=200,
            seed=trial,
            name="t",
        )["density"]
        misses += not low <= target <= high
    assert misses <= 12, misses
