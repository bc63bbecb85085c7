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
  reference row, where measures that need it are not run);
- ``classifier``: a :class:`ClassifierHandle`, the dataset's domain classifier;
- ``real_labels``, ``fake_labels``, ``train_labels``: int64 [N] / [M] / [N_train] class labels of
  the real set, of the generated set (the labels a class-conditional generator was given) and of
  the training split; ``num_classes``: the number of classes K.

A measure whose extra input is missing (None) is skipped with the reason of
``evaluation.scoring.MISSING_INPUT_REASONS``.

Runtime keywords (``runtime``) do not change the value and are not recorded: ``device`` (where
the measure computes; the record says where that was) and ``artifact_dir`` (a folder for images
and diagnostics a person may check).

Intervals (``interval``, required): how ``--bootstrap B`` makes a set measure's 95 % interval.
Every measure declares one of three methods, and ``interval_note`` says what it rests on:

- ``"recompute"``: the measure is run again on each of B resamples (with replacement) of both
  sets. Right for cheap measures of sample moments or posteriors (FID, IS); the note is optional.
- ``"per-sample"``: the expensive work (a fitted model, k-NN radii, kernel matrices, an
  optimisation per image) is done once on the full sets; it yields per-sample quantities (critic
  scores, memberships, errors, kernel entries) that each resample reduces to the measure's keys.
  Right when a resample would refit a model (B fits are unaffordable) or when duplicated rows
  would bias a recomputed value (a U-statistic counting a sample paired with its own copy).
  The note says what a resample holds fixed (radii, a critic, a bandwidth) and so what
  variation the interval leaves out.
- ``"none"``: no interval; the note says why (a resample duplicates exactly what the measure
  counts; the measure reports its own interval; a run-level measure has no sets to resample).
  Never a fake interval.

A per-sample measure is two functions with the same keyword signature, so they cannot drift:

    def my_measure_samples(*, real, fake, k: int = 3) -> PerSample:
        ...  # the expensive work, once
        def reduce(real_rows, fake_rows):  # None: every row once, in order (the measure's value)
            return {"my_measure": float(take_rows(per_real, real_rows).mean())}  # numerics.resampling
        return PerSample(n_real=len(real), n_fake=0, reduce=reduce)

    @metric("my-measure", ..., interval="per-sample", per_sample=my_measure_samples,
            interval_note="what a resample holds fixed")
    def my_measure(*, real, fake, k: int = 3) -> dict[str, float]:
        return my_measure_samples(real=real, fake=fake, k=k).value()

``PerSample.value()`` is ``reduce(None, None)``, so the value and every replicate come from the
same code; the contract test checks that the reduction of the identity resample
(``arange`` rows) equals the value (to 1e-12 relative: a weighted sum may round differently from
a plain one). A replicate draws ``n_real`` real and ``n_fake`` generated units with replacement
(a side with 0 units is not resampled) and calls ``reduce(real_rows, fake_rows)`` with the drawn
indices; keys it leaves out, and keys in ``PerSample.fixed`` (a p-value, a spread over subsets),
get no interval.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch

from ganbench.classifier import classify
from ganbench.images import signed_to_unit, unit_to_uint8
from ganbench.registry import METRICS

Space = Literal["pixels", "features", "logits", "models"]
Level = Literal["set", "run"]
Direction = Literal["lower", "higher"] | float  # a float is a target value, e.g. 0.5
IntervalMethod = Literal["recompute", "per-sample", "none"]
#: What a key is meant to judge (Borji 2019's desiderata; ``ganbench validate`` tests each key on
#: the defects of the aspects it declares and shows the others as "by design").
Aspect = Literal["fidelity", "diversity", "memorisation"]
ASPECTS: tuple[str, ...] = ("fidelity", "diversity", "memorisation")
#: A key that declares nothing compares two distributions, so it answers to both fidelity and diversity.
DEFAULT_ASPECTS: tuple[str, ...] = ("fidelity", "diversity")
INTERVAL_METHODS: tuple[str, ...] = ("recompute", "per-sample", "none")

#: Resampled rows of one side: int64 indices [n] into its units, or ``None`` for every unit once, in order.
Rows = np.ndarray | None


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
class ClassifierHandle:
    """A trained classifier of the real domain (the domain classifier), as measures see it.

    Attributes:
        net: the network, images [B, C, H, W] in [-1, 1] -> (features [B, D], logits [B, K]),
            in eval mode on ``device``.
        num_classes: K.
        device: where ``net`` lives.
        accuracy: its accuracy on the real held-out split (NaN when unknown).
    """

    net: torch.nn.Module
    num_classes: int
    device: torch.device
    accuracy: float = float("nan")

    def logits(self, pixels: np.ndarray) -> np.ndarray:
        """pixels float [N, C, H, W] in [0, 1] -> logits float32 [N, K].

        Pixels are rounded to 8 bits first, as every image ganbench stores is, so a stored image
        gets exactly the logits the feature pass gave it.
        """
        images = unit_to_uint8(torch.as_tensor(np.asarray(pixels, dtype=np.float32)).clamp(0, 1))
        return classify(self.net, images, self.device)[1]  # type: ignore[arg-type]


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
class PerSample:
    """What a per-sample measure computed once on the full sets, and how a resample reduces it.

    Attributes:
        n_real: resampling units on the real side (rows, test images, pairs of images...); 0 when
            a resample does not touch that side.
        n_fake: likewise on the generated side.
        reduce: ``(real_rows, fake_rows) -> {key: float}``; each argument is int64 indices
            [n_real] / [n_fake] into that side's units (drawn with replacement), or ``None`` for
            every unit once, in order, which gives the measure's value. It returns the keys that
            are resampled (and may add their ``<key>_std``).
        fixed: keys computed once on the full sets and not resampled (a permutation test's
            p-value); part of the value, without an interval.
    """

    n_real: int
    n_fake: int
    reduce: Callable[[Rows, Rows], dict[str, float]]
    fixed: Mapping[str, float] = field(default_factory=dict)

    def value(self) -> dict[str, float]:
        """The measure's value on the full sets: the reduction of every unit once, plus ``fixed``."""
        return {**self.reduce(None, None), **self.fixed}


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
        extra_inputs: names of further inputs it needs (``train``, ``class_prior``, ``generator``,
            ``classifier``, the labels; see the module docstring).
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
        interval: how ``--bootstrap`` makes its interval: ``"recompute"``, ``"per-sample"`` or
            ``"none"`` (see the module docstring).
        interval_note: what the interval rests on (per-sample: what a resample holds fixed) or,
            for ``"none"``, why there is none; shown by ``ganbench list metrics``.
        per_sample: for ``"per-sample"``, the function with ``fn``'s signature that returns a
            :class:`PerSample`; ``None`` otherwise.
        aspects: per key, what it is meant to judge (``fidelity``, ``diversity``,
            ``memorisation``); a key not listed judges both fidelity and diversity
            (:data:`DEFAULT_ASPECTS`). Read through :meth:`aspects_of`.
        shared_needs: for a feature-space measure that reads the shared Gram pass, the function of
            its parameters that says what it needs from it
            (:class:`~ganbench.numerics.shared_pass.Needs`); a battery computes the union once.
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
    interval: IntervalMethod = "recompute"
    interval_note: str = ""
    per_sample: Callable[..., PerSample] | None = None
    aspects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    shared_needs: Callable[[Mapping[str, Any]], Any] | None = None

    def aspects_of(self, key: str) -> tuple[str, ...]:
        """What ``key`` is meant to judge: its declared aspects, or :data:`DEFAULT_ASPECTS`."""
        return tuple(self.aspects.get(key, DEFAULT_ASPECTS))

    def samples_needed(self, params: Mapping[str, Any]) -> int:
        """The fewest samples per set this measure needs with ``params``."""
        return int(self.min_samples(params) if callable(self.min_samples) else self.min_samples)

    def __call__(self, **inputs: Any) -> Any:
        """Call the measure with keyword inputs and check its keys (see the module docstring)."""
        out = self.fn(**inputs)
        if self.level == "run":
            return {player: self.checked(values) for player, values in out.items()}
        return self.checked(out)

    def samples(self, **inputs: Any) -> PerSample:
        """The per-sample quantities of a ``"per-sample"`` measure, from the same inputs as a call."""
        if self.per_sample is None:
            raise ValueError(f"metric {self.name} has interval method {self.interval!r}, not 'per-sample'")
        out = self.per_sample(**inputs)
        assert isinstance(out, PerSample), f"metric {self.name}: per_sample must return a PerSample"
        return out

    def checked(self, out: dict[str, float]) -> dict[str, float]:
        """``out`` with every key checked against the declared ones and every value a float."""
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
    interval: IntervalMethod,
    interval_note: str = "",
    per_sample: Callable[..., PerSample] | None = None,
    aspects: Mapping[str, tuple[str, ...]] | None = None,
    shared_needs: Callable[[Mapping[str, Any]], Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register ``fn`` as measure ``name`` and return ``fn`` unchanged.

    The keyword defaults of ``fn`` (other than its inputs, extra inputs and ``runtime``
    keywords) are its parameters; they are recorded with every value. ``aspects`` says per key what
    it is meant to judge (``fidelity``, ``diversity``, ``memorisation``; a key left out judges
    fidelity and diversity), so ``ganbench validate`` judges it on those defects. ``interval`` is
    required (see the module docstring): ``"per-sample"`` needs ``per_sample`` with exactly
    ``fn``'s signature, and ``"per-sample"`` and ``"none"`` need ``interval_note``; a run-level
    measure has ``"none"``.
    """
    assert interval in INTERVAL_METHODS, f"metric {name}: interval must be one of {INTERVAL_METHODS}"
    assert (interval == "per-sample") == (per_sample is not None), (
        f"metric {name}: per_sample is given exactly when interval='per-sample'"
    )
    assert interval == "recompute" or interval_note, f"metric {name}: say in interval_note what it rests on"
    assert level == "set" or interval == "none", f"metric {name}: a run-level measure has interval='none'"
    aspects = {key: tuple(values) for key, values in (aspects or {}).items()}
    for key, values in aspects.items():
        assert key in directions, f"metric {name}: aspects names undeclared key {key}"
        assert values and set(values) <= set(ASPECTS), f"metric {name}: {key}'s aspects must be in {ASPECTS}"

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
        if per_sample is not None:
            assert inspect.signature(per_sample).parameters == sig.parameters, (
                f"metric {name}: {per_sample.__name__} must take exactly the keywords of {fn.__name__}"
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
                interval,
                interval_note,
                per_sample,
                aspects,
                shared_needs,
            ),
        )
        return fn

    return wrap
