"""Helpers the tests share that are not fixtures: controlled corruptions of images, bootstrap draws."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ganbench.metrics.spec import PerSample
from ganbench.numerics.filters import filter_separable, gaussian_window


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur ``x`` [N, C, H, W] with a Gaussian of std ``sigma`` pixels (truncated at 4 sigma, reflect border).

    ``sigma <= 0`` returns ``x`` unchanged.
    """
    if sigma <= 0:
        return x
    radius = max(1, math.ceil(4.0 * sigma))
    return filter_separable(x, gaussian_window(2 * radius + 1, sigma, x.dtype), padding="reflect")


def resample_rows(samples: PerSample, seed: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """One bootstrap draw of a :class:`PerSample`'s units, real then generated (``None``: no units)."""
    rng = np.random.default_rng(seed)
    real, fake = (rng.integers(0, n, n) if n else None for n in (samples.n_real, samples.n_fake))
    return real, fake


def bootstrap_replicates(samples: PerSample, key: str, replicates: int = 400, seed: int = 0) -> np.ndarray:
    """``key`` over ``replicates`` bootstrap resamples of ``samples``: float64 [replicates]."""
    return np.array([samples.reduce(*resample_rows(samples, seed + b))[key] for b in range(replicates)])


#: Effort parameters, by name: lowered wherever a measure has one, in tests whose point is that a
#: measure runs (its contract, the CLI end to end), not its value at full effort.
FAST_PARAMS: dict[str, object] = {
    "steps": 5,
    "restarts": 1,
    "n_images": 4,
    "permutations": 20,
    "subsets": 10,
    "subset_size": 80,
    "projections": 16,
    "patches_per_image": 8,
    "pairs": 16,
    "n_matches": 4,
    "batch_size": 32,
    "batches": 20,
    "n_boot": 20,
    "n_val": 40,
    "n_sigmas": 5,
    "n_init": 1,
    "cells": 4,
    "min_cell_fake": 5,
    "bins": 10,
    "n_points": 5,
    "critic_width": 8,
    "num_runs": 2,
    "repetitions": 5,
    "epochs": 2,
}


class BankGenerator(nn.Module):
    """z [B, 2 + 784] -> [B, 1, 28, 28] in [-1, 1]: a bank image with probability ``p_real``, else noise.

    z[:, 0] picks the bank image, z[:, 1] decides real or noise, z[:, 2:] is the noise.
    """

    def __init__(self, bank: torch.Tensor, p_real: float):
        super().__init__()
        self.register_buffer("bank", bank.float() / 127.5 - 1.0)
        self.p_real = p_real

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        u = torch.special.ndtr(z[:, :2])
        idx = (u[:, 0] * self.bank.shape[0]).long().clamp(max=self.bank.shape[0] - 1)
        noise = z[:, 2:].clamp(-1, 1).view(-1, 1, 28, 28)
        keep = (u[:, 1] < self.p_real).view(-1, 1, 1, 1)
        return torch.where(keep, self.bank[idx], noise)


class WorkStarted(AssertionError):
    """Raised by the stand-ins of the pipeline's work (the ``no_work`` fixture): a run got past every
    check."""


def curve_sets(n: int, m: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic, largely disjoint real [n, d] and generated [m, d] sets (closed-form rows, no random
    generator): the inputs of the reference values of the pr-cover and p-precision-recall tests."""
    j = np.arange(d)[None, :]
    i = np.arange(n)[:, None]
    real = np.sin(1.7 * i + 0.9 * j * j + 0.3) + 0.5 * np.cos(0.31 * i * (j + 1))
    i = np.arange(m)[:, None]
    fake = 1.2 * np.sin(2.3 * i + 0.4 * j + 1.1) + 0.3 * np.cos(0.17 * i * (j + 2)) + 0.25
    return real, fake


def mixed_sets(n: int, m: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Real rows of :func:`curve_sets`; half the generated rows from the real formula at shifted
    indices (on the real curves), the rest from the generated formula."""
    j = np.arange(d)[None, :]
    i = np.arange(m)[:, None] + 0.37
    near = np.sin(1.7 * i + 0.9 * j * j + 0.3) + 0.5 * np.cos(0.31 * i * (j + 1))
    real, far = curve_sets(n, m, d)
    return real, np.vstack([near[: m // 2], far[m // 2 :]])


#: The named inputs of the pr-cover and p-precision-recall reference values (keys as in their tables).
REFERENCE_INPUTS = {
    "curve 60x50x5": lambda: curve_sets(60, 50, 5),
    "curve 200x150x8": lambda: curve_sets(200, 150, 8),
    "mixed 120x100x6": lambda: mixed_sets(120, 100, 6),
}
