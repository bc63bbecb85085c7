"""The measure keys a bound may name, resolved against the measure registry.

A bound names a record ``key`` (``fid``, ``recall``, ``birthday_support``: see ``ganbench list
metrics``). Keys are unique across the registered measures today; should two measures ever
declare the same key, the file must name it ``"<metric>:<key>"`` (quoted in TOML, since ``:`` is
not a bare-key character). ``<key>_std`` columns carry a measure's own spread and are not keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.gate.spelling import did_you_mean
from ganbench.metrics.spec import Direction
from ganbench.registry import METRICS


class UnknownKeyError(ValueError):
    """A name that is not a bound-able measure key; the message says what to write instead."""


@dataclass(frozen=True)
class MeasureKey:
    """One output key of one registered measure.

    Attributes:
        metric: the measure's registry name (``precision-recall``).
        key: the record key (``recall``).
        direction: ``"lower"``, ``"higher"`` or a target float (the ideal value).
    """

    metric: str
    key: str
    direction: Direction

    @property
    def target(self) -> float | None:
        """The ideal value of a target key, else None."""
        return None if isinstance(self.direction, str) else float(self.direction)

    @property
    def direction_word(self) -> str:
        """``lower``, ``higher`` or ``target`` (the word the records store)."""
        return self.direction if isinstance(self.direction, str) else "target"


def measure_keys() -> dict[str, list[MeasureKey]]:
    """Every declared key of every registered measure: key -> the measures declaring it (usually one)."""
    found: dict[str, list[MeasureKey]] = {}
    for name, spec in METRICS.items():
        for key, direction in spec.directions.items():
            found.setdefault(key, []).append(MeasureKey(name, key, direction))
    return found


def resolve_key(name: str) -> MeasureKey:
    """The measure key ``name`` (``key`` or ``metric:key``) stands for.

    Raises:
        UnknownKeyError: not a declared key (with the close names), a ``_std`` column, or a key
            declared by several measures written without its ``metric:`` prefix.
    """
    keys = measure_keys()
    if ":" in name:
        metric, _, key = name.partition(":")
        if metric not in METRICS:
            raise UnknownKeyError(
                f"unknown measure {metric!r} in {name!r}{did_you_mean(metric, list(METRICS))}"
            )
        for candidate in keys.get(key, []):
            if candidate.metric == metric:
                return candidate
        declared = ", ".join(METRICS[metric].directions)
        raise UnknownKeyError(f"measure {metric!r} has no key {key!r}; its keys: {declared}")
    if name.endswith("_std") and name.removesuffix("_std") in keys:
        raise UnknownKeyError(
            f"{name!r} is the recorded spread of {name.removesuffix('_std')!r}, not a key of its own;"
            f" bound {name.removesuffix('_std')!r} instead"
        )
    if name not in keys:
        raise UnknownKeyError(
            f"unknown measure key {name!r}{did_you_mean(name, list(keys))} (see `ganbench list metrics`)"
        )
    candidates = keys[name]
    if len(candidates) > 1:
        spelled = " or ".join(f'"{c.metric}:{name}"' for c in candidates)
        raise UnknownKeyError(f"key {name!r} is declared by several measures: write {spelled}")
    return candidates[0]
