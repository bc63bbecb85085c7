"""Plain-text tables that fit a terminal: columns split over as many tables as the width needs."""

from __future__ import annotations

import textwrap

import pandas as pd

#: The width every line ``ganbench report`` prints stays within.
TERMINAL_WIDTH = 100
_GAP = "  "


def fit_table(frame: pd.DataFrame, title: str, width: int = TERMINAL_WIDTH) -> list[str]:
    """``frame`` (index and str cells) as aligned text, its columns split into consecutive tables so
    that no line is longer than ``width``; each table repeats the index and is headed by ``title``
    (``title (continued)`` after the first). A column too wide even alone is cut with "…"."""
    if frame.empty:
        return []
    index = [str(v) for v in frame.index]
    index_width = max(len(str(frame.index.name or "")), *(len(v) for v in index))
    room = max(1, width - index_width - len(_GAP))
    columns = []
    for name in frame.columns:
        texts = [_cut(str(name), room)] + [_cut(str(v), room) for v in frame[name]]
        columns.append((texts, max(len(t) for t in texts)))
    lines: list[str] = []
    chunk: list[tuple[list[str], int]] = []
    used = index_width
    for column in columns:
        if chunk and used + len(_GAP) + column[1] > width:
            lines += _render(chunk, index, index_width, frame.index.name, title, bool(lines))
            chunk, used = [], index_width
        chunk.append(column)
        used += len(_GAP) + column[1]
    lines += _render(chunk, index, index_width, frame.index.name, title, bool(lines))
    return lines


def wrap(text: str, width: int = TERMINAL_WIDTH, indent: str = "") -> list[str]:
    """``text`` wrapped to ``width`` (long words such as paths broken too), later lines indented."""
    return textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=True, break_on_hyphens=False)


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def _render(
    chunk: list[tuple[list[str], int]],
    index: list[str],
    index_width: int,
    index_name: object,
    title: str,
    continued: bool,
) -> list[str]:
    heading = title + (" (continued)" if continued else "")
    out = ([""] if continued else []) + wrap(heading)
    header = [str(index_name or "").ljust(index_width)] + [texts[0].rjust(w) for texts, w in chunk]
    rule = ["-" * index_width] + ["-" * w for _, w in chunk]
    out += [_GAP.join(header).rstrip(), _GAP.join(rule)]
    for i, name in enumerate(index, start=1):
        out.append(_GAP.join([name.ljust(index_width)] + [texts[i].rjust(w) for texts, w in chunk]).rstrip())
    return out
