"""One trial's hyperparameters applied to a variant: the step a random search takes per trial.

Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study" (arXiv:1711.10337, section 4)
compare GANs by drawing hyperparameter settings at random for every model, training each to the
same budget and comparing the distributions of the scores reached. A trial is a mapping of
setting name to value (:mod:`ganbench.variants.trials` draws them); :func:`configure` returns the
variant trained with it. The names (:data:`SETTINGS`) are those of the search spaces
(:mod:`ganbench.variants.search_space`):

- ``lr`` sets both learning rates, ``lr_g`` and ``lr_d`` one each (a trial gives ``lr`` or
  those, not both: :data:`OVERLAPS`);
- ``beta1``, ``beta2``: Adam's betas (not for an RMSprop variant);
- ``critic_steps``: D steps per G step (not for a joint-loss variant: the VAE takes one step of
  both networks per batch);
- ``weight_clip``: the clipping bound of a variant that clips D's weights (the original WGAN);
- ``penalty_weight``: the ``weight`` keyword (λ) of the variant's penalty
  (``partial(gradient_penalty, weight=10.0)`` becomes ``partial(gradient_penalty, weight=λ)``);
- ``gamma``: the equilibrium ratio γ its ``objective_state`` factory takes (BEGAN's);
- ``latent_dim``: the size of z (also of an encoder D built with a ``latent_dim``: the VAE's).

A setting the variant does not have, an unknown name or a value out of range is a ``ValueError``
naming the valid settings, never a silent no-op.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from ganbench.numerics import checks
from ganbench.spelling import did_you_mean
from ganbench.variants.spec import Variant

#: Every setting a trial may give, with what it sets and its valid values.
SETTINGS: dict[str, str] = {
    "lr": "both learning rates (lr_g and lr_d) as one value, > 0",
    "lr_g": "G's learning rate, > 0",
    "lr_d": "D's learning rate, > 0",
    "beta1": "Adam's beta1, in [0, 1)",
    "beta2": "Adam's beta2, in [0, 1)",
    "critic_steps": "D steps per G step, an integer >= 1",
    "weight_clip": "the bound c of D's weight clipping [-c, c], > 0",
    "penalty_weight": "the weight λ of D's penalty, > 0",
    "gamma": "the equilibrium ratio γ of BEGAN, in [0, 1]",
    "latent_dim": "the size of z, an integer >= 1",
}

#: Settings whose values are integers (a trial gives them as ``int``).
INTEGER_SETTINGS: frozenset[str] = frozenset({"critic_steps", "latent_dim"})

#: Settings that set the same field: one trial gives at most one of them.
OVERLAPS: dict[str, tuple[str, ...]] = {"lr": ("lr_g", "lr_d"), "lr_g": ("lr",), "lr_d": ("lr",)}


def _keyword_default(function: Callable[..., Any] | None, keyword: str) -> Any:
    """The default (a partial's bound value included) of ``function``'s ``keyword``, or
    ``inspect.Parameter.empty`` when it has none or no such parameter."""
    if function is None:
        return inspect.Parameter.empty
    try:
        parameter = inspect.signature(function).parameters.get(keyword)
    except (TypeError, ValueError):  # a callable without a signature
        return inspect.Parameter.empty
    return inspect.Parameter.empty if parameter is None else parameter.default


def _with_keyword(function: Callable[..., Any], keyword: str, value: Any) -> partial[Any]:
    """``function`` with ``keyword`` bound to ``value``; a partial is rebuilt, not wrapped."""
    if isinstance(function, partial):
        return partial(function.func, *function.args, **{**function.keywords, keyword: value})
    return partial(function, **{keyword: value})


def unavailable(variant: Variant, name: str) -> str | None:
    """Why ``variant`` has no setting ``name`` (a phrase), or None when it has it; ``name`` is one
    of :data:`SETTINGS`."""
    if name in ("beta1", "beta2") and variant.optimizer != "adam":
        return f"it trains with {variant.optimizer}, which has no betas (Adam's)"
    if name == "critic_steps" and variant.joint_loss is not None:
        return "it takes one step of both networks on one joint loss per real batch (no D steps)"
    if name == "weight_clip" and variant.weight_clip is None:
        return "it does not clip D's weights"
    if name == "penalty_weight":
        if variant.penalty is None:
            return "it has no penalty term"
        if _keyword_default(variant.penalty, "weight") is inspect.Parameter.empty:
            return "its penalty has no weight keyword"
    if name == "gamma" and _keyword_default(variant.objective_state, "gamma") is inspect.Parameter.empty:
        return "it has no equilibrium ratio (an objective_state taking gamma, as BEGAN's)"
    return None


def accepted_settings(variant: Variant) -> tuple[str, ...]:
    """The settings of :data:`SETTINGS` that ``variant`` has, in that order."""
    return tuple(name for name in SETTINGS if unavailable(variant, name) is None)


def _check_value(name: str, value: object) -> float | int:
    """``value`` in the form and range ``name`` takes (see :data:`SETTINGS`), else a ValueError."""
    if name in INTEGER_SETTINGS:
        return checks.positive_int(name, value)
    if name in ("beta1", "beta2"):
        out = checks.real_number(name, value, low=0.0, high=1.0)
        if out == 1.0:
            raise ValueError(f"{name} must be < 1; got {value!r}")
        return out
    if name == "gamma":
        return checks.real_number(name, value, low=0.0, high=1.0)
    return checks.real_number(name, value, low=0.0, open_low=True)


def check_name(variant: Variant, name: str) -> None:
    """Raise a ValueError unless ``name`` is one of :data:`SETTINGS` that ``variant`` has; the message
    lists the variant's settings."""
    takes = ", ".join(accepted_settings(variant))
    if name not in SETTINGS:
        raise ValueError(
            f"unknown setting {name!r} for variant {variant.name}; it takes: {takes} "
            f"(all settings: {', '.join(SETTINGS)}){did_you_mean(name, SETTINGS)}"
        )
    reason = unavailable(variant, name)
    if reason is not None:
        raise ValueError(f"variant {variant.name} has no setting {name!r}: {reason}; it takes: {takes}")


def check_setting(variant: Variant, name: str, value: object) -> float | int:
    """``value`` checked as ``variant``'s setting ``name``: the name known, the variant has it, the
    value in range. Returns it as the variant uses it (``int`` for :data:`INTEGER_SETTINGS`).

    Raises:
        ValueError: an unknown name or one the variant does not have (the message lists the
            variant's settings, :func:`check_name`), or a value out of range (the message says the
            valid range).
    """
    check_name(variant, name)
    try:
        return _check_value(name, value)
    except ValueError as err:
        raise ValueError(f"variant {variant.name}: {err} ({name}: {SETTINGS[name]})") from None


def overlapping(names: Iterable[str]) -> str | None:
    """Why ``names`` cannot be set together (``lr`` with ``lr_g`` or ``lr_d``), or None when they can."""
    chosen = set(names)
    for name in sorted(chosen):
        both = [other for other in OVERLAPS.get(name, ()) if other in chosen]
        if both:
            return (
                f"{name} and {', '.join(both)} set the same learning rate; give lr (both networks) "
                "or lr_g / lr_d (one each), not both"
            )
    return None


def configure(variant: Variant, settings: Mapping[str, float | int]) -> Variant:
    """A copy of ``variant`` with one trial's ``settings`` applied (its name unchanged).

    Args:
        variant: the variant as registered (or composed, ``dcgan:hinge``).
        settings: setting name -> value, names of :data:`SETTINGS` (module docstring).

    Raises:
        ValueError: see :func:`check_setting`; also ``lr`` given with ``lr_g`` or ``lr_d``.
    """
    values = {name: check_setting(variant, name, value) for name, value in settings.items()}
    if clash := overlapping(values):
        raise ValueError(f"variant {variant.name}: {clash}")
    changes: dict[str, Any] = {}
    if "lr" in values:
        changes["lr_g"] = changes["lr_d"] = values["lr"]
    for field in ("lr_g", "lr_d", "critic_steps", "weight_clip", "latent_dim"):
        if field in values:
            changes[field] = values[field]
    if "beta1" in values or "beta2" in values:
        changes["betas"] = (values.get("beta1", variant.betas[0]), values.get("beta2", variant.betas[1]))
    if "penalty_weight" in values:
        assert variant.penalty is not None  # checked by check_setting
        changes["penalty"] = _with_keyword(variant.penalty, "weight", values["penalty_weight"])
    if "gamma" in values:
        assert variant.objective_state is not None  # checked by check_setting
        changes["objective_state"] = _with_keyword(variant.objective_state, "gamma", values["gamma"])
    encoder_size = _keyword_default(variant.build_discriminator, "latent_dim")
    if "latent_dim" in values and encoder_size is not inspect.Parameter.empty:
        changes["build_discriminator"] = _with_keyword(
            variant.build_discriminator, "latent_dim", values["latent_dim"]
        )
    return replace(variant, **changes)


def _current(variant: Variant, name: str) -> float | int:
    """The value ``variant`` trains with for setting ``name`` (one it has)."""
    if name == "lr":
        return variant.lr_g
    if name in ("beta1", "beta2"):
        return variant.betas[0 if name == "beta1" else 1]
    if name == "penalty_weight":
        return _keyword_default(variant.penalty, "weight")
    if name == "gamma":
        return _keyword_default(variant.objective_state, "gamma")
    return getattr(variant, name)


def variant_settings(variant: Variant, names: Iterable[str] | None = None) -> dict[str, float | int]:
    """The values ``variant`` trains with, by setting name: those its search space covers, or
    ``names`` (e.g. a space file's, :func:`ganbench.variants.space_file.space_for`), for a report to
    print the defaults next to the best trial.

    ``lr`` is given where the two learning rates are equal; where they differ it is replaced by
    ``lr_g`` and ``lr_d``. A name the variant does not have is a ValueError (:func:`check_setting`).
    """
    out: dict[str, float | int] = {}
    for name in variant.search_space if names is None else names:
        check_name(variant, name)
        if name == "lr" and variant.lr_g != variant.lr_d:
            out.update(lr_g=variant.lr_g, lr_d=variant.lr_d)
        else:
            out[name] = _current(variant, name)
    return out
