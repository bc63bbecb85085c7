"""A search-space file: a sweep's hyperparameter ranges in TOML, checked before any work.

Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study" (arXiv:1711.10337, section 4)
draw every model's settings at random from stated ranges; each variant declares its own
(``Variant.search_space``, :mod:`ganbench.variants.search_space`), and a file changes them::

    # applies to every variant that has these settings
    [all]
    lr = { log_uniform = [1e-5, 1e-2] }

    [wgan-gp]
    penalty_weight = { log_uniform = [0.1, 1000] }
    critic_steps = { choice = [1, 5] }
    beta1 = { uniform = [0.0, 1.0] }

    ["dcgan:hinge"]          # a composed name is quoted (TOML bare keys have no colon)
    beta2 = { choice = [0.9, 0.999] }

A section is ``[all]`` or a variant name; a setting is a name of
:data:`ganbench.variants.configure.SETTINGS` with one distribution: ``log_uniform = [low,
high]``, ``uniform = [low, high]`` or ``choice = [a, b, ...]`` (integer settings,
``critic_steps`` and ``latent_dim``, only as a choice). A variant's space
(:func:`space_for`) is its declared one, then the ``[all]`` settings it has, then its own
section, each layer replacing the names it gives (and ``lr`` replacing ``lr_g`` / ``lr_d`` and
the reverse). :func:`check_space_file` loads a file and checks every range it gives each named
variant through :func:`~ganbench.variants.configure.check_setting`, so a sweep refuses a bad
file before training anything; every error is a :class:`SpaceFileError` naming the file, the
section and the fix.
"""

from __future__ import annotations

import math
import numbers
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ganbench.registry import VARIANTS, UnknownNameError
from ganbench.spelling import did_you_mean
from ganbench.variants.configure import (
    INTEGER_SETTINGS,
    OVERLAPS,
    SETTINGS,
    accepted_settings,
    check_name,
    check_setting,
    overlapping,
)
from ganbench.variants.search_space import Choice, Distribution, LogUniform, SearchSpace, Uniform
from ganbench.variants.spec import Variant

#: The section whose settings apply to every variant that has them.
ALL_SECTION = "all"

#: Distribution kinds as a file writes them, with the form of their arguments.
KINDS: dict[str, str] = {
    "log_uniform": "log_uniform = [low, high] (0 < low < high)",
    "uniform": "uniform = [low, high] (low < high)",
    "choice": "choice = [a, b, ...] (one value or more)",
}


class SpaceFileError(ValueError):
    """A search-space file that cannot be used; the message names the file, the section and the fix."""


def load_space_file(path: str | Path) -> dict[str, SearchSpace]:
    """The search spaces a TOML file gives, by section (``"all"`` or a variant name).

    Checks what the file alone decides: TOML syntax, section names (``all`` or a registered or
    composed variant), setting names, distribution kinds, their arguments and bounds, and that a
    variant's own section names only settings that variant has. Values against each variant's
    valid ranges are checked by :func:`check_space_file`.

    Raises:
        SpaceFileError: the file is missing, unreadable or invalid; the message says where and how
            to fix it.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise SpaceFileError(
            f"{path}: cannot read the search-space file ({err.strerror or err}); give the path of a TOML "
            f"file with [all] and [variant] sections"
        ) from None
    except UnicodeDecodeError as err:
        raise SpaceFileError(f"{path}: not UTF-8 text ({err.reason}); save the file as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as err:
        raise SpaceFileError(
            f"{path}: not valid TOML: {err}; a section is [all] or [variant] (quoted when it holds a colon: "
            f'["dcgan:hinge"]), a setting is e.g. lr = {{ log_uniform = [1e-5, 1e-2] }}'
        ) from None
    return {section: _section(path, section, table) for section, table in data.items()}


def _section(path: Path, section: str, table: Any) -> dict[str, Distribution]:
    """One section's settings, checked."""
    if not isinstance(table, dict) or section in SETTINGS:
        raise SpaceFileError(
            f"{path}: {section} = ... is outside any section; put settings under [all] (every variant "
            f"that has them) or a [variant] section"
        )
    variant = None
    if section != ALL_SECTION:
        try:
            variant = VARIANTS[section]
        except UnknownNameError as err:
            raise SpaceFileError(
                f"{path}: unknown section [{section}]: {err}; a section is [all] or a variant name "
                f'(composed names quoted: ["dcgan:hinge"])'
            ) from None
    where = f"{path} [{section}]"
    space: dict[str, Distribution] = {}
    for name, spec in table.items():
        if name not in SETTINGS:
            raise SpaceFileError(
                f"{where}: unknown setting {name!r}; settings: {', '.join(SETTINGS)}"
                f"{did_you_mean(name, SETTINGS)}"
            )
        if variant is not None:
            try:
                check_name(variant, name)
            except ValueError as err:
                raise SpaceFileError(f"{where} {name}: {err}; remove it from [{section}]") from None
        space[name] = _distribution(where, name, spec)
    if clash := overlapping(space):
        raise SpaceFileError(f"{where}: {clash}")
    return space


def _distribution(where: str, name: str, spec: Any) -> Distribution:
    """The distribution one setting's table gives, e.g. ``{"log_uniform": [1e-5, 1e-2]}``."""
    kinds = "; ".join(KINDS.values())
    if not isinstance(spec, dict) or len(spec) != 1:
        fixed = (
            f" (one fixed value: {name} = {{ choice = [{spec}] }})" if isinstance(spec, int | float) else ""
        )
        raise SpaceFileError(
            f"{where} {name}: give one distribution as a table, e.g. {name} = {{ uniform = [low, high] }}"
            f"{fixed}; got {spec!r}; the kinds: {kinds}"
        )
    kind, arguments = next(iter(spec.items()))
    if kind not in KINDS:
        raise SpaceFileError(
            f"{where} {name}: unknown distribution {kind!r}; the kinds: {kinds}{did_you_mean(kind, KINDS)}"
        )
    if not isinstance(arguments, list) or not all(_is_number(a) for a in arguments):
        raise SpaceFileError(
            f"{where} {name}: {kind} takes a list of numbers: {KINDS[kind]}; got {arguments!r}"
        )
    if kind != "choice" and len(arguments) != 2:
        raise SpaceFileError(
            f"{where} {name}: {kind} takes two numbers, {KINDS[kind]}; got {len(arguments)}: {arguments!r}"
        )
    if kind != "choice" and name in INTEGER_SETTINGS:
        raise SpaceFileError(
            f"{where} {name}: {name} is an integer, so it is drawn from a choice, e.g. "
            f"{name} = {{ choice = {[int(a) for a in arguments if math.isfinite(a)]} }}; got {kind}"
        )
    try:
        if kind == "choice":
            return Choice(tuple(arguments))
        return (LogUniform if kind == "log_uniform" else Uniform)(float(arguments[0]), float(arguments[1]))
    except ValueError as err:
        raise SpaceFileError(f"{where} {name}: {err}; write {KINDS[kind]}") from None


def toml_line(name: str, distribution: Distribution) -> str:
    """``lr = { log_uniform = [1e-05, 0.01] }``: a setting's range as a space file writes it."""
    if isinstance(distribution, Choice):
        kind, arguments = "choice", list(distribution.values)
    else:
        kind = "log_uniform" if isinstance(distribution, LogUniform) else "uniform"
        arguments = [distribution.low, distribution.high]
    return f"{name} = {{ {kind} = [{', '.join(f'{a:g}' for a in arguments)}] }}"


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def space_for(variant: Variant, file_spaces: Mapping[str, SearchSpace]) -> dict[str, Distribution]:
    """``variant``'s search space under a file's spaces (:func:`load_space_file`): its declared
    ``search_space``, then the ``[all]`` settings it has, then its own section; a later layer
    replaces the settings it names and those that set the same field (``lr`` vs ``lr_g`` /
    ``lr_d``)."""
    takes = set(accepted_settings(variant))
    common = {name: d for name, d in file_spaces.get(ALL_SECTION, {}).items() if name in takes}
    space = dict(variant.search_space)
    for layer in (common, file_spaces.get(variant.name, {})):
        for name in layer:
            for other in OVERLAPS.get(name, ()):
                space.pop(other, None)
        space.update(layer)
    return space


def check_distribution(variant: Variant, name: str, distribution: Distribution) -> None:
    """Raise a ValueError unless every value ``distribution`` can give is valid for ``variant``'s
    setting ``name`` (:func:`~ganbench.variants.configure.check_setting`): each value of a choice,
    both bounds of a range. An upper bound that is itself invalid but has valid values just below
    it passes: a draw's quantile is in [0, 1), so ``beta1 = { uniform = [0, 1] }`` never gives 1."""
    if isinstance(distribution, Choice):
        for value in distribution.values:
            check_setting(variant, name, value)
        return
    low, high = distribution.low, distribution.high
    check_setting(variant, name, low)
    try:
        check_setting(variant, name, high)
    except ValueError:
        try:
            check_setting(variant, name, math.nextafter(distribution.at(1.0), low))
        except ValueError:
            check_setting(variant, name, high)  # the message about the bound as written


def _source(variant: Variant, name: str, file_spaces: Mapping[str, SearchSpace]) -> str:
    """Where ``variant``'s range of ``name`` comes from: its section, ``[all]``, or its declaration."""
    if name in file_spaces.get(variant.name, {}):
        return f"[{variant.name}]"
    if name in file_spaces.get(ALL_SECTION, {}):
        return f"[{ALL_SECTION}] (as applied to {variant.name})"
    return f"(the search space {variant.name} declares)"


def check_space_file(path: str | Path | None, variants: Sequence[str]) -> dict[str, SearchSpace]:
    """Load a search-space file and check it against the variants of a sweep, before any work.

    Args:
        path: the TOML file (module docstring), or None for the variants' declared spaces.
        variants: the sweep's variant names as written (``dcgan:hinge`` included).

    Returns:
        Variant name -> its search space (:func:`space_for`), every setting and range checked.
        (Given back as ``file_spaces`` to :func:`space_for`, it gives the same spaces.)

    Raises:
        SpaceFileError: the file is invalid (:func:`load_space_file`), or gives a variant a range
            with values it cannot take (e.g. ``beta1 = { uniform = [0, 2] }``); the message names
            the file, the section and the valid range.
        UnknownNameError: a variant name that is not registered.
    """
    file_spaces = load_space_file(path) if path is not None else {}
    where = str(path) if path is not None else "declared search space"
    out: dict[str, SearchSpace] = {}
    for variant_name in variants:
        variant = VARIANTS[variant_name]
        space = space_for(variant, file_spaces)
        for name, distribution in space.items():
            try:
                check_distribution(variant, name, distribution)
            except ValueError as err:
                raise SpaceFileError(
                    f"{where} {_source(variant, name, file_spaces)} {name}: {err}; narrow the range to "
                    f"valid values"
                ) from None
        out[variant_name] = space
    return out
