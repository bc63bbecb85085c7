"""ganbench's loop with its default kernels computes what a plain PyTorch loop computes, bit for bit.

The plain loop is the one ``benchmarks/train_speed.py`` times ganbench against (written as the
PyTorch examples train). The speed comparison is only fair while the losses are identical, and
the loop's own shortcuts (a frozen D in the generator step, batches drawn on the device) must
not change a single float.

Within one epoch: from the second on, the data order differs. ``RandomSampler`` draws a
permutation it discards each time its iterator runs out (torch's sampler computes the remainder
``randperm(n)[: num_samples % n]`` even when it is empty), so the reference's shuffle stream is
one draw ahead per epoch. Both are uniform shuffles from the seed; the arithmetic per step is the
same.
"""

import pytest
import torch

from benchmarks.train_speed import reference_loop
from ganbench.config import TrainConfig
from ganbench.registry import VARIANTS
from ganbench.training.loop import train

EPOCH = torch.randint(0, 256, (480, 1, 28, 28), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)


# MLP; BatchNorm in D; gradient penalty; RMSprop with weight clipping; spectral norm
@pytest.mark.parametrize("name", ["vanilla", "dcgan", "wgan-gp", "wgan", "sngan"])
def test_default_loop_losses_equal_the_plain_reference_loop(name: str) -> None:
    variant, settings = VARIANTS[name], TrainConfig(kimg=0.48, batch_size=16, log_every=1)
    _, ref_steps, ref_log = reference_loop(variant, EPOCH, settings, 3, torch.device("cpu"))
    ours = train(variant, EPOCH, settings, seed=3, progress=False)
    assert ours.d_steps == ref_steps == 30  # exactly one epoch of the 480 images
    assert [(row["d_loss"], row["g_loss"]) for row in ours.losses] == ref_log


def test_the_comparison_can_fail(images: torch.Tensor) -> None:
    """Another seed gives other losses: the equality above is not vacuous."""
    variant, settings = VARIANTS["vanilla"], TrainConfig(kimg=0.16, batch_size=16, log_every=1)
    _, _, ref_log = reference_loop(variant, images, settings, 3, torch.device("cpu"))
    ours = train(variant, images, settings, seed=4, progress=False)
    assert [(row["d_loss"], row["g_loss"]) for row in ours.losses] != ref_log
