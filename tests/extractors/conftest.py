"""Extractor fixtures: an isolated torch hub and weights folder, and randomly initialised weights files.

Real pretrained weights are not on the test machine and are never faked: the files here hold
randomly initialised tensors of the right architecture, written by the tests, so every path
(found, hashed, refused, forced, loaded, run) is exercised while no value is presented as the
published network's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
import torch
from torch_fidelity import feature_extractor_inceptionv3
from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

from ganbench.extractors.weights import WEIGHTS_DIR_ENV
from ganbench.seeding import seeded


@pytest.fixture(autouse=True)
def isolated_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """torch.hub.get_dir() -> a fresh folder under tmp_path; $GANBENCH_WEIGHTS_DIR unset; downloads fail."""
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.delenv(WEIGHTS_DIR_ENV, raising=False)

    def no_download(url: str, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to download {url}")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_download)
    return Path(torch.hub.get_dir())


def _random_inception_state() -> dict[str, torch.Tensor]:
    """torch-fidelity's Inception-v3 with its default (random) initialisation, seeded; nothing downloaded."""
    with (
        seeded(0),
        mock.patch.object(feature_extractor_inceptionv3, "load_state_dict_from_url", lambda *a, **k: {}),
        mock.patch.object(FeatureExtractorInceptionV3, "load_state_dict", lambda self, *a, **k: None),
    ):
        net = FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    return net.state_dict()


@pytest.fixture(scope="session")
def random_inception(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised state dict of torch-fidelity's Inception-v3, saved once per session."""
    path = tmp_path_factory.mktemp("weights") / "random-inception.pth"
    torch.save(_random_inception_state(), path)
    return path


@pytest.fixture
def place(tmp_path: Path) -> Callable[[Path, Path, str], Path]:
    """``place(source, folder, name)``: a symbolic link ``folder/name`` -> ``source`` (no 100 MB copies)."""

    def link(source: Path, folder: Path, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        target.symlink_to(source)
        return target

    return link
