"""SN-GAN, Miyato et al. 2018, "Spectral Normalization for GANs" (arXiv:1802.05957).

Every convolution of D is divided by its largest singular value, estimated by one power
iteration per forward pass, which bounds D's Lipschitz constant layer by layer; D has no batch
norm. The hinge loss, Adam lr 2e-4, betas (0.5, 0.999), one D step per G step: one of the
settings of their Table 1, for which they report SN-GAN among the most robust.
"""

from ganbench.losses import hinge_discriminator_loss, hinge_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE
from ganbench.variants.spec import Variant

VARIANTS.register(
    "sngan",
    Variant(
        name="sngan",
        paper="Miyato et al. 2018, Spectral Normalization for GANs, arXiv:1802.05957 (hinge loss)",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=hinge_discriminator_loss,
        generator_loss=hinge_generator_loss,
        spectral_norm=True,
        discriminator_batch_norm=False,
        search_space=ADAM_WIDE,
    ),
)
