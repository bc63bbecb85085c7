"""The shared passes in force while a battery of measures runs, found by the arrays they were made for.

:mod:`ganbench.numerics.shared_pass` computes in one go what several measures need from one real
and one generated feature set and registers the result here for the duration of a ``with``
block; the primitives the measures call (:func:`~ganbench.numerics.distances.kth_neighbour_distance`,
:func:`~ganbench.numerics.distances.count_within_radii`, KID) ask here first. A pass answers only
for the very array objects it was computed on (identity, not content), which it keeps read-only
while it is registered, so an answer is never stale and a lookup costs nothing.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol


class Provider(Protocol):
    """What a registered pass answers: ``None`` when the question is not about its arrays."""

    def answer(self, question: str, *args: Any) -> Any | None: ...


_ACTIVE: list[Provider] = []
_LOCK = threading.Lock()


def register(provider: Provider) -> None:
    with _LOCK:
        _ACTIVE.append(provider)


def unregister(provider: Provider) -> None:
    with _LOCK:
        if provider in _ACTIVE:
            _ACTIVE.remove(provider)


def ask(question: str, *args: Any) -> Any | None:
    """The first registered pass's answer to ``question`` about ``args``, or ``None``."""
    with _LOCK:
        providers = list(reversed(_ACTIVE))
    for provider in providers:
        found = provider.answer(question, *args)
        if found is not None:
            return found
    return None
