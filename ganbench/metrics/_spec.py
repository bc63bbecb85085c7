"""The metric contract: a pure function plus what it reads and which way is better.

A metric is a function with keyword-only ``real=`` and ``fake=`` arrays (never positional:
peers disagree on the order) and optional keyword parameters, returning a flat
``dict[str, float]``. It is wrapped in a :class:`MetricSpec` by :func:`metric`, which
registers it in ``METRICS``.

Output keys:
- every declared key starts with one of the words of the metric name
  (``precision-recall`` -> ``precision``, ``recall``; ``kid`` -> ``kid``);
- a declared key ``k`` may come with ``k_std``, its sampling spread (std over splits or
  subsets), which the records store next to the value rather than as a value of its own.

Extra inputs a metric may ask for by name (``extra_inputs``), supplied by the pipeline:
- ``train``: the training split in the same space as ``real``;
- ``class_prior``: float64 [K], the class distribution p*(y) of the training labels;
- ``generator``: a :class:`GeneratorHandle` for the trained generator (absent for the ``real``
  reference row, where metrics that need it are not run).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch

from ganbench.registry import METRICS

Space = Literal["pixels", "features", "logits"]
Direction = Literal["lower", "higher"] | float  # a float is a target value, e.g. 0.5


@dataclass(frozen=True)
class GeneratorHandle:
    """A trained generator as metrics see it.

    Attributes:
        module: the network, z [B, latent_dim] -> images [B, C, H, W] in [-1, 1] (eval mode).
        latent_dim: size of z; z ~ N(0, I).
        device: where ``module`` lives.
    """

    module: torch.nn.Module
    latent_dim: int
    device: torch.device

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        """z [B, latent_dim] -> images [B, C, H, W] in [0, 1], the ``pixels`` range; differentiable."""
        return (self.module(z.to(self.device)).clamp(-1, 1) + 1) / 2


@dataclass(frozen=True)
class MetricSpec:
    """A registered metric.

    Attributes:
        name: registry name; every output key starts with it.
        fn: the pure function ``fn(*, real, fake, **params) -> dict[str, float]``.
        space: which extractor output it reads: ``pixels`` float32 [N, C, H, W] in [0, 1],
            ``features`` [N, D], or ``logits`` [N, K].
        directions: per output key, ``"lower"``, ``"higher"`` or a target float.
        reference: the paper and the implementation it agrees with.
        extra_inputs: names of further arrays it needs (e.g. ``"train"``), passed as keywords.
        defaults: the parameters (keyword defaults) recorded with every value.
        runtime: keywords that do not change the value and are not recorded; the pipeline
            supplies ``artifact_dir`` (a folder for images and diagnostics a person may check)
            to metrics that list it.
    """

    name: str
    fn: Callable[..., dict[str, float]]
    space: Space
    directions: dict[str, Direction]
    reference: str
    extra_inputs: tuple[str, ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    runtime: tuple[str, ...] = ()

    def __call__(self, *, real: np.ndarray, fake: np.ndarray, **params: object) -> dict[str, float]:
        out = self.fn(real=real, fake=fake, **params)
        allowed = set(self.directions) | {f"{k}_std" for k in self.directions}
        unknown = set(out) - allowed
        assert not unknown, f"metric {self.name} returned undeclared keys {unknown}"
        return {k: float(v) for k, v in out.items()}

    @property
    def takes_seed(self) -> bool:
        return "seed" in self.defaults


def metric(
    name: str,
    *,
    space: Space,
    directions: dict[str, Direction],
    reference: str,
    extra_inputs: tuple[str, ...] = (),
    runtime: tuple[str, ...] = (),
) -> Callable[[Callable[..., dict[str, float]]], Callable[..., dict[str, float]]]:
    """Decorator: register ``fn`` as metric ``name`` and return ``fn`` unchanged.

    The keyword defaults of ``fn`` (other than ``real``/``fake``, extra inputs and ``runtime``
    keywords) are its parameters; they are recorded with every value.
    """

    def wrap(fn: Callable[..., dict[str, float]]) -> Callable[..., dict[str, float]]:
        words = tuple(name.replace("-", "_").split("_"))
        for key in directions:
            assert key.startswith(words), f"metric {name}: key {key} must start with one of {words}"
        sig = inspect.signature(fn)
        for arg in ("real", "fake"):
            param = sig.parameters.get(arg)
            assert param is not None and param.kind is inspect.Parameter.KEYWORD_ONLY, (
                f"metric {name}: {arg} must be keyword-only"
            )
        skip = {"real", "fake", *extra_inputs, *runtime}
        defaults = {
            p.name: p.default
            for p in sig.parameters.values()
            if p.name not in skip and p.default is not inspect.Parameter.empty
        }
        METRICS.register(
            name,
            MetricSpec(
                name, fn, space, dict(directions), reference, tuple(extra_inputs), defaults, tuple(runtime)
            ),
        )
        return fn

    return wrap
