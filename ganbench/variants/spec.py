"""The variant contract: networks, losses, penalty, critic steps and optimiser settings.

Every variant is trained by the one loop in :mod:`ganbench.train`; a variant only says what
differs between GANs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

#: ``(discriminator, real [B,C,H,W], fake [B,C,H,W], generator) -> scalar`` extra D-loss term.
Penalty = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Generator], torch.Tensor]


@dataclass(frozen=True)
class Variant:
    """A GAN variant.

    Attributes:
        name: registry name (kebab-case).
        paper: citation shown by ``ganbench list variants``.
        build_generator: ``(latent_dim, channels, image_size) -> G``; G maps z [B, latent_dim]
            to images [B, C, H, W] in [-1, 1].
        build_discriminator: ``(channels, image_size) -> D``; D maps images to scores [B].
        discriminator_loss: ``(scores_real [B], scores_fake [B]) -> scalar``.
        generator_loss: ``(scores_fake [B]) -> scalar``.
        penalty: optional extra discriminator term (e.g. the WGAN-GP gradient penalty).
        critic_steps: discriminator steps per generator step; each consumes one real batch.
        lr_g, lr_d, betas: Adam settings of the paper.
        latent_dim: size of z.
    """

    name: str
    paper: str
    build_generator: Callable[[int, int, int], nn.Module]
    build_discriminator: Callable[[int, int], nn.Module]
    discriminator_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    generator_loss: Callable[[torch.Tensor], torch.Tensor]
    penalty: Penalty | None = None
    critic_steps: int = 1
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    latent_dim: int = 100
