"""Where each key of a TOML file was written: the line of every ``[table]`` and ``dotted.key = ...``.

``tomllib`` returns values without positions, so a bound's source line is found by scanning the
text: table headers ``[a.b]`` set the current table, and ``k1.k2 = value`` lines are keys in it
(bare keys ``A-Za-z0-9_-`` and quoted keys, as TOML 1.0 defines them). Keys written inside inline
tables (``fid = {max = 40}``) or multi-line values get the line where their top key starts.
"""

from __future__ import annotations

import re

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_SEGMENT = re.compile(rf"\s*({_BARE}|{_QUOTED})\s*")
_HEADER = re.compile(r"^\s*\[(?!\[)(?P<path>[^\]]*)\]\s*(?:#.*)?$")


def _key_path(text: str) -> tuple[tuple[str, ...], int] | None:
    """The key path at the start of ``text`` and where it ends, or None when ``text`` is not a key path."""
    parts: list[str] = []
    position = 0
    while True:
        match = _SEGMENT.match(text, position)
        if not match:
            return None
        token = match.group(1)
        parts.append(token[1:-1] if token[0] in "\"'" else token)
        position = match.end()
        if position < len(text) and text[position] == ".":
            position += 1
            continue
        return tuple(parts), position


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Full key path (tables then keys) -> 1-based line number, for every header and key line of ``text``.

    Example: ``"[a.b]\\nfid.max = 4\\n"`` -> ``{("a", "b"): 1, ("a", "b", "fid", "max"): 2,
    ("a", "b", "fid"): 2}`` (a dotted key also locates its prefixes, at their first line).
    """
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            parsed = _key_path(header.group("path"))
            if parsed and not header.group("path")[parsed[1] :].strip():
                table = parsed[0]
                lines.setdefault(table, number)
            continue
        parsed = _key_path(line)
        if parsed and line[parsed[1] :].startswith("="):
            path = table + parsed[0]
            for end in range(len(table) + 1, len(path) + 1):
                lines.setdefault(path[:end], number)
    return lines
