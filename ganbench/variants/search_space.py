"""Hyperparameter ranges declared next to each variant, for searches with equal budgets.

A search space maps a setting name to the distribution a trial draws it from. The names are the
Variant fields a trial may change (``lr_g``, ``lr_d``, ``beta1``, ``beta2``, ``critic_steps``,
``weight_clip``, ``penalty_weight``: the ``weight`` argument of the variant's penalty,
``gamma``: BEGAN's diversity ratio, and ``latent_dim``: the size of z);
``lr`` stands for both learning rates drawn as one value.
A sweep applies a trial with :mod:`ganbench.variants.configure`, draws trials with
:mod:`ganbench.variants.trials` and reads ranges from a TOML file with
:mod:`ganbench.variants.space_file`.
The default ranges are those of Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study"
(arXiv:1711.10337), section 5 / Table 2 ("wide" range): learning rate log-uniform in
[1e-5, 1e-2], Adam's beta1 and beta2 uniform in [0, 1], the penalty weight λ log-uniform in
[1e-1, 1e3], and 1 or 5 discriminator steps per generator step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LogUniform:
    """A value whose logarithm is uniform in [log low, log high]."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not 0 < self.low < self.high:
            raise ValueError(f"LogUniform needs 0 < low < high; got {self.low}, {self.high}")

    def at(self, u: float) -> float:
        """The value at quantile ``u`` in [0, 1]."""
        return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))


@dataclass(frozen=True)
class Uniform:
    """A value uniform in [low, high]."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"Uniform needs low < high; got {self.low}, {self.high}")

    def at(self, u: float) -> float:
        return self.low + u * (self.high - self.low)


@dataclass(frozen=True)
class Choice:
    """One of a few values, equally likely."""

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("Choice needs at least one value")

    def at(self, u: float) -> float:
        return self.values[min(int(u * len(self.values)), len(self.values) - 1)]


Distribution = LogUniform | Uniform | Choice
SearchSpace = Mapping[str, Distribution]

#: Lucic et al.'s wide range for every Adam-trained GAN (their Table 2).
ADAM_WIDE: dict[str, Distribution] = {
    "lr": LogUniform(1e-5, 1e-2),
    "beta1": Uniform(0.0, 1.0),
    "beta2": Uniform(0.0, 1.0),
    "critic_steps": Choice((1, 5)),
}

#: The same with the gradient penalty's weight λ (WGAN-GP, DRAGAN).
PENALTY_WIDE: dict[str, Distribution] = {**ADAM_WIDE, "penalty_weight": LogUniform(1e-1, 1e3)}

#: The original WGAN: RMSprop has no betas; the clipping bound is searched instead (ganbench's
#: range: a decade either side of Arjovsky et al.'s 0.01).
RMSPROP_CLIPPED: dict[str, Distribution] = {
    "lr": LogUniform(1e-5, 1e-2),
    "critic_steps": Choice((1, 5)),
    "weight_clip": LogUniform(1e-3, 1e-1),
}
