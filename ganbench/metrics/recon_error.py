"""Reconstruction error: how closely the generator can reproduce held-out real images.

Xiang & Li 2017, "On the Effects of Batch and Weight Normalization in Generative Adversarial
Networks" (arXiv:1704.03971): hold out test images x, search the latent code of each by gradient
descent on ``‖G(z) − x‖²`` with the generator fixed, and report the mean squared error of the
best reconstruction. A generator that covers the data can reproduce unseen real images; one
that dropped modes (or produces one image) cannot, whatever its samples look like.

Protocol here:

1. ``n_images`` real images are drawn without replacement with ``seed`` (all of them when
   ``real`` holds fewer; the pipeline's ``real`` is the held-out test split);
2. for each, ``restarts`` starting codes z₀ ~ N(0, I) (seeded) are optimised independently by
   Adam (``lr``, default betas) for ``steps`` steps on the per-pixel MSE between ``G(z)`` (in
   [0, 1], the ``pixels`` range of :class:`GeneratorHandle`) and x; z is unconstrained (the
   paper adds no prior term either);
3. the error of an image is the lowest MSE seen over all restarts and all iterates, so extra
   steps or restarts can only lower it.

Xiang & Li start from z = 0 and use RMSProp; random restarts make the search less sensitive
to a bad basin. ``fake`` is accepted (the metric contract) and unused: the generator itself
is the input. Adam is element-wise, so optimising many codes in one batch is the same as
optimising each alone (the generator is in eval mode, so batch norm uses running statistics).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganbench.metrics.spec import GeneratorHandle, PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_seed, positive_int, real_number
from ganbench.numerics.resampling import take_rows

_CODES_PER_BATCH = 1024  # codes (image x restart) optimised at once; does not change the value


def reconstruct(
    generator: GeneratorHandle,
    targets: torch.Tensor,
    z0: torch.Tensor,
    *,
    steps: int,
    lr: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Optimise codes ``z0`` [B, latent_dim] so that ``generator(z)`` matches ``targets`` [B, C, H, W].

    Returns:
        The lowest per-pixel MSE of each row over all iterates (float64 [B], on the CPU) and
        the code that reached it ([B, latent_dim], on ``z0``'s device).
    """
    z = z0.detach().clone().requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    best = torch.full((z0.shape[0],), math.inf, dtype=torch.float64, device=z0.device)
    best_z = z0.detach().clone()
    for step in range(steps + 1):
        out = generator(z).to(targets.device)
        per_image = ((out - targets) ** 2).flatten(1).mean(dim=1)
        with torch.no_grad():
            err = per_image.detach().double().to(best.device)
            better = err < best
            best = torch.where(better, err, best)
            best_z[better] = z.detach()[better]
        if step == steps:
            break
        # the sum keeps each code's gradient independent of the others in the batch
        if not per_image.requires_grad:  # a generator that ignores z: nothing to optimise
            break
        (grad,) = torch.autograd.grad(per_image.sum(), z, allow_unused=True)
        z.grad = torch.zeros_like(z) if grad is None else grad
        opt.step()
    return best.cpu(), best_z


def recon_error_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    generator: GeneratorHandle,
    n_images: int = 100,
    steps: int = 500,
    lr: float = 0.05,
    restarts: int = 3,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> PerSample:
    """The best reconstruction error of each chosen real image (float64 [n]), optimised once; a
    resample's reduction is the mean and standard error over the drawn images. Arguments as
    :func:`recon_error`."""
    del fake
    x = check_images("real", real, min_images=1)
    n_images = positive_int("n_images", n_images)
    steps = positive_int("steps", steps)
    restarts = positive_int("restarts", restarts)
    lr = real_number("lr", lr, low=0.0, open_low=True)
    seed = check_seed(seed)
    dev = generator.device if device is None else torch.device(device)

    rng = torch.Generator().manual_seed(seed)
    n = min(n_images, x.shape[0])
    chosen = torch.randperm(x.shape[0], generator=rng)[:n]
    # starts drawn up front in one order (image-major), so chunking cannot change them
    z0 = torch.randn(n, restarts, generator.latent_dim, generator=rng)
    targets = x[chosen][:, None].expand(n, restarts, *x.shape[1:])

    codes = z0.reshape(n * restarts, -1)
    flat_targets = targets.reshape(n * restarts, *x.shape[1:])
    with torch.no_grad():
        made = tuple(generator(codes[:1].to(dev)).shape[1:])
    if made != tuple(x.shape[1:]):
        raise ValueError(f"the generator makes images of shape {made}; real holds {tuple(x.shape[1:])}")
    best = torch.empty(n * restarts, dtype=torch.float64)
    for rows in chunks(n * restarts, _CODES_PER_BATCH):
        target = flat_targets[rows].to(dev)
        best[rows], _ = reconstruct(generator, target, codes[rows].to(dev), steps=steps, lr=lr)
    per_image = best.view(n, restarts).min(dim=1).values

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        errors = take_rows(per_image, real_rows)
        out = {"recon_error": float(errors.mean())}
        if n > 1:
            out["recon_error_std"] = float(errors.std(correction=1)) / math.sqrt(n)
        return out

    return PerSample(n_real=n, n_fake=0, reduce=reduce)


@metric(
    "recon-error",
    space="pixels",
    directions={"recon_error": "lower"},
    reference="Xiang & Li 2017 (arXiv:1704.03971), latent search by Adam with random restarts",
    extra_inputs=("generator",),
    runtime=("device",),
    interval="per-sample",
    per_sample=recon_error_samples,
    interval_note=(
        "resamples the chosen real images' best reconstruction errors, each found once by the latent "
        "search (the generator is what is measured and is fixed)"
    ),
)
def recon_error(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    generator: GeneratorHandle,
    n_images: int = 100,
    steps: int = 500,
    lr: float = 0.05,
    restarts: int = 3,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> dict[str, float]:
    """Mean per-pixel squared error of the best reconstruction ``G(z*)`` of held-out real images.

    Args:
        real: held-out real images [N, C, H, W] in [0, 1].
        fake: generated images; unused (the generator is queried directly).
        generator: the trained generator, z [B, latent_dim] -> images [B, C, H, W] in [0, 1].
        n_images: real images reconstructed (``min(n_images, N)`` are used).
        steps: Adam steps per start.
        lr: Adam learning rate for z.
        restarts: random starts per image; the best is kept.
        seed: drives the choice of images and the starting codes.
        device: where targets and codes live (runtime option, not recorded); default: the
            generator's device.

    Returns:
        ``recon_error``: mean over the images of the best per-pixel MSE (pixels in [0, 1], so
        between 0 and 1); lower is better. ``recon_error_std``: its standard error, std over
        images / sqrt(number of images) (absent when only one image is used).
    """
    return recon_error_samples(
        real=real,
        fake=fake,
        generator=generator,
        n_images=n_images,
        steps=steps,
        lr=lr,
        restarts=restarts,
        seed=seed,
        device=device,
    ).value()
