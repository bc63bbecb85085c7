"""Modified Inception Score (Gurumurthy et al. 2017): exact all-pairs algebra, collapse, diversity."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.m_is import m_is, per_class_m_is
from ganbench.numerics.distributions import softmax
from ganbench.registry import METRICS

K = 10


def noisy_logits(n_per_class: int, spread: float, seed: int = 0, scale: float = 5.0) -> np.ndarray:
    """Logits peaked on each class in turn, with Gaussian noise of std ``spread``: [K n_per_class, K]."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(K), n_per_class)
    return scale * np.eye(K)[labels] + spread * rng.normal(size=(len(labels), K))


def brute_force(logits: np.ndarray, min_class_samples: int = 2) -> dict[int, float]:
    p = softmax(logits)
    predicted = p.argmax(axis=1)
    out = {}
    for c in np.unique(predicted):
        q = p[predicted == c]
        if len(q) < min_class_samples:
            continue
        kl = (q[:, None, :] * (np.log(q[:, None, :]) - np.log(q[None, :, :]))).sum(-1)
        out[int(c)] = float(np.exp(kl.sum() / (len(q) * (len(q) - 1))))
    return out


def test_all_pairs_algebra_matches_brute_force() -> None:
    logits = noisy_logits(15, spread=2.0, seed=1)
    fast, slow = per_class_m_is(logits), brute_force(logits)
    assert fast.keys() == slow.keys()
    for c in fast:
        assert fast[c] == pytest.approx(slow[c], rel=1e-10)
    assert m_is(real=logits, fake=logits)["m_is"] == pytest.approx(np.mean(list(slow.values())), rel=1e-10)


def test_collapsed_classes_give_the_minimum_one() -> None:
    logits = noisy_logits(20, spread=0.0)  # every sample of a class is the same
    assert m_is(real=logits, fake=logits)["m_is"] == pytest.approx(1.0, abs=1e-12)


def test_more_within_class_diversity_raises_it_monotonically() -> None:
    real = noisy_logits(50, spread=1.0)
    values = [
        m_is(real=real, fake=noisy_logits(50, spread=s, seed=4))["m_is"] for s in (0.0, 0.5, 1.0, 2.0, 3.0)
    ]
    assert np.all(np.diff(values) > 0)


def test_real_set_does_not_change_the_value() -> None:
    fake = noisy_logits(30, spread=1.0, seed=5)
    a = m_is(real=noisy_logits(30, spread=1.0, seed=6), fake=fake)
    b = m_is(real=fake, fake=fake)
    assert a == b


def test_classes_without_a_pair_are_left_out() -> None:
    logits = np.eye(K) * 5.0  # one sample per class: no pair anywhere
    assert m_is(real=logits, fake=logits)["m_is"] == 1.0
    scores = per_class_m_is(noisy_logits(30, spread=1.0), min_class_samples=1000)
    assert scores == {}


def test_min_class_samples_below_two_is_refused() -> None:
    logits = noisy_logits(5, spread=1.0)
    with pytest.raises(ValueError, match="min_class_samples must be an integer >= 2"):
        m_is(real=logits, fake=logits, min_class_samples=1)


def test_registered_contract() -> None:
    spec = METRICS["m-is"]
    assert "distinct" in spec.notes  # shown by `ganbench list metrics`
    assert spec.space == "logits"
    assert spec.directions == {"m_is": "higher"}
    assert spec.defaults == {"min_class_samples": 2}
    logits = noisy_logits(10, spread=1.0)
    assert spec(real=logits, fake=logits)["m_is"] > 1.0


def test_a_resample_leaves_out_a_sample_paired_with_its_own_copies() -> None:
    logits = noisy_logits(8, spread=2.0, seed=3)
    rows = np.random.default_rng(4).integers(0, len(logits), len(logits))
    p = softmax(logits)
    predicted = p.argmax(axis=1)
    expected = []
    for c in np.unique(predicted[rows]):
        members = rows[predicted[rows] == c]
        pairs = [
            (p[a] * (np.log(p[a]) - np.log(p[b]))).sum()
            for i, a in enumerate(members)
            for j, b in enumerate(members)
            if i != j and a != b
        ]
        if len(members) >= 2 and pairs:
            expected.append(np.exp(np.mean(pairs)))
    samples = METRICS["m-is"].samples(real=logits, fake=logits)
    assert samples.n_real == 0  # the real logits only fix K
    assert samples.reduce(None, rows) == {"m_is": pytest.approx(np.mean(expected), rel=1e-10)}
    # and the identity resample is the value
    identity = samples.reduce(None, np.arange(len(logits)))["m_is"]
    assert identity == pytest.approx(m_is(real=logits, fake=logits)["m_is"], rel=1e-12)
