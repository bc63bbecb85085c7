"""One small name -> object registry, and the four registries of ganbench.

Entries register themselves where they are defined (``@METRICS.register("fid")``); each
sub-package imports its own modules, so adding a variant, metric, dataset or extractor is
one new file. User-facing names are kebab-case (``wgan-gp``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class UnknownNameError(KeyError, ValueError):
    """Raised for a name that is not registered; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class Registry(Generic[T]):
    """Maps user-facing names to objects; refuses duplicates; a miss lists the valid names.

    A registry may also accept composed spellings ``A:B`` of two registered names, built on
    demand by its ``composer`` (set by the package that defines the composition; variants:
    ``dcgan:hinge``, :mod:`ganbench.variants.compose`). A composed name is valid wherever a
    registered one is, but :meth:`names` and ``all`` list only the registered entries.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self.composer: Callable[[str, T, T], T] | None = None
        self.composition_hint = ""  # what A and B stand for, for messages: "NETWORKS:OBJECTIVE"

    def register(self, name: str, obj: T | None = None) -> Any:
        """Register ``obj`` under ``name``; without ``obj``, return a decorator."""
        if not _NAME.match(name):
            raise ValueError(f"{self.kind} name {name!r} must be lower-case kebab-case, e.g. 'wgan-gp'")

        def add(entry: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = entry
            return entry

        if obj is not None:
            return add(obj)
        return add

    def __getitem__(self, name: str) -> T:
        if name in self._entries:
            return self._entries[name]
        valid = ", ".join(self.names()) or "(none)"
        if self.composer is None or not isinstance(name, str) or ":" not in name:
            also = f"; or two of them as {self.composition_hint}" if self.composer else ""
            raise UnknownNameError(f"unknown {self.kind} {name!r}; valid {self.kind}s: {valid}{also}")
        parts = name.split(":")
        if len(parts) != 2:
            raise UnknownNameError(
                f"{self.kind} {name!r} combines {len(parts)} names; write {self.composition_hint}, "
                f"two of: {valid}"
            )
        for part in parts:
            if part not in self._entries:
                raise UnknownNameError(
                    f"unknown {self.kind} {part!r} in {name!r} ({self.composition_hint}); "
                    f"valid {self.kind}s: {valid}"
                )
        return self.composer(name, self._entries[parts[0]], self._entries[parts[1]])

    def __contains__(self, name: object) -> bool:
        if name in self._entries:
            return True
        try:
            self[name]  # type: ignore[index]
        except UnknownNameError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)

    def items(self) -> list[tuple[str, T]]:
        return [(n, self._entries[n]) for n in self.names()]

    def resolve(self, names: str | list[str]) -> list[str]:
        """Parse a comma-separated list (or ``all``) and check every name; return them in order."""
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        if names == ["all"]:
            return self.names()
        for n in names:
            self[n]
        return list(dict.fromkeys(names))


DATASETS: Registry[Callable[..., Any]] = Registry("dataset")
VARIANTS: Registry[Any] = Registry("variant")
EXTRACTORS: Registry[Callable[..., Any]] = Registry("extractor")
METRICS: Registry[Any] = Registry("metric")
