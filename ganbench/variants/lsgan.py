"""LSGAN, Mao et al. 2017 (arXiv:1611.04076): least-squares losses (a=0, b=c=1) on the DCGAN networks."""

from ganbench.losses import least_squares_discriminator_loss, least_squares_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE
from ganbench.variants.spec import Variant

VARIANTS.register(
    "lsgan",
    Variant(
        name="lsgan",
        paper="Mao et al. 2017, Least Squares Generative Adversarial Networks, arXiv:1611.04076",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=least_squares_discriminator_loss,
        generator_loss=least_squares_generator_loss,
        search_space=ADAM_WIDE,
    ),
)
