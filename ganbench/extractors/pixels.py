"""The pixels themselves as the feature space: no network, no weights, nothing learned.

A baseline to judge learned spaces against (Borji 2019, arXiv:1802.03446, surveys measures in
pixel and feature spaces; Theis et al. 2016, arXiv:1511.01844, shows the limits of pixel
distances): FID, KID, precision and recall computed on ``features`` = the flattened pixels in
[0, 1], float32 [N, C*H*W]
(``ganbench.images.uint8_to_unit``, the same values as the ``pixels`` space of the measures).
There are no class logits, so the logits-space measures do not apply.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.datasets import Dataset
from ganbench.extractors._inputs import check_uint8_images
from ganbench.extractors.spec import ExtractorIdentity
from ganbench.images import uint8_to_unit
from ganbench.registry import EXTRACTORS

NAME = "pixels"
PROTOCOL = "no network: uint8/255 -> float32 [0, 1], flattened in C, H, W order; features [C*H*W], no logits"


class PixelsExtractor:
    """uint8 [N, C, H, W] -> ``{"features": float32 [N, C*H*W]}`` in [0, 1]; no logits, no weights."""

    identity = ExtractorIdentity(
        name=NAME,
        weights_sha256="none",
        protocol=PROTOCOL,
        input_size="native",
        resize="none",
        channels="native",
        weights_file_sha256=None,
        verified=True,
        has_logits=False,
    )

    def __call__(
        self, images: torch.Tensor, *, desc: str = "features", progress: bool = True
    ) -> dict[str, np.ndarray]:
        """uint8 [N, C, H, W] -> ``{"features": float32 [N, C*H*W]}``; ``desc`` and ``progress`` unused."""
        images = check_uint8_images(images)
        return {"features": uint8_to_unit(images.cpu()).reshape(len(images), -1).numpy()}


@EXTRACTORS.register(NAME)
def load_pixels(
    dataset: Dataset | None = None, *, device: str | torch.device = "cpu", progress: bool = True
) -> PixelsExtractor:
    """The flattened pixels in [0, 1] as features [N, C*H*W]; no network, no logits.

    ``dataset``, ``device`` and ``progress`` are accepted for the factory signature and unused.
    """
    return PixelsExtractor()
