"""Finding a user's function from ``module:function`` or ``path/to/file.py:function``.

A dotted module is imported with the current directory first on ``sys.path`` (as ``python -m``
would), so a module next to where ``ganbench`` is run is found; a ``.py`` file is imported from
its path with its own folder first on ``sys.path``, so it can import its neighbours. Any failure
becomes a :class:`~ganbench.sources.spec.SourceError` that shows the exception and where it
was raised.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from ganbench.gate.spelling import did_you_mean
from ganbench.registry import DATASETS
from ganbench.sources.spec import SourceError


def describe_exception(err: BaseException) -> str:
    """``"TypeError: message (at file.py:12)"``: the exception and the innermost frame that raised it."""
    if isinstance(err, SyntaxError):  # the line with the mistake, not the import machinery's frame
        return f"{type(err).__name__}: {err.msg} (at {err.filename}:{err.lineno})"
    text = traceback.format_exception_only(type(err), err)[-1].strip()
    frames = traceback.extract_tb(err.__traceback__)
    if frames:
        text += f" (at {frames[-1].filename}:{frames[-1].lineno})"
    return text


@contextlib.contextmanager
def _first_on_path(folder: str) -> Iterator[None]:
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(folder)


def _import_file(text: str, path: Path) -> ModuleType:
    """Import ``path`` (a .py file) under a private module name derived from its absolute path."""
    name = "_ganbench_source_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SourceError(f"{text}: {path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up here
    try:
        with _first_on_path(str(path.parent)):
            spec.loader.exec_module(module)
    except BaseException as err:
        sys.modules.pop(name, None)
        if isinstance(err, KeyboardInterrupt):
            raise
        raise SourceError(f"{text}: importing {path} raised {describe_exception(err)}") from err
    return module


def _import_module(text: str, dotted: str) -> ModuleType:
    try:
        with _first_on_path(os.getcwd()):
            return importlib.import_module(dotted)
    except ModuleNotFoundError as err:
        if err.name is not None and dotted.startswith(err.name):
            hint = did_you_mean(dotted, DATASETS.names())
            dataset = f"; as a dataset name it is unknown{hint}" if hint else ""
            raise SourceError(
                f"{text}: no module named {err.name!r} to import (looked in the current directory and the "
                f"installed packages){dataset}; for a file write path/to/file.py:FUNCTION"
            ) from err
        raise SourceError(f"{text}: importing {dotted} raised {describe_exception(err)}") from err
    except BaseException as err:
        if isinstance(err, KeyboardInterrupt):
            raise
        raise SourceError(f"{text}: importing {dotted} raised {describe_exception(err)}") from err


def resolve_function(text: str, where: str, function: str, *, is_file: bool) -> Callable[..., Any]:
    """The callable ``function`` of module ``where`` (a dotted name, or a .py path when ``is_file``).

    Raises:
        SourceError: the import failed (the exception is shown), or the module has no such callable
            (its callables are listed).
    """
    module = _import_file(text, Path(where).resolve()) if is_file else _import_module(text, where)
    found = getattr(module, function, None)
    if callable(found):
        return found
    names = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
    what = "no attribute" if found is None else f"a {type(found).__name__}, not a function, as"
    raise SourceError(
        f"{text}: module {where} has {what} {function!r}{did_you_mean(function, names)}; "
        f"its functions: {', '.join(names) or '(none)'}"
    )
