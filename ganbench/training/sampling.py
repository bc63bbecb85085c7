"""Drawing images from a trained generator: the generated set every measure scores."""

from __future__ import annotations

import torch
from torch import nn

from ganbench.images import signed_to_uint8
from ganbench.numerics.blocks import chunks


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
    device = torch.device(device)
    rng = torch.Generator(device=device).manual_seed(seed)
    generator.eval()
    images = []
    for block in chunks(n, batch_size):
        z = torch.randn(block.stop - block.start, latent_dim, generator=rng, device=device)
        images.append(signed_to_uint8(generator(z)).cpu())
    return torch.cat(images)
