"""Seeded sections that leave the global RNG as they found it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def seeded(seed: int, device: torch.device | str = "cpu") -> Iterator[None]:
    """Run the block with torch's global CPU (and, on CUDA, device) RNG seeded by ``seed``.

    Layers that draw from the global RNG (dropout, default initialisation) are then
    reproducible, and the caller's RNG state is restored afterwards.
    """
    device = torch.device(device)
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
