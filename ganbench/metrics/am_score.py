"""AM score (Zhou et al. 2018, "Activation Maximization Generative Adversarial Nets", arXiv:1703.02000).

    AM = KL(p*(y) || p(y)) + E_x H(p(y|x))

over generated samples x, with p(y|x) the domain classifier's posterior, p(y) = E_x p(y|x) the
generated label marginal and p*(y) the label distribution of the training data. The first term
penalises a generated class mix unlike the training one, the second unconfident samples. Lower is
better; 0 for confident posteriors whose classes follow p*.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import check_logits, check_prior
from ganbench.numerics.distributions import entropy, kl_divergence, softmax


@metric(
    "am-score",
    space="logits",
    directions={"am_score": "lower"},
    reference="Zhou et al. 2018 (arXiv:1703.02000)",
    extra_inputs=("class_prior",),
)
def am_score(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    class_prior: np.ndarray,
    eps: float = 1e-12,
) -> dict[str, float]:
    """AM score of the generated set, in nats.

    Args:
        real: logits [N, K] of real images; only checked for a matching K (the measure uses
            ``class_prior`` for the real side).
        fake: logits [M, K] of generated images.
        class_prior: float64 [K], p*(y) of the training labels.
        eps: floor on the generated marginal p(y) (no renormalisation needed at this size), so a
            class that underflows to exactly zero probability gives a large finite KL, not inf.

    Returns:
        ``{"am_score": float}`` >= 0.
    """
    _, f = check_logits(real, fake)
    prior = check_prior(class_prior, f.shape[1])
    p_yx = softmax(f)
    p_y = np.maximum(p_yx.mean(axis=0), eps)
    value = kl_divergence(prior, p_y) + entropy(p_yx).mean()
    return {"am_score": float(value)}
