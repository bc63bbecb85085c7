"""A small CNN classifier trained on the dataset itself: the default feature space of ganbench.

Inception-v3 weights cannot be assumed offline, and Inception is a poor judge of 28x28
grayscale digits (pytorch-fid issue #12, TTUR issue #24). Following the practice of the
"domain classifier" scores (e.g. the MNIST classifier of Lucic et al. 2018, arXiv:1711.10337),
ganbench trains a small classifier on the training split with a fixed seed, reports its
held-out accuracy, caches it, and uses its penultimate activations (``features`` [N, 128])
and class logits (``logits`` [N, K]). The network and its training live in
:mod:`ganbench.classifier`, shared with the GAN-train measure. It takes any channel count and any
image size from 8 up (three 2x2 poolings, then an adaptive pooling to 2x2): 1 x 28 x 28 digits,
3 x 32 x 32 CIFAR-10 or a ``folder:`` dataset at 28, 32 or 64.

An unlabelled dataset (one class, e.g. a ``folder:`` of faces) gives the cross-entropy nothing to
learn: its loss is 0 and no weight moves. The extractor is then the seeded, untrained network whose
batch-norm statistics are those of the training images: a random embedding, the feature space Naeem
et al. ("Reliable Fidelity and Diversity Metrics for Generative Models", ICML 2020, arXiv:2002.09797)
propose where no trained classifier fits the domain. Its protocol says so in every record;
it has no class logits (the logits-space measures are skipped with that reason) and no accuracy.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import torch

from ganbench.atomic_files import replacing
from ganbench.classifier import ClassifierSettings, DomainClassifierNet, classify, train_classifier
from ganbench.datasets import Dataset, default_cache_dir
from ganbench.extractors.spec import ExtractorIdentity, state_dict_sha256
from ganbench.metrics.spec import ClassifierHandle
from ganbench.registry import EXTRACTORS

PROTOCOL = "native resolution and channels; uint8/255, then (x - 0.5) / 0.5"  # = uint8_to_signed
#: Added to the protocol of a one-class (unlabelled) dataset's extractor.
UNTRAINED = (
    "; one class: untrained seeded network, batch-norm statistics of the training images (random embedding)"
)


#: Images per forward pass when extracting: the fastest of 100, 250, 500 and 1,000 on the 2-core
#: CPU (3,800 vs 2,500 images/s at 500; ``python -m benchmarks.extraction_speed``): small batches
#: keep the activations in cache.
EXTRACTION_BATCH = 100


class DomainClassifier:
    """A trained :class:`DomainClassifierNet` as a :class:`FeatureExtractor`.

    Attributes:
        identity: name, weights hash and input protocol, recorded with every value; a one-class
            network (an unlabelled dataset) has no logits and says so in its protocol.
        accuracy: held-out accuracy on the dataset's test split (None for one class: nothing to tell).
    """

    def __init__(self, net: DomainClassifierNet, accuracy: float | None, device: torch.device):
        self.net = net.to(device).eval()
        self.device = device
        self.accuracy = accuracy
        classes = int(net.head.out_features)
        self.identity = ExtractorIdentity(
            "domain-classifier",
            state_dict_sha256(net)[:16],
            PROTOCOL if classes > 1 else PROTOCOL + UNTRAINED,
            has_logits=classes > 1,
        )

    def handle(self) -> ClassifierHandle:
        """The classifier as measures see it (GAN-test): pixels in [0, 1] -> logits."""
        accuracy = float("nan") if self.accuracy is None else self.accuracy
        return ClassifierHandle(self.net, int(self.net.head.out_features), self.device, accuracy)

    def __call__(
        self,
        images: torch.Tensor,
        *,
        desc: str = "features",
        progress: bool = True,
        batch_size: int = EXTRACTION_BATCH,
    ) -> dict[str, np.ndarray]:
        """images uint8 [N, C, H, W] -> {"features": float32 [N, 128], "logits": float32 [N, K]} (no logits
        for one class)."""
        features, logits = classify(
            self.net, images, self.device, batch_size=batch_size, progress=progress, desc=desc
        )
        return (
            {"features": features, "logits": logits} if self.identity.has_logits else {"features": features}
        )


def _train_net(
    dataset: Dataset, settings: ClassifierSettings, device: torch.device, progress: bool
) -> DomainClassifierNet:
    return train_classifier(
        dataset.train.images,
        dataset.train.labels,
        dataset.num_classes,
        settings,
        device,
        progress=progress,
        desc="domain classifier",
    )


def _accuracy(classifier: DomainClassifier, dataset: Dataset, progress: bool) -> float | None:
    if not classifier.identity.has_logits:
        return None  # one class: every answer is right, which says nothing
    logits = classifier(dataset.test.images, desc="classifier accuracy", progress=progress)["logits"]
    return float((logits.argmax(1) == dataset.test.labels.numpy()).mean())


def cache_path(dataset: Dataset, settings: ClassifierSettings, cache_dir: Path) -> Path:
    """Cache file keyed by dataset name and content, architecture and training settings.

    The name is only a readable prefix (a ``folder:/a/b`` spelling becomes ``folder_a_b``); the key
    is the content's hash.
    """
    key = hashlib.sha256()
    key.update(dataset.train.images.numpy().tobytes())
    key.update(dataset.train.labels.numpy().tobytes())
    key.update(repr(DomainClassifierNet(dataset.channels, dataset.num_classes)).encode())
    key.update(json.dumps(settings.__dict__, sort_keys=True).encode())
    readable = re.sub(r"[^A-Za-z0-9.-]+", "_", dataset.name).strip("_.")[:60]
    return cache_dir / "extractors" / f"domain-classifier-{readable}-{key.hexdigest()[:16]}.pt"


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
            accuracy = saved["accuracy"]
            return DomainClassifier(net, None if accuracy is None else float(accuracy), device)
        except (
            RuntimeError,
            KeyError,
            EOFError,
            ValueError,
            pickle.UnpicklingError,
        ) as err:  # a corrupt cache entry is rebuilt, not trusted
            warnings.warn(f"ignoring unreadable classifier cache {path}: {err}", stacklevel=2)
    net = _train_net(dataset, settings, device, progress)
    classifier = DomainClassifier(net, None, device)
    classifier.accuracy = _accuracy(classifier, dataset, progress)
    with replacing(path) as temporary:
        torch.save(
            {
                "state_dict": net.cpu().state_dict(),
                "accuracy": classifier.accuracy,
                "settings": settings.__dict__,
            },
            temporary,
        )
    net.to(device)
    return classifier
