"""GAN variants, one file each, registered in ``VARIANTS`` on import.

A new variant is one new module here that registers a :class:`Variant` (the contract in
``spec.py``); its networks come from :mod:`ganbench.networks` and its losses from
:mod:`ganbench.losses`, which the measures share.
"""

from ganbench._autoload import import_submodules
from ganbench.variants.spec import Variant

import_submodules(__name__, __path__)

__all__ = ["Variant"]
