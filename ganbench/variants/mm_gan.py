"""MM GAN and NS GAN on the DCGAN networks, as compared by Lucic et al. 2018 (arXiv:1711.10337).

Goodfellow et al. 2014 (arXiv:1406.2661) define the game with the saturating minimax generator
loss log(1 − D(G(z))) (``mm-gan``) and recommend the non-saturating −log D(G(z)) in practice
(``ns-gan``). On the same DCGAN networks and settings (Radford et al. 2016: Adam lr 2e-4, beta1
0.5) the two differ only in the generator loss, which isolates the loss effect from the
architecture effect of ``vanilla`` / ``vanilla-minimax`` (MLP). ``ns-gan`` trains exactly what
``dcgan`` trains, under Lucic et al.'s name.
"""

from dataclasses import replace

from ganbench.losses import minimax_generator_loss
from ganbench.registry import VARIANTS
from ganbench.variants.dcgan import DCGAN

_PAPER = "Goodfellow et al. 2014, arXiv:1406.2661, on the DCGAN networks (as in Lucic et al. 2018)"

NS_GAN = VARIANTS.register("ns-gan", replace(DCGAN, name="ns-gan", paper=_PAPER + "; non-saturating G loss"))

VARIANTS.register(
    "mm-gan",
    replace(
        NS_GAN,
        name="mm-gan",
        paper=_PAPER + "; saturating minimax G loss",
        generator_loss=minimax_generator_loss,
    ),
)
