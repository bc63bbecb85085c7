"""The measure contract: a pure function plus what it reads and which way is better.

Two levels of measure share one registry (``METRICS``), one decorator (:func:`metric`) and one
record format:

- **set** measures (all but one): keyword-only ``real=`` and ``fake=`` arrays (never
  positional: peers disagree on the order) and optional keyword parameters, returning a flat
  ``dict[str, float]``; the pipeline calls them once per generated set;
- **run** measures: keyword-only ``real=`` and ``players=`` (variant name -> :class:`Player`),
  returning ``{variant: {key: float}}``; the pipeline calls them once per seed over the models
  of every variant trained with it (the ``tournament``).

Output keys:
- every declared key starts with one of the words of the measure name
  (``precision-recall`` -> ``precision``, ``recall``; ``kid`` -> ``kid``);
- a declared key ``k`` may come with ``k_std``, its sampling spread (std over splits or
  subsets) or standard error, which the records store next to the value rather than as a
  value of its own.

Extra inputs a measure may ask for by name (``extra_inputs``), supplied by the pipeline:
- ``train``: the training split in the same space as ``real``;
- ``class_prior``: float64 [K], the class distribution p*(y) of the training labels;
- ``generator``: a :class:`GeneratorHandle` for the trained generator (absent for the ``real``
  reference row, where measures that need it are not run).

Runtime keywords (``runtime``) do not change the value and are not recorded: ``device`` (where
the measure computes; the record says where that was) and ``artifact_dir`` (a folder for images
and diagnostics a person may check).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from ganbench.images import signed_to_unit
from ganbench.registry import METRICS

Space = Literal["pixels", "features", "logits", "models"]
Level = Literal["set", "run"]
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
        return signed_to_unit(self.module(z.to(self.device)))


@dataclass(frozen=True)
class Player:
    """One variant's trained pair, as run-level measures see it.

    Attributes:
        generator: its generator (z [B, latent_dim] -> images in [0, 1]; ``latent_dim`` on the handle).
        discriminator: its discriminator, images [B, C, H, W] in [-1, 1] -> raw scores [B]; run in
            eval mode without gradients (its mode is restored afterwards), on the measure's device.
    """

    generator: GeneratorHandle
    discriminator: torch.nn.Module


@dataclass(frozen=True)
class MetricSpec:
    """A registered measure.

    Attributes:
        name: registry name; every output key starts with one of its words.
        fn: the pure function: ``fn(*, real, fake, **params) -> dict[str, float]`` for a set
            measure, ``fn(*, real, players, **params) -> {variant: dict[str, float]}`` for a run
            measure.
        space: what it reads: ``pixels`` float32 [N, C, H, W] in [0, 1], ``features`` [N, D] or
            ``logits`` [N, K] from the extractor, or ``models`` (generators and discriminators;
            ``real`` is then the held-out pixels).
        directions: per output key, ``"lower"``, ``"higher"`` or a target float.
        reference: the paper and the implementation it agrees with.
        extra_inputs: names of further inputs it needs (``train``, ``class_prior``, ``generator``).
        defaults: the parameters (keyword defaults) recorded with every value.
        runtime: keywords that do not change the value and are not recorded (``device``,
            ``artifact_dir``).
        level: ``"set"`` (one generated set against the real set) or ``"run"`` (the models of
            every variant of one seed).
        notes: where the definition departs from a reference implementation, or a choice the
            papers leave open; shown by ``ganbench list metrics``.
        min_samples: the fewest real and generated samples per set it can work with, as a
            number or a function of its parameters (``lambda p: p["k"] + 1``); a run checks
            its sample size against it before any work starts.
    """

    name: str
    fn: Callable[..., Any]
    space: Space
    directions: dict[str, Direction]
    reference: str
    extra_inputs: tuple[str, ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    runtime: tuple[str, ...] = ()
    level: Level = "set"
    notes: str = ""
    min_samples: int | Callable[[Mapping[str, Any]], int] = 2

    def samples_needed(self, params: Mapping[str, Any]) -> int:
        """The fewest samples per set this measure needs with ``params``."""
        return int(self.min_samples(params) if callable(self.min_samples) else self.min_samples)

    def __call__(self, **inputs: Any) -> Any:
        """Call the measure with keyword inputs and check its keys (see the module docstring)."""
        out = self.fn(**inputs)
        if self.level == "run":
            return {player: self._checked(values) for player, values in out.items()}
        return self._checked(out)

    def _checked(self, out: dict[str, float]) -> dict[str, float]:
        allowed = set(self.directions) | {f"{k}_std" for k in self.directions}
        unknown = set(out) - allowed
        assert not unknown, f"metric {self.name} returned undeclared keys {unknown}"
        return {k: float(v) for k, v in out.items()}


def metric(
    name: str,
    *,
    space: Space,
    directions: dict[str, Direction],
    reference: str,
    extra_inputs: tuple[str, ...] = (),
    runtime: tuple[str, ...] = (),
    level: Level = "set",
    notes: str = "",
    min_samples: int | Callable[[Mapping[str, Any]], int] = 2,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register ``fn`` as measure ``name`` and return ``fn`` unchanged.

    The keyword defaults of ``fn`` (other than its inputs, extra inputs and ``runtime``
    keywords) are its parameters; they are recorded with every value.
    """

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        words = tuple(name.replace("-", "_").split("_"))
        for key in directions:
            assert key.startswith(words), f"metric {name}: key {key} must start with one of {words}"
        sig = inspect.signature(fn)
        inputs = ("real", "fake") if level == "set" else ("real", "players")
        for arg in inputs:
            param = sig.parameters.get(arg)
            assert param is not None and param.kind is inspect.Parameter.KEYWORD_ONLY, (
                f"metric {name}: {arg} must be keyword-only"
            )
        skip = {*inputs, *extra_inputs, *runtime}
        defaults = {
            p.name: p.default
            for p in sig.parameters.values()
            if p.name not in skip and p.default is not inspect.Parameter.empty
        }
        METRICS.register(
            name,
            MetricSpec(
                name,
                fn,
                space,
                dict(directions),
                reference,
                tuple(extra_inputs),
                defaults,
                tuple(runtime),
                level,
                notes,
                min_samples,
            ),
        )
        return fn

    return wrap
