"""Weights files: the published-digest table, where files are looked for, digests, refusals, safe loading."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import pytest
import torch

from ganbench.extractors import weights as w
from ganbench.extractors.weights import (
    KNOWN_WEIGHTS,
    WEIGHTS_DIR_ENV,
    WeightsError,
    check_weights,
    file_sha256,
    load_state_dict,
    load_torchscript,
)

INCEPTION = KNOWN_WEIGHTS["inception-v3"].file_name


class Payload:
    """A non-tensor object: pickled into a weights file, it must be refused."""

    def __init__(self) -> None:
        self.x = 1


def _junk(path: Path, content: bytes = b"not weights") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _inject(monkeypatch: pytest.MonkeyPatch, name: str, sha256: str | None) -> None:
    monkeypatch.setitem(KNOWN_WEIGHTS, name, dataclasses.replace(KNOWN_WEIGHTS[name], sha256=sha256))


def test_table_digests_are_consistent_with_what_is_published() -> None:
    hex_digest = re.compile(r"^[0-9a-f]+$")
    for name, known in KNOWN_WEIGHTS.items():
        assert known.url.startswith("https://"), name
        assert known.published, name
        if known.sha256 is None:
            assert known.format == "hub", f"{name}: only torch.hub checkpoints may lack a published digest"
            continue
        assert hex_digest.match(known.sha256) and len(known.sha256) in (8, 64), name
        if known.format == "torchscript":  # OpenAI publishes the full digest in the URL path
            assert f"/{known.sha256}/" in known.url, name
    # torch.hub's check_hash convention: the release file name carries the digest's first 8 hex digits
    for name in ("inception-v3", "vgg16"):
        known = KNOWN_WEIGHTS[name]
        prefix = re.search(r"-([0-9a-f]{8,})\.", known.file_name).group(1)
        assert known.sha256.startswith(prefix) and known.url.endswith(known.file_name), name
    assert len(KNOWN_WEIGHTS["inception-v3"].sha256) == 64
    assert KNOWN_WEIGHTS["vgg16"].sha256 == "397923af" and "prefix" in KNOWN_WEIGHTS["vgg16"].published


def test_file_sha256_streams_and_notices_a_changed_file(tmp_path: Path) -> None:
    path = _junk(tmp_path / "f.bin", bytes(range(256)) * 5000)  # > 1 MiB: several chunks
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(b"other content")
    assert file_sha256(path) == hashlib.sha256(b"other content").hexdigest()


def test_missing_file_names_the_file_the_url_and_the_three_places(
    isolated_hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(WeightsError) as err:
        check_weights("inception-v3")
    text = str(err.value)
    assert INCEPTION in text and KNOWN_WEIGHTS["inception-v3"].url in text
    assert "--weights" in text and f"${WEIGHTS_DIR_ENV}: not set" in text
    assert str(isolated_hub / "checkpoints" / INCEPTION) in text
    assert "never downloads" in text
    monkeypatch.setenv(WEIGHTS_DIR_ENV, str(tmp_path / "my-weights"))
    with pytest.raises(WeightsError, match=re.escape(str(tmp_path / "my-weights" / INCEPTION))):
        check_weights("inception-v3")


def test_an_explicit_path_that_does_not_exist_is_an_error_not_a_fallback(
    tmp_path: Path, isolated_hub: Path
) -> None:
    _junk(isolated_hub / "checkpoints" / INCEPTION)
    with pytest.raises(WeightsError, match="does not exist"):
        check_weights("inception-v3", weights=tmp_path / "typo.pth", force=True)


def test_search_order_explicit_then_env_then_hub(
    tmp_path: Path, isolated_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = _junk(isolated_hub / "checkpoints" / INCEPTION, b"hub")
    found = check_weights("inception-v3", force=True)
    assert (found.path, found.source) == (hub, "torch hub cache")
    env = _junk(tmp_path / "env" / INCEPTION, b"env")
    monkeypatch.setenv(WEIGHTS_DIR_ENV, str(tmp_path / "env"))
    found = check_weights("inception-v3", force=True)
    assert (found.path, found.source, found.sha256) == (
        env,
        f"${WEIGHTS_DIR_ENV}",
        hashlib.sha256(b"env").hexdigest(),
    )
    explicit = _junk(tmp_path / "mine" / "any-name.pth", b"explicit")
    assert check_weights("inception-v3", weights=explicit, force=True).source == "weights="
    folder = _junk(tmp_path / "folder" / INCEPTION, b"in a folder")
    assert check_weights("inception-v3", weights=tmp_path / "folder", force=True).path == folder


def test_wrong_digest_is_refused_naming_both_digests(tmp_path: Path) -> None:
    path = _junk(tmp_path / INCEPTION)
    with pytest.raises(WeightsError) as err:
        check_weights("inception-v3", weights=path)
    text = str(err.value)
    assert file_sha256(path) in text and KNOWN_WEIGHTS["inception-v3"].sha256 in text
    assert "--force-weights" in text and "inception-v3-unverified" in text


def test_forced_mismatch_is_unverified(tmp_path: Path) -> None:
    path = _junk(tmp_path / INCEPTION)
    found = check_weights("inception-v3", weights=path, force=True)
    assert found.verified is False and found.identity_name() == "inception-v3-unverified"
    assert found.sha256 == file_sha256(path) and "NOT match" in found.check


def test_matching_full_digest_and_matching_prefix_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _junk(tmp_path / "x.pth")
    digest = file_sha256(path)
    _inject(monkeypatch, "inception-v3", digest)
    found = check_weights("inception-v3", weights=path)
    assert (
        found.verified and found.identity_name() == "inception-v3" and "full SHA-256 matches" in found.check
    )
    _inject(monkeypatch, "vgg16", digest[:8])
    assert "prefix" in check_weights("vgg16", weights=path).check
    other = "0" * 8 if not digest.startswith("0" * 8) else "f" * 8
    _inject(monkeypatch, "vgg16", other)
    with pytest.raises(WeightsError, match="not the published one"):
        check_weights("vgg16", weights=path)


def test_no_weights_extractor_and_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="reads no pretrained weights file"):
        check_weights("pixels")


def test_pickled_objects_and_non_tensor_entries_are_refused(tmp_path: Path) -> None:
    def forced(path: Path) -> w.ResolvedWeights:
        return check_weights("inception-v3", weights=path, force=True)

    pickled = tmp_path / "pickled.pth"
    torch.save({"conv.weight": torch.ones(2), "payload": Payload()}, pickled)
    with pytest.raises(WeightsError, match="arbitrary pickled objects are refused"):
        load_state_dict(forced(pickled))
    with_int = tmp_path / "with-int.pth"
    torch.save({"conv.weight": torch.ones(2), "epoch": 3}, with_int)
    with pytest.raises(WeightsError, match="entry 'epoch' is of type int"):
        load_state_dict(forced(with_int))
    a_list = tmp_path / "list.pth"
    torch.save([torch.ones(2)], a_list)
    with pytest.raises(WeightsError, match="found list"):
        load_state_dict(forced(a_list))
    good = tmp_path / "good.pth"
    torch.save({"conv.weight": torch.arange(3.0)}, good)
    assert torch.equal(load_state_dict(forced(good))["conv.weight"], torch.arange(3.0))
    truncated = _junk(tmp_path / "truncated.pth", good.read_bytes()[:100])
    with pytest.raises(WeightsError, match="could not be read"):
        load_state_dict(forced(truncated))


def test_torchscript_loader_refuses_a_non_archive(tmp_path: Path, isolated_hub: Path) -> None:
    name = "clip-vit-b-32"
    _junk(isolated_hub / "checkpoints" / KNOWN_WEIGHTS[name].file_name)
    with pytest.raises(WeightsError, match="not a TorchScript archive"):
        load_torchscript(check_weights(name, force=True))


def test_dinov2_refuses_a_weights_path_and_says_where_the_hub_cache_goes(
    tmp_path: Path, isolated_hub: Path
) -> None:
    path = _junk(tmp_path / "dinov2_vits14_pretrain.pth")
    with pytest.raises(WeightsError) as err:
        check_weights("dinov2-vit-s-14", weights=path)
    text = str(err.value)
    assert "cannot load from a weights path" in text and "torch.hub" in text
    assert str(isolated_hub / "facebookresearch_dinov2_main") in text
    assert str(isolated_hub / "checkpoints" / "dinov2_vits14_pretrain.pth") in text
    with pytest.raises(WeightsError, match=r"code and the checkpoint dinov2_vits14_pretrain\.pth missing"):
        check_weights("dinov2-vit-s-14")
