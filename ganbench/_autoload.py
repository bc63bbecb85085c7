"""Import every public module of a sub-package so that its entries register themselves."""

from __future__ import annotations

import importlib
import pkgutil


def import_submodules(package_name: str, package_path: list[str]) -> None:
    """Import ``package_name.<module>`` for each module in ``package_path`` not starting with ``_``."""
    for info in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package_name}.{info.name}")
