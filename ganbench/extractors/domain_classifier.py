"""A small CNN classifier trained on the dataset itself: the default feature space of ganbench.

Inception-v3 weights cannot be assumed offline, and Inception is a poor judge of 28x28
grayscale digits (pytorch-fid issue #12, TTUR issue #24). Following the practice of the
"domain classifier" scores (e.g. the MNIST classifier of Lucic et al. 2018, arXiv:1711.10337),
ganbench trains a small classifier on the training split with a fixed seed, reports its
held-out accuracy, caches it, and uses its penultimate activations (``features`` [N, 128])
and class logits (``logits`` [N, K]).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ganbench.datasets import Dataset, default_cache_dir
from ganbench.extractors.spec import ExtractorIdentity, state_dict_sha256
from ganbench.images import uint8_to_signed
from ganbench.registry import EXTRACTORS
from ganbench.seeding import seeded

FEATURE_DIM = 128
PROTOCOL = "native resolution and channels; uint8/255, then (x - 0.5) / 0.5"  # = uint8_to_signed


class DomainClassifierNet(nn.Module):
    """Three conv blocks (32, 64, 128 channels) + a 128-d penultimate layer: [B, C, H, W] -> logits [B, K]."""

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
        """Returns (features [B, 128], logits [B, K])."""
        features = self.penultimate(self.body(x))
        return features, self.head(self.dropout(features))


def _random_shift(x: torch.Tensor, max_shift: int, rng: torch.Generator) -> torch.Tensor:
    """Translate each image of x [B, C, H, W] by up to ``max_shift`` whole pixels (background fill)."""
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
    """How the domain classifier is trained; every field is part of its cache key.

    Attributes:
        epochs: passes over the training split.
        batch_size: images per step.
        lr: Adam learning rate (cosine-annealed to 0).
        max_shift: random translation in pixels for augmentation.
        seed: initialisation, shuffling and augmentation seed.
    """

    epochs: int = 10
    batch_size: int = 128
    lr: float = 2e-3
    max_shift: int = 2
    seed: int = 0


class DomainClassifier:
    """A trained :class:`DomainClassifierNet` as a :class:`FeatureExtractor`.

    Attributes:
        identity: name, weights hash and input protocol, recorded with every value.
        accuracy: held-out accuracy on the dataset's test split.
    """

    def __init__(self, net: DomainClassifierNet, accuracy: float, device: torch.device):
        self.net = net.to(device).eval()
        self.device = device
        self.accuracy = accuracy
        self.identity = ExtractorIdentity("domain-classifier", state_dict_sha256(net)[:16], PROTOCOL)

    @torch.no_grad()
    def __call__(
        self, images: torch.Tensor, *, desc: str = "features", progress: bool = True, batch_size: int = 500
    ) -> dict[str, np.ndarray]:
        """images uint8 [N, C, H, W] -> {"features": float32 [N, 128], "logits": float32 [N, K]}."""
        features, logits = [], []
        for start in tqdm(
            range(0, len(images), batch_size), desc=desc, disable=None if progress else True, leave=False
        ):
            f, lg = self.net(uint8_to_signed(images[start : start + batch_size]).to(self.device))
            features.append(f.cpu())
            logits.append(lg.cpu())
        return {"features": torch.cat(features).numpy(), "logits": torch.cat(logits).numpy()}


def _train_net(
    dataset: Dataset, settings: ClassifierSettings, device: torch.device, progress: bool
) -> DomainClassifierNet:
    with seeded(settings.seed, device):  # initialisation and dropout draw from the global RNG
        return _train_net_seeded(dataset, settings, device, progress)


def _train_net_seeded(
    dataset: Dataset, settings: ClassifierSettings, device: torch.device, progress: bool
) -> DomainClassifierNet:
    net = DomainClassifierNet(dataset.channels, dataset.num_classes)
    net.to(device).train()
    rng = torch.Generator().manual_seed(settings.seed)
    images, labels = dataset.train.images, dataset.train.labels
    steps_per_epoch = len(images) // settings.batch_size
    optimiser = torch.optim.Adam(net.parameters(), lr=settings.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=settings.lr, total_steps=settings.epochs * steps_per_epoch
    )
    bar = tqdm(
        total=settings.epochs * steps_per_epoch,
        desc="domain classifier",
        disable=None if progress else True,
        leave=False,
    )
    for _ in range(settings.epochs):
        order = torch.randperm(len(images), generator=rng)
        for step in range(steps_per_epoch):
            idx = order[step * settings.batch_size : (step + 1) * settings.batch_size]
            x = _random_shift(uint8_to_signed(images[idx]), settings.max_shift, rng).to(device)
            _, logits = net(x)
            loss = F.cross_entropy(logits, labels[idx].to(device))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            bar.update()
    bar.close()
    return net.eval()


def _accuracy(classifier: DomainClassifier, dataset: Dataset, progress: bool) -> float:
    logits = classifier(dataset.test.images, desc="classifier accuracy", progress=progress)["logits"]
    return float((logits.argmax(1) == dataset.test.labels.numpy()).mean())


def cache_path(dataset: Dataset, settings: ClassifierSettings, cache_dir: Path) -> Path:
    """Cache file keyed by dataset name and content, architecture and training settings."""
    key = hashlib.sha256()
    key.update(dataset.train.images.numpy().tobytes())
    key.update(dataset.train.labels.numpy().tobytes())
    key.update(repr(DomainClassifierNet(dataset.channels, dataset.num_classes)).encode())
    key.update(json.dumps(settings.__dict__, sort_keys=True).encode())
    return cache_dir / "extractors" / f"domain-classifier-{dataset.name}-{key.hexdigest()[:16]}.pt"


@EXTRACTORS.register("domain-classifier")
def load_domain_classifier(
    dataset: Dataset,
    *,
    device: str | torch.device = "cpu",
    progress: bool = True,
    cache_dir: str | Path | None = None,
    epochs: int = ClassifierSettings.epochs,
    seed: int = ClassifierSettings.seed,
) -> DomainClassifier:
    """The domain classifier for ``dataset``: loaded from the cache, or trained and cached.

    Training is deterministic given ``seed`` on one machine; the cache file (under
    ``cache_dir``, default the user cache) holds the weights and the held-out accuracy.
    """
    settings = ClassifierSettings(epochs=epochs, seed=seed)
    device = torch.device(device)
    path = cache_path(dataset, settings, Path(cache_dir) if cache_dir else default_cache_dir())
    if path.exists():
        try:
            saved = torch.load(path, map_location="cpu", weights_only=True)
            net = DomainClassifierNet(dataset.channels, dataset.num_classes)
            net.load_state_dict(saved["state_dict"])
            return DomainClassifier(net, float(saved["accuracy"]), device)
        except (
            RuntimeError,
            KeyError,
            EOFError,
            ValueError,
            pickle.UnpicklingError,
        ) as err:  # a corrupt cache entry is rebuilt, not trusted
            warnings.warn(f"ignoring unreadable classifier cache {path}: {err}", stacklevel=2)
    net = _train_net(dataset, settings, device, progress)
    classifier = DomainClassifier(net, float("nan"), device)
    classifier.accuracy = _accuracy(classifier, dataset, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "state_dict": net.cpu().state_dict(),
            "accuracy": classifier.accuracy,
            "settings": settings.__dict__,
        },
        tmp,
    )
    tmp.replace(path)
    net.to(device)
    return classifier
