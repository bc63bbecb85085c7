"""ganbench: train GAN variants to a fair budget and evaluate them with Borji's measures."""

# Sub-packages register their entries on import.
import ganbench.datasets
from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS

import ganbench.metrics  # noqa: F401  isort: skip

__version__ = "0.1.0"

__all__ = ["DATASETS", "EXTRACTORS", "METRICS", "VARIANTS", "__version__"]
