"""Training: THE loop every variant shares, its checkpoints (resume after a kill), sampling from the
trained generator, and the files a run keeps."""

from ganbench.training.loop import Checkpoint, TrainResult, build_networks, train
from ganbench.training.resume import CheckpointMismatchError, TrainingCheckpoints
from ganbench.training.sampling import balanced_labels, sample, sample_conditional

__all__ = [
    "Checkpoint",
    "CheckpointMismatchError",
    "TrainResult",
    "TrainingCheckpoints",
    "balanced_labels",
    "build_networks",
    "sample",
    "sample_conditional",
    "train",
]
