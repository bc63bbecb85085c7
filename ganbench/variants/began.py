"""BEGAN, Berthelot, Schumm & Metz 2017, "Boundary Equilibrium GANs" (arXiv:1703.10717).

D is an autoencoder; its score of an image is the reconstruction error L(v) = mean |v − D(v)|
(:class:`~ganbench.networks.AutoencoderDiscriminator`). D minimises L(x) − k_t L(G(z)), G
minimises L(G(z)), and the equilibrium term k_t (k_0 = 0) follows
k_{t+1} = clip(k_t + λ_k (γ L(x) − L(G(z))), 0, 1), which keeps E L(G(z)) = γ E L(x): γ sets
how diverse the samples are kept. The convergence measure M = L(x) + |γ L(x) − L(G(z))| is
logged with k (``losses.csv``). γ = 0.5 and λ_k = 0.001 as in the paper; Adam lr 1e-4, beta1 0.5;
no learning-rate decay. G is the shared DCGAN generator (as in Lucic et al. 2018, where every
model shares one architecture). k is updated from each D step's own real and generated batch
(the paper updates D and G on one z; ganbench's G step draws its own, as for every variant).
The autoencoder D and this objective belong together, so ``began`` is not split by
``NETWORKS:OBJECTIVE`` spellings.
"""

from __future__ import annotations

import torch

from ganbench.networks import AutoencoderDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE, Uniform
from ganbench.variants.spec import Variant

GAMMA = 0.5
LAMBDA_K = 0.001


def began_discriminator_loss(real: torch.Tensor, fake: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """L(x) − k L(G(z)) from reconstruction errors [B] of real and generated images."""
    return real.mean() - k * fake.mean()


def began_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """L(G(z)): G wants its images reconstructed well."""
    return fake.mean()


class BeganEquilibrium:
    """The equilibrium term k and the convergence measure M of one training run (on the device)."""

    def __init__(self, gamma: float = GAMMA, lambda_k: float = LAMBDA_K) -> None:
        self.gamma, self.lambda_k = gamma, lambda_k
        self.k = torch.zeros(())
        self.convergence = torch.full((), float("nan"))

    def loss_keywords(self) -> dict[str, torch.Tensor]:
        return {"k": self.k}

    def update(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> None:
        real, fake = real_scores.mean(), fake_scores.mean()
        balance = self.gamma * real - fake
        self.k = torch.clamp(self.k.to(real.device) + self.lambda_k * balance, 0.0, 1.0)
        self.convergence = real + balance.abs()

    def logged(self) -> dict[str, float]:
        return {"k": float(self.k), "convergence": float(self.convergence)}

    def state_dict(self) -> dict[str, torch.Tensor]:
        """k and the last M (scalar tensors, where they are); γ and λ_k are the variant's settings."""
        return {"k": self.k, "convergence": self.convergence}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Continue from a :meth:`state_dict` (tensors on the training device)."""
        self.k, self.convergence = state["k"], state["convergence"]


VARIANTS.register(
    "began",
    Variant(
        name="began",
        paper="Berthelot et al. 2017, BEGAN: Boundary Equilibrium GANs, arXiv:1703.10717 (gamma 0.5)",
        build_generator=ConvGenerator,
        build_discriminator=AutoencoderDiscriminator,
        discriminator_loss=began_discriminator_loss,
        generator_loss=began_generator_loss,
        lr_g=1e-4,
        lr_d=1e-4,
        objective_state=BeganEquilibrium,
        composable=False,
        search_space={**ADAM_WIDE, "gamma": Uniform(0.0, 1.0)},
    ),
)
