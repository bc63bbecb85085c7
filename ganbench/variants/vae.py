"""The VAE baseline of Lucic et al. 2018 (arXiv:1711.10337): Kingma & Welling 2014,
"Auto-Encoding Variational Bayes" (arXiv:1312.6114), on networks of the GANs' size.

The decoder p(x | z) is the shared DCGAN generator (so it is sampled and scored exactly like the
GANs: z ~ N(0, I), G(z) in [-1, 1]); the encoder q(z | x) is the DCGAN D's convolutions with a
linear map to the mean and log-variance (:class:`~ganbench.networks.ConvEncoder`). One step per
real batch minimises the negative evidence lower bound, per image:

    E_q[−log p(x | z)] + KL(q(z | x) ‖ N(0, I)),

with one reparameterised draw z = μ + σ ε (ε from the run's seeded generator), a Bernoulli
likelihood of the pixel intensities (x + 1) / 2 in [0, 1] given (G(z) + 1) / 2 (as Kingma &
Welling's MNIST experiments), summed over pixels, and the closed-form Gaussian KL summed over
z. The loss log's ``d_loss`` column is the KL term (the encoder's, in the discriminator's
place) and ``g_loss`` the reconstruction term (the decoder's). Adam lr 2e-4, beta1 0.5, as the
GANs. It has no discriminator, so run-level measures that need one (tournament, GAM) leave it
out, and it is not split by ``NETWORKS:OBJECTIVE`` spellings.
"""

from __future__ import annotations

from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.networks import ConvEncoder, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import LogUniform, Uniform
from ganbench.variants.spec import Variant

LATENT_DIM = 100


def negative_elbo(
    decoder: nn.Module, encoder: nn.Module, real: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The batch mean of −ELBO for real images [B, C, H, W] in [-1, 1], and its two parts."""
    mean, log_variance = encoder(real)
    noise = torch.randn(mean.shape, generator=generator, device=mean.device)
    z = mean + torch.exp(0.5 * log_variance) * noise
    probabilities = (decoder(z) + 1.0) / 2.0
    targets = (real + 1.0) / 2.0
    batch = real.shape[0]
    reconstruction = F.binary_cross_entropy(probabilities, targets, reduction="sum") / batch
    kl = -0.5 * torch.sum(1.0 + log_variance - mean.pow(2) - log_variance.exp()) / batch
    return reconstruction + kl, {"d_loss": kl.detach(), "g_loss": reconstruction.detach()}


def _unused_adversarial_loss(*scores: torch.Tensor) -> torch.Tensor:
    raise RuntimeError("the VAE trains on its joint loss (negative_elbo); it has no adversarial loss")


VARIANTS.register(
    "vae",
    Variant(
        name="vae",
        paper="Kingma & Welling 2014, Auto-Encoding Variational Bayes, arXiv:1312.6114 (the baseline)",
        build_generator=ConvGenerator,
        build_discriminator=partial(ConvEncoder, latent_dim=LATENT_DIM),
        discriminator_loss=_unused_adversarial_loss,
        generator_loss=_unused_adversarial_loss,
        latent_dim=LATENT_DIM,
        joint_loss=negative_elbo,
        discriminator_scores="none",
        composable=False,
        search_space={"lr": LogUniform(1e-5, 1e-2), "beta1": Uniform(0.0, 1.0), "beta2": Uniform(0.0, 1.0)},
    ),
)
