"""Name or spec -> extractor: every cheap check before work, then the build."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import torch

from ganbench.extractors.pixels import PixelsExtractor
from ganbench.extractors.resolve import check_extractor, resolve_extractor
from ganbench.extractors.user_module import UserExtractor, UserExtractorError
from ganbench.extractors.weights import KNOWN_WEIGHTS, WeightsError
from ganbench.registry import EXTRACTORS, UnknownNameError

USER = "from torch import nn\n\ndef build():\n    return nn.Flatten()\n"


def test_every_registered_factory_has_the_factory_signature() -> None:
    for name, factory in EXTRACTORS.items():
        parameters = inspect.signature(factory).parameters
        assert next(iter(parameters)) == "dataset", name
        for runtime in ("device", "progress"):
            assert parameters[runtime].kind is inspect.Parameter.KEYWORD_ONLY, (name, runtime)
        if name in KNOWN_WEIGHTS:
            assert {"weights", "force_weights"} <= set(parameters), name
        assert (factory.__doc__ or "").strip(), f"{name}: `ganbench list extractors` shows its docstring"


def test_every_registered_name_passes_or_fails_its_cheap_check_clearly() -> None:
    for name in EXTRACTORS:
        if name in KNOWN_WEIGHTS:  # no weights files on the test machine
            with pytest.raises(WeightsError, match=name):
                check_extractor(name)
        else:
            assert check_extractor(name).weights is None


def test_unknown_name_suggests_the_close_one() -> None:
    with pytest.raises(UnknownNameError) as err:
        check_extractor("inceptoin-v3")
    text = str(err.value)
    assert "did you mean 'inception-v3'" in text and "pixels" in text and "module:function" in text


def test_unknown_setting_suggests_the_close_one() -> None:
    with pytest.raises(ValueError, match="takes no setting 'batchsize'; did you mean 'batch_size'"):
        check_extractor("inception-v3", settings={"batchsize": 8})
    with pytest.raises(ValueError, match=r"its settings: \(none\)"):
        check_extractor("pixels", settings={"epochs": 3})


def test_weights_where_none_are_read_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="reads no pretrained weights file"):
        check_extractor("pixels", weights=tmp_path / "x.pth")
    with pytest.raises(WeightsError, match="reads no pretrained weights file"):
        check_extractor("domain-classifier", weights=tmp_path / "x.pth")


def test_checks_report_what_they_found(random_inception: Path) -> None:
    checked = check_extractor("inception-v3", weights=random_inception, force_weights=True)
    assert checked.weights is not None and checked.weights.verified is False
    assert checked.settings == ("batch_size",) and not checked.needs_dataset
    domain = check_extractor("domain-classifier")
    assert domain.needs_dataset and set(domain.settings) == {"cache_dir", "epochs", "seed"}


def test_user_spec_is_imported_at_check_time(tmp_path: Path) -> None:
    path = tmp_path / "feat.py"
    path.write_text(USER)
    for spec in (f"{path}:build", f"user:{path}:build"):
        checked = check_extractor(spec)
        assert checked.user is not None and checked.user.function == "build"
        assert checked.name == f"{path}:build"
    with pytest.raises(UserExtractorError, match="has no function 'buidl'"):
        check_extractor(f"{path}:buidl")
    with pytest.raises(WeightsError, match="reads no pretrained weights file"):
        check_extractor(f"{path}:build", weights=path)


def test_resolve_builds_registry_and_user_extractors(tmp_path: Path) -> None:
    assert isinstance(resolve_extractor("pixels", device="cpu", progress=False), PixelsExtractor)
    path = tmp_path / "feat.py"
    path.write_text(USER)
    probe = torch.zeros(2, 1, 4, 4, dtype=torch.uint8)
    user = resolve_extractor(f"{path}:build", device="auto", progress=False, probe=probe, batch_size=8)
    assert isinstance(user, UserExtractor) and user.identity.name == f"user:{path}:build"
    assert user(probe)["features"].shape == (2, 16)


def test_resolve_refuses_before_building(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is built from a dataset"):
        resolve_extractor("domain-classifier", progress=False)
    with pytest.raises(ValueError, match="unknown device"):
        resolve_extractor("pixels", device="tpu", progress=False)
    with pytest.raises(WeightsError, match=r"weights-inception-2015-12-05-6726825d\.pth"):
        resolve_extractor("inception-v3", progress=False)


def test_resolve_passes_weights_and_settings_to_the_factory(random_inception: Path) -> None:
    extractor = resolve_extractor(
        "inception-v3", weights=random_inception, force_weights=True, progress=False, batch_size=3
    )
    assert extractor.identity.name == "inception-v3-unverified" and extractor.batch_size == 3
