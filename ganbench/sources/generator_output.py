"""Wrappers around a user's generator: its output checked batch by batch; a [0, 1] output mapped to [-1, 1].

ganbench's sampler (:func:`ganbench.training.sample`) and :class:`~ganbench.metrics.spec.GeneratorHandle`
expect a generator whose images are in [-1, 1] (Tanh). A user's generator may declare [0, 1]
instead; :class:`UnitToSigned` maps it with :func:`ganbench.images.unit_to_signed`, so the
contract holds. :class:`CheckedOutput` refuses a batch that is not images in the declared range.
"""

from __future__ import annotations

import torch
from torch import nn

from ganbench.images import unit_to_signed
from ganbench.sources.spec import SourceError
from ganbench.sources.value_range import check_values


def check_images(out: object, batch: int, value_range: str, *, what: str) -> torch.Tensor:
    """``out`` if it is float images [batch, C, H, W], C in {1, 3}, finite and within ``value_range`` ± 1e-3.

    Raises:
        SourceError: naming ``what``, with the shape or the values found.
    """
    if not isinstance(out, torch.Tensor):
        raise SourceError(f"{what}: returned {type(out).__name__}, not a tensor of images [B, C, H, W]")
    shape = list(out.shape)
    if out.ndim != 4 or out.shape[0] != batch or out.shape[1] not in (1, 3) or min(shape) < 1:
        raise SourceError(
            f"{what}: returned shape {shape} for a batch of {batch}; a generator must return images "
            f"[{batch}, C, H, W] with C = 1 or 3"
        )
    if not out.is_floating_point():
        raise SourceError(f"{what}: returned dtype {out.dtype}; a generator must return float images")
    check_values(out.detach(), value_range, what=what)
    return out


class CheckedOutput(nn.Module):
    """``module(z, *rest)``, each output checked by :func:`check_images` (``z`` [B, latent_dim] gives B)."""

    def __init__(self, module: nn.Module, value_range: str, what: str) -> None:
        super().__init__()
        self.module = module
        self.value_range = value_range
        self.what = what

    def forward(self, z: torch.Tensor, *rest: torch.Tensor) -> torch.Tensor:
        return check_images(self.module(z, *rest), len(z), self.value_range, what=self.what)


class UnitToSigned(nn.Module):
    """``module`` with images in [0, 1] -> the same images in [-1, 1] (differentiable)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, z: torch.Tensor, *rest: torch.Tensor) -> torch.Tensor:
        return unit_to_signed(self.module(z, *rest))


def as_signed(module: nn.Module, value_range: str) -> nn.Module:
    """``module`` as a [-1, 1] generator: itself for ``-1,1``, in :class:`UnitToSigned` for ``0,1``."""
    return UnitToSigned(module) if value_range == "0,1" else module
