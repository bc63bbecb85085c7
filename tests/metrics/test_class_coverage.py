"""Class coverage: modes with a fair share, and KL(p_gen || p*)."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.class_coverage import class_coverage
from ganbench.registry import METRICS

K = 10
UNIFORM = np.full(K, 1.0 / K)


def logits_for(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 6.0 * np.eye(K)[labels] + rng.normal(size=(len(labels), K))


def test_all_classes_balanced_is_ideal() -> None:
    logits = logits_for(np.repeat(np.arange(K), 100))
    out = class_coverage(real=logits, fake=logits, class_prior=UNIFORM)
    assert out["class_coverage_modes"] == K
    assert out["class_coverage_kl"] == pytest.approx(0.0, abs=1e-3)


def test_five_of_ten_classes_cover_five_modes() -> None:
    real = logits_for(np.repeat(np.arange(K), 100))
    fake = np.eye(K)[np.repeat(np.arange(5), 100)] * 9.0
    out = class_coverage(real=real, fake=fake, class_prior=UNIFORM)
    assert out["class_coverage_modes"] == 5
    assert out["class_coverage_kl"] == pytest.approx(np.log(2.0))


def test_dropping_classes_worsens_both_keys_monotonically() -> None:
    real = logits_for(np.repeat(np.arange(K), 100))
    modes, kls = [], []
    for kept in (10, 8, 6, 4, 2, 1):
        fake = logits_for(np.repeat(np.arange(kept), 1000 // kept), seed=kept)
        out = class_coverage(real=real, fake=fake, class_prior=UNIFORM)
        modes.append(out["class_coverage_modes"])
        kls.append(out["class_coverage_kl"])
    assert np.all(np.diff(modes) < 0)
    assert np.all(np.diff(kls) > 0)


def test_fair_share_is_a_tenth_of_the_expected_count() -> None:
    # M = 1000, uniform prior: 100 expected per class, so a class needs 10 samples.
    counts = np.array([120] * 8 + [9, 31])
    labels = np.repeat(np.arange(K), counts)
    out = class_coverage(real=np.eye(K) * 9.0, fake=np.eye(K)[labels] * 9.0, class_prior=UNIFORM)
    assert out["class_coverage_modes"] == 9
    labels[0] = 8  # class 8 now has exactly 10
    out = class_coverage(real=np.eye(K) * 9.0, fake=np.eye(K)[labels] * 9.0, class_prior=UNIFORM)
    assert out["class_coverage_modes"] == 10


def test_classes_outside_the_prior_are_not_modes_and_keep_kl_finite() -> None:
    prior = np.r_[np.full(K - 1, 1.0 / (K - 1)), 0.0]
    logits = logits_for(np.repeat(np.arange(K), 100))  # also generates the impossible class 9
    out = class_coverage(real=logits, fake=logits, class_prior=prior)
    assert out["class_coverage_modes"] == K - 1
    assert np.isfinite(out["class_coverage_kl"]) and out["class_coverage_kl"] > 0.5


def test_deterministic() -> None:
    logits = logits_for(np.repeat(np.arange(K), 30))
    a = class_coverage(real=logits, fake=logits, class_prior=UNIFORM)
    assert a == class_coverage(real=logits, fake=logits, class_prior=UNIFORM)


def test_bad_min_share_is_refused() -> None:
    logits = logits_for(np.arange(K))
    with pytest.raises(ValueError, match="min_share"):
        class_coverage(real=logits, fake=logits, class_prior=UNIFORM, min_share=0.0)


def test_registered_contract() -> None:
    spec = METRICS["class-coverage"]
    assert spec.space == "logits"
    assert spec.extra_inputs == ("class_prior",)
    assert spec.directions == {"class_coverage_modes": "higher", "class_coverage_kl": "lower"}
    real = logits_for(np.repeat(np.arange(K), 100))
    fake = logits_for(np.repeat(np.arange(5), 200), seed=1)
    assert spec(real=real, fake=fake, class_prior=UNIFORM)["class_coverage_modes"] == 5
