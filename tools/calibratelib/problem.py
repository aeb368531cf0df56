"""The calibration problem: parameters θ on their unit cube, the scenario values each θ sets
(parameters, multipliers, derived shares), and the checks of all of it against the scenario.

u ∈ [0, 1]^d is what the search moves; θ_j = min + u (max − min), or on a log scale
θ_j = min · (max / min)^u. A θ sets `--set PATH=VALUE` assignments: the calibration's fixed `set`,
each parameter's path (or each path it multiplies, × its value in the scenario) and each derived
value P = 1 − Σ Pi. Values are written in Python's shortest round-trip form, so the same θ always
gives the same text, the same run key and the same run.
"""
import math
import os
import re

import numpy as np
import yaml

from sweeplib import sweepfile
from sweeplib.sweepfile import SweepFileError, did_you_mean

_SET_ERROR = re.compile(r"^<--set (?P<assign>.*?)>:(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$")
_LOCATED = re.compile(r"^(.+):(\d+):(\d+): error: (.*)$")


class ResolvedLoader(yaml.SafeLoader):
    """Reads `validate --print`, which writes numbers as YAML 1.2 does (2e+06, 1e-05): PyYAML's
    1.1 rules need a dot to see a float, so those would come back as strings."""


ResolvedLoader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
ResolvedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def number_text(x):
    """`--set` text of a number: shortest round-trip form (0.052734375, 1e-05, 1200000000.0)."""
    return repr(float(x))


def schedule(start, first, entries):
    """A dated key's schedule (docs/scenario.md, "Dated parameters"): `first` from the run's start,
    then each (date, value) of `entries` from its date on."""
    out = [{"from": str(start), "value": float(first)}]
    for since, value in sorted(entries):
        if since <= str(start):
            out = []
        out.append({"from": since, "value": float(value)})
    return out


def value_text(value):
    """`--set` text of a value: a number, or a schedule as a YAML flow list."""
    if isinstance(value, list):
        return "[" + ", ".join(f"{{from: {e['from']}, value: {number_text(e['value'])}}}" for e in value) + "]"
    return number_text(value)


class Infeasible(Exception):
    """θ cannot be run: a derived value would be ≤ 0."""


# ------------------------------------------------------------------------------------------------
# Paths in the resolved scenario (lists addressed by element id or 0-based index, as --set does)
# ------------------------------------------------------------------------------------------------

def _step(node, key):
    """The child `key` of a mapping, or of a list by id (then index); raises KeyError."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        raise KeyError(key, list(node))
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and str(item.get("id")) == key:
                return item
        if key.isdigit() and int(key) < len(node):
            return node[int(key)]
        raise KeyError(key, [str(i.get("id")) for i in node if isinstance(i, dict) and "id" in i])
    raise KeyError(key, [])


def lookup(resolved, path):
    """The value at dotted `path` of the resolved scenario; raises ValueError saying what is missing."""
    node = resolved
    done = []
    for key in path.split("."):
        try:
            node = _step(node, key)
        except KeyError as error:
            options = error.args[1] if len(error.args) > 1 else []
            where = ".".join(done) or "the scenario"
            raise ValueError(f"'{path}': {where} has no '{key}'{did_you_mean(key, options)}") from None
        done.append(key)
    return node


# ------------------------------------------------------------------------------------------------
# The problem
# ------------------------------------------------------------------------------------------------

class Problem:
    """θ ↔ u, and the assignments of an evaluation. `base` holds the scenario's values (after the
    fixed `set`) of every path a multiplier or a derived value reads."""

    def __init__(self, calibration, base_values, start_date=None):
        self.cal = calibration
        self.start_date = start_date  # the run's time.start: where a dated parameter's schedule begins
        self.params = list(calibration.parameters)
        self.derived = list(calibration.derived or [])
        self.base = dict(base_values)
        self.fixed = [(path, str(text)) for path, text in (calibration.set or {}).items()]
        self.names = [p.name for p in self.params]
        self.d = len(self.params)

    # -- scales -------------------------------------------------------------------------------
    def is_log(self, j):
        return self.params[j].scale == "log"

    def theta(self, u):
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        out = np.empty(self.d)
        for j, p in enumerate(self.params):
            if self.is_log(j):
                out[j] = math.exp(math.log(p.min) + u[j] * (math.log(p.max) - math.log(p.min)))
            else:
                out[j] = p.min + u[j] * (p.max - p.min)
            out[j] = min(max(out[j], p.min), p.max)  # exp/log round-off never leaves the range
        return out

    def unit(self, theta):
        out = np.empty(self.d)
        for j, p in enumerate(self.params):
            if self.is_log(j):
                out[j] = (math.log(theta[j]) - math.log(p.min)) / (math.log(p.max) - math.log(p.min))
            else:
                out[j] = (theta[j] - p.min) / (p.max - p.min)
        return np.clip(out, 0.0, 1.0)

    def dtheta_du(self, u):
        """∂θ_j/∂u_j at u: maps a standard error on the unit scale to the parameter's units."""
        theta = self.theta(u)
        return np.array([theta[j] * math.log(p.max / p.min) if self.is_log(j) else p.max - p.min
                         for j, p in enumerate(self.params)])

    def start_unit(self):
        """The `start` point (parameters without one at the middle of their scale), or None."""
        if all(p.start is None for p in self.params):
            return None
        theta = [p.start if p.start is not None else self.theta(np.full(self.d, 0.5))[j]
                 for j, p in enumerate(self.params)]
        return self.unit(np.array(theta, dtype=float))

    # -- assignments ----------------------------------------------------------------------------
    def values(self, theta):
        """{path: float} every parameter and derived value sets (multipliers already applied);
        raises Infeasible when a derived value is ≤ 0."""
        out = {}
        for j, p in enumerate(self.params):
            if p.multiply:
                for path in p.multiply:
                    out[path] = self.base[path] * float(theta[j])
            elif p.since is None:
                out[p.path] = float(theta[j])
        for dv in self.derived:
            total = 0.0
            for path in dv.one_minus:
                total += out[path] if path in out else self.base[path]
            value = 1.0 - total
            if not value > 0.0:
                raise Infeasible(f"{dv.path} = 1 - ({' + '.join(dv.one_minus)}) = {value:.6g} <= 0")
            out[dv.path] = value
        dated = {}
        for j, p in enumerate(self.params):
            if p.since is not None:
                dated.setdefault(p.path, []).append((p.since, float(theta[j])))
        for path, entries in dated.items():
            out[path] = schedule(self.start_date, out.get(path, self.base.get(path)), entries)
        return out

    def assignments(self, theta):
        """The `--set PATH=VALUE` texts of an evaluation at θ (fixed set first); raises Infeasible."""
        values = self.values(theta)
        return [f"{path}={text}" for path, text in self.fixed] + \
               [f"{path}={value_text(v)}" for path, v in values.items()]

    def paths_read(self):
        """Scenario paths whose base value the problem needs (multiplied paths, one_minus terms)."""
        own = {p.path for p in self.params if not p.multiply and p.since is None}
        paths = [path for p in self.params if p.multiply for path in p.multiply]
        paths += [p.path for p in self.params if p.since is not None and p.path not in own]
        paths += [path for dv in self.derived for path in dv.one_minus if path not in own]
        return list(dict.fromkeys(paths))


# ------------------------------------------------------------------------------------------------
# Checks with the simulator, before any run
# ------------------------------------------------------------------------------------------------

def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _relocated(line, mark):
    """A simulator complaint about `--set PATH=VALUE` moved to `mark` (other located lines kept)."""
    m = _SET_ERROR.match(line)
    if m:
        return f"{mark}: error: {m['msg']} (with --set {m['assign']})"
    if _LOCATED.match(line):
        return line
    return f"{mark}: error: {line}"


def check(calibration, scenario, binary, targets_path):
    """Check the scenario, the fixed `set`, every parameter at its min and max and every path the
    problem reads, with `BINARY validate`; returns (Problem, resolved scenario). Raises
    SweepFileError with every complaint located in the targets file (or the scenario's own)."""
    cal_mark = getattr(calibration, "mark", None) or f"{targets_path}:1:1"
    fixed = [(path, str(text)) for path, text in (calibration.set or {}).items()]
    base_cmd = [binary, "validate", scenario, *[x for path, text in fixed for x in ("--set", f"{path}={text}")]]
    rc, out, err = sweepfile._run_all([base_cmd + ["--print"]], 1)[0]
    if rc != 0:
        lines = err.strip().splitlines() or [f"'{binary} validate {scenario}' failed (exit {rc})"]
        messages = []
        for line in lines:
            m = _SET_ERROR.match(line)
            messages.append(_relocated(line, cal_mark) if m or not _LOCATED.match(line) else line)
        raise SweepFileError(messages)
    try:
        resolved = yaml.load(out, Loader=ResolvedLoader) or {}
    except yaml.YAMLError as error:
        raise SweepFileError([f"{scenario}: error: cannot read `{binary} validate --print`: {error}"]) from None

    errors = []
    base = {}
    own_paths = {p.path for p in calibration.parameters if not p.multiply and p.since is None}
    for p in calibration.parameters:
        for path in (p.multiply or [p.path]):
            try:
                value = lookup(resolved, path)
            except ValueError as error:
                if p.multiply:  # a lone path is left to `validate --set`, which says it best
                    errors.append(f"{p.mark}: error: {error}")
                continue
            if p.multiply:
                if not _number(value):
                    errors.append(f"{p.mark}: error: '{path}' is {value!r} in the scenario, not a number to multiply")
                else:
                    base[path] = float(value)
    for dv in calibration.derived or []:
        for path in dv.one_minus:
            if path in own_paths or path in base:
                continue
            try:
                value = lookup(resolved, path)
            except ValueError as error:
                errors.append(f"{dv.mark}: error: {error}")
                continue
            if not _number(value):
                errors.append(f"{dv.mark}: error: '{path}' is {value!r} in the scenario, not a number")
            else:
                base[path] = float(value)
        try:
            lookup(resolved, dv.path)
        except ValueError as error:
            errors.append(f"{dv.mark}: error: {error}")
    if errors:
        raise SweepFileError(errors)
    for j, p in enumerate(calibration.parameters):
        if not p.multiply:
            try:
                value = lookup(resolved, p.path)
                if _number(value):
                    base[p.path] = float(value)
                elif p.since is not None and p.path not in own_paths:  # else an undated parameter sets it
                    errors.append(f"{p.mark}: error: '{p.path}' is {value!r} in the scenario: a dated parameter "
                                  "needs a single number there to hold before its date")
            except ValueError:
                pass
    if errors:
        raise SweepFileError(errors)
    start_date = str((resolved.get("time") or {}).get("start", ""))
    problem = Problem(calibration, base, start_date)

    # Each parameter alone at its min and at its max (the others at the scenario's values), with
    # the derived values that follows; a corner where a derived value is ≤ 0 is infeasible by
    # design, not an error, and is skipped.
    checks = []
    for j, p in enumerate(problem.params):
        for end in (p.min, p.max):
            values = {}
            for path in (p.multiply or [p.path]):
                values[path] = base[path] * end if p.multiply else end
            if p.since is not None:
                values[p.path] = schedule(start_date, base[p.path], [(p.since, end)])
            try:
                for dv in problem.derived:
                    total = sum(values.get(q, base.get(q, 0.0)) for q in dv.one_minus)
                    if not 1.0 - total > 0.0:
                        raise Infeasible(dv.path)
                    values[dv.path] = 1.0 - total
            except Infeasible:
                continue
            assigns = [f"{path}={value_text(v)}" for path, v in values.items()]
            checks.append((p, assigns))
    commands = [base_cmd + [x for a in assigns for x in ("--set", a)] for _, assigns in checks]
    parallel = max(2, min(8, 2 * (os.cpu_count() or 1)))
    seen = set()
    for (p, assigns), (rc, _, err) in zip(checks, sweepfile._run_all(commands, parallel)):
        if rc == 0:
            continue
        for line in err.strip().splitlines() or [f"'{binary} validate' failed (exit {rc})"]:
            message = _relocated(line, p.mark)
            key = re.sub(r" \(with --set .*\)$", "", message) if "has no" in message or "unknown" in message \
                else message
            if key not in seen:
                seen.add(key)
                errors.append(message)
    if errors:
        raise SweepFileError(sorted(errors, key=sweepfile._position))
    return problem, resolved
