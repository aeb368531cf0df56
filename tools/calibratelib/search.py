"""The search for θ: a space-filling global stage, then local searches from its best points.

Global: a scrambled Sobol sequence (or a Latin hypercube) of `samples` points in the unit cube,
seeded from calibrate.seed, plus the `start` point if one is given; all run as one batch.

Local: scipy.optimize (Nelder–Mead or Powell, bounded to the unit cube) from each of the K best
distinct global points, side by side. Each search runs in a thread of its own, but only asks for
evaluations; this (main) thread gathers one request from every search still going, evaluates
them as one batch (so their runs share the pool) in the order of the searches, and answers. Every
round is the same whatever the timing, so a calibration always takes the same path, which is
what lets --resume re-use its runs. Each search stops after `max_evaluations` evaluations.
"""
import queue
import threading

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from sweeplib import designs
from sweeplib.sweepfile import derive_seed

from .evaluations import PENALTY

SIMPLEX_STEP = 0.1  # Nelder–Mead's first simplex: this far along each unit axis


def global_design(problem, spec, seed):
    """The global stage's points in the unit cube, (n, d)."""
    n = int(spec["samples"])
    design_seed = derive_seed(seed, "calibrate", "global", spec["design"])
    if spec["design"] == "lhs":
        return np.asarray(designs.lhs(n, problem.d, design_seed), dtype=float)
    engine = qmc.Sobol(d=problem.d, scramble=True, seed=design_seed)
    m = max(0, (n - 1).bit_length())
    return engine.random_base2(m)[:n]


def run_global(problem, evaluator, spec, seed):
    start = problem.start_unit()
    points = list(global_design(problem, spec, seed))
    if not points and start is None:  # `samples: 0` and no start: the middle of the cube
        points = [np.full(problem.d, 0.5)]
    if start is not None:
        evaluator.evaluate([start], "start")
    return evaluator.evaluate(points, "global")


def pick_starts(evaluations, k):
    """The k best feasible distinct evaluations (lowest J first, earlier first on ties)."""
    seen, out = set(), []
    for ev in sorted((e for e in evaluations if e.feasible), key=lambda e: (e.J, e.number)):
        key = tuple(np.round(ev.u, 12))
        if key not in seen:
            seen.add(key)
            out.append(ev)
        if len(out) == k:
            break
    return out


class _Budget(Exception):
    """A local search used up its max_evaluations."""


class _Search(threading.Thread):
    def __init__(self, number, x0, method, options):
        super().__init__(daemon=True, name=f"local-search-{number}")
        self.number, self.x0, self.method, self.options = number, x0, method, options
        self.requests = queue.Queue(maxsize=1)   # to the main thread: ("eval", u) or ("done", result)
        self.answers = queue.Queue(maxsize=1)
        self.count = 0
        self.result = None

    def objective(self, u):
        if self.count >= self.options["max_evaluations"]:
            raise _Budget()
        self.count += 1
        self.requests.put(("eval", np.array(u, dtype=float)))
        return self.answers.get()

    def run(self):
        try:
            d = len(self.x0)
            bounds = [(0.0, 1.0)] * d
            budget = self.options["max_evaluations"]
            if self.method == "powell":
                opts = {"xtol": self.options["xtol"], "ftol": self.options["ftol"], "maxfev": budget}
                self.result = optimize.minimize(self.objective, self.x0, method="Powell", bounds=bounds,
                                                options=opts)
            else:
                simplex = [self.x0]
                for j in range(d):
                    vertex = self.x0.copy()
                    vertex[j] += SIMPLEX_STEP if vertex[j] + SIMPLEX_STEP <= 1.0 else -SIMPLEX_STEP
                    simplex.append(vertex)
                opts = {"xatol": self.options["xtol"], "fatol": self.options["ftol"], "maxfev": budget,
                        "initial_simplex": np.array(simplex)}
                self.result = optimize.minimize(self.objective, self.x0, method="Nelder-Mead", bounds=bounds,
                                                options=opts)
        except _Budget:
            self.result = None
        except BaseException as error:  # handed to the main thread, raised there
            self.requests.put(("error", error))
            return
        self.requests.put(("done", self.result))


def run_local(evaluator, starts, spec):
    """Local searches from each start (Evaluations), side by side; returns their scipy results
    (None for a search stopped by its budget)."""
    method = spec["method"].replace("_", "-").lower()
    searches = [_Search(i, np.array(ev.u, dtype=float), method, spec) for i, ev in enumerate(starts)]
    for s in searches:
        s.start()
    going = list(searches)
    while going:
        asks = []
        for s in going:  # one message from every search still going, in their order
            while True:
                try:
                    kind, payload = s.requests.get(timeout=0.2)  # a timeout keeps Ctrl-C responsive
                    break
                except queue.Empty:
                    continue
            if kind == "error":
                raise payload
            asks.append((s, kind, payload))
        going = [s for s, kind, _ in asks if kind == "eval"]
        if not going:
            break
        results = evaluator.evaluate([payload for _, kind, payload in asks if kind == "eval"], "local")
        for s, ev in zip(going, results):
            s.answers.put(ev.J if ev.feasible else PENALTY)
    for s in searches:
        s.join()
    return [s.result for s in searches]
