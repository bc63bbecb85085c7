"""The MLP GAN of Goodfellow et al. 2014 (arXiv:1406.2661).

Fully connected G and D with LeakyReLU, as in the classic PyTorch examples (the paper's
maxout/dropout D is not reproduced). ``vanilla`` uses the non-saturating generator loss the
paper recommends in practice; ``vanilla-minimax`` the original saturating minimax loss.
"""

from dataclasses import replace

from ganbench.losses import bce_discriminator_loss, minimax_generator_loss, non_saturating_generator_loss
from ganbench.networks import MLPDiscriminator, MLPGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import ADAM_WIDE
from ganbench.variants.spec import Variant

_PAPER = "Goodfellow et al. 2014, Generative Adversarial Nets, arXiv:1406.2661"

VANILLA = VARIANTS.register(
    "vanilla",
    Variant(
        name="vanilla",
        paper=_PAPER + " (MLP, non-saturating G loss)",
        build_generator=MLPGenerator,
        build_discriminator=MLPDiscriminator,
        discriminator_loss=bce_discriminator_loss,
        generator_loss=non_saturating_generator_loss,
        search_space=ADAM_WIDE,
    ),
)

# The same GAN with only the generator loss changed.
VARIANTS.register(
    "vanilla-minimax",
    replace(
        VANILLA,
        name="vanilla-minimax",
        paper=_PAPER + " (MLP, original saturating minimax G loss)",
        generator_loss=minimax_generator_loss,
    ),
)
