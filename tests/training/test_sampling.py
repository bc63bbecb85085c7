"""Sampling a class-conditional generator: balanced labels, the same codes as the unconditional sampler."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganbench.training import balanced_labels, sample, sample_conditional


class _Conditional(nn.Module):
    """z [B, 4], labels [B] -> [B, 1, 2, 2]: tanh of z plus a per-class offset (labels show in the output)."""

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return torch.tanh(z + 0.1 * labels[:, None].float()).reshape(-1, 1, 2, 2)


class _Unconditional(nn.Module):
    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(z).reshape(-1, 1, 2, 2)


def test_balanced_labels_cycle_through_the_classes() -> None:
    assert balanced_labels(7, 3).tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert balanced_labels(0, 3).tolist() == []
    with pytest.raises(ValueError, match="num_classes"):
        balanced_labels(4, 0)


def test_conditional_sampling_uses_the_unconditional_codes_and_balanced_labels() -> None:
    images, labels = sample_conditional(_Conditional(), 10, latent_dim=4, num_classes=3, seed=5, batch_size=4)
    assert images.dtype == torch.uint8 and images.shape == (10, 1, 2, 2)
    assert labels.tolist() == balanced_labels(10, 3).tolist()
    # class 0 adds nothing, so its images are the unconditional sampler's images for the same codes
    plain = sample(_Unconditional(), 10, latent_dim=4, seed=5, batch_size=4)
    zero = labels == 0
    assert torch.equal(images[zero], plain[zero])
    assert not torch.equal(images[~zero], plain[~zero])
    again, _ = sample_conditional(_Conditional(), 10, latent_dim=4, num_classes=3, seed=5, batch_size=4)
    assert torch.equal(images, again)
    other, _ = sample_conditional(_Conditional(), 10, latent_dim=4, num_classes=3, seed=6, batch_size=4)
    assert not torch.equal(images, other)
