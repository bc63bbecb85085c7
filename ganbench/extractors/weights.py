"""Pretrained weights files: where to find them, whether they are the published ones, and how to read them.

One mechanism serves every pretrained extractor (Inception-v3, VGG16, CLIP, DINOv2):

- :data:`KNOWN_WEIGHTS` names, per extractor, the file torch-fidelity / torchvision would download,
  its URL, the published SHA-256 (the full digest, or the prefix that is published) and where
  that digest is published. Tests may replace an entry (``monkeypatch.setitem``).
- :func:`check_weights` finds the file (an explicit ``weights=`` path, then
  ``$GANBENCH_WEIGHTS_DIR/<file name>``, then ``torch.hub.get_dir()/checkpoints/<file name>``),
  streams its SHA-256 and compares it with the published one. It is cheap enough to run before
  any work (preflight), and every loader calls it, so the two cannot disagree.
- :func:`load_state_dict` reads a state dict with ``torch.load(weights_only=True)`` (arbitrary
  pickled objects are refused); :func:`load_torchscript` reads CLIP's TorchScript archives.

ganbench never downloads: a missing file is a :class:`WeightsError` that names the file, the
URL to fetch it from and the places it may be put. A file whose digest does not match is refused
unless forced; a forced file gives ``verified=False`` and an extractor name ending in
``-unverified``, so its values are never presented as the published network's.

DINOv2 is the exception torch-fidelity 0.4.0 imposes: it loads DINOv2 only through torch.hub (the
``facebookresearch/dinov2`` code and its checkpoint in ``torch.hub.get_dir()``), never from a
weights path, so a ``weights=`` path is refused for it and the hub cache is the one place looked in.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
import torchvision
from torch_fidelity import feature_extractor_clip, feature_extractor_dinov2, feature_extractor_inceptionv3

WEIGHTS_DIR_ENV = "GANBENCH_WEIGHTS_DIR"
"""Environment variable naming a folder of weights files (each under its :attr:`KnownWeights.file_name`)."""

WeightsFormat = Literal["state-dict", "torchscript", "hub"]


class WeightsError(ValueError):
    """A weights file is missing, unreadable, not the published one, or given where none is accepted.

    The message says how to fix it: which file, where to download it, where to put it.
    """


@dataclass(frozen=True)
class KnownWeights:
    """A published weights file.

    Attributes:
        file_name: the name torch-fidelity / torchvision save it under in torch's hub cache, and
            the name looked for in ``$GANBENCH_WEIGHTS_DIR``.
        url: where it is downloaded from (the URL torch-fidelity / torchvision use).
        sha256: the published SHA-256: the full 64-hex digest, or the published prefix (then only
            the prefix is checked); None when no digest is published (then none is checked).
        published: where that digest (or prefix) is published, or why none is.
        format: ``state-dict`` (``torch.load``), ``torchscript`` (``torch.jit.load``) or ``hub``
            (a checkpoint read by torch.hub code from its cache; ``weights=`` is refused).
        hub_repo: for ``hub``, the torch.hub repository (``owner/name``) whose code builds the model.
        hub_entry: for ``hub``, the entry point of that repository's ``hubconf.py``.
    """

    file_name: str
    url: str
    sha256: str | None
    published: str
    format: WeightsFormat
    hub_repo: str | None = None
    hub_entry: str | None = None


_INCEPTION = KnownWeights(
    file_name="weights-inception-2015-12-05-6726825d.pth",
    url=feature_extractor_inceptionv3.URL_INCEPTION_V3,
    sha256="6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2",
    published=(
        "prefix 6726825d: the file name of torch-fidelity's v0.2.0 release asset "
        "(torch.hub check_hash convention; URL_INCEPTION_V3 in "
        "torch_fidelity/feature_extractor_inceptionv3.py); "
        "torch-fidelity does not publish the full digest: this one was recorded by the ganbench "
        "maintainers for that file and is consistent with the published prefix"
    ),
    format="state-dict",
)

_VGG16 = KnownWeights(
    file_name="vgg16-397923af.pth",
    url=torchvision.models.VGG16_Weights.IMAGENET1K_V1.url,
    sha256="397923af",
    published=(
        "prefix only: torchvision publishes the first 8 hex digits in the file name (torch.hub "
        "check_hash convention; VGG16_Weights.IMAGENET1K_V1 in torchvision/models/vgg.py) and no "
        "full digest, so only the prefix is checked"
    ),
    format="state-dict",
)


def _clip_entry(name: str) -> KnownWeights:
    meta = feature_extractor_clip.MODEL_METADATA[name]
    return KnownWeights(
        file_name=f"{name}-{meta['hash']}.pt",  # the name torch-fidelity caches it under
        url=feature_extractor_clip.MODEL_URLS[name],
        sha256=meta["hash"],
        published=(
            "full digest in OpenAI's download URL (openai/CLIP clip/clip.py _MODELS), "
            "copied in torch-fidelity 0.4.0 (MODEL_METADATA in torch_fidelity/feature_extractor_clip.py)"
        ),
        format="torchscript",
    )


def _dinov2_entry(name: str) -> KnownWeights:
    entry = feature_extractor_dinov2.MODEL_METADATA[name]  # e.g. dinov2_vits14
    return KnownWeights(
        file_name=f"{entry}_pretrain.pth",  # the checkpoint facebookresearch/dinov2's hubconf loads
        url=f"https://dl.fbaipublicfiles.com/dinov2/{entry}/{entry}_pretrain.pth",
        sha256=None,
        published="none: Meta publishes no digest for the DINOv2 checkpoints; the file's digest is recorded",
        format="hub",
        hub_repo="facebookresearch/dinov2",
        hub_entry=entry,
    )


KNOWN_WEIGHTS: dict[str, KnownWeights] = {
    "inception-v3": _INCEPTION,
    "vgg16": _VGG16,
    **{name: _clip_entry(name) for name in feature_extractor_clip.MODEL_METADATA},
    **{name: _dinov2_entry(name) for name in feature_extractor_dinov2.MODEL_METADATA},
}
"""Extractor name -> its published weights file. Replaceable per entry (tests inject digests)."""


@dataclass(frozen=True)
class ResolvedWeights:
    """A weights file found and checked by :func:`check_weights`.

    Attributes:
        extractor: the extractor's registry name.
        path: the file.
        source: where it was found: ``weights=``, ``$GANBENCH_WEIGHTS_DIR`` or ``torch hub cache``.
        sha256: the full SHA-256 of the file.
        verified: False only when the digest did not match the published one and use was forced.
        check: what was checked, in words (full digest, prefix, or nothing published).
        known: the table entry it was checked against.
        hub_repo_dir: for DINOv2, the cached torch.hub repository whose code builds the model.
    """

    extractor: str
    path: Path
    source: str
    sha256: str
    verified: bool
    check: str
    known: KnownWeights
    hub_repo_dir: Path | None = None

    def identity_name(self) -> str:
        """The extractor name for records: ``<name>-unverified`` when the file was forced."""
        return self.extractor if self.verified else f"{self.extractor}-unverified"


def hub_checkpoints_dir() -> Path:
    """``torch.hub.get_dir()/checkpoints``: where torch.hub (and so torch-fidelity) caches weights files."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def _places(known: KnownWeights) -> list[tuple[str, Path | None]]:
    """The places looked in after an explicit path, in order; None for an unset environment variable."""
    env = os.environ.get(WEIGHTS_DIR_ENV)
    return [
        (f"${WEIGHTS_DIR_ENV}", Path(env).expanduser() / known.file_name if env else None),
        ("torch hub cache", hub_checkpoints_dir() / known.file_name),
    ]


def _missing_message(name: str, known: KnownWeights) -> str:
    lines = [
        f"the weights file of extractor {name!r} was not found: {known.file_name}",
        f"ganbench never downloads; download it (on a machine that is online) from {known.url}",
        "and put it, under exactly that name, in one of (looked in, in this order):",
        "  1. a path given with --weights / weights= (a file, or a folder holding it)",
    ]
    for i, (label, path) in enumerate(_places(known), start=2):
        where = str(path) if path is not None else f"not set: export {WEIGHTS_DIR_ENV}=/some/folder"
        lines.append(f"  {i}. {label}: {where}")
    return "\n".join(lines)


def _hub_repo_dir(known: KnownWeights) -> Path | None:
    """The cached torch.hub repository of ``known.hub_repo`` (``<hub dir>/<owner>_<name>_<branch>``)."""
    owner_name = known.hub_repo.replace("/", "_") if known.hub_repo else ""
    for branch in ("main", "master"):  # torch.hub's own offline fallback order
        candidate = Path(torch.hub.get_dir()) / f"{owner_name}_{branch}"
        if (candidate / "hubconf.py").is_file():
            return candidate
    return None


def _hub_message(name: str, known: KnownWeights, what: str) -> str:
    hub = Path(torch.hub.get_dir())
    owner_name = (known.hub_repo or "").replace("/", "_")
    return "\n".join(
        [
            f"extractor {name!r} {what}",
            "torch-fidelity 0.4.0 loads DINOv2 only through torch.hub, so ganbench reads it from the "
            f"torch hub cache (torch.hub.get_dir() = {hub}; set $TORCH_HOME to move it), never from a "
            "weights path. It needs, offline:",
            f"  - the code of https://github.com/{known.hub_repo} in {hub / (owner_name + '_main')}",
            f"  - the checkpoint {known.url} as {hub_checkpoints_dir() / known.file_name}",
            'On a machine that is online, `python -c "import torch; torch.hub.load('
            f"'{known.hub_repo}', '{known.hub_entry}')\"` fills both; copy that hub folder here.",
        ]
    )


_digests: dict[tuple[str, int, int], str] = {}


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks; remembered per (path, size, mtime) within the process."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        _digests[key] = digest.hexdigest()
    return _digests[key]


def _known(name: str) -> KnownWeights:
    if name not in KNOWN_WEIGHTS:
        raise WeightsError(
            f"extractor {name!r} reads no pretrained weights file; "
            f"extractors that do: {', '.join(sorted(KNOWN_WEIGHTS))}"
        )
    return KNOWN_WEIGHTS[name]


def _find(name: str, known: KnownWeights, weights: str | Path | None) -> tuple[Path, str, Path | None]:
    """(file, where it was found, hub repo dir) or :class:`WeightsError`."""
    if known.format == "hub":
        if weights is not None:
            raise WeightsError(_hub_message(name, known, f"cannot load from a weights path ({weights})."))
        repo_dir = _hub_repo_dir(known)
        checkpoint = hub_checkpoints_dir() / known.file_name
        if repo_dir is None or not checkpoint.is_file():
            missing = [
                *([] if repo_dir is not None else [f"the {known.hub_repo} code"]),
                *([] if checkpoint.is_file() else [f"the checkpoint {known.file_name}"]),
            ]
            raise WeightsError(
                _hub_message(name, known, f"is not in the torch hub cache: {' and '.join(missing)} missing.")
            )
        return checkpoint, "torch hub cache", repo_dir
    if weights is not None:
        path = Path(weights).expanduser()
        if path.is_dir():
            path = path / known.file_name
        if not path.is_file():
            raise WeightsError(
                f"weights file {str(path)!r} given for extractor {name!r} does not exist; "
                f"it should be {known.file_name}, downloadable from {known.url}"
            )
        return path, "weights=", None
    for label, path in _places(known):
        if path is not None and path.is_file():
            return path, label, None
    raise WeightsError(_missing_message(name, known))


def _compare(name: str, known: KnownWeights, path: Path, digest: str, force: bool) -> tuple[bool, str]:
    """(verified, what was checked) for ``digest`` vs the published one; a mismatch raises unless forced."""
    if known.sha256 is None:
        return True, f"no published digest to check ({known.published})"
    published = known.sha256.lower()
    full = len(published) == 64
    if digest.startswith(published):
        what = (
            "full SHA-256" if full else f"published SHA-256 prefix {published} (only the prefix is published)"
        )
        return True, f"{what} matches"
    if not force:
        raise WeightsError(
            f"weights file {str(path)!r} for extractor {name!r} is not the published one:\n"
            f"  its SHA-256:       {digest}\n"
            f"  published SHA-256: {published}{'' if full else ' (prefix)'} ({known.published})\n"
            f"Download it again from {known.url}; or, to use this file anyway, pass --force-weights "
            f"(force=True): its values are then recorded under the name {name}-unverified and must not be "
            "presented as the published network's."
        )
    return False, f"SHA-256 {digest} does NOT match the published {published}; used because forced"


def check_weights(name: str, weights: str | Path | None = None, force: bool = False) -> ResolvedWeights:
    """Find extractor ``name``'s weights file and check its SHA-256 against the published one.

    Cheap (one streamed hash, remembered): meant for preflight, and called again by every loader.

    Args:
        name: an extractor of :data:`KNOWN_WEIGHTS`.
        weights: an explicit file (or a folder holding the file under its known name); looked in
            first and alone. Refused for DINOv2 (torch.hub only).
        force: use a file whose digest does not match (``verified=False``).

    Raises:
        WeightsError: unknown name, file missing (the message says where to get it and where to
            put it), digest mismatch without ``force``, or ``weights=`` for a torch.hub model.
    """
    known = _known(name)
    path, source, repo_dir = _find(name, known, weights)
    digest = file_sha256(path)
    verified, check = _compare(name, known, path, digest, force)
    return ResolvedWeights(name, path, source, digest, verified, check, known, repo_dir)


def load_state_dict(resolved: ResolvedWeights) -> dict[str, torch.Tensor]:
    """The file's state dict, read with ``torch.load(weights_only=True)``: tensors only, nothing executed.

    Raises:
        WeightsError: the file is not a plain ``{name: tensor}`` mapping (a pickled object, a
            truncated file, a TorchScript archive...).
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*TorchScript archive.*")
            state = torch.load(resolved.path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError) as err:
        raise WeightsError(
            f"weights file {str(resolved.path)!r} could not be read as a plain state dict "
            f"(only tensors are accepted; arbitrary pickled objects are refused): {err}"
        ) from None
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        found = type(state).__name__
        if isinstance(state, dict):
            bad = next(
                k for k, v in state.items() if not (isinstance(k, str) and isinstance(v, torch.Tensor))
            )
            found = f"a dict whose entry {bad!r} is of type {type(state[bad]).__name__}"
        raise WeightsError(
            f"weights file {str(resolved.path)!r} is not a state dict of tensors (found {found}); "
            f"expected the published {resolved.known.file_name} from {resolved.known.url}"
        )
    return state


def load_torchscript(resolved: ResolvedWeights) -> torch.jit.ScriptModule:
    """The file as a TorchScript archive (CLIP's published format), on the CPU.

    Raises:
        WeightsError: the file is not a TorchScript archive.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings(
                "ignore", message=r".*torch\.jit\.load.*deprecated", category=FutureWarning
            )
            return torch.jit.load(str(resolved.path), map_location="cpu")
    except (RuntimeError, ValueError, OSError) as err:
        raise WeightsError(
            f"weights file {str(resolved.path)!r} is not a TorchScript archive as {resolved.known.file_name} "
            f"from {resolved.known.url} is: {str(err).splitlines()[0] if str(err) else type(err).__name__}"
        ) from None
