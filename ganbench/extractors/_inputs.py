"""What every extractor accepts: uint8 image batches [N, C, H, W]; grayscale tiled for RGB networks."""

from __future__ import annotations

import torch

GRAY_TILED = "grayscale tiled to 3 (R = G = B); RGB as is"
"""The ``channels`` line of an RGB network's identity."""


def check_uint8_images(images: object) -> torch.Tensor:
    """``images`` if it is a uint8 tensor [N, C, H, W] with N >= 1, else ``ValueError`` saying what it is."""
    if not isinstance(images, torch.Tensor):
        raise ValueError(f"images must be a torch.Tensor of uint8 [N, C, H, W]; got {type(images).__name__}")
    if images.dtype != torch.uint8:
        raise ValueError(
            f"images must be uint8 0..255 [N, C, H, W]; got dtype {images.dtype} "
            "(convert with ganbench.images.unit_to_uint8 or signed_to_uint8)"
        )
    if images.ndim != 4 or images.shape[0] < 1:
        raise ValueError(f"images must be a non-empty batch [N, C, H, W]; got shape {tuple(images.shape)}")
    return images


def tile_to_rgb(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, 1 or 3, H, W] -> [N, 3, H, W]: one channel repeated three times, three kept.

    Raises:
        ValueError: another channel count (an RGB network cannot read it unambiguously).
    """
    channels = check_uint8_images(images).shape[1]
    if channels == 3:
        return images
    if channels == 1:
        return images.expand(-1, 3, -1, -1)
    raise ValueError(
        f"an RGB network reads 1-channel (tiled to 3) or 3-channel images; got {channels} channels"
    )
