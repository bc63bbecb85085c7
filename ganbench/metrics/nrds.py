"""Normalized Relative Discriminative Score (NRDS): how long one discriminator takes to see through a model.

Zhang, Zhang & Wang 2018, "Decoupled Learning for Conditional Adversarial Networks" (WACV 2018,
arXiv:1801.06790), section 5; listed by Borji 2019 (arXiv:1802.03446). Reference implementation:
the authors' github ZZUTK/Decoupled-Learning-Conditional-GAN, ``NRDS/NRDS.py`` (training) and
``NRDS/NRDS.m`` (the score).

One binary classifier D is trained from scratch to tell real images (label 1) from the generated
images of *all* the compared models pooled (label 0). After every epoch, D's mean output
("probability real", a sigmoid) on each model's samples is recorded; a model whose samples D
keeps calling real for longer is harder to tell from real. Its curve's area A_i over the epochs
(trapezoid rule, unit spacing: MATLAB's ``trapz`` as in ``NRDS.m``) is normalised over the models:
``NRDS_i = A_i / Σ_j A_j``. The values sum to 1 over the models of one comparison (they are
relative: a value means something only beside the others of the same run); higher is better.

As the reference: D is a DCGAN-style stack of stride-2 convolutions without batch norm (here
ganbench's WGAN-GP critic network, :func:`ganbench.metrics.wasserstein_critic.build_critic`, with
a sigmoid on its score), trained with Adam (lr 2e-4, β1 = 0.5) on binary cross-entropy; each
epoch shuffles the real images and the pooled generated images and takes ``min(N_real,
N_generated) // batch_size`` steps of one real and one generated batch.

Departures (also in ``notes``):
- the curve of each model is D's mean output on ``n_test`` *held-out* samples of it, drawn apart
  from the ``n_samples`` it trains on (the reference scores the training samples themselves, so
  its curves also measure how fast D memorises them);
- ``epochs`` = 10 and batches of 64 instead of the reference's 100 epochs of single images (a CPU
  budget; the ranking settles within a few epochs on digits), and a smaller network (4 x 4
  kernels, ``critic_width`` channels, two layers at 28 x 28; the reference: 5 x 5, 64-512 channels,
  four layers, a 1024-unit dense layer);
- the real images are the held-out real set the run-level measures receive (``real``).

With ``artifact_dir``, ``nrds_curves.csv`` holds the curves: one row per epoch, D's mean output on
each model's held-out samples and on the real images it trains on.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ganbench.images import uint8_to_signed, unit_to_signed
from ganbench.metrics._players import generate_uint8, player_generator
from ganbench.metrics.spec import Player, metric
from ganbench.metrics.wasserstein_critic import build_critic
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_seed, integer, positive_int, real_number
from ganbench.seeding import seeded

_BETAS = (0.5, 0.999)
_EVAL_BATCH = 500


def scores_from_curves(curves: Mapping[str, np.ndarray]) -> dict[str, float]:
    """NRDS from the per-epoch curves (``NRDS.m``): name -> float [E] -> name -> A_i / Σ_j A_j.

    A_i is the trapezoid area with unit spacing, ``Σ_e (c[e] + c[e + 1]) / 2`` (E >= 2).
    """
    areas = {name: float(np.sum((c[:-1] + c[1:]) / 2)) for name, c in curves.items()}
    total = sum(areas.values())
    if not total > 0:
        raise ValueError("the discriminator called every generated sample fake from the first epoch on")
    return {name: area / total for name, area in areas.items()}


@torch.no_grad()
def _mean_output(net: torch.nn.Module, images: torch.Tensor, device: torch.device) -> float:
    """Mean sigmoid of D's scores over ``images`` [N, C, H, W] in [-1, 1], in float64."""
    total = 0.0
    for rows in chunks(len(images), _EVAL_BATCH):
        total += float(torch.sigmoid(net(images[rows].to(device)).double()).sum())
    return total / len(images)


def write_curves(directory: Path, curves: Mapping[str, np.ndarray], real_curve: np.ndarray) -> None:
    """``nrds_curves.csv`` in ``directory``: columns ``epoch``, one per model, ``real`` (see the module)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "nrds_curves.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", *curves, "real"])
        for e in range(len(real_curve)):
            writer.writerow(
                [e + 1, *(repr(float(c[e])) for c in curves.values()), repr(float(real_curve[e]))]
            )


@metric(
    "nrds",
    space="models",
    level="run",
    directions={"nrds": "higher"},
    reference=(
        "Zhang, Zhang & Wang 2018 (arXiv:1801.06790), NRDS; follows the authors' NRDS.py / NRDS.m "
        "(ZZUTK/Decoupled-Learning-Conditional-GAN) but for held-out curves and a CPU-sized D"
    ),
    runtime=("device", "artifact_dir"),
    notes=(
        "curves on held-out samples of each model (the reference scores D's training samples); "
        "10 epochs of batches of 64 with a small DCGAN-style D (the reference: 100 epochs of single "
        "images, a 4-layer 64-512-channel D); values are shares summing to 1 over the run's variants"
    ),
    min_samples=2,
    interval="none",
    interval_note="run-level: one discriminator trained on all the variants' samples, no sets to resample",
    aspects={"nrds": ("fidelity", "diversity")},
)
def nrds(
    *,
    real: np.ndarray,
    players: Mapping[str, Player],
    n_samples: int = 1000,
    n_test: int = 500,
    epochs: int = 10,
    batch_size: int = 64,
    lr: float = 2e-4,
    critic_width: int = 64,
    seed: int = 0,
    device: str | torch.device = "cpu",
    artifact_dir: Path | None = None,
) -> dict[str, dict[str, float]]:
    """NRDS of every player's generator (discriminators unused).

    Args:
        real: real held-out images, pixels [N, C, H, W] in [0, 1], N >= 2 (D's real class).
        players: variant name -> :class:`~ganbench.metrics.spec.Player`, at least two.
        n_samples: images per generator in D's generated class (pooled over the generators).
        n_test: held-out images per generator, scored after every epoch.
        epochs: passes of D over ``min(N, n_samples · K) // batch_size`` pairs of batches (>= 2:
            the area needs two points).
        batch_size: real and generated images per step (each).
        lr: Adam learning rate (β = (0.5, 0.999)).
        critic_width: channels of D's first convolution.
        seed: D's initialisation, the batches and the latent codes (each generator its own stream,
            so the value does not depend on the order of ``players``).
        device: where D trains (runtime, not recorded).
        artifact_dir: where to write ``nrds_curves.csv`` (runtime; nothing is written when None).

    Returns:
        Per variant: ``nrds``, its share of the summed curve areas (the shares sum to 1).
    """
    names = sorted(players)
    if len(names) < 2:
        raise ValueError(f"NRDS compares at least two players (variants); got {len(names)}")
    n_samples = positive_int("n_samples", n_samples)
    n_test = positive_int("n_test", n_test)
    epochs = integer("epochs", epochs, minimum=2)
    batch_size = positive_int("batch_size", batch_size)
    lr = real_number("lr", lr, low=0.0, open_low=True)
    critic_width = positive_int("critic_width", critic_width)
    seed = check_seed(seed)
    pixels = check_images("real", real, min_images=2)
    dev = torch.device(device)

    x_real = unit_to_signed(pixels)
    train_parts, held_out = [], {}
    for index, name in enumerate(names):
        rng = player_generator(seed, index)
        images = uint8_to_signed(generate_uint8(players[name].generator, n_samples + n_test, rng))
        if images.shape[1:] != x_real.shape[1:]:
            raise ValueError(
                f"generator of {name!r} makes images of shape {tuple(images.shape[1:])}; "
                f"real images are {tuple(x_real.shape[1:])}"
            )
        train_parts.append(images[:n_samples])
        held_out[name] = images[n_samples:]
    x_fake = torch.cat(train_parts)

    _, channels, height, width = x_real.shape
    with seeded(seed, dev):
        net = build_critic(channels, height, width, critic_width).to(dev)
    optimiser = torch.optim.Adam(net.parameters(), lr=lr, betas=_BETAS)
    batch_rng = torch.Generator().manual_seed(seed + 1)
    batch = min(batch_size, len(x_real), len(x_fake))
    steps = min(len(x_real), len(x_fake)) // batch
    curves = {name: np.empty(epochs) for name in names}
    real_curve = np.empty(epochs)
    for epoch in range(epochs):
        net.train()
        real_order = torch.randperm(len(x_real), generator=batch_rng)
        fake_order = torch.randperm(len(x_fake), generator=batch_rng)
        for step in range(steps):
            rows = slice(step * batch, (step + 1) * batch)
            logits_real = net(x_real[real_order[rows]].to(dev))
            logits_fake = net(x_fake[fake_order[rows]].to(dev))
            loss = F.binary_cross_entropy_with_logits(
                logits_real, torch.ones_like(logits_real)
            ) + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
        net.eval()
        for name in names:
            curves[name][epoch] = _mean_output(net, held_out[name], dev)
        real_curve[epoch] = _mean_output(net, x_real, dev)
    if artifact_dir is not None:
        write_curves(Path(artifact_dir), curves, real_curve)
    return {name: {"nrds": value} for name, value in scores_from_curves(curves).items()}
