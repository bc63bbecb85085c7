"""MODE score (Che et al. 2017, "Mode Regularized Generative Adversarial Networks", arXiv:1612.02136).

    MODE = exp( E_x KL(p(y|x) || p(y)) - KL(p(y) || p*(y)) ) = IS * exp(-KL(p(y) || p*(y)))

over generated samples x, with p(y|x) the domain classifier's posterior, p(y) = E_x p(y|x) the
generated label marginal and p*(y) the label distribution of the training data. Higher is
better.

Range: (0, K], and not [1, K] as for the IS. With I = E_x KL(p(y|x) || p(y)) <= H(p(y)), the
exponent is at most H(p(y)) - KL(p(y) || p*) = sum_k p(y)_k log(p*_k / p(y)_k²), a concave
function of p(y) that peaks at p(y)_k ∝ sqrt(p*_k) with the value 2 log sum_k sqrt(p*_k). So the
maximum is (sum_k sqrt(p*_k))², reached by confident posteriors with that marginal: K for a
uniform prior (marginal = prior), less for any other (where a marginal equal to p* gets only
exp(H(p*))). The exponent is at least 0 - log(1 / min_k p*_k) (I >= 0, and KL(p || q) <=
log(1 / min q)), so the minimum is min_k p*_k (p* after the ``eps`` floor). Values below 1
occur whenever KL(p(y) || p*) exceeds I: a generator collapsed on one class c with confident
posteriors has I = 0 and KL = log(1 / p*_c), so it scores p*_c, 1/K under a uniform prior.

Why not the formula as Borji 2019 (arXiv:1802.03446, Sec. 2.1) prints it,
exp(E_x KL(p(y|x) || p*) - KL(p(y) || p*)): because E_x p(y|x) = p(y), its two p*-terms cancel
exactly and it equals the Inception Score, whatever p* is. We use the form in which p* matters,
as in Xu et al. 2018 ("An empirical study on evaluation metrics of GANs", arXiv:1806.07755): the
IS penalised by how far the generated label marginal is from the training one. The tests check
both the identity and the penalty.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import check_logits, check_prior, real_number
from ganbench.numerics.distributions import floor_distribution, kl_divergence, softmax


@metric(
    "mode-score",
    space="logits",
    directions={"mode_score": "higher"},
    reference="Che et al. 2017 (arXiv:1612.02136), in the form of Xu et al. 2018 (arXiv:1806.07755)",
    extra_inputs=("class_prior",),
    notes=(
        "exp(E KL(p(y|x) || p(y)) - KL(p(y) || p*)) as Xu et al. 2018: the form printed by Borji 2019 "
        "equals the IS; range (0, K], below 1 for a marginal far from p*"
    ),
    interval="recompute",
)
def mode_score(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    class_prior: np.ndarray,
    eps: float = 1e-12,
) -> dict[str, float]:
    """MODE score of the generated set.

    Args:
        real: logits [N, K] of real images; only checked for a matching K (the measure uses
            ``class_prior`` for the real side).
        fake: logits [M, K] of generated images.
        class_prior: float64 [K], p*(y) of the training labels.
        eps: floor on p*(y) and p(y) (renormalised) so that a class absent from either gives
            finite KL terms; in (0, 1e-6].

    Returns:
        ``{"mode_score": float}`` in [min_k p*_k, (sum_k sqrt(p*_k))²], within (0, K]; below 1
        when the generated marginal is far from p* (see the module docstring).
    """
    eps = real_number("eps", eps, low=0.0, high=1e-6, open_low=True)
    _, f = check_logits(real, fake)
    prior = floor_distribution(check_prior(class_prior, f.shape[1]), eps)
    p_yx = softmax(f)
    p_y = p_yx.mean(axis=0)
    expected_kl = kl_divergence(p_yx, floor_distribution(p_y, eps)).mean()
    marginal_kl = kl_divergence(p_y, prior)
    return {"mode_score": float(np.exp(expected_kl - marginal_kl))}
