"""The ``pixels`` extractor: exact values, order, no logits, no weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.extractors.pixels import PixelsExtractor
from ganbench.registry import EXTRACTORS


def test_features_are_the_flattened_unit_pixels(images: torch.Tensor) -> None:
    extractor = EXTRACTORS["pixels"](None, device="cpu", progress=False)
    assert isinstance(extractor, PixelsExtractor)
    out = extractor(images[:5], progress=False)
    assert set(out) == {"features"}
    features = out["features"]
    assert features.shape == (5, 28 * 28) and features.dtype == np.float32
    np.testing.assert_array_equal(features, images[:5].numpy().reshape(5, -1).astype(np.float32) / 255)
    assert features.min() >= 0.0 and features.max() <= 1.0


def test_rgb_is_flattened_channel_first() -> None:
    image = torch.arange(2 * 3 * 2 * 2, dtype=torch.uint8).reshape(2, 3, 2, 2)
    out = EXTRACTORS["pixels"](progress=False)(image)["features"]
    assert out.shape == (2, 12)
    np.testing.assert_array_equal(out[1] * 255, np.arange(12, 24, dtype=np.float32))  # C, then H, then W


def test_identity_says_no_weights_and_no_logits() -> None:
    identity = EXTRACTORS["pixels"](progress=False).identity
    assert (identity.name, identity.weights_sha256, identity.has_logits) == ("pixels", "none", False)
    assert identity.weights_file_sha256 is None and identity.verified
    assert (identity.input_size, identity.resize, identity.channels) == ("native", "none", "native")


def test_bad_input_is_refused() -> None:
    extractor = EXTRACTORS["pixels"](progress=False)
    with pytest.raises(ValueError, match="uint8"):
        extractor(torch.rand(2, 1, 4, 4))
    with pytest.raises(ValueError, match=r"\[N, C, H, W\]"):
        extractor(torch.zeros(4, 4, dtype=torch.uint8))
