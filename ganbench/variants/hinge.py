"""The hinge-loss GAN of Lim & Ye 2017 (Geometric GAN, arXiv:1705.02894), on the DCGAN networks.

D minimises E max(0, 1 − D(x)) + E max(0, 1 + D(G(z))), G minimises −E D(G(z)): the loss of
SN-GAN (Miyato et al. 2018) and of most GANs since, here without spectral normalisation so its
effect can be told apart (``sngan`` adds it). Adam lr 2e-4, beta1 0.5, one D step per G step.
"""

from ganbench.losses import hinge_discriminator_loss, hinge_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE
from ganbench.variants.spec import Variant

VARIANTS.register(
    "hinge",
    Variant(
        name="hinge",
        paper="Lim & Ye 2017, Geometric GAN, arXiv:1705.02894 (hinge loss)",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=hinge_discriminator_loss,
        generator_loss=hinge_generator_loss,
        search_space=ADAM_WIDE,
    ),
)
