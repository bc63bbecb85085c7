"""One feature pass in batches: the loop every network extractor shares (eval mode, no gradients)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from tqdm.auto import tqdm


@torch.no_grad()
def run_in_batches(
    forward: Callable[[torch.Tensor], dict[str, torch.Tensor]],
    images: torch.Tensor,
    *,
    batch_size: int,
    desc: str,
    progress: bool,
) -> dict[str, np.ndarray]:
    """``forward`` over ``images`` [N, ...] in order, ``batch_size`` at a time, outputs concatenated.

    Args:
        forward: one batch [B, ...] -> ``{name: tensor [B, ...]}``, the same names every batch.
        images: the whole set, on any device (each batch is handed over as sliced).
        batch_size: images per call.
        desc: the progress bar's label; ``progress=False`` hides it.

    Returns:
        ``{name: float32 ndarray [N, ...]}`` on the CPU.
    """
    parts: dict[str, list[torch.Tensor]] = {}
    for start in tqdm(
        range(0, len(images), batch_size), desc=desc, disable=None if progress else True, leave=False
    ):
        for name, value in forward(images[start : start + batch_size]).items():
            parts.setdefault(name, []).append(value.detach().to("cpu", torch.float32))
    return {name: torch.cat(values).numpy() for name, values in parts.items()}
