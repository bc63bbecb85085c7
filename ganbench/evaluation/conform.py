"""Making a fake set comparable with the real one: a stated, recorded protocol, or a refusal.

Sets of different sizes or channel counts are never mixed silently. Either the user names how
the fake images are brought to the real images' shape (``--resize``, ``--channels``), and the
records say so, or the feature extractor resizes every input itself (Inception, CLIP, DINOv2:
their own resize to the network's input, recorded as the extractor's protocol) and no chosen
measure reads pixels; otherwise evaluation stops before any feature pass, saying which option
makes the sets comparable. How much the resizer matters: Parmar et al. 2022, "On Aliased
Resizing and Surprising Subtleties in GAN Evaluation" (arXiv:2104.11222).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

#: ``--resize`` methods: torch ``interpolate`` modes on float images, rounded back to uint8.
RESIZE_METHODS: dict[str, dict[str, object]] = {
    "bilinear-antialias": {"mode": "bilinear", "antialias": True, "align_corners": False},
    "bicubic-antialias": {"mode": "bicubic", "antialias": True, "align_corners": False},
    "area": {"mode": "area"},
    "nearest": {"mode": "nearest-exact"},
}

#: ``--channels`` methods: RGB -> one luminance channel (ITU-R BT.601 weights, as PIL's "L"), or a
#: grayscale channel repeated to three.
CHANNEL_METHODS: dict[str, str] = {
    "luminance": "RGB to luminance Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), rounded",
    "tile": "grayscale tiled to 3 channels",
}

LUMINANCE_WEIGHTS = (0.299, 0.587, 0.114)


class ConformError(ValueError):
    """The sets differ in shape and no stated protocol makes them comparable; the message says which."""


@dataclass(frozen=True)
class ConformPlan:
    """What happens to a fake set of one shape before it meets the real set.

    Attributes:
        resize: the ``--resize`` method applied to the fake images, or None.
        channels: the ``--channels`` method applied, or None.
        description: the records' words for it (``"none"`` when the shapes already agree).
    """

    resize: str | None
    channels: str | None
    description: str

    def apply(self, images: torch.Tensor, target: tuple[int, int, int]) -> torch.Tensor:
        """uint8 [N, C, H, W] -> uint8 [N, C', H', W'] with the target (C', H', W') where planned."""
        out = images
        if self.channels == "luminance" and out.shape[1] == 3:
            weights = torch.tensor(LUMINANCE_WEIGHTS, dtype=torch.float32).view(1, 3, 1, 1)
            out = (out.float() * weights).sum(1, keepdim=True).round().clamp(0, 255).to(torch.uint8)
        elif self.channels == "tile" and out.shape[1] == 1:
            out = out.expand(-1, 3, -1, -1).contiguous()
        if self.resize is not None and tuple(out.shape[-2:]) != target[1:]:
            resized = F.interpolate(out.float(), size=target[1:], **RESIZE_METHODS[self.resize])  # type: ignore[arg-type]
            out = resized.round().clamp(0, 255).to(torch.uint8)
        return out


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape)


def plan_conform(
    real_shape: tuple[int, int, int],
    fake_shape: tuple[int, int, int],
    *,
    resize: str | None,
    channels: str | None,
    extractor_resizes: bool,
    pixel_measures: list[str],
) -> ConformPlan:
    """How a fake set of ``fake_shape`` (C, H, W) meets a real set of ``real_shape``.

    Args:
        resize, channels: the user's ``--resize`` / ``--channels`` (None when not given).
        extractor_resizes: the extractor brings any input size to its own (its protocol says how).
        pixel_measures: the chosen measures that read pixels (they need one common shape).

    Raises:
        ConformError: the shapes differ and nothing stated makes them comparable.
    """
    if resize is not None and resize not in RESIZE_METHODS:
        raise ConformError(f"unknown --resize {resize!r}; choose one of {', '.join(RESIZE_METHODS)}")
    if channels is not None and channels not in CHANNEL_METHODS:
        raise ConformError(f"unknown --channels {channels!r}; choose one of {', '.join(CHANNEL_METHODS)}")
    if real_shape == fake_shape:
        return ConformPlan(None, None, "none")
    words: list[str] = []
    use_channels = None
    if real_shape[0] != fake_shape[0]:
        needed = "luminance" if fake_shape[0] == 3 else "tile"
        if channels != needed:
            raise ConformError(
                f"the fake images have {fake_shape[0]} channel(s) and the real ones {real_shape[0]}: "
                f"pass --channels {needed} ({CHANNEL_METHODS[needed]}) to convert the fake set, "
                "or compare sets with the same channels"
            )
        use_channels = channels
        words.append(f"fake {CHANNEL_METHODS[channels]}")
    use_resize = None
    if real_shape[1:] != fake_shape[1:]:
        if resize is not None:
            use_resize = resize
            words.append(f"fake resized {_shape(fake_shape[1:])} -> {_shape(real_shape[1:])} by {resize}")
        elif extractor_resizes and not pixel_measures:
            words.append(
                f"fake {_shape(fake_shape[1:])} and real {_shape(real_shape[1:])} "
                "each resized by the extractor"
            )
        else:
            why = (
                f"the measures {', '.join(pixel_measures)} read pixels"
                if extractor_resizes
                else "the extractor reads images at their native size"
            )
            raise ConformError(
                f"the fake images are {_shape(fake_shape[1:])} and the real ones {_shape(real_shape[1:])}, "
                f"and {why}: pass --resize with one of {', '.join(RESIZE_METHODS)} to resize the fake set "
                "to the real size (recorded), or choose an extractor that resizes (inception-v3) and "
                "measures that do not read pixels"
            )
    return ConformPlan(use_resize, use_channels, "; ".join(words))
