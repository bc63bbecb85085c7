"""Training: THE loop every variant shares, sampling from the trained generator, and the files a run keeps."""

from ganbench.training.loop import Checkpoint, TrainResult, build_networks, train
from ganbench.training.sampling import sample

__all__ = ["Checkpoint", "TrainResult", "build_networks", "sample", "train"]
