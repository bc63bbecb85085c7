"""GAN losses on raw discriminator scores [B] (logits for the BCE losses), and the gradient penalties."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

#: What a penalty differentiates: images [B, C, H, W] -> scores [B] (a network, or a conditional
#: one with its labels bound).
Critic = Callable[[torch.Tensor], torch.Tensor]


def bce_discriminator_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """-log D(x) - log(1 - D(G(z))) (Goodfellow et al. 2014, arXiv:1406.2661), on logits."""
    return F.binary_cross_entropy_with_logits(
        real, torch.ones_like(real)
    ) + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))


def non_saturating_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """-log D(G(z)): the practical generator loss suggested by Goodfellow et al. 2014."""
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))


def minimax_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """log(1 - D(G(z))): the original saturating minimax objective (Goodfellow et al. 2014)."""
    return -F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))


def least_squares_discriminator_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """½(D(x) − 1)² + ½D(G(z))², the a=0, b=1 coding of Mao et al. 2017 (arXiv:1611.04076)."""
    return 0.5 * ((real - 1.0) ** 2).mean() + 0.5 * (fake**2).mean()


def least_squares_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """½(D(G(z)) − 1)², c=1 (Mao et al. 2017)."""
    return 0.5 * ((fake - 1.0) ** 2).mean()


def wasserstein_critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """E f(G(z)) − E f(x) (Arjovsky et al. 2017, arXiv:1701.07875)."""
    return fake.mean() - real.mean()


def wasserstein_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """−E f(G(z))."""
    return -fake.mean()


def gradient_penalty(
    critic: Critic,
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator,
    weight: float = 10.0,
) -> torch.Tensor:
    """λ E (‖∇f(x̂)‖₂ − 1)² on random interpolates x̂ (Gulrajani et al. 2017, arXiv:1704.00028).

    Args:
        real, fake: [B, C, H, W]; ``generator`` draws the interpolation weights.
    """
    eps = torch.rand(real.shape[0], 1, 1, 1, generator=generator, device=real.device)
    return _unit_gradient_penalty(critic, eps * real + (1.0 - eps) * fake, weight)


def _unit_gradient_penalty(critic: Critic, points: torch.Tensor, weight: float) -> torch.Tensor:
    """λ mean over the points [B, C, H, W] of (‖∇ critic(point)‖₂ − 1)², differentiable (double backward)."""
    points = points.requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(points).sum(), points, create_graph=True)
    return weight * ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


def hinge_discriminator_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """E max(0, 1 − D(x)) + E max(0, 1 + D(G(z))): the hinge loss of Lim & Ye 2017 (Geometric GAN,
    arXiv:1705.02894), as used with spectral normalisation by Miyato et al. 2018 (arXiv:1802.05957)."""
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


def hinge_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """−E D(G(z)) (Lim & Ye 2017; Miyato et al. 2018)."""
    return -fake.mean()


def dragan_penalty(
    discriminator: Critic,
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator,
    weight: float = 10.0,
    spread: float = 0.5,
) -> torch.Tensor:
    """λ E (‖∇D(x̂)‖₂ − 1)² on points x̂ near the real data (Kodali et al. 2017, "On Convergence and
    Stability of GANs", arXiv:1705.07215, their DRAGAN).

    x̂ = x + α (x_p − x), x_p = x + ``spread`` · std(x) · u with u ~ U[0, 1] per element and
    α ~ U[0, 1] per sample; std(x) is that of the real batch. ``fake`` is not used: the
    penalty regularises D around the data, not between data and samples.

    Args:
        real, fake: [B, C, H, W]; ``generator`` draws u and α.
    """
    del fake
    noise = torch.rand(real.shape, generator=generator, device=real.device)
    perturbed = real + spread * real.std() * noise
    alpha = torch.rand(real.shape[0], 1, 1, 1, generator=generator, device=real.device)
    return _unit_gradient_penalty(discriminator, real + alpha * (perturbed - real), weight)
