"""The extractor contract: uint8 images in, named arrays out, with an identity for every record."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np
import torch


@dataclass(frozen=True)
class ExtractorIdentity:
    """What a reader needs to know to compare two values: goes into every record and cache key.

    Attributes:
        name: registry name, e.g. ``domain-classifier``.
        weights_sha256: hash of the weights' tensors (first 16 hex digits suffice to tell them apart).
        protocol: how images are fed (resize, channels, normalisation), in words.
    """

    name: str
    weights_sha256: str
    protocol: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class FeatureExtractor(Protocol):
    """Images -> ``{"features": [N, D], "logits": [N, K]}`` as float32 numpy arrays; eval mode, no grad."""

    identity: ExtractorIdentity

    def __call__(
        self, images: torch.Tensor, *, desc: str = "features", progress: bool = True
    ) -> dict[str, np.ndarray]:
        """Args: images uint8 [N, C, H, W]."""
        ...


def state_dict_sha256(module: torch.nn.Module) -> str:
    """SHA-256 over the module's tensors in key order: equal weights, equal hash, whatever the file."""
    digest = hashlib.sha256()
    for key, tensor in sorted(module.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()
