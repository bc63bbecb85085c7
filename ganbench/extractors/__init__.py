"""Feature extractors, one file each, registered in ``EXTRACTORS`` on import."""

from ganbench._autoload import import_submodules
from ganbench.extractors.spec import ExtractorIdentity, FeatureExtractor

import_submodules(__name__, __path__)

__all__ = ["ExtractorIdentity", "FeatureExtractor"]
