"""ganbench: train GAN variants to a fair budget and evaluate them with Borji's measures."""

from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS

# Sub-packages register their entries on import.
import ganbench.datasets  # noqa: E402,F401  isort: skip
import ganbench.metrics  # noqa: E402,F401  isort: skip

__version__ = "0.1.0"

__all__ = ["DATASETS", "EXTRACTORS", "METRICS", "VARIANTS", "__version__"]
