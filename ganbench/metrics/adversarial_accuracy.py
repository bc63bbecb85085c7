"""Adversarial accuracy and divergence: do generated images, labelled by a real-data classifier, teach one?

Yang, Kannan, Batra & Parikh 2017, "LR-GAN: Layered Recursive Generative Adversarial Networks for
Image Generation" (ICLR 2017, arXiv:1703.01560), section 6, listed by Borji 2019 (arXiv:1802.03446)
as "adversarial accuracy and divergence". The generator is unconditional, so its images get their
labels from a classifier of the real domain:

1. C_r, a classifier trained on real labelled data (here the dataset's domain classifier, the
   ``classifier`` input), labels each generated image with its most likely class;
2. C_g, a classifier of the same architecture (:class:`ganbench.classifier.DomainClassifierNet`,
   trained as the domain classifier is, for ``steps`` optimiser steps, seeded), is trained on the
   generated images with those labels;
3. both are evaluated on the real held-out images ``real`` with their true labels ``real_labels``.

Keys:
- ``adversarial_accuracy`` (higher): accuracy of C_g on the real held-out images (the paper's
  adversarial accuracy);
- ``adversarial_accuracy_ratio`` (higher): that divided by C_r's accuracy on the same images; 1
  when the generated images teach as well as the real data C_r learnt from (ours: it puts the
  value on the scale of the classifier it is bounded by);
- ``adversarial_divergence`` (lower): the mean over the real held-out images x of
  ``KL(P_r(y|x) || P_g(y|x))``, P_r and P_g the softmax posteriors of C_r and C_g, in nats (the
  paper's adversarial divergence, a mean over the real validation images).

Where this follows the paper: the definitions follow Borji 2019's summary of the paper's section 6
(C_g trained on generated images labelled by C_r; accuracy of C_g on the real validation images;
the KL divergence between the two classifiers' posteriors on them, averaged over those images);
the section's own text was not available to check. The direction KL(P_r || P_g), C_r's posterior
as the reference distribution, is our reading. The paper's classifiers (for CIFAR-10 and
MNIST-ONE) are replaced by ganbench's domain-classifier network.

Unlike GAN-train (:mod:`ganbench.metrics.gan_train`, which shares the training code), no class
labels from the generator are needed, so the measure applies to unconditional generators; it
rewards images that look like their class to C_r (fidelity) and cover every class with varied
examples (diversity): a generator that draws one class teaches C_g one class.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ganbench.classifier import ClassifierSettings
from ganbench.images import unit_to_uint8
from ganbench.metrics._classifier_on_samples import held_out_logits
from ganbench.metrics.spec import ClassifierHandle, PerSample, Rows, metric
from ganbench.numerics.checks import check_images, check_labels, check_same_shape, check_seed, integer
from ganbench.numerics.distributions import log_softmax
from ganbench.numerics.resampling import row_counts


def adversarial_accuracy_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    classifier: ClassifierHandle,
    real_labels: np.ndarray,
    steps: int = 300,
    seed: int = 0,
    device: Any = "cpu",
) -> PerSample:
    """Train C_g once; per real held-out image: C_g's hit, C_r's hit and the KL divergence; a
    resample draws real held-out images (both classifiers stay fixed)."""
    steps = integer("steps", steps, minimum=1)
    seed = check_seed(seed)
    test = check_images("real", real)
    generated = check_images("fake", fake)
    check_same_shape(test, generated)
    k = classifier.num_classes
    y_test = check_labels("real_labels", real_labels, len(test), k)

    real_logits = classifier.logits(test.numpy())  # C_r on the real held-out images
    fake_labels = classifier.logits(generated.numpy()).argmax(axis=1)  # C_r labels the generated images
    gen_logits = held_out_logits(
        unit_to_uint8(generated),
        fake_labels.astype(np.int64),
        unit_to_uint8(test),
        k,
        ClassifierSettings(seed=seed),
        steps,
        torch.device(device),
        "adversarial accuracy",
    )
    hits_g = (gen_logits.argmax(axis=1) == y_test).astype(np.float64)
    hits_r = (real_logits.argmax(axis=1) == y_test).astype(np.float64)
    log_p_r, log_p_g = log_softmax(real_logits), log_softmax(gen_logits)
    kl = (np.exp(log_p_r) * (log_p_r - log_p_g)).sum(axis=1)  # KL(P_r || P_g) per image, nats, >= 0
    if not hits_r.any():
        raise ValueError("the classifier gets none of the real held-out images right; check real_labels")

    def reduce(real_rows: Rows, _fake_rows: Rows) -> dict[str, float]:
        weights = row_counts(real_rows, len(kl))
        total = weights.sum()
        accuracy = float((weights * hits_g).sum() / total)
        reference = float((weights * hits_r).sum() / total)
        divergence = float((weights * kl).sum() / total)
        out = {"adversarial_accuracy": accuracy, "adversarial_divergence": divergence}
        if reference > 0:  # a resample may, in principle, draw only images C_r gets wrong
            out["adversarial_accuracy_ratio"] = accuracy / reference
        return out

    return PerSample(n_real=len(kl), n_fake=0, reduce=reduce)


@metric(
    "adversarial-accuracy",
    space="pixels",
    directions={
        "adversarial_accuracy": "higher",
        "adversarial_accuracy_ratio": "higher",
        "adversarial_divergence": "lower",
    },
    reference=(
        "Yang, Kannan, Batra & Parikh 2017, LR-GAN (arXiv:1703.01560), sec. 6: adversarial accuracy "
        "and adversarial divergence; C_r = the domain classifier"
    ),
    extra_inputs=("classifier", "real_labels"),
    runtime=("device",),
    notes=(
        "C_r is the dataset's domain classifier and C_g its network trained for `steps` steps on the "
        "generated images labelled by C_r's argmax; divergence KL(P_r || P_g) averaged over the real "
        "held-out images (direction our reading of the paper); the ratio to C_r's accuracy is ours"
    ),
    min_samples=10,
    interval="per-sample",
    per_sample=adversarial_accuracy_samples,
    interval_note=(
        "C_g is trained once; a resample draws real held-out images, so the spread from training C_g "
        "(another seed) and from the generated set is not in the interval"
    ),
    aspects={
        "adversarial_accuracy": ("fidelity", "diversity"),
        "adversarial_accuracy_ratio": ("fidelity", "diversity"),
        "adversarial_divergence": ("fidelity", "diversity"),
    },
)
def adversarial_accuracy(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    classifier: ClassifierHandle,
    real_labels: np.ndarray,
    steps: int = 300,
    seed: int = 0,
    device: Any = "cpu",
) -> dict[str, float]:
    """Adversarial accuracy, its ratio to the real-data classifier's accuracy, and adversarial divergence.

    Args:
        real: real held-out pixels [N, C, H, W] in [0, 1] (the test set of both classifiers).
        fake: generated pixels [M, C, H, W] in [0, 1] (C_g's training set, labelled by C_r).
        classifier: C_r, the domain classifier (K classes), trained on the real training split.
        real_labels: int [N], the true classes of ``real``, in [0, K).
        steps: C_g's optimiser steps of batch 128 (300: about the domain classifier's budget on
            mnist-5k; as GAN-train).
        seed: C_g's initialisation, shuffling and augmentation seed.
        device: where C_g trains (not recorded; the value depends on it only through rounding).

    Returns:
        ``adversarial_accuracy`` in [0, 1], ``adversarial_accuracy_ratio`` (>= 0; 1 = as good as
        C_r), ``adversarial_divergence`` in nats (>= 0).
    """
    return adversarial_accuracy_samples(
        real=real,
        fake=fake,
        classifier=classifier,
        real_labels=real_labels,
        steps=steps,
        seed=seed,
        device=device,
    ).value()
