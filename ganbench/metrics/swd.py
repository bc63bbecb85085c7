"""Sliced Wasserstein distance between Laplacian-pyramid patches of real and generated images.

Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs for Improved Quality,
Stability, and Variation" (arXiv:1710.10196), Sec. 5 and the ``sliced_wasserstein.py`` of their
released code, which this follows except where marked "(ours)":

1. Laplacian pyramid of each image: Gaussian levels by 5 x 5 binomial blur ([1, 4, 6, 4, 1] / 16,
   mirrored border) and 2x subsampling; band-pass level = level − upsampled next level; the
   coarsest level kept is the low-pass image itself. Levels go from full resolution down while
   the side is at least ``min_resolution`` (ours: 14, twice the patch size; theirs 16): for power-of-two
   sizes this gives exactly their levels, down to 16 x 16 (e.g. 32 -> 32, 16; 256 -> 256 .. 16);
   28 x 28 images get two levels, the 28 x 28 band-pass and the 14 x 14 low-pass.
2. Descriptors: random 7 x 7 neighbourhoods (all channels) of each level, ``patches_per_image``
   per image (128 as theirs); the position is uniform over all the neighbourhoods that fit. Both
   sets use the same number of descriptors, min(N, M) · patches_per_image, capped at
   ``max_patches`` (ours: then each descriptor's image is drawn uniformly; this bounds time and
   memory, see below).
3. Each set's descriptors are normalised per channel to zero mean and unit std over all its
   descriptors of that level (theirs does the same, set by set). So, by design, a global affine
   change of intensities (brightness, contrast) does not move SWD; ``image_stats`` measures that.
4. SWD per level: ``projections`` random unit directions (theirs: 4 x 128 = 512), the 1-D
   Wasserstein-1 distance between the sorted projections of the two sets, averaged over the
   directions, multiplied by 1e3 as in their code (so values compare with their tables).

Memory is O(descriptors · 49 · C) for one level at a time: at the default cap of 2^18 descriptors
per set, about 50 MB per set for grey images and 150 MB for RGB, whatever the number of images.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.spec import metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_same_shape, check_seed, integer, positive_int
from ganbench.numerics.filters import filter_separable
from ganbench.numerics.sliced import sliced_wasserstein

_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
_IMAGES_PER_BATCH = 2048
_DESCRIPTORS_PER_BATCH = 65536
MAX_LEVELS = 8  # per-level keys swd_level0 .. swd_level7 are declared


def pyramid_sizes(height: int, width: int, min_resolution: int) -> list[tuple[int, int]]:
    """[H, W] of each pyramid level, finest first: halve (rounding up) while the short side >= min_resolution.

    The full resolution is always kept, even when it is below ``min_resolution``.
    """
    sizes = [(height, width)]
    h, w = height, width
    while len(sizes) < MAX_LEVELS:
        h, w = (h + 1) // 2, (w + 1) // 2
        if min(h, w) < min_resolution:
            break
        sizes.append((h, w))
    return sizes


def _pyr_down(x: torch.Tensor) -> torch.Tensor:
    return filter_separable(x, _BINOMIAL, padding="reflect")[..., ::2, ::2]


def _pyr_up(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    n, c, h, w = x.shape
    up = torch.zeros((n, c, 2 * h, 2 * w), dtype=x.dtype)
    up[..., ::2, ::2] = x
    # the zeros leave 1/4 of the samples: the kernel's 2D gain of 4 is 2 per axis
    up = filter_separable(up, 2.0 * _BINOMIAL, padding="reflect")
    return up[..., : size[0], : size[1]]


def laplacian_pyramid(x: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """Laplacian pyramid of ``x`` [N, C, H, W] with ``levels`` levels, finest first; the last is low-pass."""
    out = []
    current = x
    for _ in range(levels - 1):
        lower = _pyr_down(current)
        out.append(current - _pyr_up(lower, current.shape[-2:]))
        current = lower
    out.append(current)
    return out


def _draw_patches(
    n: int,
    sizes: list[tuple[int, int]],
    count: int,
    patches_per_image: int,
    patch: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """For ``count`` patches: owner images [count] (sorted), corners (rows, cols) [count] per level."""
    if n * patches_per_image == count:
        owners = np.repeat(np.arange(n), patches_per_image)
    else:
        owners = np.sort(rng.integers(0, n, size=count))
    corners = [
        (rng.integers(0, h - patch + 1, size=count), rng.integers(0, w - patch + 1, size=count))
        for h, w in sizes
    ]
    return owners, corners


def _level_descriptors(
    images: torch.Tensor,
    level: int,
    last: bool,
    owners: np.ndarray,
    corners: tuple[np.ndarray, np.ndarray],
    patch: int,
) -> torch.Tensor:
    """Patches of pyramid ``level`` at the given owners/corners, normalised per channel.

    Returns float32 [count, C·patch²].

    The pyramid is rebuilt batch by batch, down to ``level`` only, so that one level's
    descriptors are all that is held at a time.
    """
    n, c = images.shape[:2]
    count = owners.shape[0]
    out = torch.empty((count, c, patch, patch))
    offsets = torch.arange(patch)
    channels = torch.arange(c).view(1, c, 1, 1)
    ys, xs = corners
    starts = [*range(0, n, _IMAGES_PER_BATCH), n]
    bounds = np.searchsorted(owners, starts)  # descriptors [bounds[b], bounds[b + 1]) belong to batch b
    for b, rows in enumerate(chunks(n, _IMAGES_PER_BATCH)):
        lo, hi = int(bounds[b]), int(bounds[b + 1])
        if lo == hi:
            continue
        # band-pass G_k - up(G_k+1), or the low-pass G_k itself at the last level
        band = laplacian_pyramid(images[rows], level + 1 if last else level + 2)[level]
        h, w = band.shape[-2:]
        flat = band.reshape(-1)
        for part in chunks(hi - lo, _DESCRIPTORS_PER_BATCH):
            sel = slice(lo + part.start, lo + part.stop)
            img = torch.from_numpy(owners[sel] - rows.start).view(-1, 1, 1, 1)
            y = torch.from_numpy(ys[sel]).view(-1, 1, 1, 1) + offsets.view(1, 1, patch, 1)
            x = torch.from_numpy(xs[sel]).view(-1, 1, 1, 1) + offsets.view(1, 1, 1, patch)
            out[sel] = flat[((img * c + channels) * h + y) * w + x]
    var, mean = torch.var_mean(out.transpose(0, 1).reshape(c, -1), dim=1, correction=0)
    out -= mean.view(1, c, 1, 1)
    out /= var.sqrt().clamp(min=1e-8).view(1, c, 1, 1)
    return out.reshape(count, -1)


@metric(
    "swd",
    space="pixels",
    directions={"swd": "lower", **{f"swd_level{k}": "lower" for k in range(MAX_LEVELS)}},
    reference="Karras et al. 2018 (arXiv:1710.10196) and the sliced_wasserstein.py of their code (x 1e3)",
    notes=(
        "follows their code except: pyramid down to min_resolution=14 (theirs 16; same levels for power-of-2 "
        "sizes) and at most max_patches descriptors per set and level"
    ),
    interval="none",
    interval_note=(
        "no per-image decomposition (sorted projections of the pooled patches), so a resample costs a whole "
        "evaluation; and the plain bootstrap of an empirical Wasserstein distance is not consistent when the "
        "two distributions are close (Sommerfeld & Munk 2018, JRSS-B 80(1)); compare seeds instead"
    ),
)
def swd(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    patches_per_image: int = 128,
    max_patches: int = 1 << 18,
    projections: int = 512,
    patch_size: int = 7,
    min_resolution: int = 14,
    seed: int = 0,
) -> dict[str, float]:
    """Sliced Wasserstein distance (× 1e3) between multi-scale patch distributions of real and fake images.

    Args:
        real: real images [N, C, H, W] in [0, 1]; H, W >= ``patch_size``.
        fake: generated images [M, C, H, W] in [0, 1].
        patches_per_image: neighbourhoods drawn per image and level (theirs: 128).
        max_patches: cap on descriptors per set and level (see the module docstring).
        projections: random directions per level (theirs: 512).
        patch_size: neighbourhood side (theirs: 7).
        min_resolution: the coarsest level's short side is at least this (14: 28 -> 28, 14;
            power-of-two sizes down to 16 as theirs). Levels whose side is below ``patch_size``
            are never used.
        seed: seeds the patch positions and the directions.

    Returns:
        ``swd_level<k>``: SWD × 1e3 at pyramid level k (0 = full resolution, k: side
        ceil(H / 2^k)); ``swd``: their mean over levels. Lower is better; identical
        distributions give a small positive value (sampling noise), not 0.
    """
    x = check_images("real", real)
    y = check_images("fake", fake)
    check_same_shape(x, y)
    patches_per_image = positive_int("patches_per_image", patches_per_image)
    max_patches = integer("max_patches", max_patches, minimum=2)
    projections = positive_int("projections", projections)
    patch_size = positive_int("patch_size", patch_size)
    min_resolution = positive_int("min_resolution", min_resolution)
    seed = check_seed(seed)
    h, w = x.shape[-2:]
    if min(h, w) < patch_size:
        raise ValueError(f"swd needs images of at least patch_size={patch_size} pixels; got {h} x {w}")
    sizes = pyramid_sizes(h, w, max(min_resolution, patch_size))
    levels = len(sizes)
    count = min(min(x.shape[0], y.shape[0]) * patches_per_image, max_patches)
    rng = np.random.default_rng(seed)
    owners_real, corners_real = _draw_patches(x.shape[0], sizes, count, patches_per_image, patch_size, rng)
    owners_fake, corners_fake = _draw_patches(y.shape[0], sizes, count, patches_per_image, patch_size, rng)
    gen = torch.Generator().manual_seed(seed)
    out: dict[str, float] = {}
    for level in range(levels):
        last = level == levels - 1
        a = _level_descriptors(x, level, last, owners_real, corners_real[level], patch_size)
        b = _level_descriptors(y, level, last, owners_fake, corners_fake[level], patch_size)
        dirs = torch.randn((a.shape[1], projections), generator=gen)
        dirs /= dirs.norm(dim=0, keepdim=True)
        out[f"swd_level{level}"] = 1e3 * sliced_wasserstein(a, b, dirs)
        del a, b
    out["swd"] = float(np.mean([out[f"swd_level{k}"] for k in range(levels)]))
    return out
