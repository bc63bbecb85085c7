"""Close-name hints for misspelt names ("did you mean ...?"): thresholds files, extractor names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

_CUTOFF = 0.6  # difflib's similarity ratio a hint needs at least


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'a' or 'b'?"`` for up to three close matches of ``name``, else ``""``; meant to
    be appended to an error message.

    Close: difflib ratio >= 0.6, most similar first, except that matches with exactly ``name``'s
    letters come first: a swap of two letters is the likeliest typo (``fdi``: ``fid`` before ``fld``).
    """
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=_CUTOFF)
    if not close:
        return ""
    close.sort(key=lambda c: sorted(c) != sorted(name))  # stable: difflib's order otherwise
    return f"; did you mean {' or '.join(repr(c) for c in close)}?"
