"""Where a run's jobs run: ``--jobs N`` local worker processes and ``--executor ray`` give the values of
one job after another in one process; two runs started at once into one reports folder get a folder
each; a job that fails is recorded as failed while the others finish, and a Ray worker that dies is
retried; and the executor options that do not go together are refused before any work."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from torch import nn

from ganbench.cli import main
from ganbench.networks import ConvGenerator
from ganbench.registry import VARIANTS
from ganbench.reporting.records import load_records
from ganbench.runtime import available_cores
from ganbench.studies.pipeline import new_run_dir
from ganbench.variants import Variant

if TYPE_CHECKING:
    from studies.conftest import GanbenchCli, ValueKey

#: A tiny run on the CPU: the smoke preset (0.5 kimg, 200 samples), two cheap measures.
TINY = ("run", "--preset", "smoke", "--metrics", "fid,kid", "--device", "cpu", "--no-progress")

#: A running Ray cluster's address (``.ci/run`` starts one with ``ray start --head``), or None.
CLUSTER = os.environ.get("GANBENCH_TEST_RAY_ADDRESS") or None

#: Jobs in another process than the run's driver have other torch thread counts (--jobs N: cores / N
#: each; Ray: one per task), so float sums round differently and 16 training steps carry that into
#: the measures: about 2e-5 relative on dcgan's FID measured on a 2-core CPU. A wrong seed or a
#: mixed-up job changes FID by several percent.
RELATIVE_TOLERANCE = 1e-3


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_close_values(got: dict[ValueKey, Any], expected: dict[ValueKey, Any]) -> None:
    """The same value keys, each value within :data:`RELATIVE_TOLERANCE` of the expected one."""
    assert got.keys() == expected.keys()
    far = {
        key: (got[key], expected[key])
        for key in expected
        if not math.isclose(got[key], expected[key], rel_tol=RELATIVE_TOLERANCE)
    }
    assert not far, f"values differ by more than {RELATIVE_TOLERANCE:g} (relative): {far}"


# ---- run folders: unique under concurrency (fast) ----


def test_runs_started_in_the_same_second_get_a_folder_each(tmp_path: Path) -> None:
    """16 threads ask for a run folder of one preset at the same moment: 16 distinct new folders, and
    the same-second collision path (a numbered folder) is taken."""
    count = 16
    barrier = threading.Barrier(count)
    folders: list[Path] = []

    def ask() -> None:
        barrier.wait()
        folders.append(new_run_dir(tmp_path / "reports", "smoke"))

    threads = [threading.Thread(target=ask) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(folders) == count and len(set(folders)) == count
    assert sorted(folders) == sorted((tmp_path / "reports").iterdir())
    assert all(folder.is_dir() and not any(folder.iterdir()) for folder in folders)
    assert any(folder.name.endswith("-2") for folder in folders)  # some shared a second


# ---- executor options that do not go together (fast: refused before any work) ----


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (
            ["--executor", "local", "--ray-address", "127.0.0.1:6379"],
            "--ray-address applies to --executor ray",
        ),
        (["--executor", "ray", "--jobs", "2"], "--jobs applies to --executor local"),
    ],
)
def test_executor_options_that_do_not_apply_are_usage_errors(
    tmp_path: Path, options: list[str], says: str
) -> None:
    """An option of the other executor: exit 2 naming it, and no run folder."""
    result = invoke(*TINY, *options, "--out", str(tmp_path / "reports"))
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not (tmp_path / "reports").exists()


def test_ray_executor_without_ray_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--executor ray`` where Ray cannot be imported: an error saying which extra to install, before
    any run folder is made."""
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    result = invoke(*TINY, "--variants", "dcgan", "--executor", "ray", "--out", str(tmp_path / "reports"))
    assert result.exit_code != 0
    assert "pip install 'ganbench[ray]'" in result.output
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


# ---- --jobs 2, and two runs started at once into one --out folder (one pair of runs) ----


@dataclass(frozen=True)
class Started:
    """A finished ``ganbench run`` child: its exit code, its output, and the most local worker
    processes it had at once."""

    returncode: int
    output: str
    most_workers: int


def _spawned_workers(pid: int) -> int:
    """Child processes of ``pid`` that are multiprocessing spawn workers (Linux /proc; 0 elsewhere)."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                count += 1
        except (OSError, IndexError, ValueError):
            continue  # the process ended while being read
    return count


def _run_together(commands: dict[int, tuple[GanbenchCli, tuple[str, ...]]], logs: Path) -> dict[int, Started]:
    """Start every command at once, watch their worker processes, and wait for all of them."""
    sinks = {name: open(logs / f"{name}.log", "wb") for name in commands}  # noqa: SIM115
    processes = {name: cli.start(*args, log=sinks[name]) for name, (cli, args) in commands.items()}
    most = dict.fromkeys(commands, 0)
    deadline = time.monotonic() + 600
    try:
        while any(process.poll() is None for process in processes.values()):
            if time.monotonic() > deadline:
                pytest.fail(f"runs still going after 600 s: see {logs}")
            for name, process in processes.items():
                most[name] = max(most[name], _spawned_workers(process.pid))
            time.sleep(0.05)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
            process.wait()
        for sink in sinks.values():
            sink.close()
    return {
        name: Started(process.returncode, (logs / f"{name}.log").read_text(), most[name])
        for name, process in processes.items()
    }


def _names(output: str, folder: Path) -> bool:
    """Whether ``output`` names ``folder``, not only a longer name that begins with it (``-smoke-2``)."""
    return re.search(re.escape(str(folder)) + r"(?![\w-])", output) is not None


@pytest.fixture(scope="module")
def two_runs_at_once(
    tmp_path_factory: pytest.TempPathFactory, ganbench_cli: GanbenchCli
) -> dict[int, tuple[Started, Path | None]]:
    """``--jobs 1`` and ``--jobs 2`` of the same tiny run (vanilla and dcgan, seed 0), started together
    into one ``--out`` folder: {jobs: (Started, its run folder or None)}.

    Each run has its own cache folder: two processes filling one cache at the same moment can
    collide on the cache's temporary file names (reported separately); these tests are about run
    folders and executors.
    """
    root = tmp_path_factory.mktemp("two-at-once")
    out = root / "reports"
    args = (*TINY, "--variants", "vanilla,dcgan", "--out", str(out))
    started = _run_together(
        {
            jobs: (ganbench_cli.with_cache(root / f"cache{jobs}"), (*args, "--jobs", str(jobs)))
            for jobs in (1, 2)
        },
        root,
    )
    folders = sorted(out.iterdir()) if out.is_dir() else []
    named = {
        jobs: [folder for folder in folders if _names(run.output, folder)] for jobs, run in started.items()
    }
    return {jobs: (started[jobs], named[jobs][0] if len(named[jobs]) == 1 else None) for jobs in started}


@pytest.mark.slow
def test_two_runs_started_at_once_into_one_folder_each_get_a_complete_run(
    two_runs_at_once: dict[int, tuple[Started, Path | None]], no_record_twice: Callable[[Path], None]
) -> None:
    """Both succeed, each in its own run folder (named in its output), each folder with every record
    of its own run (and only those), every job done, and its report."""
    folders = []
    for jobs, (run, folder) in two_runs_at_once.items():
        assert run.returncode == 0, f"--jobs {jobs}:\n{run.output[-3000:]}"
        assert folder is not None, f"--jobs {jobs}: its output names no single run folder:\n{run.output}"
        folders.append(folder)
        records = load_records(folder)
        assert set(records["run_id"]) == {folder.name}
        final = records[records["stage"] == "final"]
        assert set(zip(final["variant"], final["key"], strict=True)) == {
            (variant, key) for variant in ("real", "vanilla", "dcgan") for key in ("fid", "kid")
        }
        assert (final["status"] == "ok").all() and final["value"].notna().all()
        no_record_twice(folder)
        for variant in ("vanilla", "dcgan"):
            assert json.loads((folder / variant / "seed0" / "done.json").read_text())["status"] == "ok"
        assert (folder / "report.md").is_file()
    assert folders[0] != folders[1] and folders[0].parent == folders[1].parent


@pytest.mark.slow
def test_two_local_jobs_at_once_give_the_values_of_one_after_another(
    two_runs_at_once: dict[int, tuple[Started, Path | None]], values_of: Callable[..., dict[ValueKey, Any]]
) -> None:
    """``--jobs 2`` runs its two jobs in two worker processes, and its values are ``--jobs 1``'s
    (within :data:`RELATIVE_TOLERANCE`: the workers have other thread counts)."""
    (one, one_dir), (two, two_dir) = two_runs_at_once[1], two_runs_at_once[2]
    assert one.returncode == 0 and two.returncode == 0, "the runs failed: see the test above"
    if Path("/proc").is_dir():
        assert two.most_workers == 2 and one.most_workers == 0
    assert_close_values(values_of(two_dir), values_of(one_dir))
    threads = {
        jobs: set(values_of(folder, "train_threads")[key] for key in values_of(folder) if key[0] != "real")
        for jobs, folder in ((1, one_dir), (2, two_dir))
    }
    assert threads[2] == {max(1, available_cores() // 2)}  # what each record says it trained with
    assert threads[1] == {available_cores()}


# ---- Ray: the values of the local executor, a failing job, a worker that dies once ----

#: Test-only variants (dcgan with another generator builder), registered in this process and, by a
#: setup hook, in every Ray worker: one whose job raises, one whose first attempt kills its worker.
#: The faults act only outside this process: the run's driver (here) builds every variant's
#: networks to check them before any work.
FAILS = "test-job-raises"
DIES_ONCE = "test-worker-dies-once"
FAILURE = "this generator fails on purpose (test)"
TEST_PROCESS = os.getpid()  # a constant in the workers (this module reaches them pickled by value)


def _generator_that_fails(*args: Any) -> nn.Module:
    """Raise in a Ray worker (a job's own failure); dcgan's generator in the driver's check."""
    if os.getpid() != TEST_PROCESS:
        raise RuntimeError(FAILURE)
    return ConvGenerator(*args)


def _generator_that_dies_once(*args: Any, marker: str) -> nn.Module:
    """Kill the Ray worker the first time (no exception, no cleanup: as a lost worker), saying so in
    ``marker``; dcgan's generator afterwards and in the driver's check."""
    if os.getpid() != TEST_PROCESS and not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return ConvGenerator(*args)


def _test_variants(marker: str) -> dict[str, Variant]:
    from ganbench.registry import VARIANTS  # imported here: a worker must use its own registry

    dcgan = VARIANTS["dcgan"]
    return {
        FAILS: dataclasses.replace(dcgan, name=FAILS, build_generator=_generator_that_fails),
        DIES_ONCE: dataclasses.replace(
            dcgan, name=DIES_ONCE, build_generator=functools.partial(_generator_that_dies_once, marker=marker)
        ),
    }


def _register_in_worker(marker: str) -> None:
    """Ray's ``worker_process_setup_hook``: the test variants in this worker's registry."""
    from ganbench.registry import VARIANTS

    for name, variant in _test_variants(marker).items():
        VARIANTS.register(name, variant)


@dataclass(frozen=True)
class RayRun:
    result: Result
    run_dir: Path
    marker: Path


@pytest.fixture(scope="module")
def ray_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayRun]:
    """One ``ganbench run --executor ray`` (in this process, so the variants registered here are
    known to the CLI) of dcgan and the two test variants, on a local Ray instance of 2 CPUs started
    here (the executor uses a running instance and leaves it running) and shut down after the run."""
    ray = pytest.importorskip("ray")
    root = tmp_path_factory.mktemp("ray")
    marker = root / "first-attempt-died"
    cache = tmp_path_factory.getbasetemp() / "ganbench-cache"  # tests/conftest.py's isolated_cache

    def setup_worker() -> None:  # Ray wants a named function, not a partial
        _register_in_worker(str(marker))

    this_module = sys.modules[__name__]
    ray.cloudpickle.register_pickle_by_value(this_module)  # workers cannot import a test module
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("GANBENCH_CACHE", str(cache))
            for name, variant in _test_variants(str(marker)).items():
                patch.setitem(VARIANTS._entries, name, variant)
            ray.init(
                address=CLUSTER,  # .ci/run's running instance; else a local one started here
                num_cpus=None if CLUSTER else 2,
                include_dashboard=None if CLUSTER else False,
                log_to_driver=False,
                configure_logging=False,
                runtime_env={
                    "env_vars": {"GANBENCH_CACHE": str(cache), "OMP_NUM_THREADS": "1"},
                    "worker_process_setup_hook": setup_worker,
                },
            )
            try:
                result = CliRunner().invoke(  # exceptions kept in the result: see the report test
                    main,
                    [*TINY, "--variants", f"dcgan,{FAILS},{DIES_ONCE}", "--executor", "ray",
                     "--out", str(root / "reports")],
                )  # fmt: skip
            finally:
                ray.shutdown()
    finally:
        ray.cloudpickle.unregister_pickle_by_value(this_module)
    folders = list((root / "reports").iterdir())
    assert len(folders) == 1, result.output
    yield RayRun(result, folders[0], marker)


@pytest.mark.slow
def test_a_run_on_ray_gives_the_values_of_the_local_executor(
    ray_run: RayRun,
    two_runs_at_once: dict[int, tuple[Started, Path | None]],
    values_of: Callable[..., dict[ValueKey, Any]],
) -> None:
    """The reference row and dcgan on Ray have ``--jobs 1``'s values (within
    :data:`RELATIVE_TOLERANCE`: a Ray task has one torch thread)."""
    local_dir = two_runs_at_once[1][1]
    assert local_dir is not None, "the local run failed: see the tests above"
    on_ray = values_of(ray_run.run_dir)
    compared = {key: value for key, value in on_ray.items() if key[0] in ("real", "dcgan")}
    assert_close_values(compared, {k: v for k, v in values_of(local_dir).items() if k[0] != "vanilla"})


@pytest.mark.slow
def test_a_job_that_raises_on_ray_is_recorded_failed_and_the_others_finish(ray_run: RayRun) -> None:
    """The raising job: one record, ``status = failed``, no value, its exception in ``failure``,
    and done; the other jobs finish (their final values)."""
    records = load_records(ray_run.run_dir)
    failed = records[records["variant"] == FAILS]
    assert len(failed) == 1, failed
    (row,) = failed.itertuples(index=False)
    assert row.status == "failed" and math.isnan(row.value)
    assert row.failure == f"RuntimeError: {FAILURE}"
    done = json.loads((ray_run.run_dir / FAILS / "seed0" / "done.json").read_text())
    assert done["status"] == "failed" and FAILURE in done["line"]
    for variant in ("dcgan", DIES_ONCE):
        final = records[(records["variant"] == variant) & (records["stage"] == "final")]
        assert set(final["key"]) == {"fid", "kid"} and (final["status"] == "ok").all(), variant


@pytest.mark.slow
def test_a_run_with_a_failed_job_ends_with_its_report_and_says_so(ray_run: RayRun) -> None:
    """The run with a failed job writes its report, which lists the job and its reason, and exits 1
    naming errors.txt, which holds the job's line (a CI job sees that something failed)."""
    assert ray_run.result.exit_code == 1, ray_run.result.output
    assert "some jobs or measures failed" in ray_run.result.output
    assert FAILURE in (ray_run.run_dir / "errors.txt").read_text()
    report = (ray_run.run_dir / "report.md").read_text()
    assert f"{FAILS} seed 0: FAILED: RuntimeError: {FAILURE}" in report
    assert FAILURE in (ray_run.run_dir / "report.html").read_text()


@pytest.mark.slow
def test_a_ray_worker_that_dies_once_is_retried_and_its_job_completes(
    ray_run: RayRun, values_of: Callable[..., dict[ValueKey, Any]], no_record_twice: Callable[[Path], None]
) -> None:
    """The job whose first attempt killed its worker process ran again and finished, from the
    start, with the values dcgan has (the same training in a Ray task of the same run: compared
    exactly), each record once."""
    assert ray_run.marker.exists(), "the first attempt did not run, so no worker died"
    done = json.loads((ray_run.run_dir / DIES_ONCE / "seed0" / "done.json").read_text())
    assert done["status"] == "ok" and done["resumed_from_kimg"] is None
    values = values_of(ray_run.run_dir)
    retried = {key[1:]: value for key, value in values.items() if key[0] == DIES_ONCE}
    dcgan = {key[1:]: value for key, value in values.items() if key[0] == "dcgan"}
    assert retried and retried == dcgan
    no_record_twice(ray_run.run_dir)


@pytest.mark.slow
@pytest.mark.skipif(
    CLUSTER is None,
    reason="no running Ray cluster: `ray start --head`, set GANBENCH_TEST_RAY_ADDRESS (.ci/run does)",
)
def test_the_command_runs_its_jobs_on_a_running_cluster_at_ray_address(
    tmp_path: Path, ganbench_cli: GanbenchCli, values_of: Callable[..., dict[ValueKey, Any]]
) -> None:
    """``--executor ray --ray-address ADDR`` from a separate process, as a user runs it against a
    cluster started before: the jobs run in the cluster's workers (which see the driver's cache
    through the job's context) and every job finishes with its values."""
    assert CLUSTER is not None
    on_cluster = ("--variants", "vanilla,dcgan", "--executor", "ray", "--ray-address", CLUSTER)
    done = ganbench_cli.run(*TINY, *on_cluster, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    (run_dir,) = tmp_path.iterdir()
    values = values_of(run_dir)
    assert {key[0] for key in values} == {"real", "vanilla", "dcgan"}
    for variant in ("vanilla", "dcgan"):
        assert json.loads((run_dir / variant / "seed0" / "done.json").read_text())["status"] == "ok"
