"""torch-fidelity's feature extractors as ganbench ones: built offline from checked weights, run in batches.

torch-fidelity 0.4.0 fetches pretrained weights itself inside each extractor's constructor (a
download, or ``torch.load(weights_only=False)`` of a path). :func:`build_offline` instead hands
the constructor the weights ganbench has already found, hashed and read safely
(:mod:`ganbench.extractors.weights`), by standing in for the one call that would fetch them, and
makes any torch.hub download attempted meanwhile an error. The module is then torch-fidelity's
own, so its preprocessing (TF1-compatible bilinear resize, normalisation) is used unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any
from unittest import mock

import numpy as np
import torch
from torch import nn

from ganbench.extractors._batches import run_in_batches
from ganbench.extractors._inputs import GRAY_TILED, tile_to_rgb
from ganbench.extractors.spec import ExtractorIdentity, state_dict_sha256
from ganbench.extractors.weights import ResolvedWeights, WeightsError

Readout = Callable[[dict[str, torch.Tensor]], dict[str, torch.Tensor]]
"""torch-fidelity's named outputs of one batch -> ``{"features": [B, D]}`` (+ ``"logits": [B, K]``)."""


def _refuse_download(url: str, *args: Any, **kwargs: Any) -> None:
    raise WeightsError(
        f"a download of {url} was attempted while building an extractor; ganbench never downloads. "
        "Fetch the file on a machine that is online and put it where `ganbench` says (see --weights)."
    )


@contextlib.contextmanager
def _offline(module: ModuleType, attribute: str, supply: Callable[..., Any]) -> Iterator[None]:
    """While the block runs, ``module.attribute`` (torch-fidelity's weights fetch) is ``supply``, and
    torch.hub cannot download."""
    if not hasattr(module, attribute):  # a torch-fidelity other than 0.4.0 may have moved it
        raise RuntimeError(f"{module.__name__}.{attribute} not found: ganbench supports torch-fidelity 0.4.x")
    with (
        mock.patch.object(torch.hub, "download_url_to_file", _refuse_download),
        mock.patch.object(module, attribute, supply),
    ):
        yield


def build_offline(
    build: Callable[[], nn.Module],
    *,
    module: ModuleType,
    attribute: str,
    supply: Callable[..., Any],
    resolved: ResolvedWeights,
) -> nn.Module:
    """``build()`` (a torch-fidelity extractor's constructor) with ``module.attribute`` set to ``supply``.

    Raises:
        WeightsError: the weights do not fit the architecture (missing or unexpected keys, shapes).
    """
    with _offline(module, attribute, supply):
        try:
            net = build()
        except WeightsError:
            raise
        except (RuntimeError, KeyError, ValueError) as err:  # load_state_dict(strict=True), missing keys
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise WeightsError(
                f"weights file {str(resolved.path)!r} does not fit {resolved.extractor}'s architecture "
                f"({first}); expected {resolved.known.file_name} from {resolved.known.url}"
            ) from None
    return net.eval().requires_grad_(False)


class FidelityExtractor:
    """A torch-fidelity extractor module as a :class:`~ganbench.extractors.spec.FeatureExtractor`.

    Images uint8 [N, 1 or 3, H, W] (grayscale tiled to 3 channels) go through the module in
    batches on ``device``; ``readout`` turns its named outputs into ``features`` / ``logits``.

    Attributes:
        identity: name, weights hashes, protocol, input size, resize, channels, verification.
        net: the torch-fidelity module (eval mode, no gradients).
        resolved: the weights file it was built from.
    """

    def __init__(
        self,
        net: nn.Module,
        readout: Readout,
        identity: ExtractorIdentity,
        resolved: ResolvedWeights,
        *,
        device: torch.device,
        batch_size: int,
    ) -> None:
        self.net = net.to(device).eval()
        self.readout = readout
        self.identity = identity
        self.resolved = resolved
        self.device = device
        self.batch_size = batch_size

    def _forward(self, batch: torch.Tensor) -> dict[str, torch.Tensor]:
        outputs = self.net(batch.to(self.device))
        return self.readout(self.net.convert_features_tuple_to_dict(outputs))

    def __call__(
        self, images: torch.Tensor, *, desc: str = "features", progress: bool = True
    ) -> dict[str, np.ndarray]:
        """uint8 [N, C, H, W] -> ``{"features": float32 [N, D]}`` (+ ``"logits": float32 [N, K]``)."""
        return run_in_batches(
            self._forward, tile_to_rgb(images), batch_size=self.batch_size, desc=desc, progress=progress
        )


def fidelity_identity(
    resolved: ResolvedWeights,
    weights_of: nn.Module,
    *,
    protocol: str,
    input_size: int,
    has_logits: bool,
) -> ExtractorIdentity:
    """The identity of a torch-fidelity extractor built from ``resolved``, resized to ``input_size`` square.

    ``weights_of`` holds every tensor the features depend on; its :func:`state_dict_sha256` names them.
    """
    return ExtractorIdentity(
        name=resolved.identity_name(),
        weights_sha256=state_dict_sha256(weights_of)[:16],
        protocol=protocol,
        input_size=f"{input_size}x{input_size}",
        resize=f"torch-fidelity TF1-compatible bilinear to {input_size}x{input_size}",
        channels=GRAY_TILED,
        weights_file_sha256=resolved.sha256,
        verified=resolved.verified,
        has_logits=has_logits,
    )
