"""Gaussian Parzen-window log-likelihood in pixel space.

The protocol of Goodfellow et al. 2014, "Generative Adversarial Nets" (arXiv:1406.2661), after
Breuleux, Bengio & Vincent 2011, "Quickly generating representative samples from an RBM-derived
process" (Neural Computation 23(8)): fit an isotropic Gaussian kernel density on the generated
samples, choose its width on a validation set the generator never trained on, and report the mean
log-likelihood of other held-out real images (their MNIST GAN: 225 ± 2 nats).

Theis, van den Oord & Bethge 2016, "A note on the evaluation of generative models"
(arXiv:1511.01844) show why this number is unreliable in high dimensions: the Parzen estimate is
far from the true log-likelihood even with millions of samples, a model that stores a few
training images can beat a good one, and it ranks models differently from sample quality. It is
here for comparison with the literature, not as a score to optimise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_same_shape, check_seed, positive_int, real_number
from ganbench.numerics.resampling import take_rows

_ROWS = 512  # query rows per block
_COLS = 4096  # kernel centres per block: a block of squared distances is 512 x 4096 float64 = 16 MB


def parzen_log_density(x: torch.Tensor, centres: torch.Tensor, sigmas: Sequence[float]) -> torch.Tensor:
    """Log-density of each row of ``x`` under Gaussian Parzen windows on ``centres``, for several widths.

    log p_s(x) = logsumexp_j(-||x - c_j||² / (2 s²)) - log M - (D / 2) log(2 pi s²)

    Args:
        x: query points [N, D].
        centres: kernel centres [M, D] (the generated samples).
        sigmas: kernel standard deviations s [S].

    Returns:
        float64 [N, S], in nats.

    Squared distances and the log-sum-exp are float64; both loops are blocked, so memory stays at
    a few 512 x 4096 (and 4096 x D) float64 blocks whatever N and M are.
    """
    n, d = x.shape
    m = centres.shape[0]
    coef = [-0.5 / s**2 for s in sigmas]
    # inputs are cast to float64 block by block, so no float64 copy of a whole set is made
    sq_c = torch.cat([centres[cols].to(torch.float64).pow(2).sum(dim=1) for cols in chunks(m, _COLS)])
    out = torch.empty((n, len(sigmas)), dtype=torch.float64)
    for rows in chunks(n, _ROWS):
        xb = x[rows].to(torch.float64)
        sq_x = (xb * xb).sum(dim=1, keepdim=True)
        acc = np.full((xb.shape[0], len(sigmas)), -math.inf)
        for cols in chunks(m, _COLS):
            d2 = sq_x + sq_c[cols].unsqueeze(0) - 2.0 * (xb @ centres[cols].to(torch.float64).T)
            # log-sum-exp by hand, in numpy (its exp is several times faster than torch's on CPU):
            # one shift by the nearest centre serves every width
            block = d2.numpy()
            np.maximum(block, 0.0, out=block)
            nearest = block.min(axis=1, keepdims=True)
            block -= nearest
            buf = np.empty_like(block)
            for k, c in enumerate(coef):
                np.multiply(block, c, out=buf)
                np.exp(buf, out=buf)
                lse = np.log(buf.sum(axis=1)) + c * nearest[:, 0]
                np.logaddexp(acc[:, k], lse, out=acc[:, k])
        out[rows] = torch.from_numpy(acc)
    norm = torch.tensor(
        [math.log(m) + 0.5 * d * math.log(2.0 * math.pi * s**2) for s in sigmas], dtype=torch.float64
    )
    return out - norm


def parzen_ll_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    n_val: int = 1000,
    sigma_min: float = 0.01,
    sigma_max: float = 1.0,
    n_sigmas: int = 21,
    seed: int = 0,
) -> PerSample:
    """Per-image log-likelihoods of the test part of ``real`` (float64 [N_test]), the width chosen
    and the kernels centred on the full generated set; a resample's reduction is the mean and
    standard error over the drawn test images. Arguments as :func:`parzen_ll`."""
    x = check_images("real", real, min_images=2)
    y = check_images("fake", fake)
    check_same_shape(x, y)
    n_val = positive_int("n_val", n_val)
    n_sigmas = positive_int("n_sigmas", n_sigmas)
    sigma_min = real_number("sigma_min", sigma_min, low=0.0, open_low=True)
    sigma_max = real_number("sigma_max", sigma_max, low=sigma_min)
    seed = check_seed(seed)
    if n_sigmas > 1 and sigma_min == sigma_max:
        raise ValueError("sigma_min == sigma_max: set n_sigmas=1 to use a fixed width")

    sigmas = np.geomspace(sigma_min, sigma_max, n_sigmas).tolist()
    centres = y.flatten(1)
    if n_sigmas == 1:
        best, test = sigmas[0], x
    else:
        if x.shape[0] < 3:
            raise ValueError(
                f"real needs at least 3 images to choose the kernel width (1 to choose, 2 to report on); "
                f"got {x.shape[0]}; or fix the width with n_sigmas=1"
            )
        order = torch.from_numpy(np.random.default_rng(seed).permutation(x.shape[0]))
        n_pick = min(n_val, x.shape[0] // 2)
        val, test = x[order[:n_pick]], x[order[n_pick:]]
        val_ll = parzen_log_density(val.flatten(1), centres, sigmas).mean(dim=0)
        k = int(torch.argmax(val_ll))
        best = sigmas[k]
        if k in (0, n_sigmas - 1):
            warnings.warn(
                f"parzen_ll: the best kernel width {best:.4g} is at the end of the grid "
                f"[{sigma_min:.4g}, {sigma_max:.4g}]; widen sigma_min/sigma_max",
                stacklevel=2,
            )
    per_image = parzen_log_density(test.flatten(1), centres, [best])[:, 0]

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        ll = take_rows(per_image, real_rows)
        return {
            "parzen_ll": float(ll.mean()),
            "parzen_ll_std": float(ll.std(correction=1) / math.sqrt(ll.shape[0])),
        }

    return PerSample(n_real=per_image.shape[0], n_fake=0, reduce=reduce)


@metric(
    "parzen-ll",
    space="pixels",
    directions={"parzen_ll": "higher"},
    reference=(
        "Goodfellow et al. 2014 (arXiv:1406.2661), Breuleux et al. 2011; unreliable, see Theis et al. 2016 "
        "(arXiv:1511.01844)"
    ),
    notes=(
        "the width is chosen on n_val held-out real images (seeded split of real) and the value is the "
        "mean over the other held-out images; the authors used MNIST train[50000:60000] for validation"
    ),
    interval="per-sample",
    per_sample=parzen_ll_samples,
    interval_note=(
        "resamples the test images' log-likelihoods; the kernel centres (the generated set) and the "
        "width are fixed, so the spread from the generated set is not in the interval"
    ),
)
def parzen_ll(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    n_val: int = 1000,
    sigma_min: float = 0.01,
    sigma_max: float = 1.0,
    n_sigmas: int = 21,
    seed: int = 0,
) -> dict[str, float]:
    """Mean Parzen-window log-likelihood (nats) of held-out real images under a kernel density on the fakes.

    The kernel width is chosen on data the generator never trained on and the value is reported on
    other such data, as in Goodfellow et al. 2014: their code (``parzen_ll.py`` of
    github.com/goodfeli/adversarial, commit 1720041) chooses it on 1000 images of MNIST
    train[50000:60000], which the GAN did not see, and reports the MNIST test set. Here both come
    from ``real``, the held-out images: a seeded permutation of its N rows puts the first
    min(``n_val``, N // 2) in the validation part and the rest in the test part. (Choosing on
    training images favours a generator that copies them: its centres sit on the validation
    points, so the smallest width wins, however badly it fits unseen images.)

    Args:
        real: held-out real images (not used in training) [N, C, H, W] in [0, 1]; N >= 2 with a
            fixed width, N >= 3 when the width is chosen.
        fake: generated images [M, C, H, W] in [0, 1]: the kernel centres.
        n_val: the most held-out images used to choose the width (at most half of them).
        sigma_min, sigma_max, n_sigmas: the candidate widths, ``n_sigmas`` points evenly spaced
            in log scale from ``sigma_min`` to ``sigma_max`` (in pixel units, [0, 1] scale). Set
            ``n_sigmas=1`` and ``sigma_min=sigma_max`` to fix the width: then nothing is chosen and
            all N images are the test part. A warning is raised when the best width is at an end
            of the grid.
        seed: seeds the validation/test split.

    Returns:
        ``parzen_ll``: mean over the test part of log p(x), images flattened to D = C·H·W
        dimensions; ``parzen_ll_std``: its standard error std(log p(x)) / sqrt(N_test) (the "± 2"
        of Goodfellow et al.), not the spread of log p(x) itself.
    """
    return parzen_ll_samples(
        real=real,
        fake=fake,
        n_val=n_val,
        sigma_min=sigma_min,
        sigma_max=sigma_max,
        n_sigmas=n_sigmas,
        seed=seed,
    ).value()
