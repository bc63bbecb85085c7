"""Measures, one file each (or one per tight family), registered in ``METRICS`` on import.

A new measure is one new module here using the :func:`metric` decorator (the contract in
``spec.py``); it is imported automatically. Shared math lives in :mod:`ganbench.numerics`.
"""

from ganbench._autoload import import_submodules
from ganbench.metrics.spec import MetricSpec, metric

import_submodules(__name__, __path__)

__all__ = ["MetricSpec", "metric"]
