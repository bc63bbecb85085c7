"""Metrics, one file each (or one per tight family), registered in ``METRICS`` on import.

A new metric is one new module here using the :func:`metric` decorator; it is imported
automatically.
"""

from ganbench._autoload import import_submodules
from ganbench.metrics._spec import MetricSpec, metric

import_submodules(__name__, __path__)

__all__ = ["MetricSpec", "metric"]
