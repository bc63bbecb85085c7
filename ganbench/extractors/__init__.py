"""Feature extractors, one file each, registered in ``EXTRACTORS`` on import.

:func:`resolve_extractor` builds one from a registry name or a user's ``module:function``;
:func:`check_extractor` runs its cheap checks (name, settings, weights file, user module) first.
"""

from ganbench._autoload import import_submodules
from ganbench.extractors.resolve import ExtractorCheck, check_extractor, resolve_extractor
from ganbench.extractors.spec import ExtractorIdentity, FeatureExtractor
from ganbench.extractors.user_module import UserExtractorError, load_user_extractor
from ganbench.extractors.weights import KNOWN_WEIGHTS, ResolvedWeights, WeightsError, check_weights

import_submodules(__name__, __path__)

__all__ = [
    "KNOWN_WEIGHTS",
    "ExtractorCheck",
    "ExtractorIdentity",
    "FeatureExtractor",
    "ResolvedWeights",
    "UserExtractorError",
    "WeightsError",
    "check_extractor",
    "check_weights",
    "load_user_extractor",
    "resolve_extractor",
]
