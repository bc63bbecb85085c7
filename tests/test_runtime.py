"""Tests for the one device resolver and the entry points' thread settings."""

from __future__ import annotations

import pytest
import torch
from threadpoolctl import threadpool_info

from ganbench.runtime import available_cores, configure_threads, resolve_device


def test_auto_cpu_and_bad_names() -> None:
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    for bad in ("tpu", "no-such-device", "cuda:x"):
        with pytest.raises(ValueError, match="auto, cpu, cuda"):
            resolve_device(bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
def test_cuda_without_cuda_says_what_to_use() -> None:
    with pytest.raises(ValueError, match="CUDA is not available; use --device cpu or auto"):
        resolve_device("cuda:0")


def test_configure_threads_gives_torch_the_cores_and_blas_one() -> None:
    assert configure_threads() == {"torch": available_cores(), "blas": 1}
    assert torch.get_num_threads() == available_cores()
    assert all(info["num_threads"] == 1 for info in threadpool_info() if info["user_api"] == "blas")
