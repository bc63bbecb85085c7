"""Files a training run leaves next to its records: weights, loss log and curves, sample grids,
nearest-neighbour grids and latent interpolations."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt
import torch
from torchvision.utils import make_grid, save_image

from ganbench.images import uint8_to_pixels, uint8_to_unit
from ganbench.numerics.checks import integer
from ganbench.numerics.distances import KNN, nearest_neighbours
from ganbench.training.loop import TrainResult

if TYPE_CHECKING:
    from ganbench.metrics.spec import GeneratorHandle

GRID_PADDING = 2  # pixels between the tiles of every grid, mid-grey


def save_networks(result: TrainResult, directory: Path) -> None:
    """``generator.pt`` and ``discriminator.pt`` (state dicts) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    torch.save(result.generator.state_dict(), directory / "generator.pt")
    torch.save(result.discriminator.state_dict(), directory / "discriminator.pt")


def save_losses(losses: list[dict[str, float]], directory: Path, title: str) -> None:
    """``losses.csv`` (one row per log interval) and ``losses.png`` (D and G loss against kimg)."""
    directory.mkdir(parents=True, exist_ok=True)
    if not losses:
        return
    with open(directory / "losses.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(losses[0]))
        writer.writeheader()
        writer.writerows(losses)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    kimg = [row["kimg"] for row in losses]
    ax.plot(kimg, [row["d_loss"] for row in losses], label="discriminator")
    ax.plot(kimg, [row["g_loss"] for row in losses], label="generator")
    ax.set_xlabel("kimg (real images shown to D / 1000)")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(directory / "losses.png", dpi=100)
    plt.close(fig)


def save_sample_grid(images: torch.Tensor, path: Path, n: int = 64) -> None:
    """The first ``n`` of ``images`` (uint8 [N, C, H, W]) as a PNG grid."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(uint8_to_unit(images[:n]), path, nrow=int(n**0.5), padding=GRID_PADDING, pad_value=0.5)


def save_nearest_neighbours(
    fake: torch.Tensor,
    train: torch.Tensor,
    path: Path,
    n: int = 8,
    k: int = 5,
    *,
    device: torch.device | str = "cpu",
) -> KNN:
    """The first ``n`` generated images, each beside its ``k`` nearest training images, as a PNG.

    The qualitative check Borji (2018, "Pros and cons of GAN evaluation measures",
    arXiv:1802.03446) lists first: a generator that memorised its training set shows samples
    that are near-copies of their neighbours. Distances are Euclidean in pixel space (flattened
    [0, 1] pixels), canonical (:func:`~ganbench.numerics.distances.nearest_neighbours`).

    Layout: one row per generated image: the generated image, a white bar, then its neighbours,
    nearest first.

    Args:
        fake: generated images, uint8 [N, C, H, W] (the first ``n`` are shown).
        train: the training images, uint8 [M, C, H, W].
        path: the PNG to write.
        n: generated images shown (at most N).
        k: neighbours per image (at most M).
        device: where the distance tiles are computed; the result does not depend on it.

    Returns:
        the neighbours: distances float64 [n, k] and indices into ``train`` int64 [n, k].
    """
    n = integer("n", n, minimum=1)
    k = integer("k", k, minimum=1)
    if fake.shape[1:] != train.shape[1:]:
        raise ValueError(
            f"fake and train images must have the same shape; got {tuple(fake.shape[1:])} and "
            f"{tuple(train.shape[1:])}"
        )
    shown = fake[: min(n, len(fake))]
    knn = nearest_neighbours(
        uint8_to_pixels(shown).reshape(len(shown), -1),
        uint8_to_pixels(train).reshape(len(train), -1),
        k=min(k, len(train)),
        device=device,
    )
    tiles = torch.stack([torch.cat([shown[i : i + 1], train[knn.indices[i]]]) for i in range(len(shown))])
    grid = make_grid(
        uint8_to_unit(tiles.flatten(0, 1)), nrow=tiles.shape[1], padding=GRID_PADDING, pad_value=0.5
    )
    split = GRID_PADDING + fake.shape[-1] + GRID_PADDING // 2  # inside the padding after the first column
    bar = torch.ones(grid.shape[0], grid.shape[1], max(2, fake.shape[-1] // 7))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(torch.cat([grid[:, :, :split], bar, grid[:, :, split:]], dim=2), path)
    return knn


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical linear interpolation between the rows of ``a`` and ``b`` [R, D] at fractions ``t`` [S].

    White 2016, "Sampling Generative Networks" (arXiv:1609.04468): for a Gaussian latent, the
    straight line between two codes passes near the origin, where codes are improbable (their
    norm concentrates at sqrt(D)); the great-circle path keeps the norm typical. Where two codes
    are (anti)parallel the angle is 0 (or pi) and the linear path is used.

    Returns:
        [R, S, D]: row r, step s is the code at fraction ``t[s]`` of the way from ``a[r]`` to ``b[r]``.
    """
    cos = torch.nn.functional.cosine_similarity(a, b, dim=1).clamp(-1.0, 1.0)
    omega = torch.acos(cos)[:, None, None]  # [R, 1, 1]
    sin = torch.sin(omega)
    t = t[None, :, None]  # [1, S, 1]
    linear = (1.0 - t) * a[:, None] + t * b[:, None]
    spherical = (torch.sin((1.0 - t) * omega) * a[:, None] + torch.sin(t * omega) * b[:, None]) / sin.clamp(
        min=1e-12
    )
    return torch.where(sin > 1e-6, spherical, linear)


@torch.no_grad()
def save_interpolations(
    generator: GeneratorHandle, path: Path, seed: int, rows: int = 8, steps: int = 10
) -> torch.Tensor:
    """Latent interpolations as a PNG: each row walks from one code to another in ``steps`` images.

    Both ends of a row are drawn z ~ N(0, I) (a CPU generator seeded by ``seed``, so the codes
    do not depend on the device) and joined by spherical interpolation (:func:`slerp`). Smooth,
    plausible transitions suggest the generator learnt a continuous mapping; abrupt jumps or
    repeated images along a row suggest memorisation or mode collapse (Radford et al. 2016,
    DCGAN, arXiv:1511.06434, section 6.1).

    Args:
        generator: the trained generator (``module``, ``latent_dim``, ``device``), images in [0, 1].
        path: the PNG to write.
        seed: draws the end codes.
        rows: interpolations (pairs of codes).
        steps: images per row, both ends included (at least 2).

    Returns:
        the images, float32 [rows * steps, C, H, W] in [0, 1] on the CPU, row after row.
    """
    rows = integer("rows", rows, minimum=1)
    steps = integer("steps", steps, minimum=2)
    rng = torch.Generator().manual_seed(seed)
    ends = torch.randn(2, rows, generator.latent_dim, generator=rng)
    z = slerp(ends[0], ends[1], torch.linspace(0.0, 1.0, steps)).reshape(rows * steps, -1)
    was_training = generator.module.training
    generator.module.eval()
    try:
        images = generator(z).cpu()
    finally:
        generator.module.train(was_training)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(images, path, nrow=steps, padding=GRID_PADDING, pad_value=0.5)
    return images
