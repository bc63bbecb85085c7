"""Every registered measure refuses bad parameter values with a ValueError that names the parameter.

The cases are built from the registry, not from a list: every parameter whose recorded default is
an ``int`` gets ``2.5`` and ``-1`` (no integer parameter accepts either), and every one whose
default is a ``float`` gets NaN and infinity. A new measure is covered without editing this file;
the inputs are small valid sets for its space and extra inputs, so the call fails on the
parameter, before any heavy work.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from torch import nn

import ganbench.metrics  # noqa: F401  (registers the measures)
from ganbench.classifier import DomainClassifierNet
from ganbench.metrics.spec import ClassifierHandle, GeneratorHandle, MetricSpec, Player
from ganbench.registry import METRICS

_SIDE = 28  # pixel inputs are [16, 1, 28, 28], the MNIST size every pixel measure accepts
_LATENT = 4


def _generator() -> GeneratorHandle:
    module = nn.Sequential(nn.Linear(_LATENT, _SIDE * _SIDE), nn.Tanh(), nn.Unflatten(1, (1, _SIDE, _SIDE)))
    return GeneratorHandle(module.eval(), _LATENT, torch.device("cpu"))


def _discriminator() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(_SIDE * _SIDE, 1), nn.Flatten(0)).eval()


def valid_inputs(spec: MetricSpec) -> dict[str, object]:
    """Small valid ``real``, ``fake`` (or ``players``) and extra inputs for ``spec``."""
    rng = np.random.default_rng(0)
    if spec.space == "features":
        real, fake = rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
        train = rng.normal(size=(200, 4))
    elif spec.space == "logits":
        real, fake, train = rng.normal(size=(50, 10)), rng.normal(size=(50, 10)), None
    else:  # pixels, and the held-out pixels of a run-level measure
        real = rng.random((16, 1, _SIDE, _SIDE), dtype=np.float32)
        fake = rng.random((16, 1, _SIDE, _SIDE), dtype=np.float32)
        train = rng.random((16, 1, _SIDE, _SIDE), dtype=np.float32)
    inputs: dict[str, object] = {"real": real}
    if spec.level == "run":
        inputs["players"] = {name: Player(_generator(), _discriminator()) for name in ("a", "b")}
    else:
        inputs["fake"] = fake

    def labels(x: np.ndarray | None) -> np.ndarray | None:
        return None if x is None else np.arange(len(x)) % 10

    extras = {
        "train": train,
        "class_prior": np.full(10, 0.1),
        "generator": _generator(),
        "real_labels": labels(real),
        "fake_labels": labels(fake),
        "train_labels": labels(train),
        "num_classes": 10,
        "classifier": ClassifierHandle(DomainClassifierNet(1, 10).eval(), 10, torch.device("cpu")),
    }
    inputs.update({name: extras[name] for name in spec.extra_inputs})
    return inputs


def _cases(kind: type, bad_values: tuple[object, ...]) -> list[object]:
    return [
        pytest.param(name, param, bad, id=f"{name}-{param}-{bad}")
        for name, spec in METRICS.items()
        for param, default in spec.defaults.items()
        if type(default) is kind
        for bad in bad_values
    ]


INTEGER_CASES = _cases(int, (2.5, -1))
REAL_CASES = _cases(float, (math.nan, math.inf))


def test_the_cases_cover_the_known_integer_and_real_parameters() -> None:
    ids = {case.id for case in INTEGER_CASES + REAL_CASES}
    for expected in ("parzen-ll-n_sigmas-2.5", "mmd-permutations-2.5", "ndb-bins--1", "swd-patch_size-2.5"):
        assert expected in ids
    assert "am-score-eps-nan" in ids and "memorization-quantile-inf" in ids


@pytest.mark.parametrize(("name", "param", "bad"), INTEGER_CASES)
def test_integer_parameters_refuse_non_integers_and_negatives(name: str, param: str, bad: object) -> None:
    spec = METRICS[name]
    with pytest.raises(ValueError, match=rf"\b{re.escape(param)}\b"):
        spec.fn(**valid_inputs(spec), **{param: bad})


@pytest.mark.parametrize(("name", "param", "bad"), REAL_CASES)
def test_real_parameters_refuse_nan_and_infinity(name: str, param: str, bad: object) -> None:
    spec = METRICS[name]
    with pytest.raises(ValueError, match=rf"\b{re.escape(param)}\b"):
        spec.fn(**valid_inputs(spec), **{param: bad})
