"""Dataset factories, registered in ``DATASETS``; importing this package registers them all."""

from ganbench._autoload import import_submodules
from ganbench.datasets.spec import (
    CorruptDatasetError,
    Dataset,
    DatasetNameError,
    DatasetUnavailableError,
    ImageSet,
    default_cache_dir,
    default_data_root,
)

import_submodules(__name__, __path__)

__all__ = [
    "CorruptDatasetError",
    "Dataset",
    "DatasetNameError",
    "DatasetUnavailableError",
    "ImageSet",
    "default_cache_dir",
    "default_data_root",
]
