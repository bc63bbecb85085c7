"""AM score (Zhou et al. 2018, "Activation Maximization Generative Adversarial Nets", arXiv:1703.02000).

    AM = KL(p*(y) || p(y)) + E_x H(p(y|x))

over generated samples x, with p(y|x) the domain classifier's posterior, p(y) = E_x p(y|x) the
generated label marginal and p*(y) the label distribution of the training data. The first term
penalises a generated class mix unlike the training one, the second unconfident samples. Lower is
better; 0 for confident posteriors whose classes follow p*.

Smoothing follows the authors' code (``AMScore.am_score`` in ``common/score.py`` of
github.com/ZhimingZhou/AM-GANs-refactored, commit da08343; the same formula is ``am_score`` in
``code/score.py`` of ZhimingZhou/AM-GANs-for-reproduce): ``eps = 1e-18`` is *added* to every
posterior p(y|x) (no renormalisation) before both terms, so p(y) is the mean of the smoothed
posteriors and KL(p* || p(y)) = sum_k p*_k log(p*_k / p(y)_k) with p* unsmoothed. The smoothing
only matters for a class whose generated probability is near 1e-18 or below; a class the
generator drops costs up to p*_k log(p*_k / 1e-18) (3.91 nats for p*_k = 0.1).

Two departures from that code: p* is the training-label distribution ``class_prior``, where the
authors use the classifier's mean posterior on the training images (close to it for an accurate
classifier); and a class with p*_k = 0 contributes 0 (0 · log 0 = 0), where their formula gives
NaN.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import check_logits, check_prior, real_number
from ganbench.numerics.distributions import entropy, kl_divergence, softmax


@metric(
    "am-score",
    space="logits",
    directions={"am_score": "lower"},
    reference="Zhou et al. 2018 (arXiv:1703.02000); code: ZhimingZhou/AM-GANs-refactored common/score.py",
    extra_inputs=("class_prior",),
    notes=(
        "follows the authors' code: eps=1e-18 added to every posterior, KL(p* || mean smoothed posterior); "
        "p* is the training-label distribution, not the classifier's mean posterior on training images"
    ),
    interval="recompute",
)
def am_score(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    class_prior: np.ndarray,
    eps: float = 1e-18,
) -> dict[str, float]:
    """AM score of the generated set, in nats.

    Args:
        real: logits [N, K] of real images; only checked for a matching K (the measure uses
            ``class_prior`` for the real side).
        fake: logits [M, K] of generated images.
        class_prior: float64 [K], p*(y) of the training labels.
        eps: added to every generated posterior p(y|x) before the marginal and the entropies are
            taken, as in the authors' code (1e-18 there), so that a class every sample gives
            probability 0 costs a large finite KL, not inf. In (0, 1e-6].

    Returns:
        ``{"am_score": float}`` >= 0 (up to the eps smoothing: exactly one-hot posteriors that
        follow p* give a few 1e-16).
    """
    eps = real_number("eps", eps, low=0.0, high=1e-6, open_low=True)
    _, f = check_logits(real, fake)
    prior = check_prior(class_prior, f.shape[1])
    p_yx = softmax(f) + eps
    p_y = p_yx.mean(axis=0)
    value = kl_divergence(prior, p_y) + entropy(p_yx).mean()
    return {"am_score": float(value)}
