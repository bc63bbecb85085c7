"""Image sources: every kind of image set ``ganbench evaluate --real SPEC --fake SPEC`` accepts.

A SPEC is one of (an existing path wins over the other readings; ``module:function`` is read
only when no such path exists):

- ``NAME[:SPLIT]``: a registered dataset (``mnist-5k``, ``mnist-5k:train``, ``fashion-mnist:test``),
  split ``test`` (held out, the default) or ``train``. Its class labels come with it; on the real
  side, so does its training split. No offline fallback: the dataset named is the one loaded.
  ``folder:PATH[,size=N][,channels=C][:SPLIT]`` is a folder as a dataset (`ganbench.datasets.folder`:
  resized, labelled and split exactly as ``ganbench run --dataset folder:PATH`` makes it).
- ``RUN_FOLDER``: a folder made by ``ganbench run`` (it holds ``run.json`` and ``records.jsonl``):
  one generated set per ``<variant>/seed<k>/generator.pt``, sampled with the unit's training seed
  (what the run scored). Fake side only.
- ``FOLDER``: any other folder: its PNG / JPEG files (``.png .jpg .jpeg``, any case, at any depth)
  in sorted relative-path order, all of one size and channel count (never resized). Greyscale
  (``L``) or ``RGB``; a palette, an opaque alpha channel or an exactly widened 16-bit image is
  converted without loss and said so; anything else is refused. Top-level subfolders named
  ``0/ 1/ ...`` give class labels (the ImageFolder layout).
- ``FILE.npy`` / ``FILE.npz``: an image array, read without unpickling: uint8 [N, H, W],
  [N, H, W, C] or [N, C, H, W] with C in {1, 3}; integers in 0..255; floats with a declared
  range (``--real-range`` / ``--fake-range`` ``0,1`` or ``-1,1``). In an .npz: ``--fake-key`` (or
  ``--real-key``), else the only array, else ``images``, ``x``, ``arr_0`` or ``samples``; labels
  from ``labels`` or ``y``.
- ``module:function`` or ``path/to/file.py:function``: a torch generator. The function returns
  ``(module, latent_dim)`` (``module(z)``) or ``(module, latent_dim, num_classes)``
  (``module(z, labels)``, sampled with balanced labels); images [B, C, H, W] in [-1, 1] (Tanh),
  or [0, 1] with ``--fake-range 0,1``; weights from ``--checkpoint`` (a state dict).

Two phases, so that a mistake never costs a feature pass: :func:`parse_source` checks a SPEC
cheaply (names, files, headers, the first image, imports, a generator's weights and one small
batch); :meth:`SourceSpec.load` reads or samples the images and returns :class:`LoadedSet` s.
"""

from ganbench.sources.parse import KINDS, parse_source
from ganbench.sources.spec import LoadedSet, SourceError, SourceSpec, content_sha256
from ganbench.sources.subset import subset, subset_indices

__all__ = [
    "KINDS",
    "LoadedSet",
    "SourceError",
    "SourceSpec",
    "content_sha256",
    "parse_source",
    "subset",
    "subset_indices",
]
