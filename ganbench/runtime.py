"""Where ganbench computes: the one device resolver, and the thread settings of the entry points."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch


def resolve_device(name: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; ``"cpu"``, ``"cuda"``, ``"cuda:N"`` as given, checked.

    Raises:
        ValueError: an unknown device name, or a CUDA device on a machine without one (saying
            which devices exist), so a typo fails before any work starts.
    """
    if isinstance(name, torch.device):
        device = name
    elif name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        try:
            device = torch.device(name)
        except (RuntimeError, TypeError):
            raise ValueError(f"unknown device {name!r}; use auto, cpu, cuda or cuda:N") from None
    if device.type == "cpu":
        return device
    if device.type != "cuda":
        raise ValueError(f"device {str(device)!r} is not supported; use auto, cpu, cuda or cuda:N")
    if not torch.cuda.is_available():
        raise ValueError(
            f"device {str(device)!r} was asked for but CUDA is not available; use --device cpu or auto"
        )
    if device.index is not None and device.index >= torch.cuda.device_count():
        raise ValueError(
            f"device {str(device)!r} does not exist; this machine has "
            f"{torch.cuda.device_count()} CUDA device(s)"
        )
    return device


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configure_threads() -> dict[str, int]:
    """Set the thread pools once, at an entry point (the CLI, a benchmark): torch gets every core, BLAS one.

    torch (OpenMP) and numpy's BLAS (OpenBLAS) each start a thread per core, and each pool keeps
    its threads spinning for a while after a call. When the two alternate, as a measure battery
    does (a torch distance pass, then a numpy covariance), the spinning pool takes the cores the
    working one needs. Measured on a 2-core machine, 20 rounds of a 1000 x 1000 torch k-NN
    followed by a 128-d covariance and eigendecomposition: 0.53 s torch + 0.13 s numpy with
    both pools at 2 threads, 0.18 s + 0.05 s with BLAS at 1 thread. Most heavy work in ganbench
    is torch (training, the extractor, distance tiles), so BLAS gets one thread; large numpy
    products (a 2048-d covariance) are then up to 1.5x slower, and the values do not change.

    Python API users keep their process's settings unless they call this.

    Returns:
        The thread counts now in force: ``{"torch": n, "blas": 1}``.
    """
    from threadpoolctl import threadpool_limits

    cores = available_cores()
    torch.set_num_threads(cores)
    threadpool_limits(limits=1, user_api="blas")
    return {"torch": cores, "blas": 1}


_blas_controller = None  # threadpoolctl's view of the loaded BLAS libraries, found once


@contextmanager
def blas_on_every_core() -> Iterator[None]:
    """numpy's BLAS and LAPACK on every core inside the block, whatever the process's setting.

    For a large float64 product or factorisation that runs alone, between torch passes (FID's
    covariances and eigenvalue solve): the entry points give BLAS one thread
    (:func:`configure_threads`), which at 10,000 x 2048 on 2 cores made FID's float64 work 2.6 s
    instead of 1.8 s. The previous limits are restored on exit. Costs microseconds (the BLAS
    libraries are looked up once per process, a library loaded later is not seen).
    """
    global _blas_controller
    from threadpoolctl import ThreadpoolController

    if _blas_controller is None:
        _blas_controller = ThreadpoolController()
    with _blas_controller.limit(limits=available_cores(), user_api="blas"):
        yield
