"""The one home of pixel-range conversions.

Three ranges meet in ganbench:

- ``uint8`` 0..255: what datasets hold, samples are stored as, and extractors read;
- unit, float32 in [0, 1]: the ``pixels`` space every pixel measure reads;
- signed, float32 in [-1, 1]: what generators make (Tanh) and discriminators and critics read.

Every conversion is written once here. For uint8 input the three routes to [-1, 1]
(``x / 127.5 − 1``, ``(x / 255 − ½) / ½`` and ``2 (x / 255) − 1``) give bit-identical float32
values, which the tests check, so the choice among them never changes a number.
"""

from __future__ import annotations

import numpy as np
import torch


def uint8_to_unit(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, C, H, W] in 0..255 -> float32 in [0, 1]."""
    return images.float().div(255.0)


def uint8_to_pixels(images: torch.Tensor) -> np.ndarray:
    """The ``pixels`` space as numpy: uint8 [N, C, H, W] -> float32 ndarray in [0, 1]."""
    return uint8_to_unit(images).numpy()


def uint8_to_signed(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, C, H, W] in 0..255 -> float32 in [-1, 1], the range of the generators' Tanh."""
    return images.float().div(127.5).sub(1.0)


def signed_to_uint8(x: torch.Tensor) -> torch.Tensor:
    """Generator output [N, C, H, W] in [-1, 1] (clamped) -> uint8 0..255, rounded, on the same device."""
    return ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def signed_to_unit(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] (clamped) -> [0, 1]; differentiable, for measures that optimise through a generator."""
    return (x.clamp(-1, 1) + 1) / 2


def unit_to_signed(x: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1]."""
    return x * 2 - 1


def unit_to_uint8(x: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> uint8 0..255, rounded (the 256 levels of a stored image)."""
    return torch.round(x * 255.0).to(torch.uint8)
