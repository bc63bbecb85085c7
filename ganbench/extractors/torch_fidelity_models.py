"""torch-fidelity 0.4.0's other feature extractors: VGG16, CLIP, DINOv2, each under torch-fidelity's name.

All run torch-fidelity's own modules (uint8 [N, 3, H, W], grayscale tiled to 3 channels,
TF1-compatible bilinear resize to the network's input size, the network's normalisation) and
take their weights through :mod:`ganbench.extractors.weights` (never downloaded):

- ``vgg16``: torchvision's ImageNet VGG16 (Simonyan & Zisserman 2015, arXiv:1409.1556), the
  feature space of Kynkäänniemi et al. 2019's precision and recall (arXiv:1904.06991).
  ``features`` = fc2 [N, 4096] (``layer="fc2"``, before its ReLU; ``layer="fc2_relu"`` after it,
  torch-fidelity's default for FID / KID / PRC); ``logits`` = the ImageNet classifier's
  1000 class logits, computed from fc2's ReLU by the file's final layer (``classifier.6``).
- ``clip-rn50`` … ``clip-vit-l-14-336px``: the image encoders of OpenAI's CLIP (Radford et al.
  2021, arXiv:2103.00020), features = the image embedding [N, 512..1024], the space of
  Kynkäänniemi et al. 2023's FID_CLIP (arXiv:2203.06026); no class logits.
- ``dinov2-vit-s-14`` … ``dinov2-vit-g-14``: DINOv2 backbones (Oquab et al. 2023,
  arXiv:2304.07193), features = the class token [N, 384..1536], the space of Stein et al.
  2023's FD_DINOv2 (arXiv:2306.04675); no class logits. Read only from torch's hub cache.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import torch
import torchvision
from torch import nn
from torch_fidelity import feature_extractor_clip, feature_extractor_dinov2, feature_extractor_vgg16
from torch_fidelity.feature_extractor_clip import FeatureExtractorCLIP
from torch_fidelity.feature_extractor_dinov2 import FeatureExtractorDinoV2
from torch_fidelity.feature_extractor_vgg16 import FeatureExtractorVGG16

from ganbench.datasets import Dataset
from ganbench.extractors._fidelity import FidelityExtractor, build_offline, fidelity_identity
from ganbench.extractors.weights import (
    KNOWN_WEIGHTS,
    ResolvedWeights,
    WeightsError,
    check_weights,
    load_state_dict,
    load_torchscript,
)
from ganbench.numerics.checks import positive_int
from ganbench.registry import EXTRACTORS

DEFAULT_BATCH_SIZE = 64  # torch-fidelity's default batch size
VGG16_LAYERS = ("fc2", "fc2_relu")
# The real torch.hub.load, kept to load from the local cache while torch-fidelity's own call is redirected.
_HUB_LOAD = torch.hub.load

Factory = Callable[..., FidelityExtractor]


def _fidelity_protocol(module: str, size: int, normalisation: str, readout: str) -> str:
    return (
        f"torch-fidelity 0.4.0 {module}: uint8, TF1-compatible bilinear resize to {size}x{size}, "
        f"{normalisation}; {readout}"
    )


# --- VGG16 -------------------------------------------------------------------------------------


def _vgg16_from(state: dict[str, torch.Tensor]) -> nn.Module:
    """torchvision's VGG16 holding ``state``; built on the meta device, so nothing is initialised in vain."""
    with torch.device("meta"):
        model = torchvision.models.vgg16()
    model.load_state_dict(state, assign=True)
    return model


@EXTRACTORS.register("vgg16")
def load_vgg16(
    dataset: Dataset | None = None,
    *,
    device: str | torch.device = "cpu",
    progress: bool = True,
    weights: str | Path | None = None,
    force_weights: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    layer: str = "fc2",
) -> FidelityExtractor:
    """VGG16 (torchvision, ImageNet): fc2 features [N, 4096], ImageNet logits [N, 1000].

    Args:
        dataset: unused (pretrained network).
        device: where the network runs.
        progress: show a progress bar per feature pass.
        weights: ``vgg16-397923af.pth`` (or a folder holding it); default: ``$GANBENCH_WEIGHTS_DIR``,
            then torch's hub cache.
        force_weights: use a file whose SHA-256 prefix is not the published one (``vgg16-unverified``).
        batch_size: images per forward pass.
        layer: ``fc2`` (before the ReLU) or ``fc2_relu`` (after it).

    Raises:
        WeightsError: missing, mismatched (unless forced) or unfitting weights file.
        ValueError: an unknown ``layer``.
    """
    if layer not in VGG16_LAYERS:
        raise ValueError(f"vgg16 layer must be one of {', '.join(VGG16_LAYERS)}; got {layer!r}")
    batch_size = positive_int("batch_size", batch_size)
    resolved = check_weights("vgg16", weights, force_weights)
    state = load_state_dict(resolved)
    net = build_offline(
        lambda: FeatureExtractorVGG16("vgg16", list(VGG16_LAYERS)),
        module=feature_extractor_vgg16,
        attribute="torchvision_load_pretrained_vgg16",
        supply=lambda **kwargs: _vgg16_from(state),
        resolved=resolved,
    )
    head = nn.Linear(4096, 1000)  # the classifier's last layer, which torch-fidelity drops
    head.load_state_dict({"weight": state["classifier.6.weight"], "bias": state["classifier.6.bias"]})
    head = head.to(device).eval().requires_grad_(False)
    size = FeatureExtractorVGG16.INPUT_IMAGE_SIZE
    identity = fidelity_identity(
        resolved,
        nn.ModuleDict({"net": net, "head": head}),
        protocol=_fidelity_protocol(
            "FeatureExtractorVGG16 (torchvision VGG16 IMAGENET1K_V1)",
            size,
            "ImageNet mean/std",
            f"features = {layer} [4096]; logits = ImageNet classifier on fc2_relu [1000]",
        ),
        input_size=size,
        has_logits=True,
    )
    return FidelityExtractor(
        net,
        lambda out: {"features": out[layer], "logits": head(out["fc2_relu"])},
        identity,
        resolved,
        device=torch.device(device),
        batch_size=batch_size,
    )


# --- CLIP --------------------------------------------------------------------------------------


def _clip_factory(name: str) -> Factory:
    def load_clip(
        dataset: Dataset | None = None,
        *,
        device: str | torch.device = "cpu",
        progress: bool = True,
        weights: str | Path | None = None,
        force_weights: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> FidelityExtractor:
        batch_size = positive_int("batch_size", batch_size)
        resolved = check_weights(name, weights, force_weights)
        archive = load_torchscript(resolved)

        def supply(url: str, *args: Any, **kwargs: Any) -> torch.jit.ScriptModule:
            if url != resolved.known.url:
                raise WeightsError(
                    f"torch-fidelity asked for {url}, not {name}'s weights {resolved.known.url}"
                )
            return archive

        net = build_offline(
            lambda: FeatureExtractorCLIP(name, ["clip"]),
            module=feature_extractor_clip,
            attribute="load_state_dict_from_url",
            supply=supply,
            resolved=resolved,
        )
        identity = fidelity_identity(
            resolved,
            net,
            protocol=_fidelity_protocol(
                f"FeatureExtractorCLIP ({name}, OpenAI weights)",
                net.resolution,
                "CLIP mean/std",
                f"features = image embedding [{net.model.visual.output_dim}]; no logits",
            ),
            input_size=net.resolution,
            has_logits=False,
        )
        return FidelityExtractor(
            net,
            lambda out: {"features": out["clip"]},
            identity,
            resolved,
            device=torch.device(device),
            batch_size=batch_size,
        )

    load_clip.__name__ = f"load_{name.replace('-', '_')}"
    load_clip.__doc__ = f"""CLIP image encoder {name} (OpenAI weights): image embedding, no logits.

    Args as :func:`load_vgg16` (no ``layer``); weights: the TorchScript archive
    ``{KNOWN_WEIGHTS[name].file_name}`` from {KNOWN_WEIGHTS[name].url}.
    """
    return load_clip


# --- DINOv2 ------------------------------------------------------------------------------------


def _load_from_hub_cache(resolved: ResolvedWeights, state: dict[str, torch.Tensor]) -> nn.Module:
    """The DINOv2 backbone from the cached hub repository's code, given the already checked checkpoint.

    The repository's ``hubconf`` fetches its checkpoint with ``torch.hub.load_state_dict_from_url``;
    that call is answered with ``state`` (read with ``weights_only=True``), and any other URL is refused.
    """
    known = resolved.known

    def serve(url: str, *args: Any, **kwargs: Any) -> dict[str, torch.Tensor]:
        if url != known.url:
            raise WeightsError(f"the {known.hub_repo} code asked for {url}, not the checked {known.url}")
        return state

    with mock.patch.object(torch.hub, "load_state_dict_from_url", serve):
        return _HUB_LOAD(str(resolved.hub_repo_dir), known.hub_entry, source="local")


def _dinov2_factory(name: str) -> Factory:
    def load_dinov2(
        dataset: Dataset | None = None,
        *,
        device: str | torch.device = "cpu",
        progress: bool = True,
        weights: str | Path | None = None,
        force_weights: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> FidelityExtractor:
        batch_size = positive_int("batch_size", batch_size)
        resolved = check_weights(name, weights, force_weights)  # refuses a weights path: torch.hub only
        state = load_state_dict(resolved)

        def supply(repo: str, entry: str, *args: Any, **kwargs: Any) -> nn.Module:
            if (repo, entry) != (resolved.known.hub_repo, resolved.known.hub_entry):
                raise WeightsError(f"torch-fidelity asked torch.hub for {repo}:{entry}, not {name}")
            return _load_from_hub_cache(resolved, state)

        net = build_offline(
            lambda: FeatureExtractorDinoV2(name, ["dinov2"]),
            module=torch.hub,
            attribute="load",
            supply=supply,
            resolved=resolved,
        )
        size = FeatureExtractorDinoV2.INPUT_IMAGE_SIZE
        identity = fidelity_identity(
            resolved,
            net,
            protocol=_fidelity_protocol(
                f"FeatureExtractorDinoV2 ({resolved.known.hub_repo} {resolved.known.hub_entry}, "
                "code from the local torch hub cache)",
                size,
                "ImageNet mean/std",
                "features = class token; no logits",
            ),
            input_size=size,
            has_logits=False,
        )
        return FidelityExtractor(
            net,
            lambda out: {"features": out["dinov2"]},
            identity,
            resolved,
            device=torch.device(device),
            batch_size=batch_size,
        )

    load_dinov2.__name__ = f"load_{name.replace('-', '_')}"
    load_dinov2.__doc__ = f"""DINOv2 backbone {name} (torch.hub cache only): class token, no logits.

    Args as :func:`load_vgg16` (no ``layer``); ``weights`` is refused: torch-fidelity 0.4.0 loads
    DINOv2 only through torch.hub, so the ``{feature_extractor_dinov2.MODEL_METADATA[name]}`` checkpoint
    and the ``facebookresearch/dinov2`` code must be in ``torch.hub.get_dir()``.
    """
    return load_dinov2


for _name in feature_extractor_clip.MODEL_METADATA:
    EXTRACTORS.register(_name, _clip_factory(_name))
for _name in feature_extractor_dinov2.MODEL_METADATA:
    EXTRACTORS.register(_name, _dinov2_factory(_name))
