"""WGAN, Arjovsky, Chintala & Bottou 2017 (arXiv:1701.07875), their Algorithm 1.

The critic estimates the Wasserstein-1 distance; its Lipschitz constraint is enforced by clipping
every critic weight to [-0.01, 0.01] after each critic step. RMSprop with lr 5e-5 (momentum-based
optimisers made training unstable in their experiments), 5 critic steps per generator step, on
the DCGAN networks (the paper's critic keeps batch norm).
"""

from ganbench.losses import wasserstein_critic_loss, wasserstein_generator_loss
from ganbench.networks import ConvDiscriminator, ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.variants.search_space import RMSPROP_CLIPPED
from ganbench.variants.spec import Variant

VARIANTS.register(
    "wgan",
    Variant(
        name="wgan",
        paper="Arjovsky et al. 2017, Wasserstein GAN, arXiv:1701.07875 (weight clipping, RMSprop)",
        build_generator=ConvGenerator,
        build_discriminator=ConvDiscriminator,
        discriminator_loss=wasserstein_critic_loss,
        generator_loss=wasserstein_generator_loss,
        critic_steps=5,
        lr_g=5e-5,
        lr_d=5e-5,
        optimizer="rmsprop",
        weight_clip=0.01,
        search_space=RMSPROP_CLIPPED,
    ),
)
