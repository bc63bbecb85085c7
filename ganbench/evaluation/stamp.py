"""The protocol stamp's shared pieces: what every record says about how its value was made.

``ganbench run`` and ``ganbench evaluate`` fill the same record fields (see
``reporting/records.py``) from these, so a value from either reads alike and
``analysis/protocol.py`` can refuse to mix values measured differently.
"""

from __future__ import annotations

import torch

#: The dtype the measures accumulate their statistics in (means, covariances, distances, kernels).
STATS_DTYPE = "float64"


def image_size(images: torch.Tensor) -> str:
    """``"CxHxW"`` of uint8 images [N, C, H, W], the record's ``real_size`` / ``fake_size``."""
    return "x".join(str(int(s)) for s in images.shape[1:])
