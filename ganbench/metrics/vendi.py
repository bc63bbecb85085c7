"""The Vendi score: the effective number of distinct samples in a set, from its kernel's eigenvalues.

Friedman & Dieng 2023, "The Vendi Score: A Diversity Evaluation Metric for Machine Learning"
(TMLR, arXiv:2210.02410); order q from Pasarkar & Dieng 2023, "Cousins of the Vendi Score: A
Family of Similarity-Based Diversity Metrics for Science and Machine Learning" (arXiv:2310.12952).
Reference implementation: the PyPI package ``vendi-score`` 0.0.3, ``vendi_score/vendi.py``
(``score_dual``, ``entropy_q``) as ``vendi_score/image_utils.py``'s ``embedding_vendi_score`` calls it.

For n rows x_i [D] and a kernel with k(x, x) = 1, let λ_1..λ_n be the eigenvalues of K / n
(K_ij = k(x_i, x_j)); they are non-negative and sum to 1. The Vendi score of order q is the
exponential of their Rényi entropy of order q:

- q = 1 (default): ``exp(−Σ λ_i log λ_i)`` (Shannon);
- q = ``"inf"``: ``1 / max λ_i``;
- any other q > 0: ``(Σ λ_i^q)^(1 / (1 − q))``.

It is 1 for n copies of one row and n for n mutually orthogonal rows; it does not compare the
set with anything, so the measure reports it for the generated set (``vendi``) and, as the key
to read it against, for the real set (``vendi_real``). Higher is more diverse; a set of noise is
more diverse than the data, so a fake value far above ``vendi_real`` is no better.

Kernels (``kernel``):

- ``"cosine"`` (default): k(x, y) = x·y / (‖x‖ ‖y‖), the rows L2-normalised; what
  ``embedding_vendi_score`` computes (``score_dual`` / ``score_X`` with ``normalize=True``, the
  rows normalised by ``sklearn.preprocessing.normalize``), the package's score for embeddings.
  An all-zero row is refused here (sklearn leaves it at 0, so it adds nothing to the trace and
  the eigenvalues no longer sum to 1);
- ``"linear"``: k(x, y) = x·y on the rows as given. Then k(x, x) = ‖x‖² is not 1 and the
  eigenvalues of K / n sum to the mean squared norm, not 1; they are divided by that sum, so they
  form the distribution the definition needs and the score does not change when every feature is
  scaled by one factor. **Deviation**: ``score_dual(X, normalize=False)`` takes the raw
  eigenvalues of XᵀX / n, whose "entropy" depends on the features' units; it equals this value
  when the rows' mean squared norm is 1.

Computation (the dual form): XᵀX / n [D, D] has the same non-zero eigenvalues as X Xᵀ / n [n, n],
so the score needs only the D x D Gram, accumulated over row blocks of ``_ROW_BLOCK`` rows in
float64 (each block widened to float64 and, for the cosine kernel, normalised there; a float32
input is never copied whole). Memory: the input, one float64 block and the D x D Gram (32 MiB for
D = 2048), for any n; when n < D the n x n Gram is smaller and is used instead (as
``embedding_vendi_score`` switches to ``score_X`` then). Eigenvalues by ``numpy.linalg.eigvalsh``.

**Deviation** (rank): eigenvalues at or below ``max λ · size · eps`` (float64 eps, size the
Gram's side; numpy's ``matrix_rank`` rule) are rounding noise of a rank-deficient Gram and are
counted as 0, negative ones included; ``entropy_q`` keeps every eigenvalue > 0, which for q < 1
lets hundreds of ~1e-17 round-off eigenvalues add to Σ λ^q. For q >= 1 the two agree to rounding.

Per class (``vendi-per-class``, needs ``real_labels`` and ``fake_labels``): the Vendi score of
each class's rows, averaged over the classes present in that set (unweighted), for the generated
set (``vendi_per_class``) and the real set (``vendi_per_class_real``). A generator that repeats
one image per class (collapsed within each class) can score well on the whole-set Vendi, and 1
here. The unweighted class mean is ganbench's aggregation; a class with one row scores 1. It is a
measure of its own because an extra input a measure declares is required (the measure is skipped
without it), so ``vendi`` itself runs on unlabelled sets.

Shapes: ``real`` [N, D], ``fake`` [M, D] features (any extractor's; ``embedding_vendi_score``
embeds images with Inception-v3's pool layer by default); labels int [N] / [M].

No bootstrap interval: a resample with replacement duplicates rows, and duplicates are exactly
what the score counts as lost diversity (n orthogonal rows resampled score about 0.56 n at q = 1
and n / 2 at q = 2), so every replicate would be biased low.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_features, check_labels

KERNELS = ("cosine", "linear")
_ROW_BLOCK = 1024  # rows widened to float64 at a time: 16 MiB at D = 2048
_EPS = float(np.finfo(np.float64).eps)

_NO_INTERVAL = (
    "a resample with replacement duplicates rows, which the score counts as lost diversity, so every "
    "replicate would be biased low"
)


def check_order(q: object) -> float:
    """The order q as a float in (0, inf]: a finite number > 0, or the string ``"inf"``.

    Infinity is spelled ``"inf"`` (as ``vendi_score.vendi.entropy_q`` spells it): a float infinity
    cannot be recorded (the records are strict JSON), so ``float("inf")`` is refused.
    """
    if isinstance(q, str):
        if q.strip().lower() == "inf":
            return math.inf
        raise ValueError(f"q must be a number > 0 or the string 'inf'; got {q!r}")
    if isinstance(q, bool) or not isinstance(q, numbers.Real) or not math.isfinite(float(q)):
        raise ValueError(f"q must be a finite number > 0, or the string 'inf' for order infinity; got {q!r}")
    if float(q) <= 0:
        raise ValueError(f"q must be > 0 (q = 0 would count rank, which rounding decides); got {q!r}")
    return float(q)


def check_kernel(kernel: object) -> str:
    """``kernel`` if it is one of :data:`KERNELS`, else ``ValueError``."""
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}; got {kernel!r}")
    return str(kernel)


def _block(x: np.ndarray, rows: slice, kernel: str, name: str) -> np.ndarray:
    """Rows ``rows`` of ``x`` in float64, L2-normalised for the cosine kernel."""
    b = np.asarray(x[rows], dtype=np.float64)
    if kernel == "cosine":
        norms = np.sqrt(np.einsum("ij,ij->i", b, b))
        zero = np.flatnonzero(norms == 0)
        if len(zero):
            raise ValueError(
                f"{name} row {rows.start + int(zero[0])} is all zeros: the cosine kernel needs non-zero "
                "rows (drop such rows, or use kernel='linear')"
            )
        b = b / norms[:, None]
    return b


def kernel_eigenvalues(x: np.ndarray, kernel: str, name: str = "x") -> np.ndarray:
    """The non-zero eigenvalues of K / n for the rows of ``x`` [n, D], scaled to sum to 1: float64,
    descending; eigenvalues within the rank tolerance (module docstring) dropped."""
    n, d = x.shape
    if n < d:  # the n x n Gram is the smaller one
        b = _block(x, slice(0, n), kernel, name)
        gram = b @ b.T
    else:
        gram = np.zeros((d, d))
        for rows in chunks(n, _ROW_BLOCK):
            b = _block(x, rows, kernel, name)
            gram += b.T @ b
    total = float(np.trace(gram))
    if not total > 0:
        raise ValueError(f"{name} has only zero rows: the kernel is 0 and the Vendi score undefined")
    eig = np.linalg.eigvalsh(gram)[::-1] / total
    return eig[eig > eig[0] * gram.shape[0] * _EPS]


def vendi_of(x: np.ndarray, q: float, kernel: str, name: str = "x") -> float:
    """The Vendi score of order ``q`` (float, ``math.inf`` allowed) of the rows of ``x`` [n, D]."""
    p = kernel_eigenvalues(x, kernel, name)
    if q == 1.0:
        entropy = -float(np.sum(p * np.log(p)))
    elif math.isinf(q):
        entropy = -math.log(float(p[0]))
    else:
        entropy = math.log(float(np.sum(p**q))) / (1.0 - q)
    return math.exp(entropy)


def _checked(
    real: object, fake: object, q: object, kernel: object
) -> tuple[np.ndarray, np.ndarray, float, str]:
    order, kernel = check_order(q), check_kernel(kernel)
    r, f = as_features("real", real), as_features("fake", fake)
    if r.shape[1] != f.shape[1]:
        raise ValueError(
            f"real and fake must have the same number of columns (same feature space); "
            f"got {r.shape[1]} and {f.shape[1]}"
        )
    return r, f, order, kernel


@metric(
    "vendi",
    space="features",
    directions={"vendi": "higher", "vendi_real": "higher"},
    aspects={"vendi": ("diversity",), "vendi_real": ("diversity",)},
    reference=(
        "Friedman & Dieng 2023 (arXiv:2210.02410), order q of Pasarkar & Dieng 2023 (arXiv:2310.12952); "
        "agrees with vendi_score.vendi.score_dual (vendi-score 0.0.3)"
    ),
    notes=(
        "linear kernel: eigenvalues divided by their sum (vendi-score leaves them raw); eigenvalues "
        "below the rank tolerance counted as 0; q = infinity spelled 'inf'"
    ),
    min_samples=1,
    interval="none",
    interval_note=_NO_INTERVAL,
)
def vendi(
    *, real: np.ndarray, fake: np.ndarray, q: float | str = 1.0, kernel: str = "cosine"
) -> dict[str, float]:
    """The Vendi score of the generated set and, for comparison, of the real set.

    Args:
        real: real features [N, D].
        fake: generated features [M, D].
        q: the order: a number > 0 (1: Shannon, the paper's default) or ``"inf"``.
        kernel: ``"cosine"`` (rows L2-normalised, the reference's embedding score) or ``"linear"``
            (rows as given; eigenvalues normalised to sum 1).

    Returns:
        ``{"vendi": score of fake, "vendi_real": score of real}``, each in [1, min(n, D)];
        higher is more diverse.
    """
    r, f, order, kernel = _checked(real, fake, q, kernel)
    return {"vendi": vendi_of(f, order, kernel, "fake"), "vendi_real": vendi_of(r, order, kernel, "real")}


def _per_class_mean(x: np.ndarray, labels: np.ndarray, q: float, kernel: str, name: str) -> float:
    """The mean over the classes in ``labels`` of the Vendi score of that class's rows of ``x``."""
    scores = [vendi_of(x[labels == y], q, kernel, f"{name} (class {y})") for y in np.unique(labels)]
    return float(np.mean(scores))


@metric(
    "vendi-per-class",
    space="features",
    directions={"vendi_per_class": "higher", "vendi_per_class_real": "higher"},
    aspects={"vendi_per_class": ("diversity",), "vendi_per_class_real": ("diversity",)},
    reference=(
        "Friedman & Dieng 2023 (arXiv:2210.02410) per class, averaged over classes (ganbench's "
        "aggregation); each class's score as vendi"
    ),
    notes="the unweighted mean over the classes present in each set; a one-row class scores 1",
    extra_inputs=("real_labels", "fake_labels"),
    min_samples=1,
    interval="none",
    interval_note=_NO_INTERVAL,
)
def vendi_per_class(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    real_labels: np.ndarray,
    fake_labels: np.ndarray,
    q: float | str = 1.0,
    kernel: str = "cosine",
) -> dict[str, float]:
    """The mean per-class Vendi score of the generated set and of the real set.

    Args:
        real: real features [N, D]; real_labels: int [N], their classes.
        fake: generated features [M, D]; fake_labels: int [M], the classes they were generated for.
        q, kernel: as :func:`vendi`.

    Returns:
        ``{"vendi_per_class": mean over fake's classes, "vendi_per_class_real": mean over real's}``.
    """
    r, f, order, kernel = _checked(real, fake, q, kernel)
    y_real = check_labels("real_labels", real_labels, len(r))
    y_fake = check_labels("fake_labels", fake_labels, len(f))
    return {
        "vendi_per_class": _per_class_mean(f, y_fake, order, kernel, "fake"),
        "vendi_per_class_real": _per_class_mean(r, y_real, order, kernel, "real"),
    }
