"""Tests for the one home of pixel-range conversions."""

from __future__ import annotations

import numpy as np
import torch

from ganbench import images


def test_the_routes_from_uint8_to_signed_are_bit_identical() -> None:
    # the classifier, the training loop and the critic each wrote this conversion their own way
    # before; the values must not depend on which one is used
    x = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 16, 16)
    signed = images.uint8_to_signed(x)
    assert torch.equal(signed, x.float().div(255.0).sub(0.5).div(0.5))
    assert torch.equal(signed, images.unit_to_signed(images.uint8_to_unit(x)))
    assert torch.equal(images.uint8_to_unit(x), torch.from_numpy(images.uint8_to_pixels(x)))
    assert images.uint8_to_pixels(x).dtype == np.float32


def test_round_trips_and_clamping() -> None:
    x = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 16, 16)
    assert torch.equal(images.signed_to_uint8(images.uint8_to_signed(x)), x)
    assert torch.equal(images.unit_to_uint8(images.uint8_to_unit(x)), x)
    out_of_range = torch.tensor([-3.0, -1.0, 0.0, 1.0, 7.0])
    assert images.signed_to_uint8(out_of_range).tolist() == [0, 0, 128, 255, 255]
    assert images.signed_to_unit(out_of_range).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
