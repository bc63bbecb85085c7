"""Modified Inception Score (Gurumurthy et al. 2017, "DeLiGAN", arXiv:1706.02071).

    m-IS = exp( E_{x_i} E_{x_j} KL(p(y|x_i) || p(y|x_j)) ),  x_i, x_j of the same predicted class

A within-class diversity measure: samples that the domain classifier puts in one class should
still have different posteriors. Higher is better; 1 when every class is a single repeated sample.

Averaging (our choice, as the paper leaves it open): the classes are the argmax of the posterior.
For each class c with n_c >= ``min_class_samples`` (at least 2) generated samples,

    D_c = 1 / (n_c (n_c - 1)) * sum_{i != j in c} KL(p_i || p_j)

over all ordered pairs of distinct samples (exact, no pair sampling), and m-IS_c = exp(D_c). The
reported value is the unweighted mean of m-IS_c over those classes, so each represented class
counts once however many samples it got (class balance is ``class_coverage``'s job). Classes with
too few samples are left out; when no class has enough, the value is 1 (no measurable diversity).

This follows the paper's formula, an expectation over independent x_i, x_j, rather than the
authors' code (``src/modified_inception_scores/cifar10/transfer_cifar10_softmax_b1.py`` of
github.com/val-iisc/deligan, commit 68451c8), which averages over all n_c² ordered pairs of a
class, each sample with itself (KL 0) included: its D_c is (n_c - 1) / n_c times ours, a bias
towards 1 for small classes. Both average m-IS_c over classes without weights.

All pairs cost O(N K), not O(N² K), because
E_j KL(p_i || p_j) = -H(p_i) - p_i · mean_j log p_j, and KL(p_i || p_i) = 0.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import check_logits, integer
from ganbench.numerics.distributions import log_softmax


def per_class_m_is(logits: np.ndarray, min_class_samples: int = 2) -> dict[int, float]:
    """exp(mean KL over ordered pairs of distinct same-class samples), per predicted class.

    Args:
        logits: float64 [M, K].
        min_class_samples: classes with fewer predicted samples are skipped (>= 2).

    Returns:
        ``{class index: m-IS_c}`` for the classes kept.
    """
    log_p = log_softmax(logits)
    p = np.exp(log_p)
    neg_entropy = (p * log_p).sum(axis=1)  # -H(p_i); log_p is finite, so no 0·log 0 issue
    predicted = log_p.argmax(axis=1)
    scores: dict[int, float] = {}
    for c in np.unique(predicted):
        members = predicted == c
        n = int(members.sum())
        if n < min_class_samples:
            continue
        mean_log_p = log_p[members].mean(axis=0)
        # Mean over all j (the j = i term is 0), rescaled to the mean over j != i.
        kl_to_rest = neg_entropy[members] - p[members] @ mean_log_p
        d = max(float(kl_to_rest.mean()) * n / (n - 1), 0.0)  # clip rounding below 0
        scores[int(c)] = float(np.exp(d))
    return scores


@metric(
    "m-is",
    space="logits",
    directions={"m_is": "higher"},
    reference="Gurumurthy et al. 2017 (arXiv:1706.02071)",
    notes=(
        "mean KL over ordered pairs of distinct samples within a predicted class, as the paper's E E; "
        "the authors' code (val-iisc/deligan) also counts each sample with itself, scaling D_c by (n_c-1)/n_c"
    ),
)
def m_is(*, real: np.ndarray, fake: np.ndarray, min_class_samples: int = 2) -> dict[str, float]:
    """Modified Inception Score of the generated set.

    Args:
        real: logits [N, K] of real images; only checked for a matching K.
        fake: logits [M, K] of generated images.
        min_class_samples: predicted classes with fewer generated samples are left out of the
            average (at least 2, the fewest that form a pair).

    Returns:
        ``{"m_is": float}`` >= 1: the unweighted mean over classes of exp(mean within-class KL).
    """
    min_class_samples = integer("min_class_samples", min_class_samples, minimum=2)  # 2: the fewest for a pair
    _, f = check_logits(real, fake, min_rows=2)
    scores = per_class_m_is(f, min_class_samples)
    value = float(np.mean(list(scores.values()))) if scores else 1.0
    return {"m_is": value}
