"""MIND, the Monge Inception Distance: a scaled sliced squared 2-Wasserstein distance of features.

Berthet et al., "MIND: Monge Inception Distance for Generative Models Evaluation" (arXiv:2605.06797),
as implemented in torch-fidelity's ``torch_fidelity/metric_mind.py`` (github.com/toshas/torch-fidelity,
commit a51aa64, May 2026; unreleased 0.5.0, the installed 0.4.0 has no MIND), which this follows:

    MIND = (3 d) · (1 / P) Σ_p (1 / n) Σ_k (sort(X u_p)_k − sort(Y u_p)_k)²

with X, Y the two feature sets cut to the same n rows, d the feature dimension and u_p, p = 1..P,
random unit directions. The scale α = 3d makes an isotropic shift by a vector v give about
3‖v‖² (E[(uᵀv)²] = ‖v‖²/d for u uniform on the sphere). It is a squared distance: no square root.

Same seed, same directions as torch-fidelity: a CPU ``torch.Generator`` seeded with ``seed``
(their ``rng_seed``, default 2020) first draws ``randperm`` subsets when the sizes differ (the
generated set, their ``input1``, first; then the real set, ``input2``), then the [P, d]
``randn`` directions, normalised to unit length. Projections are float32 as theirs (the inputs
are cast to float32); the means over rows and directions are float64 here (theirs float32), so
values agree to float32 rounding. Their default feature layer is Inception-v3's 2048-d pool
(``feature_layer_mind = "2048"``); here MIND reads whatever ``features`` the extractor gives.

Unlike ``swd`` (Karras et al.'s W1 of Laplacian-pyramid image patches, x 1e3), MIND compares the
extractor's features; both use the 1-D core of :mod:`ganbench.numerics.sliced`.

Shapes: real [N, d], fake [M, d]. Memory: the two sets as float32 plus two [32, min(N, M)]
projection blocks at a time.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_pair, check_seed, positive_int
from ganbench.numerics.sliced import sliced_wasserstein

_SCALE_PER_DIMENSION = 3.0  # torch-fidelity's alpha = 3 d


@metric(
    "mind",
    space="features",
    directions={"mind": "lower"},
    reference=(
        "Berthet et al. (arXiv:2605.06797); torch-fidelity's metric_mind.py "
        "(monge_inception_distance, commit a51aa64)"
    ),
    notes=(
        "torch-fidelity's directions and subsets for the same seed (the generated set is its input1); means "
        "over rows and directions in float64 (theirs float32)"
    ),
    interval="none",
    interval_note=(
        "no per-sample decomposition (sorted projections of the whole sets), so a resample costs a whole "
        "evaluation, and the plain bootstrap of an empirical Wasserstein distance is not consistent when the "
        "two distributions are close (Sommerfeld & Munk 2018, JRSS-B 80(1)); compare seeds instead"
    ),
)
def mind(
    *, real: np.ndarray, fake: np.ndarray, projections: int = 1000, seed: int = 2020
) -> dict[str, float]:
    """Monge Inception Distance between the real and generated feature sets.

    Args:
        real: real features [N, d] (torch-fidelity's ``input2``).
        fake: generated features [M, d] (its ``input1``).
        projections: random unit directions P (their ``mind_num_projections``, 1000).
        seed: seeds the subsets (when N != M, each set is cut to min(N, M) random rows) and the
            directions (their ``rng_seed``, 2020).

    Returns:
        ``mind``: 3d times the mean over directions of the squared 1-D W2 distance; >= 0, 0 for
        identical sets, lower is better.
    """
    projections = positive_int("projections", projections)
    seed = check_seed(seed)
    r, f = as_pair(real, fake, keep_float32=True)
    d = r.shape[1]
    n = min(r.shape[0], f.shape[0])
    gen = torch.Generator(device="cpu").manual_seed(seed)
    fake_t = torch.from_numpy(f)
    real_t = torch.from_numpy(r)
    if f.shape[0] != r.shape[0]:
        if f.shape[0] > n:
            fake_t = fake_t[torch.randperm(f.shape[0], generator=gen)[:n]]
        if r.shape[0] > n:
            real_t = real_t[torch.randperm(r.shape[0], generator=gen)[:n]]
    dirs = torch.randn(projections, d, generator=gen, dtype=torch.float32)
    dirs /= dirs.norm(dim=1, keepdim=True).clamp_min(1e-12)
    fake_t = fake_t.to(torch.float32)
    real_t = real_t.to(torch.float32)
    w2_sq = sliced_wasserstein(fake_t, real_t, dirs.T, power=2)
    return {"mind": _SCALE_PER_DIMENSION * d * w2_sq}
