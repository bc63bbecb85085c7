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

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import check_logits, integer
from ganbench.numerics.distributions import log_softmax
from ganbench.numerics.resampling import row_counts


def per_class_m_is(
    logits: np.ndarray, min_class_samples: int = 2, weights: np.ndarray | None = None
) -> dict[int, float]:
    """exp(mean KL over ordered pairs of distinct same-class samples), per predicted class.

    Args:
        logits: float64 [M, K].
        min_class_samples: classes with fewer predicted samples are skipped (>= 2).
        weights: how often each row was drawn into a bootstrap resample (float64 [M]), or
            ``None`` for every row once. A row's copies are not pairs of distinct samples (their
            KL is 0 and would pull m-IS towards 1), so the mean is over the pairs of distinct
            rows, each weighted by the product of their multiplicities; a class whose draws are
            all copies of one row has no pair and is skipped.

    Returns:
        ``{class index: m-IS_c}`` for the classes kept.
    """
    log_p = log_softmax(logits)
    p = np.exp(log_p)
    neg_entropy = (p * log_p).sum(axis=1)  # -H(p_i); log_p is finite, so no 0·log 0 issue
    predicted = log_p.argmax(axis=1)
    scores: dict[int, float] = {}
    if weights is not None:
        drawn = weights > 0
        for c in np.unique(predicted[drawn]):
            members = drawn & (predicted == c)
            w = weights[members]
            total = float(w.sum())
            pairs = total * total - float((w * w).sum())
            if total < min_class_samples or pairs <= 0:
                continue
            # sum over all ordered pairs (a, b) of w_a w_b KL(p_a || p_b); the a = b terms are 0
            kl_sum = total * float(w @ neg_entropy[members]) - float((w @ p[members]) @ (w @ log_p[members]))
            scores[int(c)] = float(np.exp(max(kl_sum / pairs, 0.0)))
        return scores
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


def m_is_samples(*, real: np.ndarray, fake: np.ndarray, min_class_samples: int = 2) -> PerSample:
    """The generated posteriors, once; a resample's reduction is m-IS over its rows, a row's copies
    not counted as pairs (see :func:`per_class_m_is`). Arguments as :func:`m_is`."""
    min_class_samples = integer("min_class_samples", min_class_samples, minimum=2)  # the fewest for a pair
    _, f = check_logits(real, fake, min_rows=2)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        weights = None if fake_rows is None else row_counts(fake_rows, f.shape[0])
        scores = per_class_m_is(f, min_class_samples, weights)
        return {"m_is": float(np.mean(list(scores.values()))) if scores else 1.0}

    return PerSample(n_real=0, n_fake=f.shape[0], reduce=reduce)


@metric(
    "m-is",
    space="logits",
    directions={"m_is": "higher"},
    aspects={"m_is": ("diversity",)},
    reference="Gurumurthy et al. 2017 (arXiv:1706.02071)",
    notes=(
        "mean KL over ordered pairs of distinct samples within a predicted class, as the paper's E E; "
        "the authors' code (val-iisc/deligan) also counts each sample with itself, scaling D_c by (n_c-1)/n_c"
    ),
    interval="per-sample",
    per_sample=m_is_samples,
    interval_note=(
        "m-IS recomputed on each resample of the generated posteriors, a row's copies not counted as pairs "
        "(recomputing on duplicated rows would pull every replicate towards 1)"
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
    return m_is_samples(real=real, fake=fake, min_class_samples=min_class_samples).value()
