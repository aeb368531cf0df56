"""Evaluations of the SMM objective: θ → R runs (common random numbers) → moments → J.

J(θ) = Σ_k w_k ((m̄_k(θ) − t_k) / se_k)², m̄_k the mean of moment k over the R replications, each
run with the same R seeds at every θ. A θ whose derived values are ≤ 0, whose run fails (the
scenario rejects it, the simulator crashes or times out) or that leaves a fitted moment undefined
is infeasible: J = ∞. Evaluations are cached by their assignments, and recorded in the order they
were asked for (which is deterministic: see search.py), each with its stage.
"""
import math
import sys
import time

import numpy as np

from . import targets as targets_mod
from .problem import Infeasible

PENALTY = 1e15  # what scipy sees for J = ∞: far above any feasible J, still finite arithmetic


class BadMoment(Exception):
    """A moment the runs cannot measure (an id, a period or units the scenario does not have):
    invalid input, found at the first run measured (exit 2)."""


class Evaluation:
    __slots__ = ("number", "u", "theta", "assignments", "values", "mean", "z", "J", "stage", "why", "runs")

    def __init__(self, number, u, theta, stage):
        self.number, self.u, self.theta, self.stage = number, u, theta, stage
        self.assignments, self.values, self.mean, self.z = None, None, None, None
        self.J, self.why, self.runs = math.inf, "", []

    @property
    def feasible(self):
        return math.isfinite(self.J)


class Evaluator:
    def __init__(self, problem, targets, store, progress):
        self.problem, self.targets, self.store, self.progress = problem, targets, store, progress
        self.t = np.array([m.value for m in targets.moments], dtype=float)
        self.se = np.array([m.se for m in targets.moments], dtype=float)
        self.w = np.array([m.weight for m in targets.moments], dtype=float)
        self.records = []          # every distinct evaluation, in order
        self.cache = {}            # key (assignments, or θ when infeasible before running) -> Evaluation
        self.best = None
        self.failed_runs = 0       # distinct runs that did not end ok

    def objective(self, mean):
        z = (mean - self.t) / self.se
        return z, targets_mod.objective(z, self.w)

    def evaluate(self, units, stage):
        """Evaluations at every u of `units` (cached ones re-used), their runs as one batch."""
        out, fresh = [], []
        for u in units:
            u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
            theta = self.problem.theta(u)
            try:
                assignments = tuple(self.problem.assignments(theta))
                key = assignments
                why = None
            except Infeasible as error:
                assignments, key, why = None, ("infeasible", tuple(theta)), f"infeasible: {error}"
            if key in self.cache:
                out.append(self.cache[key])
                continue
            ev = Evaluation(len(self.records), u, theta, stage)
            ev.assignments = assignments
            if why:
                ev.why = why
            else:
                fresh.append(ev)
            self.cache[key] = ev
            self.records.append(ev)
            out.append(ev)
        if fresh:
            batches = self.store.ensure([list(ev.assignments) for ev in fresh])
            for ev, indices in zip(fresh, batches):
                self._finish(ev, indices)
        for ev in out:
            if ev.feasible and (self.best is None or ev.J < self.best.J):
                self.best = ev
        self.progress.step(stage, self)
        return out

    def _finish(self, ev, indices):
        ev.runs = list(indices)
        rows = []
        for index in indices:
            status = self.store.status(index)
            if not status or status.get("status") != "ok":
                self.failed_runs += 1
                tail = ((status or {}).get("stderr") or "").strip().splitlines()
                state = (status or {}).get("status", "not run")
                ev.why = f"run {index} {state}: {tail[-1] if tail else 'no message'}"
                return
            try:
                rows.append(targets_mod.evaluate(self.targets, self.store.output(index)))
            except targets_mod.MomentError as error:
                raise BadMoment(f"{error} (in {self.store.output(index)})") from None
        ev.values = np.array(rows, dtype=float)
        ev.mean = ev.values.mean(axis=0)
        ev.z, ev.J = self.objective(ev.mean)
        if not ev.feasible:
            names = [m.name for k, m in enumerate(self.targets.moments) if self.w[k] > 0 and not np.isfinite(ev.z[k])]
            ev.why = f"moment(s) undefined: {', '.join(names)}"


class Progress:
    """One line per step on stderr (a live line on a terminal): stage, evaluations, runs, best J."""

    def __init__(self, quiet=False, stream=None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self.stage = None

    def say(self, text):
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\x1b[K")
        print(f"calibrate: {text}", file=self.stream)
        self.stream.flush()

    def step(self, stage, evaluator):
        if self.quiet:
            return
        best = evaluator.best
        best_text = f"best J = {best.J:.4g}" if best else "no feasible evaluation yet"
        store = evaluator.store
        line = (f"calibrate: {stage}: {len(evaluator.records)} evaluations, {store.ran} runs run"
                f"{f', {store.reused} re-used' if store.reused else ''}, {best_text} "
                f"({time.monotonic() - self.start:.0f} s)")
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def end_line(self):
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
