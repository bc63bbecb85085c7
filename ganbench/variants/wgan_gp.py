"""WGAN-GP, Gulrajani et al. 2017 (arXiv:1704.00028): a critic without batch norm, gradient
penalty λ=10, 5 critic steps per generator step, Adam lr 1e-4, betas (0, 0.9) (their Algorithm 1)."""

from functools import partial

from ganbench.losses import gradient_penalty, wasserstein_critic_loss, wasserstein_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import PENALTY_WIDE
from ganbench.variants.spec import Variant

VARIANTS.register(
    "wgan-gp",
    Variant(
        name="wgan-gp",
        paper="Gulrajani et al. 2017, Improved Training of Wasserstein GANs, arXiv:1704.00028",
        build_generator=ConvGenerator,
        build_discriminator=partial(ConvDiscriminator, batch_norm=False),
        discriminator_loss=wasserstein_critic_loss,
        generator_loss=wasserstein_generator_loss,
        penalty=partial(gradient_penalty, weight=10.0),
        critic_steps=5,
        lr_g=1e-4,
        lr_d=1e-4,
        betas=(0.0, 0.9),
        discriminator_batch_norm=False,  # its own critic has none; this removes it from other networks
        search_space=PENALTY_WIDE,
    ),
)
