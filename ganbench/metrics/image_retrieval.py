"""Image retrieval: do real queries find generated or real images as their nearest neighbour?

Wang, Zhang & van de Weijer 2016, "Ensembles of Generative Adversarial Networks" (arXiv:1612.00991)
judge generators by image retrieval: real images are queries, their nearest neighbours are looked up
among images in a feature space, and the distances and the source of the retrieved images show which
real images a generator models badly. Borji 2019 ("Pros and Cons of GAN Evaluation Measures",
arXiv:1802.03446) lists it as the image-retrieval measure. No reference implementation was used;
this is the idea in one fixed form, with a real half in the pool so that the share has a chance level:

- queries: the real held-out features ``real`` [N, D];
- pool: the generated features ``fake`` [M, D] and an equal number n of real *training* features
  (``train`` [T, D]); n = min(M, T), the larger of the two cut to n rows drawn without replacement
  by ``numpy.random.default_rng(seed)`` (rows kept in order; a set of size n is used as it is);
- for query i, d_fake(i) and d_real(i) are the canonical Euclidean distances
  (:mod:`ganbench.numerics.distances`) to its nearest generated and its nearest training pool row.

Keys:

- ``image_retrieval_share`` (target 0.5): the share of queries whose nearest pool row is generated,
  a query with d_fake = d_real exactly counting 1/2. A generator indistinguishable from the data
  gives 0.5 (the two halves of the pool are then exchangeable); far-off samples give about 0; samples
  that sit closer to the held-out data than other real data does (copies of it, or a generator
  squeezed onto the densest regions in high dimension) give more than 0.5;
- ``image_retrieval_distance`` (lower): the mean of d_fake over the queries;
- ``image_retrieval_distance_ratio`` (target 1.0): mean d_fake / mean d_real, the same distance
  measured against the real pool half, so that the feature scale cancels. When mean d_real is 0
  (every query duplicated in the training set) it is 1.0 if mean d_fake is 0 too, else infinity.

Exact ties count 1/2 because the distances are canonical: the same two rows give the same bits in
every pass, so a generated copy of a training pool row ties with it on every machine.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_matrix, check_seed, same_width
from ganbench.numerics.distances import nearest_neighbour_distance
from ganbench.numerics.resampling import take_rows


def equal_pool_halves(fake: np.ndarray, train: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``fake`` [M, D] and ``train`` [T, D] cut to n = min(M, T) rows each: the larger one subsampled
    without replacement by ``default_rng(seed)``, rows kept in order; a set of n rows is returned as it is."""
    n = min(fake.shape[0], train.shape[0])
    rng = np.random.default_rng(seed)

    def cut(x: np.ndarray) -> np.ndarray:
        return x if x.shape[0] == n else x[np.sort(rng.choice(x.shape[0], size=n, replace=False))]

    return cut(fake), cut(train)


def distance_ratio(mean_fake: float, mean_real: float) -> float:
    """mean d_fake / mean d_real; 1.0 when both are 0, infinity when only the denominator is."""
    if mean_real > 0.0:
        return mean_fake / mean_real
    return 1.0 if mean_fake == 0.0 else math.inf


def image_retrieval_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> PerSample:
    """Per-query distances to the nearest generated and nearest training pool row (float64 [N] each),
    the pool fixed; a resample's keys are the shares and means over the drawn queries. Arguments as
    :func:`image_retrieval`."""
    seed = check_seed(seed)
    q = as_matrix("real", real)
    f = as_matrix("fake", fake)
    t = as_matrix("train", train)
    same_width(real=q, fake=f, train=t)
    f, t = equal_pool_halves(f, t, seed)
    d_fake = nearest_neighbour_distance(q, f, device=device)
    d_real = nearest_neighbour_distance(q, t, device=device)
    # 1 where the generated row is strictly nearer, 1/2 on an exact tie, 0 where the training row is
    fake_first = (d_fake < d_real) + 0.5 * (d_fake == d_real)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        to_fake = take_rows(d_fake, real_rows)
        mean_fake, mean_real = float(to_fake.mean()), float(take_rows(d_real, real_rows).mean())
        return {
            "image_retrieval_share": float(take_rows(fake_first, real_rows).mean()),
            "image_retrieval_distance": mean_fake,
            "image_retrieval_distance_ratio": distance_ratio(mean_fake, mean_real),
        }

    return PerSample(n_real=q.shape[0], n_fake=0, reduce=reduce)


@metric(
    "image-retrieval",
    space="features",
    directions={
        "image_retrieval_share": 0.5,
        "image_retrieval_distance": "lower",
        "image_retrieval_distance_ratio": 1.0,
    },
    reference=(
        "Wang, Zhang & van de Weijer 2016 (arXiv:1612.00991), as listed by Borji 2019 (arXiv:1802.03446)"
    ),
    extra_inputs=("train",),
    runtime=("device",),
    notes=(
        "after the paper's idea, no reference code: held-out real queries, a pool of the generated set and "
        "as many training rows (the larger side cut with seed); exact distance ties count 1/2"
    ),
    min_samples=1,
    interval="per-sample",
    per_sample=image_retrieval_samples,
    interval_note=(
        "resamples the queries' nearest-neighbour distances, the pool (generated set and training "
        "sample) fixed: the interval leaves out the variation of the generated set"
    ),
    aspects={
        "image_retrieval_share": ("fidelity", "diversity"),
        "image_retrieval_distance": ("fidelity", "diversity"),
        "image_retrieval_distance_ratio": ("fidelity", "diversity"),
    },
)
def image_retrieval(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Nearest-neighbour retrieval of real held-out queries from a pool of generated and real training rows.

    Args:
        real: real held-out features [N, D], the queries (N >= 1).
        fake: generated features [M, D] (M >= 1), one half of the pool.
        train: real training features [T, D] (T >= 1), the other half; both halves get n = min(M, T)
            rows (module docstring).
        seed: draws the rows of the larger pool half when M != T.
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``image_retrieval_share`` in [0, 1] (target 0.5), ``image_retrieval_distance`` >= 0 (lower is
        better, in feature units) and ``image_retrieval_distance_ratio`` >= 0 (target 1.0).
    """
    return image_retrieval_samples(real=real, fake=fake, train=train, seed=seed, device=device).value()
