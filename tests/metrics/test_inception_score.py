"""Tests for the ``is`` metric (Salimans et al. 2016) against torch-fidelity."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch_fidelity.metric_isc import isc_features_to_metric

from ganbench.metrics.inception_score import inception_score
from ganbench.registry import METRICS

Logits = Callable[..., np.ndarray]


def test_identical_posteriors_give_the_minimum_one() -> None:
    logits = np.tile(np.array([[0.3, -1.0, 2.0, 0.0]]), (100, 1))
    out = inception_score(fake=logits)
    assert out["is"] == pytest.approx(1.0, abs=1e-12)
    assert out["is_std"] == pytest.approx(0.0, abs=1e-12)


def test_confident_balanced_samples_approach_the_number_of_classes(make_logits: Logits) -> None:
    assert inception_score(fake=make_logits(2000, 10, confidence=20.0))["is"] > 9.0


def test_falls_as_classes_collapse(make_logits: Logits) -> None:
    values = [inception_score(fake=make_logits(2000, 10, classes=c))["is"] for c in (10, 5, 2, 1)]
    assert values == sorted(values, reverse=True)


def test_falls_as_confidence_drops(make_logits: Logits) -> None:
    values = [inception_score(fake=make_logits(2000, 10, confidence=c))["is"] for c in (8.0, 4.0, 2.0, 0.0)]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(("n", "splits", "seed"), [(1000, 10, 0), (1003, 7, 2020), (50, 1, 5)])
def test_agrees_with_torch_fidelity(make_logits: Logits, n: int, splits: int, seed: int) -> None:
    logits = make_logits(n, 10, confidence=3.0, seed=seed)
    ours = inception_score(fake=logits, splits=splits, seed=seed)
    ref = isc_features_to_metric(torch.from_numpy(logits), splits=splits, shuffle=True, rng_seed=seed)
    assert ours["is"] == pytest.approx(ref["inception_score_mean"], rel=1e-6)
    assert ours["is_std"] == pytest.approx(ref["inception_score_std"], rel=1e-6, abs=1e-12)


def test_same_seed_same_value(make_logits: Logits) -> None:
    logits = make_logits(500, 10, confidence=2.0)
    assert inception_score(fake=logits, seed=1) == inception_score(fake=logits, seed=1)
    assert inception_score(fake=logits, seed=1)["is_std"] != inception_score(fake=logits, seed=2)["is_std"]


def test_real_is_accepted_and_ignored(make_logits: Logits) -> None:
    fake = make_logits(300, 10)
    assert inception_score(real=make_logits(50, 10, seed=9), fake=fake) == inception_score(fake=fake)


def test_rejects_bad_input(make_logits: Logits) -> None:
    with pytest.raises(ValueError, match="at least 10 rows"):
        inception_score(fake=make_logits(5, 10))
    with pytest.raises(ValueError, match="2 classes"):
        inception_score(fake=np.zeros((20, 1)))
    with pytest.raises(ValueError, match="splits"):
        inception_score(fake=make_logits(20, 3), splits=0)


def test_registry_call_and_keyword_only(make_logits: Logits) -> None:
    logits = make_logits(200, 10)
    spec = METRICS["is"]
    assert spec.space == "logits" and spec.directions == {"is": "higher"} and "seed" in spec.defaults
    out = spec(real=logits, fake=logits)
    assert set(out) == {"is", "is_std"}
    with pytest.raises(TypeError):
        spec(logits, logits)  # type: ignore[misc]
    with pytest.raises(TypeError):
        inception_score(logits, logits)  # type: ignore[misc]
