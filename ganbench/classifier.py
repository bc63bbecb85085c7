"""A small CNN image classifier and its seeded training: one network, two uses.

- the **domain classifier** (:mod:`ganbench.extractors.domain_classifier`): trained on a dataset's
  training split, its penultimate activations and logits are ganbench's default feature space, and
  it labels generated images for GAN-test (Shmelkov et al. 2018) and class coverage;
- the **GAN-train** classifier (:mod:`ganbench.metrics.gan_train`): the same network trained on
  generated images with the labels they were generated for, then tested on real held-out images
  (Shmelkov et al. 2018; Ravuri & Vinyals 2019, "Classification Accuracy Score").

Training is deterministic for a seed on one machine: initialisation and dropout draw from a
seeded global RNG section (:func:`ganbench.seeding.seeded`), shuffling and augmentation from a
generator of their own. Images are uint8 [N, C, H, W] (what ganbench stores), mapped to [-1, 1]
per batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ganbench.images import uint8_to_signed
from ganbench.seeding import seeded

FEATURE_DIM = 128


class DomainClassifierNet(nn.Module):
    """Three conv blocks (32, 64, 128 channels) + a 128-d penultimate layer: [B, C, H, W] -> logits [B, K].

    The class name is part of the domain classifier's cache key (``repr`` of the network); renaming
    it would retrain every cached classifier.
    """

    def __init__(self, channels: int, num_classes: int):
        super().__init__()

        def block(c_in: int, c_out: int) -> list[nn.Module]:
            return [
                nn.Conv2d(c_in, c_out, 3, padding=1),
                nn.BatchNorm2d(c_out),
                nn.ReLU(True),
                nn.MaxPool2d(2),
            ]

        self.body = nn.Sequential(
            *block(channels, 32), *block(32, 64), *block(64, 128), nn.AdaptiveAvgPool2d(2), nn.Flatten()
        )
        self.penultimate = nn.Sequential(nn.Linear(128 * 4, FEATURE_DIM), nn.ReLU(True))
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(FEATURE_DIM, num_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x [B, C, H, W] in [-1, 1] -> (features [B, 128], logits [B, K])."""
        features = self.penultimate(self.body(x))
        return features, self.head(self.dropout(features))


def random_shift(x: torch.Tensor, max_shift: int, rng: torch.Generator) -> torch.Tensor:
    """Shift each image of x [B, C, H, W] in [-1, 1] by up to ``max_shift`` whole pixels (background fill)."""
    n, _, h, w = x.shape
    shifts = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=rng).to(x)
    theta = torch.zeros(n, 2, 3, dtype=x.dtype, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, 0, 2] = 2.0 * shifts[:, 0] / w
    theta[:, 1, 2] = 2.0 * shifts[:, 1] / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1.0, grid, mode="nearest", padding_mode="zeros", align_corners=False) - 1.0


@dataclass(frozen=True)
class ClassifierSettings:
    """How the classifier is trained; every field is part of the domain classifier's cache key.

    Attributes:
        epochs: passes over the training images.
        batch_size: images per step (a set smaller than one batch is one step of all its images).
        lr: peak Adam learning rate of the one-cycle schedule.
        max_shift: random translation in pixels for augmentation.
        seed: initialisation, shuffling and augmentation seed.
    """

    epochs: int = 10
    batch_size: int = 128
    lr: float = 2e-3
    max_shift: int = 2
    seed: int = 0


def train_classifier(
    images: torch.Tensor,
    labels: torch.Tensor,
    num_classes: int,
    settings: ClassifierSettings,
    device: torch.device,
    *,
    steps: int | None = None,
    progress: bool = True,
    desc: str = "classifier",
) -> DomainClassifierNet:
    """Train a :class:`DomainClassifierNet` on uint8 ``images`` [N, C, H, W] with int64 ``labels`` [N].

    Adam with a one-cycle schedule, cross-entropy, random whole-pixel shifts; returns the network in
    eval mode on ``device``. The same inputs and settings give the same weights on one machine.
    ``steps`` (optimiser steps) replaces ``settings.epochs`` when given, so classifiers trained on
    sets of different sizes get the same budget; the last pass over the images may be partial.
    """
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError(
            f"train_classifier takes uint8 images [N, C, H, W]; got {images.dtype} {list(images.shape)}"
        )
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    with seeded(settings.seed, device):  # initialisation and dropout draw from the global RNG
        net = DomainClassifierNet(int(images.shape[1]), num_classes)
        net.to(device).train()
        rng = torch.Generator().manual_seed(settings.seed)
        batch_size = min(settings.batch_size, len(images))
        steps_per_epoch = len(images) // batch_size
        total = settings.epochs * steps_per_epoch if steps is None else steps
        optimiser = torch.optim.Adam(net.parameters(), lr=settings.lr)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=settings.lr, total_steps=total)
        bar = tqdm(total=total, desc=desc, disable=None if progress else True, leave=False)
        for epoch in range(-(-total // steps_per_epoch)):
            order = torch.randperm(len(images), generator=rng)
            for step in range(min(steps_per_epoch, total - epoch * steps_per_epoch)):
                idx = order[step * batch_size : (step + 1) * batch_size]
                x = random_shift(uint8_to_signed(images[idx]), settings.max_shift, rng).to(device)
                _, logits = net(x)
                loss = F.cross_entropy(logits, labels[idx].to(device))
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                schedule.step()
                bar.update()
        bar.close()
    return net.eval()


@torch.no_grad()
def classify(
    net: DomainClassifierNet,
    images: torch.Tensor,
    device: torch.device,
    *,
    batch_size: int = 500,
    progress: bool = False,
    desc: str = "classify",
) -> tuple[np.ndarray, np.ndarray]:
    """uint8 ``images`` [N, C, H, W] -> (features float32 [N, 128], logits float32 [N, K]), in eval mode."""
    features, logits = [], []
    for start in tqdm(
        range(0, len(images), batch_size), desc=desc, disable=None if progress else True, leave=False
    ):
        f, lg = net(uint8_to_signed(images[start : start + batch_size]).to(device))
        features.append(f.cpu())
        logits.append(lg.cpu())
    return torch.cat(features).numpy(), torch.cat(logits).numpy()
