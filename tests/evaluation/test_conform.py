"""The conform step: shapes that differ are converted by a stated method or refused, never mixed."""

from __future__ import annotations

import pytest
import torch

from ganbench.evaluation.conform import ConformError, plan_conform


def test_equal_shapes_need_nothing() -> None:
    plan = plan_conform(
        (1, 28, 28), (1, 28, 28), resize=None, channels=None, extractor_resizes=False, pixel_measures=[]
    )
    assert plan.description == "none"
    images = torch.randint(0, 256, (3, 1, 28, 28), dtype=torch.uint8)
    assert torch.equal(plan.apply(images, (1, 28, 28)), images)


def test_other_size_is_refused_without_a_stated_resize() -> None:
    with pytest.raises(ConformError, match="--resize"):
        plan_conform(
            (1, 28, 28), (1, 32, 32), resize=None, channels=None, extractor_resizes=False, pixel_measures=[]
        )


def test_a_resizing_extractor_accepts_other_sizes_only_without_pixel_measures() -> None:
    plan = plan_conform(
        (1, 28, 28), (1, 32, 32), resize=None, channels=None, extractor_resizes=True, pixel_measures=[]
    )
    assert "each resized by the extractor" in plan.description
    with pytest.raises(ConformError, match="ssim-diversity read pixels"):
        plan_conform(
            (1, 28, 28),
            (1, 32, 32),
            resize=None,
            channels=None,
            extractor_resizes=True,
            pixel_measures=["ssim-diversity"],
        )


def test_other_channels_need_the_stated_conversion() -> None:
    with pytest.raises(ConformError, match="--channels luminance"):
        plan_conform(
            (1, 28, 28), (3, 28, 28), resize=None, channels=None, extractor_resizes=True, pixel_measures=[]
        )
    with pytest.raises(ConformError, match="--channels tile"):
        plan_conform(
            (3, 28, 28),
            (1, 28, 28),
            resize=None,
            channels="luminance",
            extractor_resizes=True,
            pixel_measures=[],
        )


def test_resize_and_luminance_give_the_real_shape_and_are_described() -> None:
    plan = plan_conform(
        (1, 28, 28),
        (3, 56, 56),
        resize="area",
        channels="luminance",
        extractor_resizes=False,
        pixel_measures=["ssim-diversity"],
    )
    assert "luminance" in plan.description and "56x56 -> 28x28 by area" in plan.description
    images = torch.zeros(2, 3, 56, 56, dtype=torch.uint8)
    images[:, 0] = 100  # R only: Y = 0.299 * 100 = 29.9 -> 30
    out = plan.apply(images, (1, 28, 28))
    assert out.shape == (2, 1, 28, 28) and out.dtype == torch.uint8
    assert int(out.unique().item()) == 30


def test_tile_repeats_the_gray_channel() -> None:
    plan = plan_conform(
        (3, 8, 8), (1, 8, 8), resize=None, channels="tile", extractor_resizes=False, pixel_measures=[]
    )
    images = torch.randint(0, 256, (2, 1, 8, 8), dtype=torch.uint8)
    out = plan.apply(images, (3, 8, 8))
    assert out.shape == (2, 3, 8, 8) and all(torch.equal(out[:, c], images[:, 0]) for c in range(3))


def test_unknown_methods_are_refused() -> None:
    with pytest.raises(ConformError, match="unknown --resize"):
        plan_conform(
            (1, 8, 8), (1, 9, 9), resize="lanczos", channels=None, extractor_resizes=False, pixel_measures=[]
        )
