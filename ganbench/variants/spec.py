"""The variant contract: networks, losses, penalty, critic steps and optimiser settings.

Every variant is trained by the one loop in :mod:`ganbench.training.loop`; a variant only says
what differs between GANs: its networks (``build_*``, ``latent_dim``) and its objective (everything
else). ``NETWORKS:OBJECTIVE`` spellings combine the two halves of two variants
(:mod:`ganbench.variants.compose`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import nn

from ganbench.losses import Critic
from ganbench.variants.search_space import SearchSpace

#: The optimisers a variant can ask for (both networks use the same one).
OPTIMIZERS = ("adam", "rmsprop")

#: How a variant's D scores read (``Variant.discriminator_scores``).
DISCRIMINATOR_SCORES = ("higher-is-real", "lower-is-real", "none")

#: ``(G, D, real [B, C, H, W], generator) -> (loss, logged parts)`` of a non-adversarial objective.
JointLoss = Callable[
    [nn.Module, nn.Module, torch.Tensor, torch.Generator], tuple[torch.Tensor, dict[str, torch.Tensor]]
]

#: ``(discriminator, real [B,C,H,W], fake [B,C,H,W], generator) -> scalar`` extra D-loss term; the
#: discriminator is any callable images [B, C, H, W] -> scores [B] (a conditional D with its labels bound).
Penalty = Callable[[Critic, torch.Tensor, torch.Tensor, torch.Generator], torch.Tensor]


class ObjectiveState(Protocol):
    """What a stateful objective keeps during one training run (see ``Variant.objective_state``)."""

    def loss_keywords(self) -> dict[str, torch.Tensor]:
        """Keyword arguments for the variant's ``discriminator_loss`` at this step."""
        ...

    def update(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> None:
        """After a D step, from its scores [B] (detached): advance the state, on the device."""
        ...

    def logged(self) -> dict[str, float]:
        """Values for the loss log, read at each log interval (a host read)."""
        ...

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Everything :meth:`update` has changed, as tensors (a training checkpoint saves it; the
        caller copies them to the CPU). Configuration (BEGAN's γ) is not state: it belongs to the
        variant, which a checkpoint fingerprints."""
        ...

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Continue from ``state`` (from :meth:`state_dict`, on the training device): the next
        ``loss_keywords`` and ``update`` compute what they would have computed at the saving step."""
        ...


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
        lr_g, lr_d, betas: optimiser settings of the paper (``betas`` is Adam's; RMSprop has none).
        latent_dim: size of z.
        optimizer: ``"adam"`` or ``"rmsprop"`` (the original WGAN), for both networks.
        weight_clip: clip every D parameter to [-c, c] after each D step (the original WGAN's
            Lipschitz constraint), or None.
        spectral_norm: spectrally normalise every convolution and linear layer of D (Miyato et
            al. 2018), one power iteration per forward pass.
        discriminator_batch_norm: False removes D's batch norm layers, whatever built D: a
            per-sample gradient penalty is not defined through batch statistics (Gulrajani et
            al. 2017, section 4), so the objectives with one say False, also when they are
            combined with another variant's networks (``dcgan:wgan-gp``).
        conditional: class-conditional networks: ``build_generator(latent_dim, channels,
            image_size, num_classes)`` and ``build_discriminator(channels, image_size,
            num_classes)``; G maps (z, labels int64 [B]) and D (images, labels) (part of the
            networks half of a ``NETWORKS:OBJECTIVE`` composition).
        objective_state: for an objective with state carried across steps (BEGAN's equilibrium
            term k), a factory of a fresh :class:`ObjectiveState` per training run; the D loss is
            then called with its ``loss_keywords()``, and it is updated after every D step.
        joint_loss: a non-adversarial objective (the VAE): ``(G, D, real [B, C, H, W], generator)
            -> (loss, {"d_loss": ..., "g_loss": ...})``, one loss both networks minimise in one
            step per real batch, with the two parts the loss log records; the losses above are
            then not used.
        discriminator_scores: how the run-level measures (tournament, GAM) read D's scores:
            ``"higher-is-real"`` (logits, critics), ``"lower-is-real"`` (BEGAN's reconstruction
            error) or ``"none"`` (no discriminator that judges images: the VAE's encoder).
        composable: False when the networks and the objective only make sense together (BEGAN's
            autoencoder D and its reconstruction-error objective): ``NETWORKS:OBJECTIVE``
            spellings that split it are refused.
        search_space: the hyperparameter ranges the variant's paper or Lucic et al. 2018
            (arXiv:1711.10337, their "wide" search) tune, by setting name; see
            :mod:`ganbench.variants.search_space`.
    """

    name: str
    paper: str
    build_generator: Callable[..., nn.Module]
    build_discriminator: Callable[..., nn.Module]
    discriminator_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    generator_loss: Callable[[torch.Tensor], torch.Tensor]
    penalty: Penalty | None = None
    critic_steps: int = 1
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    latent_dim: int = 100
    optimizer: str = "adam"
    weight_clip: float | None = None
    spectral_norm: bool = False
    discriminator_batch_norm: bool = True
    conditional: bool = False
    objective_state: Callable[[], ObjectiveState] | None = None
    joint_loss: JointLoss | None = None
    discriminator_scores: str = "higher-is-real"
    composable: bool = True
    search_space: SearchSpace = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.discriminator_scores not in DISCRIMINATOR_SCORES:
            raise ValueError(
                f"variant {self.name}: discriminator_scores {self.discriminator_scores!r} is not one of "
                f"{DISCRIMINATOR_SCORES}"
            )
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"variant {self.name}: optimizer {self.optimizer!r} is not one of {OPTIMIZERS}")
