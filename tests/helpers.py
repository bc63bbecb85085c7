"""Helpers the tests share that are not fixtures: controlled corruptions of images."""

from __future__ import annotations

import math

import torch

from ganbench.numerics.filters import filter_separable, gaussian_window


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur ``x`` [N, C, H, W] with a Gaussian of std ``sigma`` pixels (truncated at 4 sigma, reflect border).

    ``sigma <= 0`` returns ``x`` unchanged.
    """
    if sigma <= 0:
        return x
    radius = max(1, math.ceil(4.0 * sigma))
    return filter_separable(x, gaussian_window(2 * radius + 1, sigma, x.dtype), padding="reflect")
