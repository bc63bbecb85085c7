"""Inception-v3 through torch-fidelity, from a randomly initialised state dict of its architecture.

The published weights are not on this machine; the file here is torch-fidelity's architecture with
its default random initialisation (seeded), so shapes, the readout, tiling, determinism, every
weights route and the verification branches are tested, and no Inception value is asserted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.extractors.inception import FEATURE_DIM, NUM_CLASSES, load_inception_v3
from ganbench.extractors.spec import state_dict_sha256
from ganbench.extractors.weights import KNOWN_WEIGHTS, WEIGHTS_DIR_ENV, WeightsError, file_sha256
from ganbench.registry import EXTRACTORS

FILE = KNOWN_WEIGHTS["inception-v3"].file_name


def _images(n: int, channels: int, size: int, seed: int) -> torch.Tensor:
    return torch.randint(0, 256, (n, channels, size, size), generator=torch.Generator().manual_seed(seed)).to(
        torch.uint8
    )


@pytest.fixture(scope="module")
def forced(random_inception: Path):
    """The extractor built once from the random file, forced (its digest is not the published one)."""
    return load_inception_v3(weights=random_inception, force_weights=True, progress=False, batch_size=1)


@pytest.fixture(scope="module")
def passes(forced) -> dict[str, dict[str, np.ndarray]]:
    """Every forward pass the slow tests read (Inception at 299x299 takes seconds per image on a CPU).

    ``gray``: 2 grayscale 28x28 images in batches of 1; ``tiled``: the same images as RGB;
    ``rgb``: one 32x32 RGB image.
    """
    gray = _images(2, 1, 28, seed=11)
    return {
        "gray": forced(gray, progress=False),
        "tiled": forced(gray.repeat(1, 3, 1, 1), progress=False),
        "rgb": forced(_images(1, 3, 32, seed=7), progress=False),
    }


def test_registered_and_refuses_without_a_file() -> None:
    assert EXTRACTORS["inception-v3"] is load_inception_v3
    with pytest.raises(WeightsError, match=FILE):
        load_inception_v3(progress=False)


def test_unforced_random_file_is_refused(random_inception: Path) -> None:
    with pytest.raises(WeightsError, match="not the published one"):
        load_inception_v3(weights=random_inception, progress=False)


def test_forced_identity_says_unverified(forced, random_inception: Path) -> None:
    identity = forced.identity
    assert identity.name == "inception-v3-unverified" and identity.verified is False
    assert identity.weights_file_sha256 == file_sha256(random_inception)
    assert identity.weights_sha256 == state_dict_sha256(forced.net)[:16]
    assert identity.has_logits is True
    assert (identity.input_size, identity.channels) == (
        "299x299",
        "grayscale tiled to 3 (R = G = B); RGB as is",
    )
    assert "TF1-compatible bilinear" in identity.resize and "299x299" in identity.resize
    assert "pool3" in identity.protocol and "logits_unbiased" in identity.protocol


@pytest.mark.slow
@pytest.mark.parametrize(("key", "n"), [("gray", 2), ("rgb", 1)])
def test_shapes_for_gray_28_and_rgb_32(passes, key: str, n: int) -> None:
    out = passes[key]
    assert set(out) == {"features", "logits"}
    assert out["features"].shape == (n, FEATURE_DIM) and out["logits"].shape == (n, NUM_CLASSES)
    assert out["features"].dtype == np.float32 and out["logits"].dtype == np.float32
    assert np.isfinite(out["features"]).all() and np.isfinite(out["logits"]).all()


@pytest.mark.slow
def test_features_are_pool3_and_logits_are_the_unbiased_final_layer(forced, passes) -> None:
    out = passes["rgb"]
    weight = forced.net.fc.weight.detach().double().numpy()
    expected = out["features"].astype(np.float64) @ weight.T  # logits_unbiased = pool3 · Wᵀ, no bias
    np.testing.assert_allclose(out["logits"], expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    assert not np.allclose(forced.net.fc.bias.detach().numpy(), 0)  # so "without the bias" is a real test


@pytest.mark.slow
def test_gray_is_tiled_and_passes_are_deterministic(passes) -> None:
    # two separate passes over the same pixel values, one from 1 channel tiled, one from 3 given
    np.testing.assert_array_equal(passes["gray"]["features"], passes["tiled"]["features"])
    np.testing.assert_array_equal(passes["gray"]["logits"], passes["tiled"]["logits"])
    assert not np.array_equal(passes["gray"]["features"][0], passes["gray"]["features"][1])


def test_bad_images_are_refused(forced) -> None:
    with pytest.raises(ValueError, match="uint8"):
        forced(torch.rand(2, 3, 32, 32), progress=False)
    with pytest.raises(ValueError, match="got 4 channels"):
        forced(torch.zeros(2, 4, 32, 32, dtype=torch.uint8), progress=False)


def test_published_digest_branch_verifies(
    random_inception: Path, monkeypatch: pytest.MonkeyPatch, forced
) -> None:
    digest = file_sha256(random_inception)
    monkeypatch.setitem(
        KNOWN_WEIGHTS, "inception-v3", dataclasses.replace(KNOWN_WEIGHTS["inception-v3"], sha256=digest)
    )
    verified = load_inception_v3(weights=random_inception, progress=False)
    assert verified.identity.name == "inception-v3" and verified.identity.verified is True
    assert verified.identity.weights_sha256 == forced.identity.weights_sha256  # same tensors, same hash
    assert verified.identity.weights_file_sha256 == digest


@pytest.mark.parametrize("route", ["weights=", "env", "hub"])
def test_each_place_a_file_may_be_put(
    route: str,
    random_inception: Path,
    place: Callable[[Path, Path, str], Path],
    tmp_path: Path,
    isolated_hub: Path,
    monkeypatch: pytest.MonkeyPatch,
    forced,
) -> None:
    weights = None
    if route == "weights=":
        weights = place(random_inception, tmp_path / "anywhere", "my-copy.pth")
    elif route == "env":
        place(random_inception, tmp_path / "env", FILE)
        monkeypatch.setenv(WEIGHTS_DIR_ENV, str(tmp_path / "env"))
    else:
        place(random_inception, isolated_hub / "checkpoints", FILE)
    extractor = load_inception_v3(weights=weights, force_weights=True, progress=False)
    assert (
        extractor.resolved.source
        == {"weights=": "weights=", "env": f"${WEIGHTS_DIR_ENV}", "hub": "torch hub cache"}[route]
    )
    assert (
        extractor.identity == forced.identity
    )  # same file digest, same tensors (weights hash), same protocol


def test_a_file_of_another_architecture_does_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "linear.pth"
    torch.save(torch.nn.Linear(3, 2).state_dict(), path)
    with pytest.raises(WeightsError, match="does not fit inception-v3's architecture"):
        load_inception_v3(weights=path, force_weights=True, progress=False)


def test_batch_size_is_checked() -> None:
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        load_inception_v3(batch_size=0, progress=False)
