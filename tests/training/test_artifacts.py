"""The image files a unit leaves for a person to check: nearest-neighbour grids and latent interpolations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from ganbench.metrics.spec import GeneratorHandle
from ganbench.training.artifacts import GRID_PADDING, save_interpolations, save_nearest_neighbours, slerp


def random_images(n: int, seed: int, size: int = 8) -> torch.Tensor:
    return torch.randint(0, 256, (n, 1, size, size), generator=torch.Generator().manual_seed(seed)).to(
        torch.uint8
    )


def test_nearest_neighbours_find_the_copied_training_image_first(tmp_path: Path) -> None:
    train = random_images(50, seed=0)
    fake = torch.cat([train[[7, 31]], random_images(2, seed=1)])
    knn = save_nearest_neighbours(fake, train, tmp_path / "nn.png", n=3, k=4)
    assert knn.indices.shape == knn.distances.shape == (3, 4)  # only the first n = 3 are shown
    assert list(knn.indices[:2, 0]) == [7, 31] and np.all(knn.distances[:2, 0] == 0.0)
    assert np.all(np.diff(knn.distances, axis=1) >= 0)  # nearest first
    grid = np.asarray(Image.open(tmp_path / "nn.png").convert("L"))
    tile = 8 + GRID_PADDING
    bar = max(2, 8 // 7)
    assert grid.shape == (3 * tile + GRID_PADDING, 5 * tile + GRID_PADDING + bar)
    for row in range(3):  # the generated image, then (after the bar) its nearest neighbour
        top = GRID_PADDING + row * tile
        generated = grid[top : top + 8, GRID_PADDING : GRID_PADDING + 8]
        first = GRID_PADDING + tile + bar
        nearest = grid[top : top + 8, first : first + 8]
        assert np.array_equal(generated, fake[row, 0].numpy())
        assert np.array_equal(nearest, train[knn.indices[row, 0], 0].numpy())
    assert np.all(grid[:, GRID_PADDING + 8 + GRID_PADDING // 2] == 255)  # the white bar


def test_nearest_neighbours_refuse_mismatched_shapes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="same shape"):
        save_nearest_neighbours(random_images(4, 0, size=8), random_images(4, 1, size=6), tmp_path / "x.png")


def test_slerp_keeps_the_ends_and_walks_the_great_circle() -> None:
    a = torch.tensor([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    b = torch.tensor([[0.0, 1.0, 0.0], [4.0, 0.0, 0.0]])  # orthogonal; parallel (linear fallback)
    path = slerp(a, b, torch.linspace(0.0, 1.0, 5))
    assert path.shape == (2, 5, 3)
    torch.testing.assert_close(path[:, 0], a, atol=1e-6, rtol=0)
    torch.testing.assert_close(path[:, -1], b, atol=1e-6, rtol=0)
    torch.testing.assert_close(path[0].norm(dim=1), torch.ones(5), atol=1e-6, rtol=0)  # on the unit circle
    torch.testing.assert_close(path[0, 2], torch.tensor([0.5**0.5, 0.5**0.5, 0.0]), atol=1e-6, rtol=0)
    torch.testing.assert_close(path[1, :, 0], torch.linspace(2.0, 4.0, 5), atol=1e-6, rtol=0)


class TinyGenerator(nn.Module):
    """z [B, 4] -> [B, 1, 6, 6] in [-1, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 36), nn.Tanh(), nn.Unflatten(1, (1, 6, 6)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


def test_interpolations_row_ends_are_the_generated_end_codes(tmp_path: Path) -> None:
    torch.manual_seed(0)
    module = TinyGenerator().train()
    handle = GeneratorHandle(module, latent_dim=4, device=torch.device("cpu"))
    images = save_interpolations(handle, tmp_path / "interp.png", seed=3, rows=2, steps=5)
    assert images.shape == (10, 1, 6, 6) and module.training  # the mode is restored
    ends = torch.randn(2, 2, 4, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.testing.assert_close(images[0::5], handle(ends[0]), atol=1e-6, rtol=0)
        torch.testing.assert_close(images[4::5], handle(ends[1]), atol=1e-6, rtol=0)
    again = save_interpolations(handle, tmp_path / "again.png", seed=3, rows=2, steps=5)
    assert torch.equal(images, again)
    png = Image.open(tmp_path / "interp.png")
    tile = 6 + GRID_PADDING
    assert png.size == (5 * tile + GRID_PADDING, 2 * tile + GRID_PADDING)


def test_interpolations_need_two_steps(tmp_path: Path) -> None:
    handle = GeneratorHandle(TinyGenerator(), latent_dim=4, device=torch.device("cpu"))
    with pytest.raises(ValueError, match="steps"):
        save_interpolations(handle, tmp_path / "x.png", seed=0, steps=1)
