"""Reading a pickle that may hold only numpy arrays in plain containers, without letting it run code.

A pickle names the callables that rebuild its objects ("globals"), and ``pickle.load`` imports and calls
whatever it names: a crafted file can run ``os.system``. `load_array_pickle` unpickles with a
``find_class`` that resolves only the globals a numpy array needs (the pattern of the Python
documentation's "Restricting Globals"), so a file naming anything else is refused before any of it is
called. Containers (dict, list, tuple), numbers, str and bytes need no global at all.

Allowed globals, by the module and name a pickle may spell them with:

- ``numpy.core.multiarray._reconstruct`` / ``numpy._core.multiarray._reconstruct`` (numpy 1.x / 2.x),
  ``numpy.ndarray`` and ``numpy.dtype``: an array pickled with protocols 0-4 (this is how Python 2 and
  numpy 1.x wrote the CIFAR batches);
- ``numpy.core.numeric._frombuffer`` / ``numpy._core.numeric._frombuffer``: an array pickled with
  protocol 5;
- ``_codecs.encode``, only with the ``latin1`` codec: how Python 3 writes ``bytes`` under protocol 2.

Each resolves to this process's own numpy function, not to an import of the module named in the file.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np


def _latin1_encode(text: str, encoding: str = "latin1", errors: str = "strict") -> bytes:
    """``_codecs.encode`` as protocol 2 uses it for ``bytes`` (latin-1 only: no other codec is reachable)."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1") or errors != "strict":
        raise pickle.UnpicklingError(
            f"_codecs.encode is allowed only as encode(str, 'latin1'); got {encoding!r}"
        )
    return text.encode("latin1")


_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(1))[0]  # numpy's _reconstruct, wherever this numpy keeps it
_FROMBUFFER = np.zeros(1).__reduce_ex__(5)[0]  # numpy's _frombuffer (protocol 5)

#: (module, name) as a pickle spells it -> the object it resolves to.
ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class RefusedGlobalError(pickle.UnpicklingError):
    """The pickle names a global outside `ALLOWED_GLOBALS`; nothing it names has been called."""

    def __init__(self, module: str, name: str) -> None:
        super().__init__(f"{module}.{name}")
        self.module, self.name = module, name


class _ArraysOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise RefusedGlobalError(module, name) from None

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("persistent ids are not allowed")


def load_array_pickle(path: Path, *, encoding: str = "latin1") -> Any:
    """Unpickle ``path``, allowing only numpy arrays inside plain containers (see the module docstring).

    Args:
        path: the pickle file.
        encoding: how Python 2 ``str`` objects are decoded (``latin1``, as numpy's Python 2 arrays need).

    Raises:
        RefusedGlobalError: the file names another global (it is not a plain array pickle, and may be
            malicious); nothing was run.
        pickle.UnpicklingError, EOFError, ValueError, TypeError, ...: the file is truncated or damaged
            (the caller names the file).
    """
    with open(path, "rb") as f:
        return _ArraysOnlyUnpickler(f, encoding=encoding).load()
