"""GAN variants, one file each, registered in ``VARIANTS`` on import.

A new variant is one new module here that registers a :class:`Variant`; shared networks live
in ``_nets.py`` and losses in ``_losses.py``.
"""

from ganbench._autoload import import_submodules
from ganbench.variants._spec import Variant

import_submodules(__name__, __path__)

__all__ = ["Variant"]
