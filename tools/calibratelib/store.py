"""Runs of a calibration, through the sweep machinery, keyed by what they are.

A run is `BINARY run SCENARIO --seed S --set ...` exactly as a sweep's (sweeplib.runner): output in
DIR/runs/<index>.h5, how it ended in DIR/status/<index>.json, DIR/manifest.json listing every run
with its seed and assignments. Its key is (assignments, seed): asking again for a run with the
same key — later in the search, or in a re-run of the same calibration with --resume — re-uses it
when it is done, so an interrupted calibration resumes where it stopped and takes the same path.
Batches go to a local pool of `jobs` batch workers or to MPI worker ranks.
"""
import contextlib
import os

from sweeplib import batch, runner

MANIFEST_SCHEMA = "cloudmarket-calibrate-manifest/1"
DEFAULT_TIMEOUT_SECONDS = 3600.0


class DirectoryError(ValueError):
    """DIR cannot hold this calibration (exit 2)."""


class _Quiet:
    """The runner's progress interface, silent: calibrate reports evaluations, not runs."""

    def update(self, status):
        pass


class LocalPool:
    """`jobs` runs at a time, through batch workers kept from batch to batch."""

    def __init__(self, binary, jobs):
        self.binary, self.jobs = binary, jobs
        self.slots = batch.Pool(binary, jobs)

    def run(self, directory, manifest, indices):
        return runner.run_local(directory, manifest, indices, self.binary, self.jobs, _Quiet(), self.slots)

    def close(self, code):
        self.slots.close()


class MpiPool:
    """Rank 0's side: hands runs to the worker ranks as they ask, batch after batch (the manifest
    grows as the search goes, so each run travels with its message)."""

    def __init__(self, comm, binary):
        self.comm, self.binary = comm, binary
        self.idle = []

    def run(self, directory, manifest, indices):
        pending = list(indices)
        busy = 0
        statuses = []
        while pending or busy:
            while pending and self.idle:
                rank = self.idle.pop()
                i = pending.pop(0)
                self.comm.send(("run", i, manifest["runs"][i], manifest["base"], manifest["timeout_seconds"]),
                               dest=rank)
                busy += 1
            (kind, status), rank = runner.mpi_recv(self.comm, None)
            if kind == "ready":
                self.idle.append(rank)
                continue
            busy -= 1
            self.idle.append(rank)
            if status is not None:
                statuses.append(status)
        return statuses

    def close(self, code):
        """Every worker rank is told the exit code and leaves (those still to say ready first)."""
        told = set()
        for rank in self.idle:
            self.comm.send(("exit", code), dest=rank)
            told.add(rank)
        for _ in range(1, self.comm.Get_size()):
            if len(told) == self.comm.Get_size() - 1:
                break
            (kind, _), rank = runner.mpi_recv(self.comm, None, deadline=None)
            if rank not in told:
                self.comm.send(("exit", code), dest=rank)
                told.add(rank)
        self.idle = []


def mpi_worker(comm, directory, binary):
    """A worker rank: say ready, run what rank 0 sends, report, until told the exit code."""
    comm.send(("ready", None), dest=0)
    with contextlib.closing(batch.Slot(binary)) as slot:
        while True:
            message, _ = runner.mpi_recv(comm, 0)
            if message[0] == "exit":
                return message[1]
            _, index, run, base, timeout = message
            mini = {"runs": {index: run}, "base": base, "timeout_seconds": timeout}
            try:
                status = runner.run_one(directory, mini, index, binary, slot)
            except BaseException:
                try:
                    comm.send(("done", runner.read_status(directory, index)), dest=0)
                except Exception:
                    pass
                raise
            comm.send(("done", status), dest=0)




class RunStore:
    """The runs of one calibration directory. `ensure(requests)` takes lists of assignments (one
    per evaluation) and returns, for each, the run indices of its R replications, running those
    not done yet as one batch."""

    def __init__(self, directory, scenario, binary, seeds, pool, resume, name, lock=True):
        self.directory = directory
        self.seeds = list(seeds)
        self.pool = pool
        scenario = os.path.abspath(scenario)
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise DirectoryError(f"{directory} exists and is not a directory")
        old = runner.load_manifest(directory) if os.path.isdir(directory) else None
        if old is not None:
            if old.get("schema") != MANIFEST_SCHEMA:
                raise DirectoryError(f"{directory} holds a sweep, not a calibration; choose another directory")
            if old.get("base") != scenario and runner.has_results(directory):
                raise DirectoryError(f"{directory} holds a calibration of another scenario ({old.get('base')}); "
                                     "choose another directory")
            if runner.has_results(directory) and not resume:
                raise DirectoryError(f"{directory} already holds runs of a calibration; use --resume to re-use "
                                     "them, or choose another directory")
        elif os.path.isdir(directory) and any(not n.startswith(".") for n in os.listdir(directory)):
            raise DirectoryError(f"{directory} is not empty and holds no calibration (no manifest.json); "
                                 "choose another directory")
        for sub in ("", "runs", "status"):
            os.makedirs(os.path.join(directory, sub), exist_ok=True)
        self.lock = runner.lock_directory(directory, verb="calibrate", enabled=lock)
        runs = old["runs"] if old is not None and old.get("base") == scenario else []
        self.manifest = {"schema": MANIFEST_SCHEMA, "name": name, "base": scenario,
                         "binary": os.path.abspath(binary), "timeout_seconds": DEFAULT_TIMEOUT_SECONDS,
                         "runs": runs}
        self.by_key = {(tuple(r["set"]), r["seed"]): r["index"] for r in runs}
        runner.remove_stale_partials(directory)
        self.ran = 0      # runs started by this process
        self.reused = 0   # runs found done (from an earlier process)
        self._checked = set()

    def close(self):
        self.lock.release()

    def output(self, index):
        return runner.output_path(self.directory, index)

    def status(self, index):
        return runner.read_status(self.directory, index)

    def ensure(self, requests):
        """[[indices of the R runs] for each list of assignments in `requests`], after running
        every one not done."""
        out, todo, added = [], [], False
        for assignments in requests:
            indices = []
            for r, seed in enumerate(self.seeds):
                key = (tuple(assignments), seed)
                index = self.by_key.get(key)
                if index is None:
                    index = len(self.manifest["runs"])
                    self.manifest["runs"].append({"index": index, "point": None, "replication": r, "seed": seed,
                                                  "set": list(assignments)})
                    self.by_key[key] = index
                    added = True
                    todo.append(index)
                elif index not in self._checked:
                    if runner.is_done(self.directory, index):
                        self.reused += 1
                        self._checked.add(index)
                    elif index not in todo:
                        todo.append(index)
                indices.append(index)
            out.append(indices)
        if added:
            runner.write_json_atomic(runner.manifest_path(self.directory), self.manifest)
        if todo:
            self.ran += len(todo)
            self.pool.run(self.directory, self.manifest, todo)
            self._checked.update(todo)
        return out
