"""Inception-v3 as FID, IS and KID were defined with it: the TF1 graph of 2015-12-05, through torch-fidelity.

Heusel et al. 2017 (FID, arXiv:1706.08500) take the 2048-d pool3 activations of the TensorFlow
Inception-v3 graph ``inception-2015-12-05``; Salimans et al. 2016 (IS, arXiv:1606.03498) its
1008-way softmax; Bińkowski et al. 2018 (KID, arXiv:1801.01401) the pool3 features again. Values
are comparable with published ones only through that graph and its preprocessing, so ganbench
uses torch-fidelity's port of it (Obukhov et al., ``FeatureExtractorInceptionV3``, weights
converted from the TF graph), unchanged:

- input uint8 [N, 3, H, W] (grayscale tiled to 3 channels), resized to 299x299 by torch-fidelity's
  TF1-compatible bilinear interpolation (``interpolate_bilinear_2d_like_tensorflow1x``), then
  ``(x - 128) / 128``;
- ``features``: pool3, float32 [N, 2048];
- ``logits``: ``logits_unbiased``, float32 [N, 1008]: the final layer without its bias, as the
  original IS code reads it (torch-fidelity's default for IS).

The weights file (``weights-inception-2015-12-05-6726825d.pth``) is never downloaded by ganbench:
see :mod:`ganbench.extractors.weights` for where it is looked for and how it is checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch_fidelity import feature_extractor_inceptionv3
from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

from ganbench.datasets import Dataset
from ganbench.extractors._fidelity import FidelityExtractor, build_offline, fidelity_identity
from ganbench.extractors.weights import WeightsError, check_weights, load_state_dict
from ganbench.numerics.checks import positive_int
from ganbench.registry import EXTRACTORS

NAME = "inception-v3"
INPUT_SIZE = FeatureExtractorInceptionV3.INPUT_IMAGE_SIZE  # 299
FEATURE_DIM = 2048
NUM_CLASSES = 1008
DEFAULT_BATCH_SIZE = 64  # torch-fidelity's default batch size
PROTOCOL = (
    "torch-fidelity 0.4.0 FeatureExtractorInceptionV3 (TF1 Inception-v3 graph 2015-12-05): uint8, "
    f"TF1-compatible bilinear resize to {INPUT_SIZE}x{INPUT_SIZE}, (x - 128) / 128; features = pool3 "
    f"[{FEATURE_DIM}], logits = logits_unbiased [{NUM_CLASSES}] (final layer without its bias)"
)


@EXTRACTORS.register(NAME)
def load_inception_v3(
    dataset: Dataset | None = None,
    *,
    device: str | torch.device = "cpu",
    progress: bool = True,
    weights: str | Path | None = None,
    force_weights: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> FidelityExtractor:
    """TF1 Inception-v3 of FID / IS / KID: pool3 features [N, 2048], logits [N, 1008].

    Args:
        dataset: unused (the network is pretrained); accepted for the factory signature.
        device: where the network runs.
        progress: show a progress bar per feature pass.
        weights: the weights file (or a folder holding it); default: ``$GANBENCH_WEIGHTS_DIR``,
            then torch's hub cache.
        force_weights: use a file whose SHA-256 is not the published one; the identity is then
            ``inception-v3-unverified`` with ``verified=False``.
        batch_size: images per forward pass.

    Raises:
        WeightsError: the file is missing, not the published one (without ``force_weights``),
            or not a plain state dict of this architecture.
    """
    batch_size = positive_int("batch_size", batch_size)
    resolved = check_weights(NAME, weights, force_weights)
    state = load_state_dict(resolved)

    def supply(url: str, *args: Any, **kwargs: Any) -> dict[str, torch.Tensor]:
        if url != resolved.known.url:
            raise WeightsError(
                f"torch-fidelity asked for {url}, not the Inception weights {resolved.known.url}"
            )
        return state

    net = build_offline(
        lambda: FeatureExtractorInceptionV3("inception-v3-compat", ["2048", "logits_unbiased"]),
        module=feature_extractor_inceptionv3,
        attribute="load_state_dict_from_url",
        supply=supply,
        resolved=resolved,
    )
    identity = fidelity_identity(resolved, net, protocol=PROTOCOL, input_size=INPUT_SIZE, has_logits=True)
    return FidelityExtractor(
        net,
        lambda out: {"features": out["2048"], "logits": out["logits_unbiased"]},
        identity,
        resolved,
        device=torch.device(device),
        batch_size=batch_size,
    )
