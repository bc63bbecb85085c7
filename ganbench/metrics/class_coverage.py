"""Class (mode) coverage measured with the domain classifier.

The mode-counting protocol of Metz et al. 2017 (Unrolled GANs, arXiv:1611.02163) and Srivastava et
al. 2017 (VEEGAN, arXiv:1705.07761), as listed by Borji 2019 (arXiv:1802.03446): classify every
generated sample, count the classes it covers, and compare the class histogram with the training
label distribution p*(y).

- ``class_coverage_modes`` (higher): the number of classes y with p*(y) > 0 whose count of
  generated samples predicted as y reaches a fair share,

      n_y >= max(1, min_share * M * p*(y)),

  i.e. at least ``min_share`` (default 0.1) of the M p*(y) samples a perfect generator would put
  there, and at least one. The threshold is relative to the expected count, so it does not
  depend on M or on class imbalance; with M p*(y) >= 100 a perfect generator falls under it with
  a negligible binomial probability, while a class it produces ten times too rarely counts as
  dropped. The maximum is the number of classes in the prior's support.
- ``class_coverage_kl`` (lower): KL(p_gen(y) || p*(y)) in nats, p_gen the histogram of predicted
  classes. Empty classes need no smoothing (0 · log 0 = 0); p*(y) is floored at ``eps`` and
  renormalised, so a class absent from the training labels but generated gives a large finite
  value rather than inf.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import check_logits, check_prior, real_number
from ganbench.numerics.distributions import floor_distribution, kl_divergence


@metric(
    "class-coverage",
    space="logits",
    directions={"class_coverage_modes": "higher", "class_coverage_kl": "lower"},
    aspects={"class_coverage_modes": ("diversity",), "class_coverage_kl": ("diversity",)},
    reference="Metz et al. 2017 (arXiv:1611.02163); Srivastava et al. 2017 (arXiv:1705.07761)",
    extra_inputs=("class_prior",),
    interval="recompute",
)
def class_coverage(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    class_prior: np.ndarray,
    min_share: float = 0.1,
    eps: float = 1e-6,
) -> dict[str, float]:
    """Modes covered and class-histogram KL of the generated set.

    Args:
        real: logits [N, K] of real images; only checked for a matching K (the measure uses
            ``class_prior`` for the real side).
        fake: logits [M, K] of generated images; a sample's class is the argmax.
        class_prior: float64 [K], p*(y) of the training labels.
        min_share: fraction of the expected count M p*(y) a class must receive to count as covered.
        eps: floor on p*(y) inside the KL, in (0, 1e-6].

    Returns:
        ``{"class_coverage_modes": float, "class_coverage_kl": float}``.
    """
    min_share = real_number("min_share", min_share, low=0.0, high=1.0, open_low=True)
    eps = real_number("eps", eps, low=0.0, high=1e-6, open_low=True)
    _, f = check_logits(real, fake)
    n_classes = f.shape[1]
    prior = check_prior(class_prior, n_classes)
    counts = np.bincount(f.argmax(axis=1), minlength=n_classes)
    m = f.shape[0]
    threshold = np.maximum(1.0, min_share * m * prior)
    covered = (counts >= threshold) & (prior > 0)
    p_gen = counts / m
    kl = kl_divergence(p_gen, floor_distribution(prior, eps))
    return {"class_coverage_modes": float(covered.sum()), "class_coverage_kl": float(kl)}
