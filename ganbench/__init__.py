"""ganbench: train GAN variants to a fair budget and evaluate them with Borji's measures.

The public API: the four registries, :func:`load_records`, :func:`run` and the config types.
"""

from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS  # isort: skip

# Importing the sub-packages registers their entries.
import ganbench.datasets
import ganbench.extractors
import ganbench.metrics

import ganbench.variants  # noqa: F401  isort: skip
from ganbench.config import EvalConfig, RunConfig, TrainConfig, load_preset
from ganbench.pipeline import run
from ganbench.records import load_records

__version__ = "0.1.0"

__all__ = [
    "DATASETS",
    "EXTRACTORS",
    "METRICS",
    "VARIANTS",
    "EvalConfig",
    "RunConfig",
    "TrainConfig",
    "__version__",
    "load_preset",
    "load_records",
    "run",
]
