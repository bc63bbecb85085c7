"""Run configuration: frozen dataclasses whose field defaults are THE defaults, TOML presets, and the checks.

``RunConfig()`` is exactly what ``ganbench run`` runs (the ``quick`` preset is the defaults and
sets nothing); the other presets (``ganbench/presets/<name>.toml``) and a user TOML file only
override fields, and the CLI overrides both. Unknown keys are errors, so a typo never silently
does nothing, and :func:`check_config` checks every value before any work starts.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from ganbench.classifier import ClassifierSettings

PRESET_PACKAGE = "ganbench.presets"
DEFAULT_PRESET = "quick"

#: Settings that no longer exist, and what replaced them (a TOML file naming one gets this hint).
REMOVED_SETTINGS = {
    "eval.tournament": "the tournament is a measure now: list 'tournament' in eval.metrics, or leave it out",
}


class ConfigError(ValueError):
    """A setting with a value that cannot be used; ``setting`` is its dotted name (``train.kimg``)."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


#: The training kernel choices (``train.kernels``).
TRAIN_KERNELS = ("reference", "fast", "bf16")


@dataclass(frozen=True)
class TrainConfig:
    """How each variant is trained."""

    kimg: float = 80.0  # budget: thousands of real images shown to the discriminator
    budget_seconds: float | None = None  # optional wall-clock cap per run; when it binds, runs stop early
    batch_size: int = 64  # real images per discriminator step
    log_every: int = 25  # generator steps between loss-log entries
    # "reference": the float32 kernels of a plain PyTorch loop (losses bit-identical to it); "fast":
    # channels-last convolutions and a fused Adam (same float32 math, another rounding order); "bf16":
    # "fast" plus bfloat16 autocast in the forward passes (opt-in mixed precision)
    kernels: str = "reference"


@dataclass(frozen=True)
class EvalConfig:
    """How generated samples are evaluated."""

    extractor: str = "domain-classifier"  # feature space for features/logits measures
    classifier_epochs: int = ClassifierSettings.epochs  # training epochs of the domain classifier
    n_samples: int = 1000  # generated = held-out real images compared; capped by the held-out split
    metrics: tuple[str, ...] = (  # a fast, broad subset; `--metrics all` runs every registered one
        "fid",
        "kid",
        "is",
        "precision-recall",
        "density-coverage",
        "c2st-1nn",
        "mode-score",
        "class-coverage",
        "ndb",
        "birthday",
        "tournament",
    )
    metric_seed: int = 0  # seed of the random draws inside measures (splits, subsets, matches)
    bootstrap: int = 0  # bootstrap resamples per set measure for ci_low / ci_high (0: none)
    every_kimg: float | None = None  # also evaluate set measures every this many kimg during training
    cache_features: bool = True  # keep extracted features in the user cache (keyed by content)


@dataclass(frozen=True)
class RunConfig:
    """One benchmark run: variants x seeds on one dataset."""

    preset: str = DEFAULT_PRESET  # name of the preset this config started from
    dataset: str = "mnist-5k"  # registry name, or folder:PATH[,size=N][,channels=C] (datasets/folder.py)
    data_root: str | None = None  # None: $GANBENCH_DATA or the user cache dir
    offline_fallback: bool = True  # `mnist` unavailable -> `mnist-5k`, said loudly; off for protocol presets
    variants: tuple[str, ...] = ("vanilla", "dcgan", "lsgan", "wgan-gp")
    seeds: tuple[int, ...] = (0,)
    device: str = "auto"  # auto: cuda when available, else cpu
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _apply(obj: Any, overrides: dict[str, Any], where: str) -> Any:
    """Return a copy of dataclass ``obj`` with ``overrides`` applied, recursing into nested tables."""
    fields = {f.name: f for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in fields:
            if f"{where}{key}" in REMOVED_SETTINGS:
                raise ConfigError(
                    f"{where}{key}", f"setting '{where}{key}' was removed: {REMOVED_SETTINGS[where + key]}"
                )
            valid = ", ".join(sorted(fields))
            raise ConfigError(
                f"{where}{key}", f"unknown setting '{where}{key}'; valid settings here: {valid}"
            )
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}{key}", f"setting '{where}{key}' must be a table, got {value!r}")
            changes[key] = _apply(current, value, f"{where}{key}.")
        elif isinstance(current, tuple):
            changes[key] = tuple(value) if isinstance(value, list | tuple) else tuple(_split(value))
        else:
            changes[key] = value
    return dataclasses.replace(obj, **changes)


def _split(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [value]


def preset_names() -> list[str]:
    """Names of the presets shipped with ganbench."""
    return sorted(p.name[:-5] for p in resources.files(PRESET_PACKAGE).iterdir() if p.name.endswith(".toml"))


def _known_preset(name: object) -> str:
    """``name`` if it names a shipped preset; it also names the run folder, so nothing else may pass."""
    if not isinstance(name, str) or name not in preset_names():
        raise ConfigError("preset", f"unknown preset {name!r}; valid presets: {', '.join(preset_names())}")
    return name


def _preset_text(name: str) -> str:
    _known_preset(name)
    return resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text()


def preset_description(name: str) -> str:
    """The first comment line of a preset file."""
    text = _preset_text(name)
    return next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")


def load_preset(name: str) -> RunConfig:
    """The :class:`RunConfig` of preset ``name`` (``smoke``, ``quick``, ``paper``)."""
    return _apply(RunConfig(preset=name), tomllib.loads(_preset_text(name)), "")


def load_config_file(path: str | Path, base: RunConfig) -> RunConfig:
    """Apply the settings of a user TOML file on top of ``base``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError("config", f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError("config", f"config file {path} cannot be read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("config", f"config file {path} is not valid TOML: {err}") from None
    if "preset" in data:  # it would only relabel the run, not load that preset's settings
        raise ConfigError(
            "config",
            f"config file {path} sets preset = {data['preset']!r}; a file cannot choose the preset: "
            "remove the line and pass --preset NAME (the file's settings apply on top of it)",
        )
    return _apply(base, data, "")


def with_overrides(config: RunConfig, overrides: dict[str, Any]) -> RunConfig:
    """Apply a (possibly nested) dict of overrides, skipping ``None`` values (unset CLI options)."""

    def prune(d: dict[str, Any]) -> dict[str, Any]:
        return {k: prune(v) if isinstance(v, dict) else v for k, v in d.items() if v is not None}

    return _apply(config, prune(overrides), "")


# ---------------------------------------------------------------------------------------------
# Checks: every setting, before any work
# ---------------------------------------------------------------------------------------------


def _number(setting: str, value: object, *, positive: bool, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ConfigError(setting, f"{setting} must be a finite number ({what}); got {value!r}")
    if positive and not float(value) > 0:
        raise ConfigError(setting, f"{setting} must be positive ({what}); got {value!r}")
    return float(value)


def _int(setting: str, value: object, *, minimum: int, what: str, maximum: int | None = None) -> int:
    ok = not isinstance(value, bool) and isinstance(value, numbers.Integral)
    if not ok or int(value) < minimum or (maximum is not None and int(value) > maximum):
        bound = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
        raise ConfigError(setting, f"{setting} must be an integer {bound} ({what}); got {value!r}")
    return int(value)


def _names(setting: str, values: tuple[Any, ...], registry: Any, what: str) -> tuple[str, ...]:
    if not values:
        raise ConfigError(
            setting, f"{setting} is empty; give at least one {what}, e.g. {registry.names()[0]}"
        )
    names = [str(v) for v in values]
    if names == ["all"]:
        return tuple(registry.names())
    for name in names:
        if name not in registry:
            try:
                registry[name]
            except KeyError as err:  # the registry's message lists the valid names and spellings
                raise ConfigError(setting, str(err)) from None
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(
            setting, f"{setting} lists {', '.join(twice)} more than once; give each {what} once"
        )
    return tuple(names)


def _run_metrics(
    names: tuple[str, ...], every: bool, registry: Any, conditional_variants: bool
) -> tuple[str, ...]:
    """The measures a run computes. Those that need class-conditional samples (the class each
    image was generated for) are computed for the conditional variants (``cgan``) and skipped,
    with their reason, for the others: ``all`` includes them only when the run has a
    conditional variant, and naming one without such a variant is an error that says where it runs."""
    conditional = [n for n in names if "fake_labels" in registry[n].extra_inputs]
    if conditional_variants:
        return names
    if every:
        return tuple(n for n in names if n not in conditional)
    if conditional:
        raise ConfigError(
            "eval.metrics",
            f"{', '.join(conditional)} need class-conditional samples (the class each image was generated "
            "for), and no variant of this run is class-conditional; add one (cgan, or a composition such as "
            "cgan:hinge), score a class-conditional generator with `ganbench evaluate --real DATASET --fake "
            "module:function`, or leave them out",
        )
    return names


def check_config(config: RunConfig) -> RunConfig:
    """Check every setting of ``config``; return it with ``all`` expanded and numbers normalised.

    Raises:
        ConfigError: the first setting that cannot be used, naming it, its value and what is
            accepted. Nothing has been trained or written when it is raised (of a ``folder:`` dataset,
            only the first few images have been read, to check it).
    """
    from ganbench.datasets import DatasetNameError
    from ganbench.datasets.loading import dataset_loader
    from ganbench.registry import EXTRACTORS, METRICS, VARIANTS  # registries fill on package import
    from ganbench.runtime import resolve_device

    _known_preset(config.preset)  # it names the run folder: "../x" would put the run elsewhere
    try:
        dataset_loader(config.dataset)  # a folder: spelling's folder is checked here, before any work
    except DatasetNameError as err:
        raise ConfigError("dataset", str(err)) from None
    if config.data_root is not None and not isinstance(config.data_root, str | Path):
        raise ConfigError("data_root", f"data_root must be a path; got {config.data_root!r}")
    if not isinstance(config.offline_fallback, bool):
        raise ConfigError(
            "offline_fallback", f"offline_fallback must be true or false; got {config.offline_fallback!r}"
        )
    variants = _names("variants", config.variants, VARIANTS, "variant")
    if not config.seeds:
        raise ConfigError("seeds", "seeds is empty; give at least one seed, e.g. 0 or 0,1,2")
    seeds = tuple(
        _int("seeds", s, minimum=0, maximum=2**31 - 1, what="a training seed") for s in config.seeds
    )
    if len(set(seeds)) != len(seeds):
        twice = sorted({s for s in seeds if seeds.count(s) > 1})
        raise ConfigError(
            "seeds", f"seeds lists {', '.join(map(str, twice))} more than once; give each seed once"
        )
    if not isinstance(config.device, str):
        raise ConfigError(
            "device", f"device must be a name such as auto, cpu or cuda:0; got {config.device!r}"
        )
    try:
        resolve_device(config.device)
    except ValueError as err:
        raise ConfigError("device", str(err)) from None

    t = config.train
    train = dataclasses.replace(
        t,
        kimg=_number("train.kimg", t.kimg, positive=True, what="thousands of real images shown to D"),
        budget_seconds=None
        if t.budget_seconds is None
        else _number(
            "train.budget_seconds", t.budget_seconds, positive=True, what="a wall-clock cap in seconds"
        ),
        batch_size=_int("train.batch_size", t.batch_size, minimum=1, what="real images per D step"),
        log_every=_int("train.log_every", t.log_every, minimum=1, what="G steps between loss-log entries"),
    )
    if train.kernels not in TRAIN_KERNELS:
        raise ConfigError(
            "train.kernels",
            f"unknown training kernels {train.kernels!r}; choose one of {', '.join(TRAIN_KERNELS)} "
            "(reference: losses bit-identical to a plain PyTorch loop; fast: channels-last convolutions "
            "and a fused Adam, other float32 rounding; bf16: fast plus bfloat16 mixed precision in the "
            "forward passes)",
        )
    device = resolve_device(config.device)
    if train.kernels == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError(
            "train.kernels",
            f"bf16 training kernels need a GPU with bfloat16 (Ampere or later); {device} has none: "
            "use --train-kernels fast or reference",
        )

    e = config.eval
    if not isinstance(e.extractor, str) or e.extractor not in EXTRACTORS:
        raise ConfigError(
            "eval.extractor",
            f"unknown extractor {e.extractor!r}; valid extractors: {', '.join(EXTRACTORS.names())}",
        )
    if not isinstance(e.cache_features, bool):
        raise ConfigError(
            "eval.cache_features", f"eval.cache_features must be true or false; got {e.cache_features!r}"
        )
    evaluation = dataclasses.replace(
        e,
        classifier_epochs=_int(
            "eval.classifier_epochs", e.classifier_epochs, minimum=1, what="training epochs"
        ),
        n_samples=_int("eval.n_samples", e.n_samples, minimum=2, what="images compared per set"),
        metrics=_run_metrics(
            _names("eval.metrics", e.metrics, METRICS, "metric"),
            list(e.metrics) == ["all"],
            METRICS,
            any(VARIANTS[v].conditional for v in variants),
        ),
        metric_seed=_int("eval.metric_seed", e.metric_seed, minimum=0, maximum=2**32 - 1, what="a seed"),
        bootstrap=_int("eval.bootstrap", e.bootstrap, minimum=0, what="bootstrap resamples, 0 for none"),
        every_kimg=None
        if e.every_kimg is None
        else _number("eval.every_kimg", e.every_kimg, positive=True, what="kimg between evaluations"),
    )
    if evaluation.every_kimg is not None and evaluation.every_kimg >= train.kimg:
        raise ConfigError(
            "eval.every_kimg",
            f"eval.every_kimg = {evaluation.every_kimg:g} is not below the budget "
            f"train.kimg = {train.kimg:g}: no evaluation would happen during training; "
            f"give a smaller interval, e.g. {train.kimg / 4:g}",
        )
    return dataclasses.replace(config, variants=variants, seeds=seeds, train=train, eval=evaluation)
