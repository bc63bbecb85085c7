"""GAN-train / Classification Accuracy Score: train a classifier on generated images, test it on real ones.

Shmelkov, Schmid & Alahari 2018, "How good is my GAN?" (ECCV, arXiv:1807.09499), section 3 (GAN-train),
and Ravuri & Vinyals 2019, "Classification Accuracy Score for Conditional Generative Models"
(NeurIPS, arXiv:1905.10887): a classifier trained only on a conditional generator's samples, with the
labels they were generated for, is tested on real held-out images. It rewards samples that are both
recognisable and diverse enough to teach every class; a generator that drops modes within a class
teaches a worse classifier. The same classifier trained on as many real training images is the
baseline beside it.

- ``gan_train_accuracy`` (higher): real held-out accuracy of the classifier trained on the generated
  images (CAS);
- ``gan_train_real_accuracy`` (higher): real held-out accuracy of the same network, settings and seed
  trained on real training images (the baseline; it does not depend on the generator, so it is
  trained once per training set, test set and settings, and memoised);
- ``gan_train_gap`` (lower): real minus generated accuracy; 0 when the samples teach as well as real
  data (Ravuri & Vinyals found large gaps even for BigGAN).

Both classifiers see ``n = min(M, N_train)`` images: a seeded subset of the larger side, so the
baseline is not favoured by more data. The network and training are the domain classifier's
(:mod:`ganbench.classifier`: a small CNN, Adam one-cycle, random shifts), for ``steps`` optimiser
steps each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ganbench.classifier import ClassifierSettings
from ganbench.images import unit_to_uint8
from ganbench.metrics._classifier_on_samples import held_out_logits
from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import check_images, check_labels, check_same_shape, check_seed, integer
from ganbench.numerics.memo import Memo, fingerprint, readonly
from ganbench.numerics.resampling import row_counts

# The baseline classifier's hits do not depend on the generator: every variant and seed of a run
# (and every call of a test) scored against the same training and test images reuses them.
_BASELINE_MEMO = Memo(maxsize=2)


def _held_out_hits(
    images: torch.Tensor,
    labels: np.ndarray,
    test_images: torch.Tensor,
    test_labels: np.ndarray,
    num_classes: int,
    settings: ClassifierSettings,
    steps: int,
    device: torch.device,
    desc: str,
) -> np.ndarray:
    """Train on (images, labels) uint8; return float64 [N_test], 1 where a test image is classified right."""
    logits = held_out_logits(images, labels, test_images, num_classes, settings, steps, device, desc)
    return (logits.argmax(axis=1) == test_labels).astype(np.float64)


def gan_train_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    fake_labels: np.ndarray,
    real_labels: np.ndarray,
    train: np.ndarray,
    train_labels: np.ndarray,
    num_classes: int,
    steps: int = 300,
    seed: int = 0,
    device: Any = "cpu",
) -> PerSample:
    """Train both classifiers once; a resample draws real test images (the classifiers stay fixed)."""
    k = integer("num_classes", num_classes, minimum=2)
    steps = integer("steps", steps, minimum=1)
    seed = check_seed(seed)
    test = check_images("real", real)
    generated = check_images("fake", fake)
    training = check_images("train", train)
    check_same_shape(test, generated)
    check_same_shape(test, training, "train")
    y_test = check_labels("real_labels", real_labels, len(test), k)
    y_fake = check_labels("fake_labels", fake_labels, len(generated), k)
    y_train = check_labels("train_labels", train_labels, len(training), k)
    n = min(len(generated), len(training))
    rng = np.random.default_rng(seed)
    fake_rows = np.sort(rng.permutation(len(generated))[:n])
    train_rows = np.sort(rng.permutation(len(training))[:n])
    settings = ClassifierSettings(seed=seed)
    device = torch.device(device)
    test_uint8 = unit_to_uint8(test)
    test_set = (test_uint8, y_test, k, settings, steps, device)
    on_fake = _held_out_hits(unit_to_uint8(generated[fake_rows]), y_fake[fake_rows], *test_set, "GAN-train")
    baseline_images, baseline_labels = unit_to_uint8(training[train_rows]), y_train[train_rows]
    baseline_key = (
        fingerprint(baseline_images.numpy()),
        fingerprint(baseline_labels),
        fingerprint(test_uint8.numpy()),
        fingerprint(y_test),
        k,
        settings,
        steps,
        str(device),
    )
    on_real = _BASELINE_MEMO.get_or_compute(
        baseline_key,
        lambda: readonly(_held_out_hits(baseline_images, baseline_labels, *test_set, "real")),
    )

    def reduce(real_rows: Rows, _fake_rows: Rows) -> dict[str, float]:
        weights = row_counts(real_rows, len(on_fake))
        fake_accuracy = float((weights * on_fake).sum() / weights.sum())
        real_accuracy = float((weights * on_real).sum() / weights.sum())
        return {
            "gan_train_accuracy": fake_accuracy,
            "gan_train_real_accuracy": real_accuracy,
            "gan_train_gap": real_accuracy - fake_accuracy,
        }

    return PerSample(n_real=len(on_fake), n_fake=0, reduce=reduce)


@metric(
    "gan-train",
    space="pixels",
    directions={
        "gan_train_accuracy": "higher",
        "gan_train_real_accuracy": "higher",
        "gan_train_gap": "lower",
    },
    reference="Shmelkov et al. 2018 (arXiv:1807.09499), GAN-train; "
    "Ravuri & Vinyals 2019 (arXiv:1905.10887), Classification Accuracy Score",
    extra_inputs=("fake_labels", "real_labels", "train", "train_labels", "num_classes"),
    runtime=("device",),
    notes="the domain classifier's network and training; both classifiers see min(M, N_train) images",
    min_samples=10,
    interval="per-sample",
    per_sample=gan_train_samples,
    interval_note="both classifiers are trained once; a resample draws real test images",
)
def gan_train(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    fake_labels: np.ndarray,
    real_labels: np.ndarray,
    train: np.ndarray,
    train_labels: np.ndarray,
    num_classes: int,
    steps: int = 300,
    seed: int = 0,
    device: Any = "cpu",
) -> dict[str, float]:
    """Real held-out accuracy of a classifier trained on generated images, beside one trained on real images.

    Args:
        real: real held-out pixels [N, C, H, W] in [0, 1] (the test set of both classifiers).
        fake: generated pixels [M, C, H, W] in [0, 1].
        fake_labels: int [M], the classes the images were generated for.
        real_labels: int [N], the real held-out labels.
        train: real training pixels [N_train, C, H, W] (the baseline's training images).
        train_labels: int [N_train].
        num_classes: K; every label lies in [0, K).
        steps: optimiser steps of batch 128, the same for both classifiers whatever their set sizes
            (300: about the domain classifier's budget on mnist-5k).
        seed: the subset, initialisation, shuffling and augmentation seed.
        device: where the classifiers train (not recorded; the value does not depend on it beyond rounding).

    Returns:
        ``{"gan_train_accuracy", "gan_train_real_accuracy", "gan_train_gap"}``; accuracies in [0, 1].
    """
    return gan_train_samples(
        real=real,
        fake=fake,
        fake_labels=fake_labels,
        real_labels=real_labels,
        train=train,
        train_labels=train_labels,
        num_classes=num_classes,
        steps=steps,
        seed=seed,
        device=device,
    ).value()
