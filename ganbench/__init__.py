"""ganbench: train GAN variants to a fair budget and evaluate them with Borji's measures.

The public API: the four registries, :func:`run`, :func:`sweep` (Lucic et al.'s equal-budget
search), :func:`resume` (an interrupted run or sweep), :func:`evaluate` (score anyone's images or
generator), :func:`validate` (test the measures against Borji's desiderata), :func:`load_records`,
:func:`summary`, :func:`compare`, :func:`export` and the config types.
"""

from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS  # isort: skip

# Importing the plugin sub-packages registers their entries.
import ganbench.datasets
import ganbench.extractors
import ganbench.metrics

import ganbench.variants  # noqa: F401  isort: skip
from ganbench.analysis.comparisons import compare
from ganbench.analysis.summary import summary
from ganbench.config import ConfigError, EvalConfig, RunConfig, TrainConfig, check_config, load_preset
from ganbench.reporting.export import export
from ganbench.reporting.records import load_records
from ganbench.studies.evaluate import EvaluateConfig, EvaluateError, evaluate
from ganbench.studies.pipeline import resume, run, sweep
from ganbench.studies.sweep import SweepSettings
from ganbench.studies.validate import ValidateConfig, ValidateError, validate

__version__ = "0.7.0"

__all__ = [
    "DATASETS",
    "EXTRACTORS",
    "METRICS",
    "VARIANTS",
    "ConfigError",
    "EvalConfig",
    "EvaluateConfig",
    "EvaluateError",
    "RunConfig",
    "SweepSettings",
    "TrainConfig",
    "ValidateConfig",
    "ValidateError",
    "__version__",
    "check_config",
    "compare",
    "evaluate",
    "export",
    "load_preset",
    "load_records",
    "resume",
    "run",
    "summary",
    "sweep",
    "validate",
]
