"""MODE score (Che et al. 2017, "Mode Regularized Generative Adversarial Networks", arXiv:1612.02136).

    MODE = exp( E_x KL(p(y|x) || p(y)) - KL(p(y) || p*(y)) ) = IS * exp(-KL(p(y) || p*(y)))

over generated samples x, with p(y|x) the domain classifier's posterior, p(y) = E_x p(y|x) the
generated label marginal and p*(y) the label distribution of the training data. Higher is
better; its maximum is K, reached by confident posteriors whose marginal matches p*.

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
            finite KL terms.

    Returns:
        ``{"mode_score": float}`` in [1, K].
    """
    eps = real_number("eps", eps, low=0.0, high=1e-6, open_low=True)
    _, f = check_logits(real, fake)
    prior = floor_distribution(check_prior(class_prior, f.shape[1]), eps)
    p_yx = softmax(f)
    p_y = p_yx.mean(axis=0)
    expected_kl = kl_divergence(p_yx, floor_distribution(p_y, eps)).mean()
    marginal_kl = kl_divergence(p_y, prior)
    return {"mode_score": float(np.exp(expected_kl - marginal_kl))}
