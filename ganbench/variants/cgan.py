"""cGAN: a class-conditional DCGAN (Mirza & Osindero 2014, arXiv:1411.1784; projection
discriminator of Miyato & Koyama 2018, arXiv:1802.05637).

G(z, y) concatenates a one-hot class code to z; D(x, y) adds to the DCGAN D's score the inner
product of a class embedding with D's pooled features (the projection). Non-saturating loss,
Adam lr 2e-4, beta1 0.5, one D step per G step (the DCGAN settings), so its difference from
``dcgan`` is the conditioning. A run samples it class-balanced and records the class of every
image, which makes the conditional measures (intra-FID, GAN-train, GAN-test) available in
``ganbench run``; ``cgan:hinge`` and the like keep the conditioning (it is part of the networks).
"""

from ganbench.losses import bce_discriminator_loss, non_saturating_generator_loss
from ganbench.networks import ConditionalConvDiscriminator, ConditionalConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE
from ganbench.variants.spec import Variant

VARIANTS.register(
    "cgan",
    Variant(
        name="cgan",
        paper="Mirza & Osindero 2014, Conditional GANs, arXiv:1411.1784 (projection D: Miyato & Koyama 2018)",
        build_generator=ConditionalConvGenerator,
        build_discriminator=ConditionalConvDiscriminator,
        discriminator_loss=bce_discriminator_loss,
        generator_loss=non_saturating_generator_loss,
        conditional=True,
        search_space=ADAM_WIDE,
    ),
)
