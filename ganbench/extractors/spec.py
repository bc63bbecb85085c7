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

    Two values are comparable only when their identities are equal; every field below is part of
    the feature-cache key, so changing any of them never reads back another space's features.

    Attributes:
        name: registry name, e.g. ``domain-classifier``; ``<name>-unverified`` when the weights
            file did not match its published digest and the user forced it; ``user:<spec>`` for
            a user's own extractor.
        weights_sha256: hash of the weights' tensors (:func:`state_dict_sha256`; the first 16 hex
            digits suffice to tell them apart), ``"none"`` for an extractor without weights.
        protocol: how images are fed (resize, channels, normalisation) and which layer is read,
            in words.
        input_size: what the network sees, e.g. ``"299x299"``; ``"native"`` when images are fed
            at their own size.
        resize: how images are brought to ``input_size``, e.g. ``"torch-fidelity TF1-compatible
            bilinear to 299x299"``; ``"none"``.
        channels: how channels are fed, e.g. ``"grayscale tiled to 3"``; ``"native"``.
        weights_file_sha256: the full SHA-256 of the weights file that was read, when the weights
            came from one (else None).
        verified: False when that file's digest did not match the published one and the user
            forced its use; such values must never be presented as the published network's.
        has_logits: whether the extractor returns class ``logits`` [N, K] besides ``features``;
            measures of the logits space (IS, AM, class coverage) need them.
    """

    name: str
    weights_sha256: str
    protocol: str
    input_size: str = "native"
    resize: str = "none"
    channels: str = "native"
    weights_file_sha256: str | None = None
    verified: bool = True
    has_logits: bool = True

    def as_dict(self) -> dict[str, str | bool | None]:
        return asdict(self)


class FeatureExtractor(Protocol):
    """Images -> ``{"features": [N, D]}`` and, when ``identity.has_logits``, ``"logits": [N, K]``.

    Float32 numpy arrays; eval mode, no grad. An extractor without class logits (``pixels``,
    CLIP, DINOv2, a user's feature-only network) returns only ``"features"``, and says so with
    ``identity.has_logits = False`` before any image is seen, so a caller can skip the
    logits-space measures with a stated reason.
    """

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
