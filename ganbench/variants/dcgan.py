"""DCGAN, Radford et al. 2016 (arXiv:1511.06434): strided (transposed) convolutions, batch norm,
ReLU in G, LeakyReLU 0.2 in D, Adam lr 2e-4, beta1 0.5, non-saturating BCE loss."""

from ganbench.registry import VARIANTS
from ganbench.variants._losses import bce_discriminator_loss, non_saturating_generator_loss
from ganbench.variants._nets import ConvDiscriminator, ConvGenerator
from ganbench.variants._spec import Variant

VARIANTS.register(
    "dcgan",
    Variant(
        name="dcgan",
        paper="Radford et al. 2016, Unsupervised Representation Learning with DCGANs, arXiv:1511.06434",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=bce_discriminator_loss,
        generator_loss=non_saturating_generator_loss,
    ),
)
