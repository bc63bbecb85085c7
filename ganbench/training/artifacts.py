"""Files a training run leaves next to its records: weights, loss log and curves, sample grids."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt
import torch
from torchvision.utils import save_image

from ganbench.images import uint8_to_unit
from ganbench.training.loop import TrainResult


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
    save_image(uint8_to_unit(images[:n]), path, nrow=int(n**0.5), padding=2, pad_value=0.5)
