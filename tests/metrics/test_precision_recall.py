"""Tests for the ``precision-recall`` metric (Kynkäänniemi et al. 2019) against torch-fidelity."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch_fidelity.metric_prc import prc_features_to_metric

from ganbench.evaluation.bootstrap import bootstrap_intervals
from ganbench.metrics.precision_recall import precision_recall
from ganbench.numerics import distances
from ganbench.numerics.memo import clear_memos
from ganbench.registry import METRICS

Features = Callable[..., np.ndarray]


def torch_fidelity_prc(real: np.ndarray, fake: np.ndarray, k: int) -> dict:
    return prc_features_to_metric(
        torch.from_numpy(fake),  # input 1: generated
        torch.from_numpy(real),  # input 2: real
        prc_neighborhood=k,
        prc_batch_size=10000,
        save_cpu_ram=False,
        verbose=False,
    )


def test_identical_sets_give_one(make_features: Features) -> None:
    x = make_features(500, 32)
    assert precision_recall(real=x, fake=x.copy()) == {"precision": 1.0, "recall": 1.0}


def test_falls_as_the_shift_grows(make_features: Features) -> None:
    real = make_features(800, 32, seed=0)
    outs = [
        precision_recall(real=real, fake=make_features(800, 32, shift=s, seed=1))
        for s in (0.0, 0.2, 0.4, 0.8)
    ]
    for key in ("precision", "recall"):
        values = [o[key] for o in outs]
        assert values == sorted(values, reverse=True) and values[0] > values[-1] + 0.3


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [3, 5])
def test_agrees_with_torch_fidelity(make_features: Features, dtype: type, k: int) -> None:
    real = make_features(1200, 64, seed=2, dtype=dtype)
    fake = make_features(1000, 64, shift=0.1, scale=1.2, seed=3, dtype=dtype)
    ours = precision_recall(real=real, fake=fake, k=k)
    ref = torch_fidelity_prc(real, fake, k)
    # same ball memberships; torch-fidelity only rounds the share to float32
    assert ours["precision"] == pytest.approx(ref["precision"], rel=1e-6)
    assert ours["recall"] == pytest.approx(ref["recall"], rel=1e-6)


def test_chunk_size_does_not_change_the_value(
    make_features: Features, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, fake = make_features(300, 16, seed=4), make_features(250, 16, shift=0.2, seed=5)
    expected = precision_recall(real=real, fake=fake)
    clear_memos()
    monkeypatch.setattr(distances, "DEFAULT_CHUNK_SIZE", 37)
    assert precision_recall(real=real, fake=fake) == expected


def test_deterministic(make_features: Features) -> None:
    real, fake = make_features(300, 16, seed=6), make_features(300, 16, shift=0.3, seed=7)
    assert precision_recall(real=real, fake=fake) == precision_recall(real=real, fake=fake)


def test_rejects_bad_k(make_features: Features) -> None:
    with pytest.raises(ValueError, match="at least 4 rows"):
        precision_recall(real=make_features(3, 4), fake=make_features(10, 4))
    with pytest.raises(ValueError, match="k must be"):
        precision_recall(real=make_features(10, 4), fake=make_features(10, 4), k=0)


def test_registry_call_and_keyword_only(make_features: Features) -> None:
    real, fake = make_features(100, 8, seed=8), make_features(100, 8, seed=9)
    spec = METRICS["precision-recall"]
    assert spec.space == "features" and spec.directions == {"precision": "higher", "recall": "higher"}
    assert spec.defaults == {"k": 3}
    assert set(spec(real=real, fake=fake)) == {"precision", "recall"}
    with pytest.raises(TypeError):
        spec(real, fake)  # type: ignore[misc]
    with pytest.raises(TypeError):
        precision_recall(real, fake)  # type: ignore[misc]


@pytest.mark.slow
def test_bootstrap_interval_of_precision_covers_its_value_given_the_real_set() -> None:
    # Given the real set, each generated sample is on its manifold or not, independently: the
    # per-sample interval is the interval of that share. Its target, the probability for a fresh
    # generated sample, is measured on 200,000 of them. 100 experiments at 95 %: about 5 misses
    # (binomial sd 2.2), so at most 12.
    rng = np.random.default_rng(30)
    real = rng.standard_normal((150, 4))
    radii = distances.kth_neighbour_distance(real, 3)
    target = distances.count_within_radii(rng.standard_normal((200_000, 4)) + 0.3, real, radii).any.mean()
    misses = 0
    for trial in range(100):
        fake = rng.standard_normal((150, 4)) + 0.3
        samples = METRICS["precision-recall"].samples(real=real, fake=fake)
        out = bootstrap_intervals(
            samples.reduce,
            150,
            150,
            samples.value(),
            replicates=200,
            seed=trial,
            name="t",
        )
        low, high = out["precision"]
        misses += not low <= target <= high
    assert misses <= 12, misses
