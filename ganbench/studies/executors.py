"""Where a study's jobs run: in this process, in local worker processes, or on a Ray cluster.

Every executor runs the same function, :func:`~ganbench.studies.jobs.run_job`, on the jobs not
finished yet, and hands each :class:`~ganbench.studies.jobs.JobOutcome` to the driver as it
arrives (the driver logs it and shows progress over all jobs). The jobs write their records and
artifacts into the run folder themselves, so every worker must reach it: one machine, or a file
system shared by the cluster's nodes (as Ray's own storage for multi-node jobs must be).

- :class:`LocalExecutor` (``--executor local``, the default): ``--jobs 1`` runs the jobs one after
  another in this process (as ganbench always did); ``--jobs N`` runs N at once in worker
  processes, each with its share of the CPU cores and, with several GPUs, a GPU of its own.
- :class:`RayExecutor` (``--executor ray``): every job is a Ray task with its resource needs (one
  CPU, and one GPU when the run trains on CUDA), on the cluster at ``--ray-address`` or on a
  local one it starts; a task whose worker dies is retried (``max_retries``), and a job lost
  for good is recorded as failed while the study goes on. Ray is an optional extra:
  ``pip install 'ganbench[ray]'``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from typing import Any, Protocol

import torch
from tqdm.auto import tqdm

from ganbench.runtime import available_cores
from ganbench.studies.jobs import Job, JobContext, JobOutcome, is_done, read_done, record_lost_job, run_job

OnOutcome = Callable[[JobOutcome], None]
Log = Callable[[str], None]

#: The executor names ``--executor`` takes.
EXECUTORS = ("local", "ray")


class ExecutorError(RuntimeError):
    """An executor that cannot run here (Ray missing, no cluster at the address), said how to fix."""


class Executor(Protocol):
    """Runs jobs and reports each outcome."""

    def check(self) -> None:
        """Raise :class:`ExecutorError` before any work when the executor cannot run here."""

    def run(
        self, context: JobContext, jobs: list[Job], *, on_outcome: OnOutcome, progress: bool, log: Log
    ) -> None:
        """Run every job of ``jobs`` not finished yet; call ``on_outcome`` in the driver as each ends."""

    def started(self) -> AbstractContextManager[None]:
        """Hold what the executor starts (a local Ray instance) over several :meth:`run` calls (a
        sweep's two phases), so it starts once per study."""


def _pending(context: JobContext, jobs: list[Job], bar: tqdm, log: Log) -> list[Job]:
    """The jobs still to run; the finished ones (a resume) are counted on the bar and said once."""
    finished = [job for job in jobs if is_done(context.run_dir, job)]
    for job in finished:
        log(f"{job.label}: finished before ({read_done(context.run_dir, job)['status']}), skipped")
    bar.update(len(finished))
    return [job for job in jobs if not is_done(context.run_dir, job)]


def _bar(jobs: list[Job], progress: bool) -> tqdm:
    return tqdm(total=len(jobs), unit="job", desc="jobs", disable=None if progress else True)


@dataclass(frozen=True)
class LocalExecutor:
    """Jobs on this machine: ``jobs`` at once (1: in this process, one after another).

    With ``jobs`` > 1 each worker process gets ``cores // jobs`` torch threads, and on a machine
    with several GPUs (a run on ``cuda``) worker i trains on GPU ``i % gpus``.
    """

    jobs: int = 1

    def check(self) -> None:
        if self.jobs < 1:
            raise ExecutorError(f"--jobs must be at least 1; got {self.jobs}")

    @contextmanager
    def started(self) -> Iterator[None]:
        yield  # worker processes live for one run() call

    def run(
        self, context: JobContext, jobs: list[Job], *, on_outcome: OnOutcome, progress: bool, log: Log
    ) -> None:
        with _bar(jobs, progress and self.jobs > 1) as bar:
            pending = _pending(context, jobs, bar, log)
            if self.jobs == 1 or len(pending) <= 1:
                for job in pending:
                    on_outcome(run_job(context, job, progress=progress))
                    bar.update(1)
                return
            self._in_processes(context, pending, on_outcome, bar)

    def _in_processes(
        self, context: JobContext, pending: list[Job], on_outcome: OnOutcome, bar: tqdm
    ) -> None:
        workers = min(self.jobs, len(pending))
        devices = _worker_devices(context.device, workers)
        threads = max(1, available_cores() // workers)
        spawn = multiprocessing.get_context("spawn")  # no fork of a process holding torch's threads
        slots = spawn.Queue()
        for device in devices:
            slots.put(device)
        pool = ProcessPoolExecutor(
            workers, mp_context=spawn, initializer=_start_worker, initargs=(slots, threads)
        )
        futures: dict[Future[JobOutcome], Job] = {}
        try:
            futures = {pool.submit(_run_in_worker, context, job): job for job in pending}
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        outcome = future.result()
                    except BrokenProcessPool as err:
                        raise ExecutorError(
                            f"a worker process died ({err}); the finished jobs are kept: continue with "
                            f"ganbench run --resume {context.run_dir} (a sweep: ganbench sweep --resume)"
                        ) from None
                    on_outcome(outcome)
                    bar.update(1)
        except BaseException:
            for future in futures:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def _worker_devices(device: str, workers: int) -> list[str]:
    """One device per worker: the run's device, spread over the GPUs when it is CUDA and there are several."""
    if torch.device(device).type != "cuda" or torch.device(device).index is not None:
        return [device] * workers
    gpus = max(1, torch.cuda.device_count())
    return [f"cuda:{i % gpus}" for i in range(workers)]


_WORKER_DEVICE: str | None = None


def _start_worker(slots: Any, threads: int) -> None:
    """A local worker process: its torch threads and its device (taken from the queue, one each)."""
    global _WORKER_DEVICE
    torch.set_num_threads(threads)
    _WORKER_DEVICE = slots.get()


def _run_in_worker(context: JobContext, job: Job) -> JobOutcome:
    device = _WORKER_DEVICE or context.device
    return run_job(replace(context, device=device) if device != context.device else context, job)


@dataclass(frozen=True)
class RayExecutor:
    """Jobs as Ray tasks on the cluster at ``address`` (None: start a local one for this run).

    ``max_retries``: how often a task whose worker process died (killed, node lost) is
    retried before the job is recorded as failed. A job's own exception is not retried: it is
    recorded as failed by the job itself. ``cpus_per_job``: the CPUs a task asks for (its torch
    threads).
    """

    address: str | None = None
    max_retries: int = 3
    cpus_per_job: int = 1

    def check(self) -> None:
        try:
            import ray  # noqa: F401
        except ImportError:
            raise ExecutorError(
                "--executor ray needs Ray, an optional extra: pip install 'ganbench[ray]'"
            ) from None
        if self.max_retries < 0 or self.cpus_per_job < 1:
            raise ExecutorError("the Ray executor needs max_retries >= 0 and cpus_per_job >= 1")

    def _connect(self) -> bool:
        """Connect to the cluster (start a local one) unless this process is connected; whether it did."""
        import ray

        if ray.is_initialized():
            return False
        try:
            ray.init(
                address=self.address,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
                runtime_env={"env_vars": {"OMP_NUM_THREADS": str(self.cpus_per_job)}},
            )
        except (ConnectionError, RuntimeError, ValueError) as err:
            where = f"at --ray-address {self.address}" if self.address else "locally"
            raise ExecutorError(f"could not start or reach a Ray cluster {where}: {err}") from None
        return True

    @contextmanager
    def started(self) -> Iterator[None]:
        import ray

        started_here = self._connect()
        try:
            yield
        finally:
            if started_here:
                ray.shutdown()

    def run(
        self, context: JobContext, jobs: list[Job], *, on_outcome: OnOutcome, progress: bool, log: Log
    ) -> None:
        import ray

        started_here = self._connect()
        gpus = 1 if torch.device(context.device).type == "cuda" else 0
        task = ray.remote(
            num_cpus=self.cpus_per_job, num_gpus=gpus, max_retries=self.max_retries, retry_exceptions=False
        )(_ray_job)
        try:
            with _bar(jobs, progress) as bar:
                pending = _pending(context, jobs, bar, log)
                waiting = {task.remote(context, job): job for job in pending}
                while waiting:
                    ready, _ = ray.wait(list(waiting), num_returns=1)
                    for ref in ready:
                        job = waiting.pop(ref)
                        try:
                            outcome = ray.get(ref)
                        except ray.exceptions.RayError as err:  # the worker died max_retries + 1 times
                            outcome = record_lost_job(
                                context, job, f"{type(err).__name__}: {_first_line(err)}"
                            )
                        on_outcome(outcome)
                        bar.update(1)
        except BaseException:
            for ref in list(locals().get("waiting", {})):
                ray.cancel(ref, force=True)
            raise
        finally:
            if started_here:
                ray.shutdown()


def _ray_job(context: JobContext, job: Job) -> JobOutcome:
    """A Ray task: one job on the task's device (Ray makes the task's GPU ``cuda:0``)."""
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "1"))))
    device = "cuda" if torch.device(context.device).type == "cuda" else context.device
    return run_job(replace(context, device=device), job)


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [""])[0][:300]


def make_executor(name: str, *, jobs: int = 1, ray_address: str | None = None) -> Executor:
    """The executor ``--executor name`` asks for; refuses an unknown name or options that do not apply."""
    if name not in EXECUTORS:
        raise ExecutorError(f"unknown executor {name!r}; valid executors: {', '.join(EXECUTORS)}")
    if name == "local":
        if ray_address is not None:
            raise ExecutorError("--ray-address applies to --executor ray only")
        return LocalExecutor(jobs=jobs)
    if jobs != 1:
        raise ExecutorError(
            "--jobs applies to --executor local; Ray runs as many jobs at once as its CPUs/GPUs allow"
        )
    return RayExecutor(address=ray_address)
