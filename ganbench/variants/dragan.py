"""DRAGAN, Kodali et al. 2017, "On Convergence and Stability of GANs" (arXiv:1705.07215).

The non-saturating GAN with a gradient penalty λ = 10 on points perturbed around the real data
(:func:`ganbench.losses.dragan_penalty`), which keeps D's gradients from sharpening around real
points, the local equilibria the paper links to mode collapse. DCGAN networks, Adam lr 2e-4,
beta1 0.5, one D step per G step; D without batch norm, as the penalty is per sample.
"""

from functools import partial

from ganbench.losses import bce_discriminator_loss, dragan_penalty, non_saturating_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import PENALTY_WIDE
from ganbench.variants.spec import Variant

VARIANTS.register(
    "dragan",
    Variant(
        name="dragan",
        paper="Kodali et al. 2017, On Convergence and Stability of GANs, arXiv:1705.07215",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=bce_discriminator_loss,
        generator_loss=non_saturating_generator_loss,
        penalty=partial(dragan_penalty, weight=10.0),
        discriminator_batch_norm=False,
        search_space=PENALTY_WIDE,
    ),
)
