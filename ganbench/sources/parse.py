"""From a SPEC string to a checked :class:`~ganbench.sources.spec.SourceSpec`: its kind and the cheap checks.

Precedence: an existing path wins (a run folder, an image folder, an array file); then a
dataset (a registered name, or ``folder:PATH``); then ``file.py:function`` and
``module:function``; anything else is an error that lists the accepted kinds.
"""

from __future__ import annotations

import re
from pathlib import Path

from ganbench.sources.array import parse_array
from ganbench.sources.dataset import names_dataset, parse_dataset
from ganbench.sources.folder import IMAGE_SUFFIXES, parse_folder
from ganbench.sources.generator import parse_generator
from ganbench.sources.run_folder import is_run_folder, parse_run
from ganbench.sources.spec import Role, SourceError, SourceSpec, option
from ganbench.sources.value_range import parse_value_range

ARRAY_SUFFIXES = (".npy", ".npz")
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_MODULE_FUNCTION = re.compile(rf"^({_IDENTIFIER}(?:\.{_IDENTIFIER})*):({_IDENTIFIER})$")
_FILE_FUNCTION = re.compile(rf"^(.+\.py):({_IDENTIFIER})$")
_DATASET_LIKE = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*(?::[A-Za-z0-9_-]*)?$")

#: The accepted kinds with an example of each, for the message of a SPEC that matches none.
KINDS = (
    "a dataset NAME[:SPLIT] (e.g. mnist-5k, fashion-mnist:train, folder:~/data/faces,size=64:test)",
    "a ganbench run folder (e.g. reports/20250101-120000-quick)",
    "a folder of PNG/JPEG images (e.g. samples/)",
    "an .npy/.npz array file (e.g. samples.npz)",
    "a generator module:function or path/to/file.py:function (e.g. mymodels:make_generator)",
)


def _exists(path: Path) -> bool:
    """``path.exists()``, False for a string no file can have (an embedded NUL, a name too long)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _nothing_matched(text: str, why: str) -> SourceError:
    return SourceError(f"{text}: {why}; a SPEC is one of: " + "; ".join(KINDS))


def _refuse(text: str, role: Role, kind: str, **given: object) -> None:
    """A keyword given for a kind that does not use it is a mistake, not something to ignore."""
    for name, value in given.items():
        if value is not None:
            raise SourceError(f"{text}: {option(name, role)} does not apply to {kind}; drop it")


def _parse_path(
    text: str,
    path: Path,
    *,
    role: Role,
    value_range: str | None,
    array_key: str | None,
    checkpoint: str | Path | None,
    data_root: str | Path | None,
) -> SourceSpec:
    if path.is_dir():
        if is_run_folder(path):
            _refuse(
                text,
                role,
                "a run folder",
                value_range=value_range,
                array_key=array_key,
                checkpoint=checkpoint,
            )
            return parse_run(text, path, role=role, data_root=data_root)
        _refuse(
            text, role, "an image folder", value_range=value_range, array_key=array_key, checkpoint=checkpoint
        )
        return parse_folder(text, path, role=role)
    suffix = path.suffix.lower()
    if suffix in ARRAY_SUFFIXES:
        _refuse(text, role, "an array file", checkpoint=checkpoint)
        return parse_array(text, path, role=role, array_key=array_key, value_range=value_range)
    if suffix == ".py":
        raise SourceError(
            f"{text}: a Python file is a generator source with its function: write {text}:FUNCTION"
        )
    if suffix in IMAGE_SUFFIXES:
        raise SourceError(
            f"{text}: is a single image; point at the folder that holds the set ({path.parent})"
        )
    raise _nothing_matched(text, f"the file {path} is neither an array (.npy, .npz) nor a folder")


def parse_source(
    text: str,
    *,
    role: Role,
    value_range: str | None = None,
    array_key: str | None = None,
    checkpoint: str | Path | None = None,
    data_root: str | Path | None = None,
) -> SourceSpec:
    """Parse and check a SPEC (the grammar is in :mod:`ganbench.sources`); nothing heavy is loaded.

    Args:
        text: the SPEC.
        role: ``real`` or ``fake``: the side it is for (names the options in messages; the real
            side of a registered dataset also carries its training split; a run folder is fake only).
        value_range: ``0,1`` or ``-1,1``: the range of a float array or of a generator's output.
        array_key: the images' array in an ``.npz`` file.
        checkpoint: a generator's weights (state dict) file.
        data_root: where registered datasets' files are (None: ``$GANBENCH_DATA`` or the user cache).

    Returns:
        the checked spec; :meth:`~ganbench.sources.spec.SourceSpec.load` does the work.

    Raises:
        SourceError: the message names the SPEC, what is wrong and how to fix it.
    """
    if role not in ("real", "fake"):
        raise ValueError(f"role must be 'real' or 'fake'; got {role!r}")
    if not isinstance(text, str) or not text.strip():
        raise _nothing_matched(repr(text), "an empty SPEC")
    value_range = parse_value_range(value_range, text=text, role=role)
    path = Path(text).expanduser()
    if _exists(path):
        return _parse_path(
            text,
            path,
            role=role,
            value_range=value_range,
            array_key=array_key,
            checkpoint=checkpoint,
            data_root=data_root,
        )
    if names_dataset(text):
        _refuse(text, role, "a dataset", value_range=value_range, array_key=array_key, checkpoint=checkpoint)
        return parse_dataset(text, role=role, data_root=data_root)
    for pattern, is_file in ((_FILE_FUNCTION, True), (_MODULE_FUNCTION, False)):
        if match := pattern.match(text):
            where, function = match.groups()
            if is_file and not Path(where).expanduser().is_file():
                raise SourceError(f"{text}: no such Python file {Path(where).expanduser().resolve()}")
            _refuse(text, role, "a generator", array_key=array_key)
            return parse_generator(
                text,
                str(Path(where).expanduser()) if is_file else where,
                function,
                is_file=is_file,
                role=role,
                value_range=value_range,
                checkpoint=checkpoint,
            )
    if _DATASET_LIKE.match(text) and "/" not in text:
        return parse_dataset(
            text, role=role, data_root=data_root
        )  # unknown name: the message lists the valid ones
    raise _nothing_matched(
        text, f"no file or folder {path.resolve()} exists and it is no dataset or generator name"
    )
