"""AM score (Zhou et al. 2018): zero at the ideal, grows with dropped classes and with blur."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ganbench.metrics.am_score import am_score
from ganbench.registry import METRICS

K = 10
UNIFORM = np.full(K, 1.0 / K)


def test_confident_and_balanced_is_near_zero(confident_logits: Callable[..., np.ndarray]) -> None:
    logits = confident_logits(np.repeat(np.arange(K), 50))
    assert am_score(real=logits, fake=logits, class_prior=UNIFORM)["am_score"] == pytest.approx(
        0.0, abs=1e-20
    )


def test_uniform_posteriors_give_log_k() -> None:
    logits = np.zeros((100, K))
    assert am_score(real=logits, fake=logits, class_prior=UNIFORM)["am_score"] == pytest.approx(np.log(K))


def test_class_mix_unlike_the_prior_costs_kl_prior_to_marginal(
    confident_logits: Callable[..., np.ndarray],
) -> None:
    prior = np.r_[np.full(5, 0.16), np.full(5, 0.04)]
    logits = confident_logits(np.repeat(np.arange(K), 50))  # balanced, prior is not
    expected = float(np.sum(prior * np.log(prior / UNIFORM)))
    assert am_score(real=logits, fake=logits, class_prior=prior)["am_score"] == pytest.approx(expected)


def test_dropping_classes_raises_it_monotonically(confident_logits: Callable[..., np.ndarray]) -> None:
    real = confident_logits(np.repeat(np.arange(K), 50))
    values = []
    for kept in (10, 9, 7, 5, 3, 1):
        fake = confident_logits(np.repeat(np.arange(kept), 50), scale=8.0)
        values.append(am_score(real=real, fake=fake, class_prior=UNIFORM)["am_score"])
    assert np.all(np.diff(values) > 0)


def test_less_confident_posteriors_raise_it(confident_logits: Callable[..., np.ndarray]) -> None:
    labels = np.repeat(np.arange(K), 50)
    real = confident_logits(labels)
    values = [
        am_score(real=real, fake=confident_logits(labels, scale=s, noise=1.0), class_prior=UNIFORM)[
            "am_score"
        ]
        for s in (8.0, 4.0, 2.0, 1.0)
    ]
    assert np.all(np.diff(values) > 0)


def test_deterministic() -> None:
    logits = np.random.default_rng(2).normal(size=(100, K))
    assert am_score(real=logits, fake=logits, class_prior=UNIFORM) == am_score(
        real=logits, fake=logits, class_prior=UNIFORM
    )


def test_mismatched_class_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="same number of columns"):
        am_score(real=np.zeros((5, K)), fake=np.zeros((5, K + 1)), class_prior=UNIFORM)


def test_registered_contract(confident_logits: Callable[..., np.ndarray]) -> None:
    spec = METRICS["am-score"]
    assert spec.space == "logits"
    assert spec.extra_inputs == ("class_prior",)
    assert spec.directions == {"am_score": "lower"}
    logits = confident_logits(np.repeat(np.arange(K), 20))
    assert spec(real=logits, fake=logits, class_prior=UNIFORM)["am_score"] == pytest.approx(0.0, abs=1e-12)
