"""Close-name hints for misspelt names ("did you mean ...?"): thresholds files, extractor names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'a' or 'b'?"`` for up to three close matches of ``name`` (difflib ratio >= 0.6),
    else ``""``; meant to be appended to an error message."""
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
