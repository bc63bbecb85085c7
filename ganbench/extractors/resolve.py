"""From a name on the command line to a feature extractor: a registry name or a user's ``module:function``.

:func:`check_extractor` does every cheap check first (the name is known, with a "did you mean";
the settings are ones the extractor takes; its weights file is found and matches its published
digest; a user module imports and has the function), so a typo or a missing file fails before
any data is read or model trained. :func:`resolve_extractor` then builds the extractor, running
the same checks again on the way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ganbench.datasets import Dataset
from ganbench.extractors.spec import FeatureExtractor
from ganbench.extractors.user_module import (
    PREFIX,
    UserSpec,
    import_user_function,
    load_user_extractor,
    parse_user_spec,
)
from ganbench.extractors.weights import KNOWN_WEIGHTS, ResolvedWeights, WeightsError, check_weights
from ganbench.registry import EXTRACTORS, UnknownNameError
from ganbench.runtime import resolve_device
from ganbench.spelling import did_you_mean

if TYPE_CHECKING:
    from ganbench.metrics.spec import ClassifierHandle

_RUNTIME = ("dataset", "device", "progress")  # every factory takes these; they are not settings
_WEIGHTS = ("weights", "force_weights")  # passed by name, checked by check_weights


@dataclass(frozen=True)
class ExtractorCheck:
    """What :func:`check_extractor` established before any work.

    Attributes:
        name: the registry name, or the user spec as given (``module:function``).
        user: the parsed user spec, for a user extractor.
        weights: the weights file found and checked, for a pretrained extractor.
        needs_dataset: the factory cannot build without a dataset (the domain classifier trains on one).
        settings: the settings the extractor accepts (keyword arguments besides device and progress).
    """

    name: str
    user: UserSpec | None
    weights: ResolvedWeights | None
    needs_dataset: bool
    settings: tuple[str, ...]


def _signature_facts(factory: Callable[..., Any]) -> tuple[bool, tuple[str, ...]]:
    """(needs a dataset, its settings) from a factory's signature."""
    parameters = inspect.signature(factory).parameters
    dataset = parameters.get("dataset")
    needs_dataset = dataset is not None and dataset.default is inspect.Parameter.empty
    settings = tuple(
        name
        for name, p in parameters.items()
        if name not in _RUNTIME + _WEIGHTS and p.kind is inspect.Parameter.KEYWORD_ONLY
    )
    return needs_dataset, settings


def _check_settings(name: str, accepted: tuple[str, ...], settings: Mapping[str, Any]) -> None:
    unknown = [k for k in settings if k not in accepted]
    if unknown:
        raise ValueError(
            f"extractor {name!r} takes no setting {unknown[0]!r}{did_you_mean(unknown[0], accepted)}; "
            f"its settings: {', '.join(accepted) or '(none)'}"
        )


def _no_weights(name: str, weights: str | Path | None) -> None:
    if weights is not None:
        raise WeightsError(
            f"extractor {name!r} reads no pretrained weights file, so --weights / weights= ({weights}) "
            f"does not apply; extractors that take one: {', '.join(sorted(KNOWN_WEIGHTS))}"
        )


def check_extractor(
    name_or_spec: str,
    *,
    weights: str | Path | None = None,
    force_weights: bool = False,
    settings: Mapping[str, Any] | None = None,
) -> ExtractorCheck:
    """Every check that needs no data and no network pass: run it before any work.

    Args:
        name_or_spec: a registry name (``inception-v3``), or ``module:function`` /
            ``path/to/file.py:function`` for a user's own extractor (``user:`` may prefix it).
        weights: an explicit weights file (pretrained extractors only).
        force_weights: accept a weights file whose digest is not the published one.
        settings: the extractor's other keyword arguments, checked by name.

    Raises:
        UnknownNameError: an unknown name (with close matches and the valid names).
        WeightsError: a weights file missing, mismatched, or given where none is read.
        UserExtractorError: a user module that does not import or lacks the function.
        ValueError: a setting the extractor does not take.
    """
    settings = dict(settings or {})
    if not isinstance(name_or_spec, str) or not name_or_spec:
        raise ValueError(f"an extractor is a registry name or 'module:function'; got {name_or_spec!r}")
    spec = name_or_spec.removeprefix(PREFIX)
    if ":" in spec:
        parsed = parse_user_spec(spec)
        _no_weights(f"{PREFIX}{spec}", weights)
        _, accepted = _signature_facts(load_user_extractor)  # sample images: dataset= or probe=
        _check_settings(f"{PREFIX}{spec}", accepted, settings)
        import_user_function(spec)
        return ExtractorCheck(spec, parsed, None, False, accepted)
    if spec not in EXTRACTORS:
        raise UnknownNameError(
            f"unknown extractor {spec!r}{did_you_mean(spec, EXTRACTORS.names())}; valid extractors: "
            f"{', '.join(EXTRACTORS.names())}; or a user's own, 'module:function' or 'path/file.py:function'"
        )
    needs_dataset, accepted = _signature_facts(EXTRACTORS[spec])
    _check_settings(spec, accepted, settings)
    if spec in KNOWN_WEIGHTS:
        resolved = check_weights(spec, weights, force_weights)
    else:
        _no_weights(spec, weights)
        resolved = None
    return ExtractorCheck(spec, None, resolved, needs_dataset, accepted)


def resolve_extractor(
    name_or_spec: str,
    dataset: Dataset | None = None,
    *,
    device: str | torch.device = "cpu",
    progress: bool = True,
    weights: str | Path | None = None,
    force_weights: bool = False,
    **settings: Any,
) -> FeatureExtractor:
    """The extractor ``name_or_spec``, built: a registry factory, or a user's ``module:function``.

    Args:
        name_or_spec: see :func:`check_extractor`.
        dataset: handed to the factory; required by the domain classifier, and used as sample
            images by a user extractor (else pass ``probe=``).
        device: ``auto``, ``cpu``, ``cuda`` or ``cuda:N`` (:func:`ganbench.runtime.resolve_device`).
        progress: show progress bars.
        weights, force_weights: the weights file of a pretrained extractor (see
            :func:`ganbench.extractors.weights.check_weights`).
        **settings: the extractor's own keyword arguments (``batch_size``, ``layer``, ``epochs`` …).

    Raises:
        everything :func:`check_extractor` raises, ``ValueError`` for a missing dataset, and the
        factory's own errors (a weights file that does not fit, a user module's wrong output).
    """
    checked = check_extractor(name_or_spec, weights=weights, force_weights=force_weights, settings=settings)
    device = resolve_device(device)
    if checked.user is not None:
        return load_user_extractor(checked.name, dataset, device=device, progress=progress, **settings)
    if checked.needs_dataset and dataset is None:
        raise ValueError(f"extractor {checked.name!r} is built from a dataset (trains on it); pass dataset=")
    if checked.weights is not None:
        settings = {**settings, "weights": weights, "force_weights": force_weights}
    return EXTRACTORS[checked.name](dataset, device=device, progress=progress, **settings)


def extractor_settings(check: ExtractorCheck, epochs: int, images: torch.Tensor | None) -> dict[str, Any]:
    """The settings an extractor takes from a run or an evaluation: the domain classifier's training
    epochs; a user extractor's probe images (to learn whether it returns logits) when no dataset."""
    settings: dict[str, Any] = {}
    if "epochs" in check.settings:
        settings["epochs"] = epochs
    if check.user is not None and images is not None and "probe" in check.settings:
        settings["probe"] = images[:64]
    return settings


def domain_classifier_handle(
    extractor: FeatureExtractor, dataset: Dataset, *, device: torch.device, progress: bool, epochs: int
) -> ClassifierHandle:
    """The dataset's domain classifier as measures see it: ``extractor`` itself when it is the
    domain classifier, else the cached one of ``dataset`` (trained with ``epochs`` when missing)."""
    domain = (
        extractor
        if extractor.identity.name == "domain-classifier"
        else resolve_extractor("domain-classifier", dataset, device=device, progress=progress, epochs=epochs)
    )
    return domain.handle()  # type: ignore[attr-defined]
