"""Taking ``n`` images of a stored set: all of them, or a fixed random subset drawn with a seed."""

from __future__ import annotations

import torch

from ganbench.numerics.checks import check_seed, integer
from ganbench.sources.spec import SourceError


def subset_indices(total: int, n: int, seed: int) -> torch.Tensor:
    """The rows of a fixed random subset of ``n`` of ``total`` items, sorted (all when ``n >= total``).

    The first ``n`` entries of ``torch.randperm(total)`` drawn from a CPU generator seeded with
    ``seed``, sorted, so the subset keeps the set's order and depends on nothing but
    (``total``, ``n``, ``seed``).

    Returns:
        int64 [min(n, total)], increasing.
    """
    total = integer("total", total, minimum=0)
    n = integer("n", n, minimum=0)
    seed = check_seed(seed)
    if n >= total:
        return torch.arange(total)
    order = torch.randperm(total, generator=torch.Generator().manual_seed(seed))
    return order[:n].sort().values


def subset(images: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    """``n`` rows of ``images`` [N, ...]: ``images[subset_indices(N, n, seed)]`` (all if ``n >= N``)."""
    if n >= len(images):
        return images
    return images[subset_indices(len(images), n, seed)]


def take_stored(
    text: str, images: torch.Tensor, labels: torch.Tensor | None, n: int | None, seed: int
) -> tuple[torch.Tensor, torch.Tensor | None, str]:
    """``n`` images of a stored set (all when ``n`` is None) and the words the records say about it.

    Args:
        text: the SPEC, for the message.
        images: the set's rows, [N, ...] (images, or their row indices when the pixels are read later).
        labels: int64 [N] or None (subset with the same rows).

    Returns:
        the rows, the labels and ``"k of N"`` (``"k of N, subset seed s"`` when a subset was drawn).

    Raises:
        SourceError: ``n`` is more than the set holds, or not a positive integer.
    """
    total = len(images)
    if n is None:
        return images, labels, f"{total} of {total}"
    n = checked_n(text, n)
    if n > total:
        raise SourceError(
            f"{text}: {n} images asked for, but it holds only {total}; ask for at most {total} "
            "(or give a larger set)"
        )
    if n == total:
        return images, labels, f"{total} of {total}"
    rows = subset_indices(total, n, seed)
    return images[rows], None if labels is None else labels[rows], f"{n} of {total}, subset seed {seed}"


def checked_n(text: str, n: object) -> int:
    """``n`` as an int >= 1, else :class:`SourceError` naming the SPEC."""
    try:
        return integer("n", n, minimum=1)
    except ValueError as err:
        raise SourceError(f"{text}: {err}") from None
