"""Drawing images from a trained generator: the generated set every measure scores.

Unconditional generators take z [B, latent_dim]; class-conditional ones take (z, labels). Both
draw z the same seeded way, block after block from one generator seeded on the device, so a
conditional and an unconditional draw with the same seed use the same codes.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ganbench.images import signed_to_uint8
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import integer


def _draw(
    generator: nn.Module,
    n: int,
    latent_dim: int,
    seed: int,
    device: torch.device,
    batch_size: int,
    forward: Callable[[torch.Tensor, slice], torch.Tensor],
) -> torch.Tensor:
    """``forward(z, block)`` on seeded codes z [block, latent_dim], per block -> uint8 [n, C, H, W], CPU."""
    rng = torch.Generator(device=device).manual_seed(seed)
    generator.eval()
    images = []
    for block in chunks(n, batch_size):
        z = torch.randn(block.stop - block.start, latent_dim, generator=rng, device=device)
        images.append(signed_to_uint8(forward(z, block)).cpu())
    return torch.cat(images)


@torch.no_grad()
def sample(
    generator: nn.Module,
    n: int,
    *,
    latent_dim: int,
    seed: int,
    device: str | torch.device = "cpu",
    batch_size: int = 500,
) -> torch.Tensor:
    """Draw ``n`` images from ``generator`` with z ~ N(0, I) seeded by ``seed``.

    The codes are drawn batch after batch from one generator seeded on ``device``;
    ``batch_size`` bounds memory.

    Returns:
        uint8 [n, C, H, W] on the CPU, the generator's [-1, 1] output mapped to 0..255 and rounded.
    """
    return _draw(
        generator, n, latent_dim, seed, torch.device(device), batch_size, lambda z, block: generator(z)
    )


def balanced_labels(n: int, num_classes: int) -> torch.Tensor:
    """int64 [n]: ``0, 1, ..., num_classes - 1, 0, 1, ...``, every class as often as ``n`` allows."""
    n = integer("n", n, minimum=0)
    num_classes = integer("num_classes", num_classes, minimum=1)
    return torch.arange(n, dtype=torch.int64) % num_classes


@torch.no_grad()
def sample_conditional(
    generator: nn.Module,
    n: int,
    *,
    latent_dim: int,
    num_classes: int,
    seed: int,
    device: str | torch.device = "cpu",
    batch_size: int = 500,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``n`` images from a class-conditional ``generator(z, labels)`` with balanced labels.

    The labels are :func:`balanced_labels` (``arange(n) % num_classes``), so every class is
    asked for equally often; z is drawn exactly as :func:`sample` draws it (same seed, same codes).

    Args:
        generator: maps z [B, latent_dim] and labels int64 [B] to images [B, C, H, W] in [-1, 1].

    Returns:
        images uint8 [n, C, H, W] and the labels asked for, int64 [n], both on the CPU.
    """
    device = torch.device(device)
    labels = balanced_labels(n, num_classes)
    on_device = labels.to(device)
    images = _draw(
        generator, n, latent_dim, seed, device, batch_size, lambda z, block: generator(z, on_device[block])
    )
    return images, labels
