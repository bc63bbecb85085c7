"""Score anyone's images or generator against a real set: ``ganbench evaluate`` / ``ganbench.evaluate``.

The order: check every input (sources, extractor and its weights, measures, options, the output
folder) -> load the real set and the extractor -> load every fake set and plan how each meets the
real set (:mod:`ganbench.evaluation.conform`; refused before any feature pass when the shapes
cannot be compared) -> the real features (read from the cache when ``ganbench stats`` or an
earlier evaluation made them) -> per fake set: features, measures, records appended at once ->
the report. Records carry the same fields as ``ganbench run``'s, with the protocol stamp filled
(:mod:`ganbench.reporting.records`), so ``report``, ``check`` and pandas read them alike.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.analysis.feature_spaces import EXTRACTOR_SPACES
from ganbench.config import EvalConfig
from ganbench.datasets import Dataset, DatasetNameError, default_cache_dir
from ganbench.datasets.loading import dataset_loader, load_dataset
from ganbench.evaluation import FeatureSet, extract, score
from ganbench.evaluation.conform import ConformError, ConformPlan, plan_conform
from ganbench.evaluation.stamp import extractor_fields, image_size
from ganbench.extractors import FeatureExtractor
from ganbench.extractors.resolve import (
    ExtractorCheck,
    check_extractor,
    domain_classifier_handle,
    extractor_settings,
    resolve_extractor,
)
from ganbench.metrics.spec import MetricSpec
from ganbench.registry import METRICS
from ganbench.reporting import RECORDS_FILE, RecordWriter, provenance, report
from ganbench.runtime import resolve_device
from ganbench.sources import LoadedSet, SourceError, SourceSpec, parse_source, subset
from ganbench.sources.dataset import DatasetSource
from ganbench.studies.pipeline import new_run_dir
from ganbench.studies.preflight import check_out_dir

Log = Callable[[str], None]


class EvaluateError(ValueError):
    """An evaluation setting that cannot be used; ``option`` names the CLI option, the message the fix."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class EvaluateConfig:
    """Everything ``ganbench evaluate`` is told; the defaults are the CLI's.

    Attributes:
        real: the real set's SPEC (a dataset ``NAME[:SPLIT]`` or ``folder:PATH[:SPLIT]``, a folder, an
            array file).
        fakes: one SPEC per fake set (folder, array, ``module:function`` generator, run folder).
        metrics: set measures to compute (default: ``ganbench run``'s default measures).
        extractor: a registered extractor name or a user's ``module:function``; several,
            comma-separated (``inception-v3,dinov2-vit-l-14``): every set is scored in each feature
            space, and the records and the report keep the spaces apart
            (:mod:`ganbench.analysis.feature_spaces`). Pixel-space and model measures are computed
            once, with the first extractor.
        weights, force_weights: the extractor's weights file (with several extractors, ``NAME=PATH``
            entries, a tuple for several), and accepting a file whose SHA-256 differs from the
            published one (the extractor's name then says ``-unverified``).
        dataset: the dataset (a registered name or ``folder:PATH``) whose domain classifier to use
            (and whose training split the training-image measures read) when ``real`` is not one.
        train: a SPEC of training images for memorisation and birthday calibration (default: the
            registered dataset's training split when there is one).
        n_real, n_fake: images compared (None: all of a stored set; a generator draws ``n_real``).
        seed: sampling and subset seed; metric_seed: the measures' own seed.
        fake_range, real_range: the value range of float arrays / generators ("0,1" or "-1,1").
        fake_key, real_key: the array to read from an ``.npz`` (default: its only or images array).
        checkpoint: a state dict for a ``module:function`` generator.
        resize, channels: how fake images of another shape are conformed (evaluation/conform.py).
        bootstrap: resamples for 95 % intervals (0: none).
    """

    real: str
    fakes: tuple[str, ...]
    metrics: tuple[str, ...] = field(
        default_factory=lambda: tuple(m for m in EvalConfig().metrics if METRICS[m].level == "set")
    )
    extractor: str = "domain-classifier"
    weights: str | tuple[str, ...] | None = None
    force_weights: bool = False
    dataset: str | None = None
    train: str | None = None
    n_real: int | None = None
    n_fake: int | None = None
    seed: int = 0
    metric_seed: int = 0
    fake_range: str | None = None
    real_range: str | None = None
    fake_key: str | None = None
    real_key: str | None = None
    checkpoint: str | None = None
    resize: str | None = None
    channels: str | None = None
    bootstrap: int = 0
    classifier_epochs: int = EvalConfig().classifier_epochs
    device: str = "auto"
    cache_features: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Checked:
    """The configuration after every check, with its parsed sources and measures."""

    config: EvaluateConfig
    real: SourceSpec
    fakes: list[SourceSpec]
    train: SourceSpec | None
    metrics: list[str]
    out: Path
    extractors: list[tuple[ExtractorCheck, str | None]]  # each extractor and its weights file, in order

    @property
    def extractor(self) -> ExtractorCheck:
        """The first extractor: its space also scores the pixel-space and model measures."""
        return self.extractors[0][0]


def _positive(option: str, value: int | None, minimum: int) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
        raise EvaluateError(option, f"{option} must be an integer >= {minimum}; got {value!r}")


def check_evaluate(config: EvaluateConfig, out_dir: str | Path, *, needs_fake: bool = True) -> _Checked:
    """Every check that needs no feature pass; raises :class:`EvaluateError` naming the option.

    Sources are parsed and opened (a folder's first image, an array's header, a generator's
    module and checkpoint), the extractor's weights located and their SHA-256 verified, the
    measures looked up and their minimum sample sizes compared with the requested counts.
    """
    if needs_fake and not config.fakes:
        raise EvaluateError("--fake", "give at least one --fake SPEC (a folder, .npz/.npy, module:function)")
    if len(set(config.fakes)) != len(config.fakes):
        raise EvaluateError("--fake", "the same --fake SPEC is given twice")
    _positive("--n-real", config.n_real, 2)
    _positive("--n-fake", config.n_fake, 2)
    _positive("--seed", config.seed, 0)
    _positive("--bootstrap", config.bootstrap, 0)
    metrics = list(config.metrics)
    if not metrics:
        raise EvaluateError("--metrics", "--metrics is empty; name at least one measure or 'all'")
    for name in metrics:
        try:
            spec = METRICS[name]
        except KeyError as err:
            raise EvaluateError("--metrics", str(err)) from None
        if spec.level != "set":
            raise EvaluateError(
                "--metrics",
                f"{name} is a run-level measure (it needs the discriminators of several trained variants): "
                "`ganbench run` computes it; `evaluate` scores image sets",
            )
    if config.dataset is not None:
        try:
            dataset_loader(config.dataset)
        except DatasetNameError as err:
            raise EvaluateError("--dataset", str(err)) from None
    try:
        real = parse_source(
            config.real, role="real", value_range=config.real_range, array_key=config.real_key
        )
    except SourceError as err:
        raise EvaluateError("--real", str(err)) from None
    if real.kind in ("generator", "run"):
        raise EvaluateError(
            "--real", f"--real {config.real} is a generator; the real set must be stored images"
        )
    fakes = []
    for text in config.fakes:
        try:
            fakes.append(
                parse_source(
                    text,
                    role="fake",
                    value_range=config.fake_range,
                    array_key=config.fake_key,
                    checkpoint=config.checkpoint,
                )
            )
        except SourceError as err:
            raise EvaluateError("--fake", str(err)) from None
    train = None
    if config.train is not None:
        try:
            train = parse_source(config.train, role="real")
        except SourceError as err:
            raise EvaluateError("--train", str(err)) from None
    extractors = []
    for name, weights in _extractor_weights(config):
        try:
            extractors.append(
                (check_extractor(name, weights=weights, force_weights=config.force_weights), weights)
            )
        except ValueError as err:
            raise EvaluateError("--extractor" if weights is None else "--weights", str(err)) from None
    if any(e.needs_dataset for e, _ in extractors) and real.kind != "dataset" and config.dataset is None:
        raise EvaluateError(
            "--extractor",
            "the domain classifier is trained on a dataset, and --real is not one: pass "
            "--dataset NAME or --dataset folder:PATH (whose classifier to use), or --extractor "
            "inception-v3 (or another pretrained one)",
        )
    for name in metrics:
        needed = _min_samples(METRICS[name])
        for option, n in (("--n-real", config.n_real), ("--n-fake", config.n_fake)):
            if n is not None and n < needed:
                raise EvaluateError(option, f"{name} needs at least {needed} images per set; {option} is {n}")
    try:
        out = check_out_dir(out_dir)
    except OSError as err:
        raise EvaluateError("--out", str(err)) from None
    return _Checked(config, real, fakes, train, metrics, out, extractors)


def _extractor_weights(config: EvaluateConfig) -> list[tuple[str, str | None]]:
    """Each extractor of ``--extractor a,b`` with its ``--weights`` file (None: found by name).

    One extractor takes a plain ``--weights PATH``; several take ``NAME=PATH`` entries, one per
    extractor that reads a file (the others find theirs in $GANBENCH_WEIGHTS_DIR or the hub cache).
    """
    names = [name.strip() for name in str(config.extractor).split(",")]
    if not all(names):
        raise EvaluateError("--extractor", f"--extractor {config.extractor!r} has an empty name")
    if len(set(names)) != len(names):
        raise EvaluateError("--extractor", f"--extractor {config.extractor!r} names an extractor twice")
    given = (
        []
        if config.weights is None
        else [config.weights]
        if isinstance(config.weights, str)
        else list(config.weights)
    )
    if len(names) == 1:
        if len(given) > 1:
            raise EvaluateError("--weights", "one extractor reads one weights file; --weights is given twice")
        plain = [w.split("=", 1)[1] if w.split("=", 1)[0] == names[0] else w for w in given]
        return [(names[0], plain[0] if plain else None)]
    files: dict[str, str] = {}
    for entry in given:
        name, sep, path = entry.partition("=")
        if not sep or name not in names:
            raise EvaluateError(
                "--weights",
                f"--weights {entry!r}: with several extractors, say whose file each is: --weights "
                f"NAME=PATH with NAME one of {', '.join(names)} (repeatable), or put the files in "
                "$GANBENCH_WEIGHTS_DIR",
            )
        if name in files:
            raise EvaluateError("--weights", f"--weights names {name} twice")
        files[name] = path
    return [(name, files.get(name)) for name in names]


def _min_samples(spec: MetricSpec) -> int:
    minimum = spec.min_samples
    return int(minimum(dict(spec.defaults)) if callable(minimum) else minimum)


def evaluate(
    config: EvaluateConfig,
    *,
    out_dir: str | Path = "reports",
    progress: bool = True,
    log: Log = _stderr,
) -> Path:
    """Score every fake set of ``config`` against its real set; write records and the report.

    Returns the run directory ``<out_dir>/<time>-evaluate`` with ``run.json``, ``records.jsonl``,
    ``report.md``, ``report.csv``, ``report.html`` and per fake set a sample grid and the
    measures' artifacts.

    Raises:
        EvaluateError: an input or option that cannot be used (before any feature pass; before
            anything is written, except when a fake set turns out to have an unusable shape, which
            is found after the sets are loaded but still before any feature pass).
    """
    checked = check_evaluate(config, out_dir)
    device = resolve_device(config.device)

    # 1. The real set, the registered dataset behind it (if any), the training images.
    real_sets = _load(
        checked.real, "--real", n=config.n_real, seed=config.seed, device=device, progress=progress
    )
    real = real_sets[0]
    dataset = _dataset_for(checked, real, log)
    train_images, train_labels = _training_images(checked, real, dataset, device, progress)

    # 2. Every fake set, and how it meets the real one: refused here, before any feature pass.
    n_fake_default = config.n_fake if config.n_fake is not None else len(real.images)
    fakes: list[LoadedSet] = []
    for spec in checked.fakes:
        n = config.n_fake if spec.kind not in ("generator", "run") else n_fake_default
        fakes += _load(spec, "--fake", n=n, seed=config.seed, device=device, progress=progress)
    real_shape = tuple(int(s) for s in real.images.shape[1:])
    pixel_measures = [m for m in checked.metrics if METRICS[m].space == "pixels"]

    extractors = [
        resolve_extractor(
            check.name,
            dataset,
            device=device,
            progress=progress,
            weights=weights,
            force_weights=config.force_weights,
            **extractor_settings(check, config.classifier_epochs, real.images),
        )
        for check, weights in checked.extractors
    ]
    identities = [e.identity for e in extractors]
    plans: list[ConformPlan] = []
    for fake in fakes:
        try:
            plans.append(
                plan_conform(
                    real_shape,  # type: ignore[arg-type]
                    tuple(int(s) for s in fake.images.shape[1:]),  # type: ignore[arg-type]
                    resize=config.resize,
                    channels=config.channels,
                    extractor_resizes=all(i.input_size != "native" for i in identities),
                    pixel_measures=pixel_measures,
                )
            )
        except ConformError as err:
            raise EvaluateError(
                "--resize" if "--resize" in str(err) else "--channels", f"{fake.source}: {err}"
            ) from None

    # 3. The run folder, then the real side's features (cached: `ganbench stats` makes them ahead).
    run_dir = new_run_dir(checked.out, "evaluate")
    log(
        f"evaluate {run_dir} | real {real.source} | {len(fakes)} fake set(s) | "
        f"{', '.join(i.name for i in identities)} | device {device}"
    )
    _write_run_json(run_dir, config, real, fakes, dataset, extractors, device)
    cache_dir = default_cache_dir() / "features" if config.cache_features else None
    needs_train = any("train" in METRICS[m].extra_inputs for m in checked.metrics)
    class_prior = None
    if train_labels is not None:
        classes = int(train_labels.max()) + 1
        class_prior = np.bincount(train_labels.numpy(), minlength=classes) / len(train_labels)
    classifier = None
    if dataset is not None and _needs(checked.metrics, "classifier"):
        classifier = domain_classifier_handle(
            extractors[0], dataset, device=device, progress=progress, epochs=config.classifier_epochs
        )
    common = {
        "run_id": run_dir.name,
        "dataset": real.label,
        "split": _split(checked.real),
        "real_source": real.source,
        "real_sha256": real.sha256,
        "real_size": image_size(real.images),
        "git_commit": provenance.git_commit(),
        **provenance.versions(),
    }
    several = len(extractors) > 1
    spaces = []
    for i, extractor in enumerate(extractors):
        where = f" ({extractor.identity.name})" if several else ""

        def features(images: torch.Tensor, what: str, extractor: FeatureExtractor = extractor) -> FeatureSet:
            return extract(
                extractor, images, desc=f"features: {what}", progress=progress, cache_dir=cache_dir
            )

        in_space = [m for m in checked.metrics if i == 0 or METRICS[m].space in EXTRACTOR_SPACES]
        with_train = needs_train and train_images is not None
        spaces.append(
            _Space(
                extractor=extractor,
                metrics=in_space,
                real=features(real.images, f"real{where}"),
                train=features(train_images, f"train{where}") if with_train else None,
                writer=RecordWriter(
                    run_dir / RECORDS_FILE, {**common, **extractor_fields(extractor.identity)}
                ),
                where=where,
                folder=f"metrics-{extractor.identity.name}" if i > 0 else "metrics",
            )
        )
    failures: list[str] = []
    skipped: dict[str, str] = {}

    # 4. The reference row when the real set has a training split: held-out vs training images.
    if train_images is not None and checked.real.kind == "dataset":
        reference_images = _reference_subset(train_images, len(real.images))
        for space in spaces:
            reference = extract(
                space.extractor,
                reference_images,
                desc=f"features: reference{space.where}",
                progress=progress,
                cache_dir=cache_dir,
            )
            unit = {
                "variant": "real",
                "status": "ok",
                "stage": "final",
                "resize": space.extractor.identity.resize,
                "fake_source": "training split (reference row)",
                "fake_sha256": None,
                "fake_size": image_size(reference_images),
            }
            scores = _score(
                checked,
                config,
                space,
                reference,
                class_prior,
                device,
                run_dir / "real" / space.folder,
                failures,
                skipped,
                "real",
                extras={},
            )
            space.writer.write(scores, n_real=len(space.real), n_fake=len(reference), **unit)
            log(f"real (held-out vs train){space.where} | {_keys(scores)}")

    # 5. Every fake set, in every feature space.
    for fake, plan in zip(fakes, plans, strict=True):
        images = plan.apply(fake.images, real_shape)  # type: ignore[arg-type]
        unit_dir = run_dir / _unit_name(fake)
        report_artifacts(images, unit_dir)
        extras = {
            "real_labels": _numpy(real.labels),
            "fake_labels": _numpy(fake.labels),
            "train_labels": _numpy(train_labels),
            "classifier": classifier,
            "num_classes": real.num_classes if real.num_classes is not None else fake.num_classes,
        }
        for space in spaces:
            identity = space.extractor.identity
            fake_features = extract(
                space.extractor,
                images,
                desc=f"features: {fake.label}{space.where}",
                progress=progress,
                cache_dir=cache_dir,
            )
            scores = _score(
                checked,
                config,
                space,
                fake_features,
                class_prior,
                device,
                unit_dir / space.folder,
                failures,
                skipped,
                fake.label,
                extras=extras,
                generator=fake.generator,
            )
            resize = (
                identity.resize if plan.description == "none" else f"{plan.description}; {identity.resize}"
            )
            unit = {
                "variant": fake.label,
                "seed": fake.seed,
                "status": "ok",
                "stage": "final",
                "resize": resize,
                "fake_source": fake.source,
                "fake_sha256": fake.sha256,
                "fake_size": image_size(fake.images),
            }
            space.writer.write(scores, n_real=len(space.real), n_fake=len(fake_features), **unit)
            seed = "" if fake.seed is None else f" seed {fake.seed}"
            log(f"{fake.label}{seed}{space.where} | {_keys(scores)}")

    # 6. What was skipped and why, what failed, and the report.
    for name, reason in skipped.items():
        log(f"note: {name} skipped: {reason}")
    if skipped:
        (run_dir / "skipped.json").write_text(json.dumps(skipped, indent=2))
    if failures:
        (run_dir / "errors.txt").write_text("\n".join(failures) + "\n")
    report.write_report(run_dir)
    return run_dir


def _numpy(labels: torch.Tensor | None) -> np.ndarray | None:
    return None if labels is None else labels.numpy()


def _needs(metrics: Sequence[str], extra_input: str) -> bool:
    return any(extra_input in METRICS[m].extra_inputs for m in metrics)


@dataclass
class _Space:
    """One feature space of an evaluation: its extractor, the measures scored in it, the real and
    training features, and the writer stamping its records with the extractor's fields."""

    extractor: FeatureExtractor
    metrics: list[str]
    real: FeatureSet
    train: FeatureSet | None
    writer: RecordWriter
    where: str  # " (name)" in messages when there are several spaces, else ""
    folder: str  # the measures' artifacts under a unit's folder


def _score(
    checked: _Checked,
    config: EvaluateConfig,
    space: _Space,
    fake: FeatureSet,
    class_prior: np.ndarray | None,
    device: torch.device,
    artifact_dir: Path,
    failures: list[str],
    skipped: dict[str, str],
    label: str,
    *,
    extras: dict[str, Any],
    generator: Any = None,
) -> list:
    def failed(name: str, err: Exception) -> None:
        failures.append(f"{label}{space.where}: {name}: {err}")
        _stderr(f"error: metric {name} failed for {label}{space.where}: {err}")

    def skip(name: str, reason: str) -> None:
        if label != "real":
            skipped.setdefault(f"{name}{space.where}", reason)

    return score(
        space.metrics,
        real=space.real,
        fake=fake,
        train=space.train,
        class_prior=class_prior,
        generator=generator,
        extra=extras,
        seed=config.metric_seed,
        bootstrap=config.bootstrap,
        device=device,
        artifact_dir=artifact_dir,
        on_error=failed,
        on_skip=skip,
    )


def _load(spec: SourceSpec, option: str, **kwargs: Any) -> list[LoadedSet]:
    try:
        return spec.load(**kwargs)
    except SourceError as err:
        raise EvaluateError(option, str(err)) from None


def _dataset_for(checked: _Checked, real: LoadedSet, log: Log) -> Dataset | None:
    """The dataset behind the evaluation: the real set's, or ``--dataset``."""
    name = checked.config.dataset
    if name is None and checked.real.kind == "dataset":
        name = real.label
    if name is None:
        return None
    dataset, _ = load_dataset(name, None, allow_fallback=False, log=log)
    return dataset


def _training_images(
    checked: _Checked, real: LoadedSet, dataset: Dataset | None, device: torch.device, progress: bool
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Training images and labels: ``--train``, else the real dataset's training split, else none."""
    if checked.train is not None:
        train = _load(checked.train, "--train", n=None, seed=0, device=device, progress=progress)[0]
        return train.images, train.labels
    if real.train is not None:
        return real.train.images, real.train.labels
    if dataset is not None and checked.config.dataset is not None and checked.real.kind == "dataset":
        return dataset.train.images, dataset.train.labels
    return None, None


def _reference_subset(images: torch.Tensor, n: int) -> torch.Tensor:
    """The reference row's training images: the same rule and seed as ``ganbench run``'s."""
    return subset(images, n, seed=1)


def _split(spec: SourceSpec) -> str | None:
    return spec.split if isinstance(spec, DatasetSource) else None


def _unit_name(fake: LoadedSet) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in fake.label)
    return safe if fake.seed is None else f"{safe}/seed{fake.seed}"


def report_artifacts(images: torch.Tensor, unit_dir: Path) -> None:
    """A sample grid of the fake set, as `run` writes one per unit."""
    from ganbench.training import artifacts

    artifacts.save_sample_grid(images, unit_dir / "samples.png")


def _keys(scores: list) -> str:
    first = {s.metric: s for s in reversed(scores)}
    return " ".join(f"{s.key} {s.value:.4g}" for s in reversed(first.values()))


def _write_run_json(
    run_dir: Path,
    config: EvaluateConfig,
    real: LoadedSet,
    fakes: list[LoadedSet],
    dataset: Dataset | None,
    extractors: list[FeatureExtractor],
    device: torch.device,
) -> None:
    meta = {
        "kind": "evaluate",
        "evaluate": config.to_dict(),
        "dataset_used": real.label,
        "dataset_source": real.source,
        "real": {
            "source": real.source,
            "sha256": real.sha256,
            "n": len(real.images),
            "size": image_size(real.images),
        },
        "fakes": [
            {
                "label": f.label,
                "seed": f.seed,
                "source": f.source,
                "sha256": f.sha256,
                "n": len(f.images),
                "size": image_size(f.images),
            }
            for f in fakes
        ],
        "classifier_dataset": dataset.name if dataset is not None else None,
        "device": str(device),
        "platform": platform.platform(),
        "extractor": _extractor_meta(extractors[0]),
    }
    if len(extractors) > 1:  # the first is also "extractor", as in a one-space evaluation
        meta["extractors"] = [_extractor_meta(e) for e in extractors]
    (run_dir / "run.json").write_text(json.dumps(meta, indent=2))


def _extractor_meta(extractor: FeatureExtractor) -> dict[str, Any]:
    return {**extractor.identity.as_dict(), "held_out_accuracy": getattr(extractor, "accuracy", None)}
