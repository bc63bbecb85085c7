"""Run measures on feature sets (set level) or on a seed's models (run level) and collect their scalars."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.evaluation.bootstrap import bootstrap_intervals, recompute_replicate
from ganbench.evaluation.features import FeatureSet
from ganbench.metrics.spec import GeneratorHandle, MetricSpec, Player
from ganbench.numerics.shared_pass import Needs, sharing
from ganbench.registry import METRICS

OnError = Callable[[str, Exception], None]
OnSkip = Callable[[str, str], None]

#: Why a measure is skipped when an extra input it declares is missing (None), by input name.
MISSING_INPUT_REASONS: dict[str, str] = {
    "train": "needs the training images (give a registered dataset as --real, or --train SPEC)",
    "class_prior": "needs the training labels' class distribution (a labelled --real or --train set)",
    "generator": "needs the generator itself, not only its samples (give --fake module:function or a run "
    "folder)",
    "real_labels": "needs the real set's class labels (a registered dataset, or an ImageFolder-style "
    "folder / an npz with a labels array)",
    "fake_labels": "needs the labels the fake images were generated for (a class-conditional generator, "
    "or a labelled folder / npz)",
    "train_labels": "needs the training split's labels (a registered dataset as --real, or a labelled "
    "--train set)",
    "classifier": "needs the dataset's domain classifier (a registered dataset as --real)",
    "num_classes": "needs the number of classes (a labelled real set)",
}


@dataclass(frozen=True)
class Score:
    """One scalar a measure produced, with what is needed to record it.

    Attributes:
        device: where the measure computed: the evaluation device for measures that take one
            (``device`` in their runtime keywords), ``cpu`` for the numpy-only ones.
        ci_low, ci_high: the 95 % bootstrap interval, when one was made (percentiles of the
            replicates shifted by the bootstrap's bias estimate; see ``evaluation/bootstrap.py``).
        ci_method: how the interval was made: ``"bootstrap-recompute"`` or
            ``"bootstrap-per-sample"`` (the measure's declared method), ``"none"`` when a bootstrap
            was asked for and this key has no interval, ``None`` when none was asked for.
    """

    metric: str
    key: str
    value: float
    std: float | None
    direction: str
    target: float | None
    space: str
    params: dict[str, Any]
    device: str
    ci_low: float | None = None
    ci_high: float | None = None
    ci_method: str | None = None


def metric_params(spec: MetricSpec, n_real: int, n_fake: int, seed: int) -> dict[str, Any]:
    """The parameters a measure runs with: its defaults, the run's metric seed, and any
    ``subset_size`` capped at the set sizes (so small smoke runs work and the record says so)."""
    params = dict(spec.defaults)
    if "seed" in params:
        params["seed"] = seed
    if "subset_size" in params:
        params["subset_size"] = min(int(params["subset_size"]), n_real, n_fake)
    return params


def _report(on_error: OnError | None, name: str, err: Exception) -> None:
    if on_error is None:
        print(f"error: metric {name} failed: {err}", file=sys.stderr)
    else:
        on_error(name, err)


def _scores(
    spec: MetricSpec,
    values: dict[str, float],
    params: dict[str, Any],
    device: str,
    intervals: Mapping[str, tuple[float, float]] | None = None,
    ci_method: str | None = None,
) -> list[Score]:
    """One :class:`Score` per declared key present in ``values`` (``<key>_std`` goes to its std).

    ``intervals`` and ``ci_method`` come from a bootstrap (``None``: none was asked for); a key
    without an interval then gets ``ci_method`` ``"none"``.
    """
    out = []
    for key, direction in spec.directions.items():
        if key not in values:
            continue
        target = float(direction) if not isinstance(direction, str) else None
        low, high = (intervals or {}).get(key, (None, None))
        method = None if ci_method is None else (ci_method if low is not None else "none")
        out.append(
            Score(
                metric=spec.name,
                key=key,
                value=values[key],
                std=values.get(f"{key}_std"),
                direction="target" if target is not None else str(direction),
                target=target,
                space=spec.space,
                params=params,
                device=device,
                ci_low=low,
                ci_high=high,
                ci_method=method,
            )
        )
    return out


def skip_reason(
    spec: MetricSpec, real: FeatureSet, fake: FeatureSet, inputs: Mapping[str, Any]
) -> str | None:
    """Why ``spec`` cannot run on these sets and inputs, or None when it can."""
    for side, features in (("real", real), ("fake", fake)):
        if not features.has(spec.space):
            return f"reads the {spec.space!r} space, which the extractor does not produce for the {side} set"
    for name in spec.extra_inputs:
        if inputs.get(name) is None:
            return MISSING_INPUT_REASONS.get(name, f"needs the input {name!r}")
    return None


def score(
    metrics: list[str],
    *,
    real: FeatureSet,
    fake: FeatureSet,
    train: FeatureSet | None,
    class_prior: np.ndarray | None,
    generator: GeneratorHandle | None = None,
    extra: Mapping[str, Any] | None = None,
    seed: int = 0,
    bootstrap: int = 0,
    device: torch.device | str = "cpu",
    artifact_dir: Path | None = None,
    on_error: OnError | None = None,
    on_skip: OnSkip | None = None,
    progress: bool = False,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Score]:
    """Run each set measure of ``metrics`` on ``real`` vs ``fake``.

    ``overrides`` replaces parameters per measure (``{"ndb": {"n_init": 1}}``; names checked by the
    caller against ``spec.defaults``); the records carry the parameters used.

    ``train``, ``class_prior``, ``generator`` and the inputs in ``extra`` (``real_labels``,
    ``fake_labels``, ``train_labels``, ``classifier``, ``num_classes``) feed measures that ask for
    them. A measure is skipped when an input it declares is None or its space is missing (no
    generator for the ``real`` reference row; no logits from the ``pixels`` extractor); the
    reason goes to ``on_skip(name, reason)`` when given. Measures that take the runtime keywords
    ``device`` / ``artifact_dir`` get them, and their scores say where they ran.

    With ``bootstrap`` = B > 0, each measure's keys get a 95 % interval from B resamples as
    ``ci_low`` / ``ci_high`` (percentiles shifted by the bootstrap's bias estimate, see
    :mod:`~ganbench.evaluation.bootstrap`), made by the measure's declared ``interval`` method
    (see :mod:`ganbench.metrics.spec`): ``"recompute"`` runs it again on B resamples of both
    sets; ``"per-sample"`` computes its per-sample quantities once (the value comes from them)
    and reduces B resamples of those; ``"none"`` makes no interval. Each score says which in
    ``ci_method``, and the recorded parameters add ``bootstrap: B``.

    A measure that raises is reported through ``on_error`` (default: a line on stderr) and
    skipped, so one failing measure never loses the others' values.
    """
    for name in metrics:
        if METRICS[name].level != "set":
            raise ValueError(f"metric {name!r} is a run-level measure; score it with score_run")
    needs = shared_needs(metrics, real, fake, seed, overrides)
    with ExitStack() as stack:
        # One Gram pass for the measures that share it (KID, precision/recall, density/coverage).
        # If it cannot be made (e.g. too few rows), each measure computes alone and reports its error.
        with suppress(ValueError):
            stack.enter_context(sharing(real.features, fake.features, needs, device=device))
        return _score_each(
            metrics,
            real=real,
            fake=fake,
            train=train,
            class_prior=class_prior,
            generator=generator,
            extra=extra,
            seed=seed,
            bootstrap=bootstrap,
            device=device,
            artifact_dir=artifact_dir,
            on_error=on_error,
            on_skip=on_skip,
            progress=progress,
            overrides=overrides,
        )


def shared_needs(
    metrics: list[str],
    real: FeatureSet,
    fake: FeatureSet,
    seed: int,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Needs:
    """What the feature-space measures of ``metrics`` ask of the shared Gram pass, with the
    parameters they will run with; measures whose sets are too small for them ask nothing (they
    report their own error)."""
    needs = Needs()
    for name in metrics:
        spec: MetricSpec = METRICS[name]
        if spec.shared_needs is None or not (real.has(spec.space) and fake.has(spec.space)):
            continue
        params = metric_params(spec, len(real), len(fake), seed) | dict((overrides or {}).get(name, {}))
        if min(len(real), len(fake)) >= spec.samples_needed(params):
            needs.add(spec.shared_needs(params))
    return needs


def _score_each(
    metrics: list[str],
    *,
    real: FeatureSet,
    fake: FeatureSet,
    train: FeatureSet | None,
    class_prior: np.ndarray | None,
    generator: GeneratorHandle | None,
    extra: Mapping[str, Any] | None,
    seed: int,
    bootstrap: int,
    device: torch.device | str,
    artifact_dir: Path | None,
    on_error: OnError | None,
    on_skip: OnSkip | None,
    progress: bool,
    overrides: Mapping[str, Mapping[str, Any]] | None,
) -> list[Score]:
    """:func:`score`'s loop over the measures (arguments as there)."""
    scores: list[Score] = []
    for name in metrics:
        spec: MetricSpec = METRICS[name]
        inputs: dict[str, Any] = {
            "train": None if train is None or not train.has(spec.space) else train.space(spec.space),
            "class_prior": class_prior,
            "generator": generator,
            **(extra or {}),
        }
        reason = skip_reason(spec, real, fake, inputs)
        if reason is not None:
            if on_skip is not None:
                on_skip(name, reason)
            continue
        params = metric_params(spec, len(real), len(fake), seed) | dict((overrides or {}).get(name, {}))
        runtime: dict[str, Any] = {"device": device, "artifact_dir": artifact_dir}
        extras = {k: inputs[k] for k in spec.extra_inputs} | {k: runtime[k] for k in spec.runtime}
        compute = functools.partial(_run_metric, spec, extras | params)
        try:
            values, intervals = _value_and_intervals(spec, compute, real, fake, bootstrap, seed, progress)
        except Exception as err:  # reported, never silently dropped
            _report(on_error, name, err)
            continue
        recorded = params | ({"bootstrap": bootstrap} if bootstrap else {})
        ran_on = str(device) if "device" in spec.runtime else "cpu"
        ci_method = None  # no interval asked for
        if bootstrap:
            ci_method = "none" if spec.interval == "none" else f"bootstrap-{spec.interval}"
        scores += _scores(spec, values, recorded, ran_on, intervals, ci_method)
    return scores


def _value_and_intervals(
    spec: MetricSpec,
    compute: Callable[[FeatureSet, FeatureSet], dict[str, float]],
    real: FeatureSet,
    fake: FeatureSet,
    bootstrap: int,
    seed: int,
    progress: bool,
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """The measure's values and, with ``bootstrap`` > 0, the intervals its declared method makes."""
    if not bootstrap or spec.interval == "none":
        return compute(real, fake), {}
    options = {"replicates": bootstrap, "seed": seed, "name": spec.name, "progress": progress}
    if spec.interval == "per-sample":
        samples = compute(real, fake, samples=True)
        values = spec.checked(samples.value())
        resampled = {k: v for k, v in values.items() if k in spec.directions and k not in samples.fixed}
        intervals = bootstrap_intervals(samples.reduce, samples.n_real, samples.n_fake, resampled, **options)
        return values, intervals
    values = compute(real, fake)
    replicate = recompute_replicate(compute, real, fake)
    keyed = {k: v for k, v in values.items() if k in spec.directions}
    return values, bootstrap_intervals(replicate, len(real), len(fake), keyed, **options)


def score_run(
    metrics: list[str],
    *,
    real: FeatureSet,
    players: Mapping[str, Player],
    seed: int = 0,
    device: torch.device | str = "cpu",
    on_error: OnError | None = None,
    artifact_dir: Path | None = None,
) -> dict[str, list[Score]]:
    """Run each run-level measure of ``metrics`` over the models of one seed's variants.

    Measures that take the runtime keywords ``device`` / ``artifact_dir`` get them (GAM's battles
    and NRDS's curves are written there).

    Args:
        real: the held-out real set (run measures read its pixels).
        players: variant name -> its trained :class:`~ganbench.metrics.spec.Player`; measures
            that need more players than there are (the tournament needs two) are skipped.

    Returns:
        variant name -> its scores; the recorded parameters add the list of players.
    """
    out: dict[str, list[Score]] = {name: [] for name in players}
    for name in metrics:
        spec: MetricSpec = METRICS[name]
        if spec.level != "run":
            raise ValueError(f"metric {name!r} is a set-level measure; score it with score")
        if len(players) < 2:
            continue
        params = metric_params(spec, len(real), len(real), seed)
        available = {"device": device, "artifact_dir": artifact_dir}
        runtime = {k: v for k, v in available.items() if k in spec.runtime}
        try:
            values = spec(real=real.space("pixels"), players=players, **params, **runtime)
        except Exception as err:
            _report(on_error, name, err)
            continue
        recorded = params | {"players": sorted(players)}
        ran_on = str(device) if "device" in spec.runtime else "cpu"
        for player, player_values in values.items():
            out[player] += _scores(spec, player_values, recorded, ran_on)
    return out


def _run_metric(
    spec: MetricSpec, keywords: dict[str, Any], real: FeatureSet, fake: FeatureSet, samples: bool = False
) -> Any:
    """The measure on the two sets in its space: its values, or with ``samples`` its ``PerSample``."""
    call = spec.samples if samples else spec
    return call(real=real.space(spec.space), fake=fake.space(spec.space), **keywords)
