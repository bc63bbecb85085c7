"""Train the domain classifier's network on one image set and read its logits on another.

Shared by the measures that train a classifier inside the measure and test it on real held-out
images: GAN-train / CAS (:mod:`ganbench.metrics.gan_train`: trained on generated images with the
labels they were generated for) and adversarial accuracy (:mod:`ganbench.metrics.adversarial_accuracy`:
trained on generated images with the labels the domain classifier gives them). The network and
its seeded training are :mod:`ganbench.classifier`'s.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.classifier import ClassifierSettings, classify, train_classifier


def held_out_logits(
    images: torch.Tensor,
    labels: np.ndarray,
    test_images: torch.Tensor,
    num_classes: int,
    settings: ClassifierSettings,
    steps: int,
    device: torch.device,
    desc: str,
) -> np.ndarray:
    """Train on uint8 ``images`` [N, C, H, W] with int64 ``labels`` [N] for ``steps`` optimiser steps;
    return the trained network's logits float32 [N_test, K] on uint8 ``test_images`` [N_test, C, H, W]."""
    net = train_classifier(
        images,
        torch.from_numpy(labels),
        num_classes,
        settings,
        device,
        steps=steps,
        progress=False,
        desc=desc,
    )
    return classify(net, test_images, device)[1]
