"""Extracted features on disk, keyed by extractor identity, image content and count.

A feature pass is the expensive step that every metric shares; the held-out and training
sets are the same in every run on a dataset, so their features are computed once per
extractor and read back afterwards.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from ganbench.atomic_files import replacing
from ganbench.extractors import ExtractorIdentity


def cache_key(identity: ExtractorIdentity, images: torch.Tensor) -> str:
    """SHA-256 over the extractor identity, the image tensor's shape and its bytes."""
    digest = hashlib.sha256()
    digest.update(json.dumps(identity.as_dict(), sort_keys=True).encode())
    digest.update(repr(tuple(images.shape)).encode())
    digest.update(images.contiguous().numpy().tobytes())
    return digest.hexdigest()[:32]


def load(directory: Path, key: str) -> dict[str, np.ndarray] | None:
    """The cached outputs for ``key``, or None when absent or unreadable (then recomputed).

    Read with ``allow_pickle=False``: a cache file holds arrays only, and a file that would need
    unpickling is refused (treated as unreadable), never executed.
    """
    path = directory / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError):
        return None


def save(directory: Path, key: str, outputs: dict[str, np.ndarray]) -> None:
    """Write atomically (temporary file, then rename), so a kill never leaves a half entry."""
    with replacing(directory / f"{key}.npz", suffix=".npz") as temporary:
        np.savez(temporary, **outputs)
