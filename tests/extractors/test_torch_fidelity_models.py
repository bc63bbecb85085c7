"""VGG16, CLIP and DINOv2 through torch-fidelity, with weights written by the tests (no published file here).

- VGG16: a seeded random torchvision VGG16 state dict (550 MB, so marked slow), forced.
- CLIP: the missing-file and refusal messages, and a tiny CLIP-shaped TorchScript archive (a
  1-layer ViT with CLIP's parameter names) through torch-fidelity's own ``build_model``.
- DINOv2: the ``weights=`` refusal and missing-cache messages, and the hub-cache route with a
  stand-in ``facebookresearch_dinov2_main/hubconf.py`` whose model reads its checkpoint the way
  the real one does (``torch.hub.load_state_dict_from_url``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from torch import nn
from torch_fidelity.feature_extractor_clip import CLIPVisual

from ganbench.extractors.spec import state_dict_sha256
from ganbench.extractors.weights import KNOWN_WEIGHTS, WeightsError, file_sha256
from ganbench.registry import EXTRACTORS
from ganbench.seeding import seeded


def _images(n: int, channels: int, size: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 256, (n, channels, size, size), generator=torch.Generator().manual_seed(seed)).to(
        torch.uint8
    )


def test_every_torch_fidelity_extractor_is_registered_with_its_weights_entry() -> None:
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY

    expected = {n for n in FEATURE_EXTRACTORS_REGISTRY if n != "inception-v3-compat"}
    assert expected <= set(EXTRACTORS.names()) and expected <= set(KNOWN_WEIGHTS)


# --- VGG16 -------------------------------------------------------------------------------------


def test_vgg16_refuses_an_unknown_layer_before_reading_anything() -> None:
    with pytest.raises(ValueError, match="vgg16 layer must be one of fc2, fc2_relu"):
        EXTRACTORS["vgg16"](layer="fc3", progress=False)


def test_vgg16_without_a_file_names_it() -> None:
    with pytest.raises(WeightsError, match=r"vgg16-397923af\.pth") as err:
        EXTRACTORS["vgg16"](progress=False)
    assert "https://download.pytorch.org/models/vgg16-397923af.pth" in str(err.value)


@pytest.mark.slow
def test_vgg16_from_a_random_torchvision_state_dict(tmp_path: Path) -> None:
    with seeded(0):
        model = torchvision.models.vgg16()
    path = tmp_path / "random-vgg16.pth"
    torch.save(model.state_dict(), path)
    with pytest.raises(WeightsError, match="not the published one"):
        EXTRACTORS["vgg16"](weights=path, progress=False)
    pre = EXTRACTORS["vgg16"](weights=path, force_weights=True, progress=False)
    identity = pre.identity
    assert identity.name == "vgg16-unverified" and identity.verified is False and identity.has_logits
    assert identity.weights_file_sha256 == file_sha256(path) and identity.input_size == "224x224"
    images = _images(2, 1, 28)
    out = pre(images, progress=False)
    assert out["features"].shape == (2, 4096) and out["logits"].shape == (2, 1000)
    # the logits are torchvision's classifier head on fc2's ReLU (dropout is off in eval)
    head = model.classifier[6]
    expected = torch.relu(torch.from_numpy(out["features"])) @ head.weight.detach().T + head.bias.detach()
    np.testing.assert_allclose(out["logits"], expected.numpy(), rtol=1e-4, atol=1e-5)
    post = EXTRACTORS["vgg16"](weights=path, force_weights=True, progress=False, layer="fc2_relu")
    assert post.identity.weights_sha256 == identity.weights_sha256 and post.identity != identity
    np.testing.assert_array_equal(post(images, progress=False)["features"], np.maximum(out["features"], 0))


# --- CLIP --------------------------------------------------------------------------------------


def test_clip_without_a_file_names_the_file_and_url(isolated_hub: Path) -> None:
    known = KNOWN_WEIGHTS["clip-vit-b-32"]
    with pytest.raises(WeightsError) as err:
        EXTRACTORS["clip-vit-b-32"](progress=False)
    text = str(err.value)
    assert known.file_name in text and known.url in text and str(isolated_hub / "checkpoints") in text


def test_clip_refuses_a_mismatched_file_and_a_forced_non_archive(tmp_path: Path) -> None:
    path = tmp_path / "ViT-B-32.pt"
    path.write_bytes(b"not an archive")
    with pytest.raises(WeightsError, match="not the published one"):
        EXTRACTORS["clip-vit-b-32"](weights=path, progress=False)
    with pytest.raises(WeightsError, match="not a TorchScript archive"):
        EXTRACTORS["clip-vit-b-32"](weights=path, force_weights=True, progress=False)


class _ClipArchive(nn.Module):
    """CLIP's parameter names around a tiny vision tower (the text side reduced to its projection)."""

    def __init__(self, visual: nn.Module) -> None:
        super().__init__()
        self.visual = visual
        self.text_projection = nn.Parameter(torch.randn(16, 8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.text_projection


@pytest.mark.filterwarnings("ignore:.*jit.script.*deprecated:FutureWarning")
def test_clip_from_a_tiny_archive_in_the_hub_cache(
    isolated_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "clip-vit-b-32"
    with seeded(0):  # a 1-layer ViT, patch 14 on 28x28 inputs, width 64, embedding 8
        archive = torch.jit.script(_ClipArchive(CLIPVisual(8, 28, 1, 64, 14).visual))
    path = isolated_hub / "checkpoints" / KNOWN_WEIGHTS[name].file_name
    path.parent.mkdir(parents=True)
    archive.save(str(path))
    monkeypatch.setitem(
        KNOWN_WEIGHTS, name, dataclasses.replace(KNOWN_WEIGHTS[name], sha256=file_sha256(path))
    )
    extractor = EXTRACTORS[name](progress=False)
    identity = extractor.identity
    assert (identity.name, identity.verified, identity.has_logits) == (name, True, False)
    assert identity.input_size == "28x28" and identity.weights_file_sha256 == file_sha256(path)
    out = extractor(_images(3, 1, 32), progress=False)
    assert (
        set(out) == {"features"} and out["features"].shape == (3, 8) and out["features"].dtype == np.float32
    )
    # the vision tower's weights went into torch-fidelity's module (through CLIP's fp16 storage)
    loaded = extractor.net.model.visual.conv1.weight
    torch.testing.assert_close(loaded, archive.visual.conv1.weight.detach().half().float())


# --- DINOv2 ------------------------------------------------------------------------------------

_HUBCONF = '''
import torch
from torch import nn

dependencies = ["torch"]


class Tiny(nn.Module):
    """Stands in for a DINOv2 ViT-S/14: 14x14 patches -> 384-d, averaged (a class-token-like [B, 384])."""

    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, 384, kernel_size=14, stride=14)

    def forward(self, x):
        return self.patch(x).mean(dim=(2, 3))


def dinov2_vits14():
    model = Tiny()
    model.load_state_dict(torch.hub.load_state_dict_from_url("URL", map_location="cpu"))
    return model
'''


def _fake_hub(hub: Path, url: str) -> Path:
    repo = hub / "facebookresearch_dinov2_main"
    repo.mkdir(parents=True)
    (repo / "hubconf.py").write_text(_HUBCONF.replace("URL", url))
    checkpoint = hub / "checkpoints" / "dinov2_vits14_pretrain.pth"
    checkpoint.parent.mkdir(parents=True)
    with seeded(0):
        torch.save(
            nn.Conv2d(3, 384, kernel_size=14, stride=14).state_dict(), checkpoint.with_name("conv.pth")
        )
    state = torch.load(checkpoint.with_name("conv.pth"), weights_only=True)
    torch.save({f"patch.{k}": v for k, v in state.items()}, checkpoint)
    return checkpoint


def test_dinov2_refuses_weights_and_names_the_hub_cache(tmp_path: Path, isolated_hub: Path) -> None:
    with pytest.raises(WeightsError, match="cannot load from a weights path"):
        EXTRACTORS["dinov2-vit-s-14"](weights=tmp_path / "x.pth", progress=False)
    with pytest.raises(WeightsError) as err:
        EXTRACTORS["dinov2-vit-s-14"](progress=False)
    text = str(err.value)
    assert (
        "is not in the torch hub cache" in text and str(isolated_hub / "facebookresearch_dinov2_main") in text
    )
    assert "https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth" in text


def test_dinov2_from_the_hub_cache_offline(isolated_hub: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("torch.hub went to the network")

    monkeypatch.setattr(torch.hub, "urlopen", no_network)
    checkpoint = _fake_hub(isolated_hub, KNOWN_WEIGHTS["dinov2-vit-s-14"].url)
    extractor = EXTRACTORS["dinov2-vit-s-14"](progress=False)
    identity = extractor.identity
    assert (identity.name, identity.verified, identity.has_logits) == ("dinov2-vit-s-14", True, False)
    assert identity.weights_file_sha256 == file_sha256(checkpoint) and identity.input_size == "224x224"
    assert identity.weights_sha256 == state_dict_sha256(extractor.net)[:16]
    expected = torch.load(checkpoint, weights_only=True)["patch.weight"]
    assert torch.equal(extractor.net.model.patch.weight, expected)
    out = extractor(_images(2, 1, 28), progress=False)
    assert set(out) == {"features"} and out["features"].shape == (2, 384)


def test_dinov2_hub_code_asking_for_another_file_is_refused(isolated_hub: Path) -> None:
    _fake_hub(isolated_hub, "https://example.org/other.pth")
    with pytest.raises(WeightsError, match=r"asked for https://example\.org/other\.pth"):
        EXTRACTORS["dinov2-vit-s-14"](progress=False)
