"""MM GAN and NS GAN on the DCGAN networks, as compared by Lucic et al. 2018 (arXiv:1711.10337).

Goodfellow et al. 2014 (arXiv:1406.2661) define the game with the saturating minimax generator
loss log(1 − D(G(z))) (``mm-gan``) and recommend the non-saturating −log D(G(z)) in practice
(``ns-gan``). On the same DCGAN networks and settings (Radford et al. 2016: Adam lr 2e-4, beta1
0.5) the two differ only in the generator loss, which isolates the loss effect from the
architecture effect of ``vanilla`` / ``vanilla-minimax`` (MLP). ``ns-gan`` trains exactly what
``dcgan`` trains, under Lucic et al.'s name.
"""

from dataclasses import replace

from ganbench.losses import bce_discriminator_loss, minimax_generator_loss, non_saturating_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE
from ganbench.variants.spec import Variant

_PAPER = "Goodfellow et al. 2014, arXiv:1406.2661, on the DCGAN networks (as in Lucic et al. 2018)"

NS_GAN = VARIANTS.register(
    "ns-gan",
    Variant(
        name="ns-gan",
        paper=_PAPER + "; non-saturating G loss",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=bce_discriminator_loss,
        generator_loss=non_saturating_generator_loss,
        search_space=ADAM_WIDE,
    ),
)

VARIANTS.register(
    "mm-gan",
    replace(
        NS_GAN,
        name="mm-gan",
        paper=_PAPER + "; saturating minimax G loss",
        generator_loss=minimax_generator_loss,
    ),
)
