"""Samples and scores from the players of a run-level measure (a variant's generator and discriminator).

Shared by the run-level measures that draw images from each variant's generator (``gam``,
``nrds``): samples are rounded to 8 bits, as every image the pipeline stores is, so no judge can
tell generated images from real ones by their number format; discriminators are run in eval mode
without gradients and their mode is restored afterwards.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganbench.images import unit_to_uint8
from ganbench.metrics.spec import GeneratorHandle
from ganbench.numerics.blocks import chunks

#: Images per generator or discriminator call.
BATCH = 500


def player_generator(seed: int, index: int) -> torch.Generator:
    """The latent stream of the player at ``index`` (in sorted name order), independent of the others',
    so a measure's value does not depend on the order the players come in."""
    state = np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(state))


@torch.no_grad()
def generate_uint8(handle: GeneratorHandle, n: int, rng: torch.Generator) -> torch.Tensor:
    """``n`` images uint8 [n, C, H, W] (CPU) from ``handle``, z ~ N(0, I) from ``rng`` (a CPU generator)."""
    out = []
    for rows in chunks(n, BATCH):
        z = torch.randn(rows.stop - rows.start, handle.latent_dim, generator=rng)
        out.append(unit_to_uint8(handle(z).float().clamp(0, 1)).cpu())
    return torch.cat(out)


@torch.no_grad()
def discriminator_scores(
    discriminator: nn.Module, images: torch.Tensor, device: torch.device
) -> torch.Tensor:
    """Raw scores float64 [N] (CPU) of ``images`` [N, C, H, W] in [-1, 1], in eval mode (mode restored)."""
    was_training = discriminator.training
    discriminator.eval()
    try:
        out = [
            discriminator(images[rows].to(device)).reshape(-1).double().cpu()
            for rows in chunks(len(images), BATCH)
        ]
    finally:
        discriminator.train(was_training)
    return torch.cat(out)
