"""DCGAN, Radford et al. 2016 (arXiv:1511.06434): strided (transposed) convolutions, batch norm,
ReLU in G, LeakyReLU 0.2 in D, Adam lr 2e-4, beta1 0.5, non-saturating BCE loss."""

from ganbench.losses import bce_discriminator_loss, non_saturating_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE
from ganbench.variants.spec import Variant

DCGAN = VARIANTS.register(
    "dcgan",
    Variant(
        name="dcgan",
        paper="Radford et al. 2016, Unsupervised Representation Learning with DCGANs, arXiv:1511.06434",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=bce_discriminator_loss,
        generator_loss=non_saturating_generator_loss,
        search_space=ADAM_WIDE,
    ),
)
