"""MODE score (Che et al. 2017): known maximum, class dropping, identity with the one-split IS."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch_fidelity.metric_isc import isc_features_to_metric

from ganbench.metrics.mode_score import mode_score
from ganbench.numerics.distributions import softmax
from ganbench.registry import METRICS

K = 10
UNIFORM = np.full(K, 1.0 / K)


def test_confident_and_balanced_reaches_the_maximum_k(confident_logits: Callable[..., np.ndarray]) -> None:
    logits = confident_logits(np.repeat(np.arange(K), 50))
    out = mode_score(real=logits, fake=logits, class_prior=UNIFORM)
    assert out["mode_score"] == pytest.approx(K, rel=1e-9)


def test_dropping_classes_lowers_it_monotonically(confident_logits: Callable[..., np.ndarray]) -> None:
    real = confident_logits(np.repeat(np.arange(K), 50))
    values = []
    for kept in (10, 8, 6, 4, 2, 1):
        fake = confident_logits(np.repeat(np.arange(kept), 50))
        values.append(mode_score(real=real, fake=fake, class_prior=UNIFORM)["mode_score"])
    assert np.all(np.diff(values) < 0)
    # IS = kept classes, times exp(-KL(p(y) || uniform)) = kept / K
    assert values == pytest.approx([k * k / K for k in (10, 8, 6, 4, 2, 1)], rel=1e-6)


def test_a_collapsed_generator_scores_below_one(confident_logits: Callable[..., np.ndarray]) -> None:
    """All samples confidently in class 3: I = 0 and KL(p(y) || p*) = log(1 / p*_3), so the score is p*_3."""
    fake = confident_logits(np.full(200, 3))
    real = confident_logits(np.repeat(np.arange(K), 20))
    assert mode_score(real=real, fake=fake, class_prior=UNIFORM)["mode_score"] == pytest.approx(0.1, rel=1e-6)
    prior = np.r_[np.full(5, 0.19), np.full(5, 0.01)]  # class 3 has p* = 0.19
    assert mode_score(real=real, fake=fake, class_prior=prior)["mode_score"] == pytest.approx(0.19, rel=1e-6)


def test_maximum_is_the_squared_sum_of_root_prior(confident_logits: Callable[..., np.ndarray]) -> None:
    """With a skewed prior the largest score, (sum sqrt p*)² = 7.18 < K, needs a marginal ∝ sqrt(p*),
    not p* itself; random class mixes stay below it."""
    prior = np.r_[np.full(5, 0.19), np.full(5, 0.01)]
    bound = np.sqrt(prior).sum() ** 2
    counts = np.r_[np.full(5, 436), np.full(5, 100)]  # ∝ sqrt(0.19) : sqrt(0.01), to 3 digits
    best = mode_score(
        real=np.zeros((2, K)), fake=confident_logits(np.repeat(np.arange(K), counts)), class_prior=prior
    )["mode_score"]
    assert best == pytest.approx(bound, rel=1e-5)
    matching = confident_logits(np.repeat(np.arange(K), (prior * 1000).astype(int)))
    at_prior = mode_score(real=np.zeros((2, K)), fake=matching, class_prior=prior)["mode_score"]
    assert at_prior == pytest.approx(np.exp(-np.sum(prior * np.log(prior))), rel=1e-6) and at_prior < bound
    rng = np.random.default_rng(5)
    for _ in range(20):
        labels = rng.choice(K, size=500, p=rng.dirichlet(np.ones(K)))
        fake = confident_logits(labels)
        assert mode_score(real=np.zeros((2, K)), fake=fake, class_prior=prior)["mode_score"] <= bound


def test_less_confident_posteriors_lower_it(confident_logits: Callable[..., np.ndarray]) -> None:
    labels = np.repeat(np.arange(K), 50)
    real = confident_logits(labels)
    values = [
        mode_score(real=real, fake=confident_logits(labels, scale=s, noise=1.0), class_prior=UNIFORM)[
            "mode_score"
        ]
        for s in (8.0, 4.0, 2.0, 1.0, 0.0)
    ]
    assert np.all(np.diff(values) < 0)


def test_is_one_split_inception_score_penalised_by_the_marginal_kl() -> None:
    rng = np.random.default_rng(1)
    logits = 3.0 * rng.normal(size=(400, K))
    prior = rng.dirichlet(np.ones(K))
    ours = mode_score(real=logits, fake=logits, class_prior=prior)["mode_score"]
    inception = isc_features_to_metric(torch.from_numpy(logits), splits=1, shuffle=False)[
        "inception_score_mean"
    ]
    p_y = softmax(logits).mean(axis=0)
    assert ours == pytest.approx(inception * np.exp(-np.sum(p_y * np.log(p_y / prior))), rel=1e-6)


def test_a_marginal_far_from_the_prior_lowers_it(confident_logits: Callable[..., np.ndarray]) -> None:
    logits = confident_logits(np.repeat(np.arange(K), 50))
    skewed = np.r_[np.full(5, 0.19), np.full(5, 0.01)]
    balanced = mode_score(real=logits, fake=logits, class_prior=UNIFORM)["mode_score"]
    assert mode_score(real=logits, fake=logits, class_prior=skewed)["mode_score"] < balanced


def test_deterministic() -> None:
    logits = np.random.default_rng(2).normal(size=(100, K))
    a = mode_score(real=logits, fake=logits, class_prior=UNIFORM)
    b = mode_score(real=logits, fake=logits, class_prior=UNIFORM)
    assert a == b


def test_prior_with_an_empty_class_stays_finite() -> None:
    prior = np.r_[np.zeros(1), np.full(K - 1, 1.0 / (K - 1))]
    logits = np.random.default_rng(3).normal(size=(100, K))
    assert np.isfinite(mode_score(real=logits, fake=logits, class_prior=prior)["mode_score"])


@pytest.mark.parametrize(
    "prior, match",
    [(np.full(K - 1, 1.0 / (K - 1)), "shape"), (np.full(K, 1.0), "sum to 1"), (-UNIFORM, "non-negative")],
)
def test_bad_prior_is_refused(prior: np.ndarray, match: str) -> None:
    logits = np.zeros((10, K))
    with pytest.raises(ValueError, match=match):
        mode_score(real=logits, fake=logits, class_prior=prior)


def test_registered_contract(confident_logits: Callable[..., np.ndarray]) -> None:
    spec = METRICS["mode-score"]
    assert "Xu et al." in spec.notes  # shown by `ganbench list metrics`
    assert spec.space == "logits"
    assert spec.extra_inputs == ("class_prior",)
    assert spec.directions == {"mode_score": "higher"}
    logits = confident_logits(np.repeat(np.arange(K), 20))
    out = spec(real=logits, fake=logits, class_prior=UNIFORM)
    assert out["mode_score"] == pytest.approx(K)
