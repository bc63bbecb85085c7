"""GAN-test: how often the domain classifier recognises the class a conditional generator was asked for.

Shmelkov, Schmid & Alahari 2018, "How good is my GAN?" (ECCV, arXiv:1807.09499), section 3: a
classifier trained on real images is tested on generated images, labelled with the classes they
were generated for. High accuracy means the samples look like their class (fidelity, in the
classifier's eyes); it says nothing about diversity (a generator that draws one perfect image per
class scores 100 %). Borji 2019 (arXiv:1802.03446) lists it under "classification performance".

- ``gan_test_accuracy`` (higher): share of generated images whose predicted class (argmax of the
  domain classifier's logits) is the label they were generated for;
- ``gan_test_worst_class_accuracy`` (higher): the same, in the class where it is lowest (among
  the classes generated): a conditional generator that fails on one class shows here.

The domain classifier's own held-out accuracy (``ganbench list`` / ``run.json``) is the ceiling to
read it against: the reference row of ``evaluate`` scores the real held-out images the same way.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import ClassifierHandle, PerSample, Rows, metric
from ganbench.numerics.checks import check_images, check_labels
from ganbench.numerics.resampling import row_counts


def gan_test_samples(
    *, real: np.ndarray, fake: np.ndarray, classifier: ClassifierHandle, fake_labels: np.ndarray
) -> PerSample:
    """Classify every generated image once; a resample weights each image's hit by its draw count."""
    images = check_images("fake", fake)
    check_images("real", real)
    labels = check_labels("fake_labels", fake_labels, len(images), classifier.num_classes)
    predicted = classifier.logits(images.numpy()).argmax(axis=1)
    hits = (predicted == labels).astype(np.float64)
    classes = np.unique(labels)
    k = classifier.num_classes

    def reduce(_real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        weights = row_counts(fake_rows, len(hits))
        per_class_hits = np.bincount(labels, weights=weights * hits, minlength=k)[classes]
        per_class_draws = np.bincount(labels, weights=weights, minlength=k)[classes]
        drawn = per_class_draws > 0
        return {
            "gan_test_accuracy": float((weights * hits).sum() / weights.sum()),
            "gan_test_worst_class_accuracy": float((per_class_hits[drawn] / per_class_draws[drawn]).min()),
        }

    return PerSample(n_real=0, n_fake=len(hits), reduce=reduce)


@metric(
    "gan-test",
    space="pixels",
    directions={"gan_test_accuracy": "higher", "gan_test_worst_class_accuracy": "higher"},
    aspects={"gan_test_accuracy": ("fidelity",), "gan_test_worst_class_accuracy": ("fidelity",)},
    reference="Shmelkov et al. 2018 (arXiv:1807.09499), GAN-test",
    extra_inputs=("classifier", "fake_labels"),
    notes="the classifier is the dataset's domain classifier; pixels are rounded to 8 bits before it",
    interval="per-sample",
    per_sample=gan_test_samples,
    interval_note="the classifier is fixed; a resample draws generated images with their labels",
)
def gan_test(
    *, real: np.ndarray, fake: np.ndarray, classifier: ClassifierHandle, fake_labels: np.ndarray
) -> dict[str, float]:
    """Accuracy of the domain classifier on generated images, against the labels they were generated for.

    Args:
        real: pixels [N, C, H, W] in [0, 1]; only checked (the classifier stands for the real side).
        fake: pixels [M, C, H, W] in [0, 1], the shape the classifier was trained on.
        classifier: the domain classifier (K classes).
        fake_labels: int [M], the class each generated image was generated for, in [0, K).

    Returns:
        ``{"gan_test_accuracy": float, "gan_test_worst_class_accuracy": float}``, both in [0, 1].
    """
    return gan_test_samples(real=real, fake=fake, classifier=classifier, fake_labels=fake_labels).value()
