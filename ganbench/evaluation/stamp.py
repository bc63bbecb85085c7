"""The protocol stamp's shared pieces: what every record says about how its value was made.

``ganbench run`` and ``ganbench evaluate`` fill the same record fields (see
``reporting/records.py``) from these, so a value from either reads alike and
``analysis/protocol.py`` can refuse to mix values measured differently.
"""

from __future__ import annotations

from typing import Any

import torch

from ganbench.extractors.spec import ExtractorIdentity

#: The dtype the measures accumulate their statistics in (means, covariances, distances, kernels).
STATS_DTYPE = "float64"


def image_size(images: torch.Tensor) -> str:
    """``"CxHxW"`` of uint8 images [N, C, H, W], the record's ``real_size`` / ``fake_size``."""
    return "x".join(str(int(s)) for s in images.shape[1:])


def extractor_fields(identity: ExtractorIdentity) -> dict[str, Any]:
    """The record fields an extractor's identity fills (name, hashes, protocol, input, channels)
    and the statistics dtype: shared by every study's records. ``resize`` is left to the caller
    (``evaluate`` adds its conform step per fake set)."""
    return {
        "extractor": identity.name,
        "extractor_hash": identity.weights_sha256,
        "extractor_protocol": identity.protocol,
        "extractor_weights_sha256": identity.weights_file_sha256,
        "extractor_input": identity.input_size,
        "channels": identity.channels,
        "stats_dtype": STATS_DTYPE,
    }
