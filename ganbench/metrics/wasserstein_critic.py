"""Wasserstein distance estimated by an independent critic trained with the WGAN-GP objective.

Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN" (arXiv:1701.07875) read the critic's
objective ``E f(x) − E f(G(z))`` over 1-Lipschitz ``f`` as an estimate of the Wasserstein-1
distance between the data and the model; Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville 2017,
"Improved Training of Wasserstein GANs" (arXiv:1704.00028) enforce the Lipschitz constraint with
a gradient penalty and note (Sec. 5.3) that the negative critic loss tracks sample quality.

Here the critic is *not* the one a GAN was trained with: a fresh critic is trained on one half
of the real and one half of the generated images and evaluated on the other halves, so the
value measures the distributions, not how well the critic memorised its training images:

1. each set is split in two at random (``seed``): ``n // 2`` training images, the rest test;
2. critic: the WGAN-GP critic of :mod:`ganbench.networks` (``ConvDiscriminator`` without
   batch norm) when the image size can be reached by stride-2 layers (28, 32, 64, ...), else
   ``MLPDiscriminator``; inputs are mapped from [0, 1] to [-1, 1] as in training;
3. ``steps`` Adam steps (lr 1e-4, betas (0, 0.9), Algorithm 1 of Gulrajani et al.) on
   ``E f(fake) − E f(real) + λ E (‖∇f(x̂)‖ − 1)²`` with batches of ``batch_size`` drawn with
   replacement from each training half, λ = ``gp_weight``;
4. value: ``E f(real_test) − E f(fake_test)`` on the test halves.

The critic's value is a lower bound on W1 (over the functions the critic can represent) that
grows with ``steps`` and capacity until the critic converges: compare values only under the same
parameters, which the records carry. Typical sizes at the defaults, 1,000 vs 1,000 28 x 28
digits: about 0 ± 0.2 for two halves of one real set, tens for uniform noise.

Execution: ``device`` (a runtime keyword, not recorded) is where the critic trains; the value
depends on it only through floating-point rounding.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ganbench.images import unit_to_signed
from ganbench.losses import gradient_penalty, wasserstein_critic_loss
from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.networks import ConvDiscriminator, MLPDiscriminator, base_resolution
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_same_shape, check_seed, positive_int, real_number
from ganbench.numerics.resampling import take_rows
from ganbench.seeding import seeded

_BETAS = (0.0, 0.9)
_EVAL_BATCH = 1024


def build_critic(channels: int, height: int, width: int, critic_width: int) -> nn.Module:
    """The WGAN-GP critic for images [B, C, H, W] -> scores [B] (global RNG: call inside ``seeded``).

    A DCGAN-style convolutional critic without batch norm when ``H == W`` can be halved down to
    a base of at most 7 pixels, else a fully connected one on the flattened image.
    """
    if height == width:
        try:
            base_resolution(height)
        except ValueError:
            pass
        else:
            return ConvDiscriminator(channels, height, width=critic_width, batch_norm=False)
    # the MLP flattens its input first, so "C*H*W channels of 1 x 1 pixels" is any [C, H, W]
    return MLPDiscriminator(channels * height * width, 1)


def _split(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(n, generator=generator)
    return order[: n // 2], order[n // 2 :]


@torch.no_grad()
def _scores(critic: nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Critic scores of ``x`` [N, C, H, W] in [-1, 1] -> float64 [N] on the CPU."""
    out = [critic(x[rows].to(device)).double().cpu() for rows in chunks(x.shape[0], _EVAL_BATCH)]
    return torch.cat(out)


def wasserstein_critic_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    steps: int = 500,
    batch_size: int = 64,
    lr: float = 1e-4,
    gp_weight: float = 10.0,
    critic_width: int = 64,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> PerSample:
    """The trained critic's scores of the real and generated test halves (float64 [N - N // 2],
    [M - M // 2]), the critic trained once; a resample's reduction is the difference of the means
    of the drawn scores and its standard error. Arguments as :func:`wasserstein_critic`."""
    x = check_images("real", real, min_images=4)
    y = check_images("fake", fake, min_images=4)
    check_same_shape(x, y)
    steps = positive_int("steps", steps)
    batch_size = positive_int("batch_size", batch_size)
    critic_width = positive_int("critic_width", critic_width)
    lr = real_number("lr", lr, low=0.0, open_low=True)
    gp_weight = real_number("gp_weight", gp_weight, low=0.0)
    seed = check_seed(seed)
    dev = torch.device(device)

    split_rng = torch.Generator().manual_seed(seed)
    real_train, real_test = _split(x.shape[0], split_rng)
    fake_train, fake_test = _split(y.shape[0], split_rng)
    xr = unit_to_signed(x[real_train]).to(dev)
    xf = unit_to_signed(y[fake_train]).to(dev)

    _, channels, height, width = x.shape
    with seeded(seed, dev):
        critic = build_critic(channels, height, width, critic_width).to(dev)
    critic.train()
    opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=_BETAS)
    batch_rng = torch.Generator().manual_seed(seed + 1)
    penalty_rng = torch.Generator(device=dev).manual_seed(seed + 2)
    for _ in range(steps):
        ir = torch.randint(xr.shape[0], (batch_size,), generator=batch_rng).to(dev)
        jf = torch.randint(xf.shape[0], (batch_size,), generator=batch_rng).to(dev)
        br, bf = xr[ir], xf[jf]
        loss = wasserstein_critic_loss(critic(br), critic(bf))
        if gp_weight > 0:
            loss = loss + gradient_penalty(critic, br, bf, penalty_rng, weight=gp_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    critic.eval()

    scores_real = _scores(critic, unit_to_signed(x[real_test]), dev)
    scores_fake = _scores(critic, unit_to_signed(y[fake_test]), dev)
    if not (torch.isfinite(scores_real).all() and torch.isfinite(scores_fake).all()):
        raise ValueError("the critic diverged (non-finite scores); try a smaller lr or more gp_weight")

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        f_real, f_fake = take_rows(scores_real, real_rows), take_rows(scores_fake, fake_rows)
        value = float(f_real.mean() - f_fake.mean())
        se = math.sqrt(
            float(f_real.var(correction=1)) / f_real.numel()
            + float(f_fake.var(correction=1)) / f_fake.numel()
        )
        return {"wasserstein_critic": value, "wasserstein_critic_std": se}

    return PerSample(n_real=scores_real.numel(), n_fake=scores_fake.numel(), reduce=reduce)


@metric(
    "wasserstein-critic",
    space="pixels",
    directions={"wasserstein_critic": "lower"},
    reference=(
        "Arjovsky et al. 2017 (arXiv:1701.07875); WGAN-GP critic of Gulrajani et al. 2017 "
        "(arXiv:1704.00028), trained afresh on half of each set, evaluated on the other half"
    ),
    runtime=("device",),
    min_samples=4,
    interval="per-sample",
    per_sample=wasserstein_critic_samples,
    interval_note=(
        "resamples the critic's scores of the test halves; the critic is trained once, so the spread "
        "from training it (another seed, another critic) is not in the interval"
    ),
)
def wasserstein_critic(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    steps: int = 500,
    batch_size: int = 64,
    lr: float = 1e-4,
    gp_weight: float = 10.0,
    critic_width: int = 64,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Held-out WGAN-GP critic estimate of the Wasserstein-1 distance between real and generated images.

    Args:
        real: real images [N, C, H, W] in [0, 1], N >= 4 (half train, half test).
        fake: generated images [M, C, H, W] in [0, 1], M >= 4.
        steps: critic optimiser steps (one real and one generated batch each).
        batch_size: images per batch from each training half (drawn with replacement).
        lr: Adam learning rate (betas (0, 0.9)).
        gp_weight: λ of the gradient penalty.
        critic_width: channels of the first convolution of the critic (64 as the WGAN-GP critic).
        seed: drives the split, the critic's initialisation, the batches and the penalty's
            interpolation weights.
        device: where the critic trains (runtime option, not recorded).

    Returns:
        ``wasserstein_critic``: ``mean f(real_test) − mean f(fake_test)``, in the units of a
        (softly) 1-Lipschitz function of images in [-1, 1] (L2 norm over all pixels): about 0
        for identical distributions (it can come out slightly negative: the critic learnt
        nothing that carries over to the test halves), larger the further apart they are; lower
        is better. ``wasserstein_critic_std``: the standard error of that difference of two
        test-set means for the trained critic, ``sqrt(var f(real_test) / n_r + var f(fake_test) / n_f)``
        (unbiased variances); it does not include the spread from training the critic (another
        ``seed`` gives another critic; compare seeds for that).
    """
    return wasserstein_critic_samples(
        real=real,
        fake=fake,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        gp_weight=gp_weight,
        critic_width=critic_width,
        seed=seed,
        device=device,
    ).value()
