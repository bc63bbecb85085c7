"""AM score (Zhou et al. 2018): zero at the ideal, grows with dropped classes and with blur.

The reference values come from the authors' formula, transcribed below from ``AMScore.am_score`` in
``common/score.py`` of github.com/ZhimingZhou/AM-GANs-refactored (commit da08343e), with the
classifier's mean posterior on real data replaced by the class prior as ganbench does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ganbench.metrics.am_score import am_score
from ganbench.numerics.distributions import softmax
from ganbench.registry import METRICS

K = 10
UNIFORM = np.full(K, 1.0 / K)


def reference_am(posteriors: np.ndarray, prior: np.ndarray) -> float:
    """The authors' AM score of posteriors [M, K] against a prior [K] (prior entries > 0)."""
    smoothed = posteriors + 1e-18
    marginal = np.mean(smoothed, 0)
    am_per = np.mean(-np.sum(smoothed * np.log(smoothed), 1))
    am_avg = -np.sum(prior * np.log(marginal / prior), 0)
    return float(am_per + am_avg)


def test_confident_and_balanced_is_near_zero(confident_logits: Callable[..., np.ndarray]) -> None:
    logits = confident_logits(np.repeat(np.arange(K), 50))
    # the 1e-18 added to each of the 9 off-class posteriors leaves an entropy of 9e-18 * ln(1e18) ~ 4e-16
    assert am_score(real=logits, fake=logits, class_prior=UNIFORM)["am_score"] == pytest.approx(
        0.0, abs=1e-15
    )


def test_one_absent_class_costs_the_reference_penalty(confident_logits: Callable[..., np.ndarray]) -> None:
    """Nine classes, 50 one-hot samples each, uniform prior over ten: by hand, p(y) is 1/9 on the
    nine and e^-60 / (1 + 9 e^-60) + 1e-18 on the dropped one (the posteriors are one-hot to 1e-26), so
    AM = 0.9 ln(0.1 / (1/9)) + 0.1 ln(0.1 / (1e-18 + e^-60)) = 3.8196; the entropy term is ~4e-16.
    The old floor of 1e-12 on p(y) capped the second term at 0.1 ln(1e11), giving 2.438."""
    fake = confident_logits(np.repeat(np.arange(K - 1), 50))
    real = confident_logits(np.repeat(np.arange(K), 50))
    missing = np.exp(-60.0) / (1.0 + 9.0 * np.exp(-60.0))
    by_hand = 0.9 * np.log(0.9) + 0.1 * np.log(0.1 / (1e-18 + missing))
    got = am_score(real=real, fake=fake, class_prior=UNIFORM)["am_score"]
    assert by_hand == pytest.approx(3.8195701931, rel=1e-10)
    assert got == pytest.approx(by_hand, rel=1e-12)
    assert got == pytest.approx(reference_am(softmax(fake), UNIFORM), rel=1e-12)


def test_absent_class_with_unconfident_posteriors_matches_the_reference() -> None:
    """The issue's kind of case: N(0, 1) logits over nine classes and a tenth 50 nats below. p(y) of
    the tenth is ~1e-23, representable, which the old floor of 1e-12 raised: it gave 4.271. The
    authors' smoothing gives 5.653 (the unsmoothed definition would give 6.712)."""
    logits = np.random.default_rng(0).normal(size=(500, K))
    logits[:, K - 1] -= 50.0
    got = am_score(real=logits, fake=logits, class_prior=UNIFORM)["am_score"]
    assert got == pytest.approx(reference_am(softmax(logits), UNIFORM), rel=1e-12)
    assert got == pytest.approx(5.652598407, rel=1e-8)


@pytest.mark.parametrize("eps", [0.0, -1e-18, 1e-3, float("nan")])
def test_bad_eps_is_refused(eps: float) -> None:
    logits = np.zeros((4, K))
    with pytest.raises(ValueError, match="eps"):
        am_score(real=logits, fake=logits, class_prior=UNIFORM, eps=eps)


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
    assert spec.defaults == {"eps": 1e-18}
    assert "1e-18" in spec.notes
