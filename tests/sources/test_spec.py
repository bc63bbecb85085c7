"""The content hash of a loaded set and the seeded subset rule."""

from __future__ import annotations

import pytest
import torch

from ganbench.sources import LoadedSet, content_sha256, subset, subset_indices


def _images(seed: int, shape: tuple[int, ...] = (4, 1, 3, 3)) -> torch.Tensor:
    return torch.randint(0, 256, shape, generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)


def test_hash_is_equal_for_equal_content_and_different_otherwise() -> None:
    images, labels = _images(0), torch.tensor([0, 1, 1, 0])
    base = content_sha256(images, labels)
    assert base == content_sha256(images.clone(), labels.clone())
    changed = images.clone()
    changed[2, 0, 1, 1] ^= 1
    assert content_sha256(changed, labels) != base
    assert content_sha256(images, torch.tensor([0, 1, 1, 1])) != base
    assert content_sha256(images, None) != base
    assert content_sha256(images.reshape(2, 1, 6, 3), labels[:2]) != content_sha256(images, labels[:2])
    assert content_sha256(images[[1, 0, 2, 3]], labels) != base  # order is content
    assert len(base) == 64 and int(base, 16) >= 0


def test_loaded_set_hash_is_computed_from_its_content() -> None:
    images = _images(1)
    a = LoadedSet(label="a", images=images, labels=None, num_classes=None, source="x")
    b = LoadedSet(label="b", images=images.clone(), labels=None, num_classes=None, source="elsewhere")
    assert a.sha256 == b.sha256 == content_sha256(images, None)
    with pytest.raises(TypeError):
        LoadedSet(label="a", images=images, labels=None, num_classes=None, source="x", sha256="0" * 64)


def test_subset_is_the_sorted_prefix_of_a_seeded_permutation() -> None:
    rows = subset_indices(50, 10, seed=7)
    expected = torch.randperm(50, generator=torch.Generator().manual_seed(7))[:10].sort().values
    assert torch.equal(rows, expected)
    assert torch.equal(rows, subset_indices(50, 10, seed=7))
    assert not torch.equal(rows, subset_indices(50, 10, seed=8))
    assert rows.tolist() == sorted(set(rows.tolist())) and len(rows) == 10
    assert torch.equal(subset_indices(5, 5, seed=0), torch.arange(5))
    assert torch.equal(subset_indices(5, 9, seed=0), torch.arange(5))
    images = _images(2, (50, 1, 2, 2))
    assert torch.equal(subset(images, 10, 7), images[rows])
    assert subset(images, 50, 7) is images
    with pytest.raises(ValueError, match="seed"):
        subset_indices(5, 2, seed=-1)
