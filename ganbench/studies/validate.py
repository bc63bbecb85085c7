"""Test every measure against Borji's desiderata on real data: ``ganbench validate`` / ``ganbench.validate``.

Borji 2019 ("Pros and Cons of GAN Evaluation Measures", arXiv:1802.03446, Sec. 4 and Table 3) rates
measures against desiderata from the literature; this study measures the ratings on the user's
dataset and extractor. The order: check every option (dataset, extractor and weights, measures,
sizes, the output folder) -> load the dataset, cut the pools (:mod:`ganbench.validation.pools`)
-> the extractor -> the run folder -> per scored set (control draws, then each defect series of
:mod:`ganbench.validation.defects` at each severity): features, every measure timed, records
appended at once; the same sets cut to smaller sizes for sample efficiency -> the synthetic sanity
checks of Räisä et al. 2025 on feature-space measures -> the verdicts and the report
(:mod:`ganbench.reporting.validate_report`).

Records are ``ganbench run``'s, with ``defect`` and ``severity`` filled: ``variant`` is
``control`` (``seed`` = the control draw) or ``<defect>@<value>``; rows of the smaller samples have
``stage = "sample-size"``; the synthetic checks have ``dataset = "synthetic"``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from ganbench.config import EvalConfig
from ganbench.datasets import Dataset, DatasetNameError, DatasetUnavailableError, default_cache_dir
from ganbench.datasets.loading import dataset_loader
from ganbench.datasets.spec import ImageSet
from ganbench.evaluation import FeatureSet, extract, score
from ganbench.evaluation.stamp import extractor_fields, image_size
from ganbench.extractors.resolve import (
    ExtractorCheck,
    check_extractor,
    domain_classifier_handle,
    extractor_settings,
    resolve_extractor,
)
from ganbench.metrics.spec import MetricSpec
from ganbench.registry import METRICS
from ganbench.reporting import RECORDS_FILE, RecordWriter, provenance
from ganbench.runtime import resolve_device
from ganbench.studies.pipeline import new_run_dir
from ganbench.studies.preflight import check_out_dir
from ganbench.validation.defects import Context, DefectSeries, series_for
from ganbench.validation.pools import Pools, largest_n, make_pools, population_size

Log = Callable[[str], None]

#: Extra inputs an image set has no answer for: why a measure needing one is left out of validate.
UNAVAILABLE_INPUTS: dict[str, str] = {
    "generator": "needs a generator (a latent search or samples on demand); validate scores image sets",
    "fake_labels": "needs the labels a class-conditional generator was asked for; the defect sets have none",
}
DEFAULT_N = 2000
QUICK = {
    "n": 200,
    "controls": 3,
    "synthetic_n": 500,
    "synthetic_every": 10,
    "synthetic_size_sweeps": False,
    "sample_fractions": (0.5,),
}
#: Effort parameters ``quick`` lowers (the records carry the values used): fewer repetitions,
#: restarts and resamples, the same definitions.
QUICK_PARAMS: dict[str, dict[str, Any]] = {
    "geometry-score": {"repetitions": 10},
    "ndb": {"n_init": 1},
    "memorization": {"n_init": 1, "cells": 5},  # 20 cells need m >~ 400 for C_T's tau = 20/m
    "prd": {"num_runs": 3},
    "swd": {"projections": 128},
    "birthday": {"n_boot": 50},
    "ssim-diversity": {"pairs": 300},
    "fld": {"epochs": 10},  # the mixture's fit stops earlier: the same likelihood, less converged
}
#: Left out of the default selection (named in --metrics, they run): too slow per set for the ~40 sets.
SLOW_BY_DEFAULT: dict[str, str] = {
    "wasserstein-critic": "trains a WGAN-GP critic per set (minutes each on a CPU); name it in --metrics",
    "adversarial-accuracy": "trains a CNN classifier per set (minutes each on a CPU); name it in --metrics",
}
SAMPLE_SIZE_ERRORS = "sample_size_errors.txt"
SYNTHETIC_ERRORS = "synthetic_errors.txt"  # a measure that cannot score a synthetic check: a finding
TIMINGS_FILE = "timings.json"
DIGIT_DATASETS = ("mnist", "mnist-5k")


class ValidateError(ValueError):
    """An option ``validate`` cannot use; ``option`` names it for the CLI."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def _stderr(message: str) -> None:
    tqdm.write(message)


def unavailable_reason(spec: MetricSpec) -> str | None:
    """Why ``validate`` cannot run ``spec`` on image sets, or None when it can."""
    if spec.level != "set":
        return "a run-level measure: it needs the discriminators of several trained variants"
    for name in spec.extra_inputs:
        if name in UNAVAILABLE_INPUTS:
            return UNAVAILABLE_INPUTS[name]
    return None


def validatable_metrics() -> list[str]:
    """Every registered measure validate can score, in registry order (``--metrics all``)."""
    return [name for name, spec in METRICS.items() if unavailable_reason(spec) is None]


def default_metrics() -> list[str]:
    """The default selection: every validatable measure but those in :data:`SLOW_BY_DEFAULT`."""
    return [name for name in validatable_metrics() if name not in SLOW_BY_DEFAULT]


@dataclass(frozen=True)
class ValidateConfig:
    """Everything ``ganbench validate`` is told; the defaults are the CLI's.

    Attributes:
        dataset: dataset the sets are made from: a registered name or ``folder:PATH``.
        data_root: where its files are (None: the dataset's default places).
        extractor, weights, force_weights: as for ``ganbench evaluate``.
        metrics: measures to validate (None: every one validate can score).
        n: images per scored set (None: :data:`DEFAULT_N`, or fewer when the dataset is small).
        controls: control draws (disjoint samples of real images); their spread is the yardstick.
        sample_fractions: the smaller sizes of the sample-efficiency study, as fractions of n.
        ood: out-of-distribution images for mode invention: ``auto`` (Fashion-MNIST among digits,
            MNIST-5k among Fashion-MNIST, else noise), ``noise`` or a dataset (name or ``folder:PATH``).
        synthetic: run the synthetic sanity checks of Räisä et al. 2025 on feature-space measures.
        synthetic_n: points per synthetic set (Räisä et al. use 1000).
        synthetic_every: score every k-th swept value of a check (plus the values its criteria read).
        synthetic_size_sweeps: include the checks that sweep the sample size up to 10,000 points
            (8-10; several minutes on 2 cores); ``quick`` leaves them out.
        quick: a few minutes on 2 cores (:data:`QUICK` sizes), for tests and a first look.
        seed: pools, draws and defects; metric_seed: the measures' own seed.
    """

    dataset: str = "mnist-5k"
    data_root: str | None = None
    extractor: str = "domain-classifier"
    weights: str | None = None
    force_weights: bool = False
    metrics: tuple[str, ...] | None = None
    n: int | None = None
    controls: int = 5
    sample_fractions: tuple[float, ...] = (0.125, 0.25, 0.5)
    ood: str = "auto"
    synthetic: bool = True
    synthetic_n: int = 1000
    synthetic_every: int = 2
    synthetic_size_sweeps: bool = True
    quick: bool = False
    seed: int = 0
    metric_seed: int = 0
    classifier_epochs: int = field(default_factory=lambda: EvalConfig().classifier_epochs)
    device: str = "auto"

    def effective(self) -> ValidateConfig:
        """The configuration with ``quick``'s sizes applied where not given explicitly."""
        if not self.quick:
            return self
        return replace(
            self,
            n=self.n if self.n is not None else QUICK["n"],
            controls=min(self.controls, QUICK["controls"]),  # type: ignore[type-var]
            synthetic_n=min(self.synthetic_n, QUICK["synthetic_n"]),  # type: ignore[type-var]
            synthetic_every=max(self.synthetic_every, QUICK["synthetic_every"]),  # type: ignore[type-var]
            synthetic_size_sweeps=False,
            sample_fractions=QUICK["sample_fractions"],  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class _Checked:
    config: ValidateConfig
    metrics: list[str]
    excluded: dict[str, str]
    out: Path
    extractor: ExtractorCheck


def _integer(option: str, value: object, minimum: int) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
        raise ValidateError(option, f"{option} must be an integer >= {minimum}; got {value!r}")


def check_validate(config: ValidateConfig, out_dir: str | Path) -> _Checked:
    """Every check that needs no data; raises :class:`ValidateError` naming the option."""
    try:
        dataset_loader(config.dataset)
    except DatasetNameError as err:
        raise ValidateError("--dataset", str(err)) from None
    _integer("--n", config.n, 20)
    _integer("--controls", config.controls, 2)
    _integer("--synthetic-n", config.synthetic_n, 20)
    _integer("--synthetic-every", config.synthetic_every, 1)
    _integer("--seed", config.seed, 0)
    if not all(0 < f < 1 for f in config.sample_fractions):
        raise ValidateError(
            "--sample-fractions", f"fractions must be in (0, 1); got {config.sample_fractions}"
        )
    if config.ood not in ("auto", "noise"):
        try:
            dataset_loader(config.ood)
        except DatasetNameError as err:
            raise ValidateError("--ood", f"--ood must be auto, noise or a dataset: {err}") from None
    excluded = {name: reason for name, spec in METRICS.items() if (reason := unavailable_reason(spec))}
    metrics = list(config.metrics) if config.metrics is not None else default_metrics()
    if not metrics:
        raise ValidateError("--metrics", "--metrics is empty; name at least one measure or 'all'")
    for name in metrics:
        if name not in METRICS:
            raise ValidateError(
                "--metrics", str(KeyError(name)) + f": valid: {', '.join(validatable_metrics())}"
            )
        if name in excluded:
            raise ValidateError("--metrics", f"{name} cannot be validated on image sets: {excluded[name]}")
    if config.n is not None:
        for name in metrics:
            needed = METRICS[name].samples_needed(METRICS[name].defaults)
            if config.n < needed:
                raise ValidateError(
                    "--n", f"{name} needs at least {needed} images per set; --n is {config.n}"
                )
    try:
        extractor = check_extractor(
            config.extractor, weights=config.weights, force_weights=config.force_weights
        )
    except ValueError as err:
        raise ValidateError("--extractor" if config.weights is None else "--weights", str(err)) from None
    try:
        out = check_out_dir(out_dir)
    except OSError as err:
        raise ValidateError("--out", str(err)) from None
    left_out = {**excluded, **SLOW_BY_DEFAULT}
    return _Checked(config, metrics, {k: v for k, v in left_out.items() if k not in metrics}, out, extractor)


def _ood_images(
    config: ValidateConfig, dataset: Dataset, n: int, log: Log
) -> tuple[torch.Tensor | None, str]:
    """(out-of-distribution images or None for noise, a phrase saying which)."""
    choice = config.ood
    if choice == "auto":
        choice = (
            "fashion-mnist"
            if dataset.name in DIGIT_DATASETS
            else "mnist-5k"
            if dataset.name == "fashion-mnist"
            else "noise"
        )
    if choice == "noise":
        return None, "uniform noise images"
    try:
        other = dataset_loader(choice)(config.data_root if choice == config.dataset else None)
    except DatasetUnavailableError as err:
        if config.ood != "auto":
            raise ValidateError("--ood", f"--ood {choice}: {err}") from None
        log(
            f"note: mode invention uses uniform noise images: {choice} is not available "
            f"({str(err).splitlines()[0]})"
        )
        return None, f"uniform noise images ({choice} not available)"
    images = other.test.images
    if tuple(images.shape[1:]) != tuple(dataset.test.images.shape[1:]):
        raise ValidateError(
            "--ood",
            f"--ood {choice} has images {tuple(images.shape[1:])}, {dataset.name} "
            f"{tuple(dataset.test.images.shape[1:])}; "
            "pick a dataset of the same shape, or --ood noise",
        )
    return images[: max(n, 1)], f"{other.name} test images"


def _controls(pools: Pools, count: int, seed: int) -> tuple[list[ImageSet], bool]:
    """``count`` control draws of n fresh images: disjoint slices when the pool allows, else
    independent draws (returned flag False)."""
    n, fresh = pools.n, pools.fresh
    if len(fresh) >= count * n:
        return [
            ImageSet(fresh.images[r * n : (r + 1) * n], fresh.labels[r * n : (r + 1) * n])
            for r in range(count)
        ], True
    rng = np.random.default_rng([seed, 1])
    draws = [torch.as_tensor(rng.choice(len(fresh), size=n, replace=False)) for _ in range(count)]
    return [ImageSet(fresh.images[d], fresh.labels[d]) for d in draws], False


@dataclass(frozen=True)
class _ScoredSet:
    defect: str
    severity: float
    seed: int
    images: torch.Tensor
    distinct: int

    @property
    def variant(self) -> str:
        return "control" if self.defect == "control" else f"{self.defect}@{self.severity:g}"


def validate(
    config: ValidateConfig, *, out_dir: str | Path = "reports", progress: bool = True, log: Log = _stderr
) -> Path:
    """Run the experiment of the module docstring; return the run folder ``<out_dir>/<time>-validate``.

    Raises:
        ValidateError: an option that cannot be used (before any feature pass and before anything
            is written).
        DatasetUnavailableError: the dataset's files are missing (the message says how to get them).
    """
    config = config.effective()
    checked = check_validate(config, out_dir)
    device = resolve_device(config.device)
    dataset = dataset_loader(config.dataset)(config.data_root)
    largest = largest_n(population_size(dataset), config.controls)
    n = config.n if config.n is not None else min(DEFAULT_N, largest)
    if n > largest:
        raise ValidateError(
            "--n",
            f"{dataset.name} has room for sets of at most {largest} images with {config.controls} controls",
        )
    for name in checked.metrics:
        needed = METRICS[name].samples_needed(METRICS[name].defaults)
        if n < needed:
            raise ValidateError("--n", f"{name} needs at least {needed} images per set; sets have {n}")
    needed = {m: METRICS[m].samples_needed(METRICS[m].defaults) for m in checked.metrics}
    # each measure is scored at the smaller sizes it can take (TopP&R needs 161 rows, most far fewer)
    sizes = sorted(
        {round(f * n) for f in config.sample_fractions if round(f * n) >= max(min(needed.values()), 2)}
    )
    ood, ood_phrase = _ood_images(config, dataset, n, log)

    pools = make_pools(dataset, n, config.seed)
    controls, disjoint = _controls(pools, config.controls, config.seed)
    context = Context(
        pools,
        controls[0],
        ood,
        np.random.default_rng([config.seed, 2]).permutation(pools.num_classes),
        config.seed,
    )
    series = series_for(n, pools.num_classes, ood_phrase)

    extractor = resolve_extractor(
        config.extractor,
        dataset,
        device=device,
        progress=progress,
        weights=config.weights,
        force_weights=config.force_weights,
        **extractor_settings(checked.extractor, config.classifier_epochs, None),
    )
    identity = extractor.identity
    run_dir = new_run_dir(checked.out, "validate")
    log(
        f"validate {run_dir} | {dataset.name} | n {n} | {len(checked.metrics)} measures | {identity.name}"
        f" | device {device}"
    )
    _write_run_json(
        run_dir, config, checked, dataset, n, sizes, series, ood_phrase, disjoint, extractor, device
    )

    cache_dir = default_cache_dir() / "features"
    reference = extract(
        extractor, pools.reference.images, desc="features: reference", progress=progress, cache_dir=cache_dir
    )
    needs_train = any("train" in METRICS[m].extra_inputs for m in checked.metrics)
    train = (
        extract(
            extractor,
            pools.memorised.images,
            desc="features: training set",
            progress=progress,
            cache_dir=cache_dir,
        )
        if needs_train
        else None
    )
    class_prior = np.bincount(pools.memorised.labels.numpy(), minlength=pools.num_classes) / len(
        pools.memorised
    )
    classifier = None
    if any("classifier" in METRICS[m].extra_inputs for m in checked.metrics):
        classifier = domain_classifier_handle(
            extractor, dataset, device=device, progress=progress, epochs=config.classifier_epochs
        )
    extras = {
        "real_labels": pools.reference.labels.numpy(),
        "train_labels": pools.memorised.labels.numpy(),
        "classifier": classifier,
        "num_classes": pools.num_classes,
    }
    common = {
        "run_id": run_dir.name,
        "dataset": dataset.name,
        "split": "pooled train+test (validate)",
        **extractor_fields(identity),
        "resize": identity.resize,
        "real_source": f"dataset {dataset.name}, {n} pooled images (validate reference, seed "
        "{config.seed})",
        "real_size": image_size(pools.reference.images),
        "git_commit": provenance.git_commit(),
        **provenance.versions(),
    }
    writer = RecordWriter(run_dir / RECORDS_FILE, common)
    failures: list[str] = []  # at full n: the run's errors
    small_failures: list[str] = []  # at the smaller sizes: part of the sample-efficiency finding
    synthetic_failures: list[str] = []  # on Räisä et al.'s checks: the check's finding, not a run error
    skipped: dict[str, str] = {}
    timings: dict[str, list[float]] = {m: [] for m in checked.metrics}

    sets = [_ScoredSet("control", 0.0, r, c.images, n) for r, c in enumerate(controls)]
    for s in series:
        for value in s.values:
            made = s.make(context, value)
            sets.append(_ScoredSet(s.name, float(value), 0, made.images, made.distinct))

    def score_set(real: FeatureSet, fake: FeatureSet, labels: np.ndarray, label: str, timed: bool) -> list:
        errors, where = (failures, label) if timed else (small_failures, f"{label} at n={len(fake)}")
        out = []
        for name in checked.metrics:
            if not timed and len(fake) < needed[name]:
                continue  # too few rows for this measure at this smaller size: no record, no error
            start = time.perf_counter()
            out += score(
                [name],
                real=real,
                fake=fake,
                train=train,
                class_prior=class_prior,
                extra={**extras, "real_labels": labels},
                seed=config.metric_seed,
                device=device,
                artifact_dir=run_dir / "metrics" / label,
                overrides=QUICK_PARAMS if config.quick else None,
                on_error=lambda metric, err: errors.append(f"{where}: {metric}: {err}"),
                on_skip=lambda metric, reason: skipped.setdefault(metric, reason),
            )
            if timed:
                timings[name].append(time.perf_counter() - start)
        return out

    real_labels = pools.reference.labels.numpy()
    bar = tqdm(sets, desc="validate: sets", disable=not progress, unit="set")
    for scored in bar:
        bar.set_postfix_str(scored.variant)
        features = extract(
            extractor, scored.images, desc=f"features: {scored.variant}", progress=False, cache_dir=cache_dir
        )
        unit = {
            "variant": scored.variant,
            "seed": scored.seed,
            "status": "ok",
            "defect": scored.defect,
            "severity": scored.severity,
            "fake_source": f"{scored.variant}: {scored.distinct} distinct images of {n}",
            "fake_size": image_size(scored.images),
        }
        scores = score_set(reference, features, real_labels, scored.variant, timed=True)
        writer.write(scores, n_real=n, n_fake=n, stage="final", **unit)
        if scored.defect != "control" or scored.seed == 0:
            for size in sizes:
                head = np.arange(size)
                small = score_set(
                    reference.take(head), features.take(head), real_labels[:size], scored.variant, False
                )
                writer.write(small, n_real=size, n_fake=size, stage="sample-size", **unit)
    (run_dir / TIMINGS_FILE).write_text(json.dumps(timings, indent=1))
    if config.synthetic:
        _synthetic_checks(config, checked, writer, device, synthetic_failures, progress, log)
    for name, reason in skipped.items():
        log(f"note: {name} skipped: {reason}")
    if skipped:
        (run_dir / "skipped.json").write_text(json.dumps(skipped, indent=2))
    if failures:
        (run_dir / "errors.txt").write_text("\n".join(failures) + "\n")
    if small_failures:
        (run_dir / SAMPLE_SIZE_ERRORS).write_text("\n".join(small_failures) + "\n")
    if synthetic_failures:
        (run_dir / SYNTHETIC_ERRORS).write_text("\n".join(synthetic_failures) + "\n")
    from ganbench.reporting.validate_report import write_validate_report

    write_validate_report(run_dir)
    return run_dir


def synthetic_metrics(metrics: Sequence[str]) -> list[str]:
    """The measures the synthetic checks judge: feature-space ones with a fidelity-only or
    diversity-only key (Räisä et al.'s criteria are written for such scores in [0, 1])."""

    def one_sided(spec: MetricSpec) -> bool:
        return any(len(set(spec.aspects_of(k)) & {"fidelity", "diversity"}) == 1 for k in spec.directions)

    return [m for m in metrics if METRICS[m].space == "features" and one_sided(METRICS[m])]


def _synthetic_checks(
    config: ValidateConfig,
    checked: _Checked,
    writer: RecordWriter,
    device: torch.device,
    failures: list[str],
    progress: bool,
    log: Log,
) -> None:
    """Score the one-sided feature-space measures on Räisä et al.'s synthetic checks, their way:
    both sets z-scored with the real set's statistics, the check's default dimension, every
    ``synthetic_every``-th swept value (plus every value a criterion reads), one repeat
    (records: dataset ``synthetic``; the judgements are :mod:`ganbench.validation.synthetic_verdicts`)."""
    from ganbench.validation.synthetic import SYNTHETIC_CHECKS, standardise
    from ganbench.validation.synthetic_verdicts import synthetic_defect

    metrics = synthetic_metrics(checked.metrics)
    if not metrics:
        log("note: no one-sided feature-space measure selected: the synthetic checks are skipped")
        return
    cases = [
        (check, case, value)
        for check in SYNTHETIC_CHECKS
        if config.synthetic_size_sweeps or check.size_sweep == "none"
        for case in check.cases or (None,)
        for value in check.values_at(every=config.synthetic_every)
    ]
    for check, case, value in tqdm(
        cases, desc="validate: synthetic checks", disable=not progress, unit="case"
    ):
        sizes = {} if check.size_sweep == "both" else {"n": config.synthetic_n}
        real, fake = standardise(*check.make(value, seed=config.seed, case=case, **sizes))
        sets = [
            FeatureSet(np.zeros((len(x), 0), np.float32), x.astype(np.float32), None) for x in (real, fake)
        ]
        defect = synthetic_defect(check.name, case)
        scores = score(
            metrics,
            real=sets[0],
            fake=sets[1],
            train=None,
            class_prior=None,
            seed=config.metric_seed,
            device=device,
            overrides=QUICK_PARAMS if config.quick else None,
            on_error=lambda metric, err, d=defect, v=value: failures.append(
                f"synthetic {d}@{v:g}: {metric}: {err}"
            ),
            on_skip=lambda metric, reason: None,
        )
        writer.write(
            scores,
            n_real=len(real),
            n_fake=len(fake),
            dataset="synthetic",
            split=None,
            variant=f"{defect}@{value:g}",
            seed=config.seed,
            status="ok",
            stage="final",
            defect=defect,
            severity=float(value),
            extractor="synthetic",
            extractor_hash=None,
            extractor_protocol="z-scored with the real set's mean and std (Räisä et al.)",
            real_source=f"synthetic check {check.number} ({check.title}): real",
            fake_source=f"synthetic check {check.number} ({check.title}): {check.symbol} = {value:g}",
            real_size=None,
            fake_size=None,
        )


def _write_run_json(
    run_dir: Path,
    config: ValidateConfig,
    checked: _Checked,
    dataset: Dataset,
    n: int,
    sizes: Sequence[int],
    series: Sequence[DefectSeries],
    ood_phrase: str,
    disjoint: bool,
    extractor: Any,
    device: torch.device,
) -> None:
    meta = {
        "kind": "validate",
        "config": asdict(config),
        "dataset": dataset.name,
        "dataset_source": dataset.source,
        "n": n,
        "sample_sizes": list(sizes),
        "controls": config.controls,
        "controls_disjoint": disjoint,
        "metrics": checked.metrics,
        "excluded": checked.excluded,
        "ood": ood_phrase,
        "param_overrides": QUICK_PARAMS if config.quick else {},
        "series": [
            {
                "name": s.name,
                "desideratum": s.desideratum,
                "title": s.title,
                "parameter": s.parameter,
                "values": list(s.values),
            }
            for s in series
        ],
        "extractor": asdict(extractor.identity)
        if hasattr(extractor.identity, "__dataclass_fields__")
        else str(extractor.identity),
        "device": str(device),
        "ganbench_version": provenance.versions().get("ganbench_version"),
    }
    (run_dir / "run.json").write_text(json.dumps(meta, indent=2, default=str))
