"""Feature extraction speed: images per second of the domain classifier and of Inception-v3, by batch size.

    python -m benchmarks.extraction_speed                 # CPU, mnist-5k digits
    python -m benchmarks.extraction_speed --device cuda --inception-batches 64,128,256,512

Both networks are timed with their real architectures and random weights (the speed does not
depend on the weights; Inception's trained weights are not downloadable here): the domain
classifier (``ganbench.classifier.DomainClassifierNet``) on native 28x28 images, and torch-fidelity's
TF1 Inception-v3 through ganbench's extractor (uint8 in, TF1-compatible resize to 299x299,
pool3 features and logits out), loaded from a local weights file as users load the real one.

It also shows what a second evaluation against the same real set costs: the feature cache
(``ganbench.evaluation.features.extract(..., cache_dir=...)``) returns the real set's features
without a network pass, so only the generated set is extracted again.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from unittest import mock

import torch
from torch_fidelity import feature_extractor_inceptionv3
from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

from benchmarks.bare_products import machine_lines
from ganbench.classifier import DomainClassifierNet
from ganbench.evaluation.features import extract
from ganbench.extractors.domain_classifier import DomainClassifier
from ganbench.extractors.inception import load_inception_v3
from ganbench.registry import DATASETS
from ganbench.seeding import seeded


def random_inception_weights(folder: Path) -> Path:
    """torch-fidelity's Inception-v3 with its own random initialisation, saved as a weights file."""
    with (
        seeded(0),
        mock.patch.object(feature_extractor_inceptionv3, "load_state_dict_from_url", lambda *a, **k: {}),
        mock.patch.object(FeatureExtractorInceptionV3, "load_state_dict", lambda self, *a, **k: None),
    ):
        net = FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    path = folder / "random-inception-v3.pth"
    torch.save(net.state_dict(), path)
    return path


def images_per_second(run: Callable[[torch.Tensor], object], images: torch.Tensor, warm_up: int) -> float:
    """Images per second of ``run`` over ``images`` after one warm-up call on ``warm_up`` images."""
    run(images[:warm_up])
    start = time.perf_counter()
    run(images)
    return len(images) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--classifier-images", type=int, default=4000)
    parser.add_argument("--classifier-batches", default="100,250,500,1000")
    parser.add_argument("--inception-images", type=int, default=256)
    parser.add_argument("--inception-batches", default="16,32,64,128")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    dataset = DATASETS["mnist-5k"]()
    digits = dataset.train.images
    print(f"## Extraction speed on {device}\n")
    print("\n".join(machine_lines()), "\n")
    print("| extractor | batch | images/s |")
    print("|---|---|---|")
    with seeded(0):
        classifier = DomainClassifier(DomainClassifierNet(1, 10), accuracy=math.nan, device=device)
    sample = digits[: args.classifier_images]
    for batch in map(int, args.classifier_batches.split(",")):
        rate = images_per_second(partial(classifier, progress=False, batch_size=batch), sample, batch)
        print(f"| domain classifier (28x28, 1 channel) | {batch} | {rate:,.0f} |")
    with tempfile.TemporaryDirectory() as tmp:
        weights = random_inception_weights(Path(tmp))
        inception = load_inception_v3(
            dataset, device=device, progress=False, weights=weights, force_weights=True
        )
        sample = digits[: args.inception_images]
        for batch in map(int, args.inception_batches.split(",")):
            rate = images_per_second(inception, sample, batch)
            print(f"| Inception-v3 (random weights; 28x28 -> 299x299) | {batch} | {rate:,.1f} |")

        print("\nA second evaluation against the same real set (feature cache on disk):\n")
        cache = Path(tmp) / "features"
        real, fake_a, fake_b = digits[:2000], digits[2000:3000], digits[3000:4000]
        rows = []
        for label, fake in (("first evaluation", fake_a), ("second, same real set", fake_b)):
            start = time.perf_counter()
            extract(classifier, real, desc="real", progress=False, cache_dir=cache)
            extract(classifier, fake, desc="fake", progress=False, cache_dir=cache)
            rows.append((label, time.perf_counter() - start))
        print("| domain classifier, 2,000 real + 1,000 generated | seconds |")
        print("|---|---|")
        for label, seconds in rows:
            print(f"| {label} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
